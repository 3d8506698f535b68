"""e2e_stream.py - a TCP program in Python, for tests/e2e/write.bats.

    e2e_stream.py serve PORT OUT       accept one connection, write what arrives to OUT
    e2e_stream.py send PORT MODE N     connect, send N random bytes, print their sha256
    e2e_stream.py waitall PORT N       connect, recv(N, MSG_WAITALL) once, print the length
    e2e_stream.py dribble PORT N K     accept one connection, send N bytes in K sends 0.2 s apart

MODE: sendall (one send() call of N bytes), write (one os.write), writev (two
halves in one os.writev), nonblock (non-blocking sends with select until all
went out; prints the number of sends and of EAGAINs too), empty (send(b"")
and os.write(fd, b"") must return 0, then N bytes).  It knows nothing of SCTP
except to print the socket's protocol, so the test can check it.
"""
import hashlib, os, select, socket, sys

def serve(port, out):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port)); ls.listen()
    c, _ = ls.accept()
    with open(out, "wb") as f:
        while True:
            b = c.recv(65536)
            if not b:
                break
            f.write(b)

def send(port, mode, n):
    data = os.urandom(n)
    s = socket.create_connection(("127.0.0.1", port))
    proto = s.getsockopt(socket.SOL_SOCKET, socket.SO_PROTOCOL)
    fd = s.fileno()
    extra = ""
    if mode == "sendall":
        sent = s.send(data)
        assert sent == n, f"one blocking send() of {n} sent {sent}"
    elif mode == "write":
        sent = os.write(fd, data)
        assert sent == n, f"one blocking write() of {n} wrote {sent}"
    elif mode == "writev":
        sent = os.writev(fd, [data[: n // 2], data[n // 2 :]])
        assert sent == n, f"one blocking writev() of {n} wrote {sent}"
    elif mode == "empty":
        assert s.send(b"") == 0 and os.write(fd, b"") == 0, "an empty write is not 0"
        s.sendall(data)
    elif mode == "nonblock":
        s.setblocking(False)
        off = calls = eagain = 0
        while off < n:
            select.select([], [s], [], 10)
            try:
                calls += 1
                off += s.send(data[off:])
            except BlockingIOError:
                eagain += 1
        extra = f" sends={calls} eagain={eagain}"
    s.close()
    print(f"proto={proto} sha256={hashlib.sha256(data).hexdigest()}{extra}")

def waitall(port, n):
    s = socket.create_connection(("127.0.0.1", port))
    b = s.recv(n, socket.MSG_WAITALL)
    print(f"proto={s.getsockopt(socket.SOL_SOCKET, socket.SO_PROTOCOL)} got={len(b)}")

def dribble(port, n, k):
    import time
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port)); ls.listen()
    c, _ = ls.accept()
    for i in range(k):
        c.send(b"x" * (n // k)); time.sleep(0.2)
    time.sleep(1)

cmd, args = sys.argv[1], sys.argv[2:]
if cmd == "serve": serve(int(args[0]), args[1])
elif cmd == "send": send(int(args[0]), args[1], int(args[2]))
elif cmd == "waitall": waitall(int(args[0]), int(args[1]))
elif cmd == "dribble": dribble(int(args[0]), int(args[1]), int(args[2]))
