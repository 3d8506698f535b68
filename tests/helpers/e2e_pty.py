#!/usr/bin/python3
"""e2e_pty.py - drive an interactive program through a terminal, for tests.

    e2e_pty.py COMMAND...

Runs COMMAND on a new pseudo-terminal and plays a remote-login session over
it: wait for a shell prompt, run a command, start a long one and interrupt
it with the terminal's interrupt key (^C), check the session survives, exit.
Prints one line per step ("step ok" / "step FAILED: ...") and exits 0 only
if every step passed.
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


time.sleep(1)
send("PS1='sh> '; export PS1\r")
step("prompt", expect(b"sh> ", 15))
send("echo answer-$((6 * 7))\r")
step("command", expect(b"answer-42", 10))
step("prompt-again", expect(b"sh> ", 10))
t = time.monotonic()
send("sleep 30; echo not-interrupted\r")
time.sleep(1.5)
send("\x03")  # the terminal's interrupt key
interrupted = expect(b"sh> ", 10)
step("interrupt (%.1f s)" % (time.monotonic() - t), interrupted and b"not-interrupted" not in buf)
send("echo still-$((2 + 2))\r")
step("after-interrupt", expect(b"still-4", 10))
send("exit\r")
os.waitpid(pid, 0)
print("done")
