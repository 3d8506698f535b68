#!/usr/bin/python3
"""e2e_pty.py - drive an interactive program through a terminal, for tests/e2e/matrix.bats.

    e2e_pty.py COMMAND...

Runs COMMAND on a new pseudo-terminal and plays a remote-login session over
it: wait for a shell prompt, run a command, start a long one and interrupt
it with the terminal's interrupt key (^C), check the session survives, exit.
Prints one line per step ("step ok" / "step FAILED: ...") and exits 0 only
if every step passed.  Every step waits for what it expects, up to a minute
(a loaded machine is slow, never wrong); the interrupt key goes only once the
long command is seen running, and again every 5 s until the prompt is back.
"""
import os
import pty
import select
import sys
import time

pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])

buf = b""


def expect(what, timeout):
    global buf
    end = time.monotonic() + timeout
    while what not in buf:
        left = end - time.monotonic()
        if left <= 0:
            return False
        r, _, _ = select.select([fd], [], [], left)
        if r:
            try:
                data = os.read(fd, 4096)
            except OSError:
                return False
            if not data:
                return False
            buf += data
    buf = buf[buf.index(what) + len(what):]
    return True


def step(name, ok):
    print(name, "ok" if ok else "FAILED: %r" % buf[-300:])
    sys.stdout.flush()
    if not ok:
        os.kill(pid, 9)
        sys.exit(1)


def send(s):
    os.write(fd, s.encode())


WAIT = 60
time.sleep(1)
send("PS1='sh> '; export PS1\r")
step("prompt", expect(b"sh> ", WAIT))
send("echo answer-$((6 * 7))\r")
step("command", expect(b"answer-42", WAIT))
step("prompt-again", expect(b"sh> ", WAIT))
# The long command says it started (its echoed line cannot say "started-2"),
# then sleeps longer than any wait here: only the interrupt ends it in time.
send("echo started-$((1 + 1)); sleep 300; echo not-interrupted\r")
step("long-command", expect(b"started-2", WAIT))
t = time.monotonic()
# The terminal's interrupt key, again every 5 s until the prompt is back: one
# typed while the shell is between the echo and starting sleep can be lost.
interrupted = False
while not interrupted and time.monotonic() - t < WAIT:
    send("\x03")
    interrupted = expect(b"sh> ", 5)
step("interrupt (%.1f s)" % (time.monotonic() - t), interrupted and b"not-interrupted" not in buf)
send("echo still-$((2 + 2))\r")
step("after-interrupt", expect(b"still-4", WAIT))
send("exit\r")
os.waitpid(pid, 0)
print("done")
