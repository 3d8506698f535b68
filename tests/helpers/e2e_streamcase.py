"""e2e_streamcase.py - a Python TCP server that starts a subprocess, for tests/e2e/stream.bats.

CPython (3.10 and later) starts subprocess.run() children with vfork(): the
child shares the parent's memory until it execs, and closes every descriptor
it does not pass on (close_range()) before it does.  Whatever a preloaded
library does in that child happens to the parent's memory too.

    e2e_streamcase.py server PORT WHEN [reply]
        Listen on 127.0.0.1:PORT, accept one client, read until end of file.
        WHEN: "listen" runs subprocess.run(["true"]) after listen(), before
        accept(); "accept" after accept().  reply: after end of file, send
        "reply\\n" (half-close).
    e2e_streamcase.py dual PORT N
        Listen, run subprocess.run(["true"]), then serve N clients in turn.

Prints, per client, as tests/helpers/e2e_streamcase.c does:
    server proto=P
    got="ESCAPED" end=eof|timeout|error:ENAME
    [reply=sent|error:ENAME]
and "accept=error:ENAME" if accept() fails.  A program that waits 20 s for
its client's bytes prints what it has with end=timeout and exits 3.
"""
import errno, os, signal, socket, subprocess, sys

got = bytearray()


def esc(b):
    out = []
    for c in b:
        if c == 10:
            out.append("\\n")
        elif c in (34, 92):
            out.append("\\" + chr(c))
        elif 0x20 <= c < 0x7f:
            out.append(chr(c))
        else:
            out.append("\\x%02x" % c)
    return "".join(out)


def say(line):
    print(line, flush=True)


def on_alarm(sig, frame):
    say(f'got="{esc(got)}" end=timeout')
    os._exit(3)


def ename(e):
    return errno.errorcode.get(e.errno, "?") if isinstance(e, OSError) else type(e).__name__


def child():
    r = subprocess.run(["true"])
    if r.returncode != 0:
        say(f"child={r.returncode}")
        sys.exit(1)


def listener(port):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(8)
    return ls


def serve(ls, after_accept, reply):
    try:
        c, _ = ls.accept()
    except OSError as e:
        say(f"accept=error:{ename(e)}")
        sys.exit(1)
    if after_accept:
        child()
    say(f"server proto={c.getsockopt(socket.SOL_SOCKET, socket.SO_PROTOCOL)}")
    del got[:]
    signal.alarm(20)
    end = "eof"
    try:
        while True:
            b = c.recv(4096)
            if not b:
                break
            got.extend(b)
    except OSError as e:
        end = f"error:{ename(e)}"
    say(f'got="{esc(got)}" end={end}')
    if reply:
        try:
            c.sendall(b"reply\n")
            say("reply=sent")
        except OSError as e:
            say(f"reply=error:{ename(e)}")
    c.close()


def main():
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(60)
    cmd, port, args = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    ls = listener(port)
    if cmd == "server":
        when = args[0]
        if when == "listen":
            child()
        serve(ls, when == "accept", "reply" in args[1:])
    elif cmd == "dual":
        child()
        for _ in range(int(args[0])):
            serve(ls, False, False)
    else:
        sys.exit(f"unknown command {cmd}")


main()
