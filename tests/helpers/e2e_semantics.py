#!/usr/bin/python3
"""e2e_semantics.py - small TCP programs for tests/e2e/semantics.bats.

Each mode is an ordinary TCP program (run under sctpize by the tests), or,
where the name says native, an SCTP program that knows nothing of sctpize.

  server PORT          accept one connection, read to end of file, answer
                       "got N bytes sha256 H" and close
  exec-server PORT CMD accept one connection, make it fds 0 and 1, exec CMD
                       (what inetd does)
  client PORT DATA     send DATA, shutdown(SHUT_WR), print what comes back
                       until end of file, then one more read ("eof-again N")
                       and a write after the shutdown ("write-after: ERR")
  native-server PORT   the same as server, on a native SCTP socket: prints
                       the bytes it received (hex) to stdout
  accept-wake PORT     a thread blocks in accept(); shutdown(SHUT_RDWR) on the
                       listener must wake it: prints "woken: ERRNO SECONDS"
  options PORT         connect to a server on PORT and print the SCTP options
                       the converted and the accepted socket have
  sendfile-server PORT FILE  accept one connection, send FILE with sendfile()
  count-client PORT    read to end of file: "bytes N reads R sha256 H"
  oob PORT             SIOCATMARK and SIOCOUTQ answers, MSG_OOB sent inline
  differences PORT     the documented differences that remain, one per line
  connect-timeout ADDR try to connect to ADDR:9; prints "ERRNO SECONDS"
"""
import errno
import fcntl
import hashlib
import os
import socket
import struct
import sys
import threading
import time

SOL_SCTP = 132
SCTP_RTOINFO, SCTP_INITMSG, SCTP_DELAYED_SACK = 0, 2, 16
SIOCATMARK, SIOCOUTQ = 0x8905, 0x5411


def listener(port, proto=0):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, proto)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(5)
    return s


def read_to_eof(c):
    data = bytearray()
    while True:
        b = c.recv(65536)
        if not b:
            return bytes(data)
        data += b


def server(port):
    s = listener(port)
    c, _ = s.accept()
    h, n = hashlib.sha256(), 0
    while True:
        b = c.recv(1 << 20)
        if not b:
            break
        h.update(b)
        n += len(b)
    c.sendall(b"got %d bytes sha256 %s\n" % (n, h.hexdigest().encode()))
    c.close()


def sendfile_server(port, path):
    s = listener(port)
    c, _ = s.accept()
    with open(path, "rb") as f:
        size, off = os.fstat(f.fileno()).st_size, 0
        while off < size:
            off += os.sendfile(c.fileno(), f.fileno(), off, size - off)
    c.close()


def count_client(port):
    c = socket.create_connection(("127.0.0.1", port))
    h, n, reads = hashlib.sha256(), 0, 0
    while True:
        b = c.recv(1 << 20)
        if not b:
            break
        h.update(b)
        n += len(b)
        reads += 1
    print("bytes %d reads %d sha256 %s" % (n, reads, h.hexdigest()))


def exec_server(port, cmd):
    s = listener(port)
    c, _ = s.accept()
    os.dup2(c.fileno(), 0)
    os.dup2(c.fileno(), 1)
    c.close()
    s.close()
    os.execvp("sh", ["sh", "-c", cmd])


def native_server(port):
    s = listener(port, socket.IPPROTO_SCTP)
    c, _ = s.accept()
    data = b""
    try:
        data = read_to_eof(c)
    except OSError as e:
        print("read error", errno.errorcode.get(e.errno, e.errno))
    print("received", data.hex())
    try:
        c.sendall(b"reply\n")
        print("reply sent")
    except OSError as e:
        print("reply failed", errno.errorcode.get(e.errno, e.errno))
    sys.stdout.flush()
    c.close()


def client(port, data):
    c = socket.create_connection(("127.0.0.1", port))
    c.sendall(data.encode())
    c.shutdown(socket.SHUT_WR)
    try:
        sys.stdout.write(read_to_eof(c).decode())
        print("eof-again", len(c.recv(100)))
    except OSError as e:
        print("read error", errno.errorcode.get(e.errno, e.errno))
    try:
        c.send(b"x")
        print("write-after: ok")
    except OSError as e:
        print("write-after:", errno.errorcode.get(e.errno, e.errno))
    c.close()


def accept_wake(port):
    s = listener(port)
    result = []
    calling = threading.Event()
    shut = [0.0]

    def wait():
        calling.set()
        try:
            s.accept()
            result.append("accepted")
        except OSError as e:
            # The time from the shutdown to the wake (a figure, not a bound).
            result.append("%s %.1f" % (errno.errorcode.get(e.errno, e.errno),
                                       time.monotonic() - shut[0]))

    th = threading.Thread(target=wait)
    th.start()
    calling.wait()
    time.sleep(0.5)  # into accept() by now (and if not, accept() answers EINVAL at once)
    shut[0] = time.monotonic()
    s.shutdown(socket.SHUT_RDWR)
    th.join(60)
    print("woken:", result[0] if result else "no (still blocked)")
    sys.stdout.flush()
    os._exit(0)


def sctp_opts(s):
    sack = struct.unpack("III", s.getsockopt(SOL_SCTP, SCTP_DELAYED_SACK, 12))
    init = struct.unpack("HHHH", s.getsockopt(SOL_SCTP, SCTP_INITMSG, 8))
    return "sack_delay=%d sndbuf=%d rcvbuf=%d init_attempts=%d init_max_timeo=%d" % (
        sack[1], s.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF),
        s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF), init[2], init[3])


def options(port):
    s = listener(port)
    c = socket.create_connection(("127.0.0.1", port))
    a, _ = s.accept()
    print("proto", c.getsockopt(socket.SOL_SOCKET, socket.SO_PROTOCOL))
    print("client", sctp_opts(c))
    print("accepted", sctp_opts(a))


def outq(c):
    return struct.unpack("i", fcntl.ioctl(c.fileno(), SIOCOUTQ, struct.pack("i", -1)))[0]


def outq_when_acknowledged(c, limit=60):
    """SIOCOUTQ of c once it says 0 (everything sent was acknowledged), or
    what it says after limit seconds."""
    end = time.monotonic() + limit
    n = outq(c)
    while n != 0 and time.monotonic() < end:
        time.sleep(0.05)
        n = outq(c)
    return n


def oob(port):
    s = listener(port)
    c = socket.create_connection(("127.0.0.1", port))
    a, _ = s.accept()
    c.sendall(b"ab")
    c.send(b"!", socket.MSG_OOB)
    c.sendall(b"cd")
    got = b""
    while len(got) < 5:
        got += a.recv(100)
    print("inline", got.decode())
    mark = fcntl.ioctl(a.fileno(), SIOCATMARK, struct.pack("i", -1))
    print("atmark", struct.unpack("i", mark)[0])
    print("outq", outq_when_acknowledged(c))


def differences(port):
    """What stays as SCTP does it (libsctpize(7)): each line one documented row."""
    s = listener(port)
    c = socket.create_connection(("127.0.0.1", port))
    a, _ = s.accept()
    for _ in range(100):
        c.send(b"0123456789")
    outq_when_acknowledged(c)  # all 100 messages are at the receiver
    FIONREAD = 0x541B
    n = struct.unpack("i", fcntl.ioctl(a.fileno(), FIONREAD, struct.pack("i", 0)))[0]
    print("fionread", n)
    print("peek", len(a.recv(4096, socket.MSG_PEEK)))
    reads = 0
    got = 0
    while got < 1000:
        got += len(a.recv(4096))
        reads += 1
    print("reads", reads)
    try:
        c.setsockopt(socket.SOL_SOCKET, 60, 1)  # SO_ZEROCOPY
        print("zerocopy ok")
    except OSError as e:
        print("zerocopy", errno.errorcode.get(e.errno, e.errno))
    # MSG_MORE holds the bytes back, but they stay a message of their own.
    c.send(b"abc", socket.MSG_MORE)
    c.send(b"defg")
    print("more", len(a.recv(100)), len(a.recv(100)))
    # TCP_NODELAY off (the default): Nagle, with the peer's delayed SACK.
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 0)
    t = time.monotonic()
    for _ in range(10):
        c.send(b"a" * 100)
        c.send(b"b" * 100)
        while len(a.recv(4096)) == 0:
            pass
        a.recv(4096)
        a.send(b"r")
        c.recv(1)
    print("nagle-rtt-ms %.0f" % ((time.monotonic() - t) * 100))


def connect_timeout(addr):
    c = socket.socket()
    t = time.monotonic()
    try:
        c.connect((addr, 9))
        print("connected")
    except OSError as e:
        print(errno.errorcode.get(e.errno, e.errno), "%.0f" % (time.monotonic() - t))


if __name__ == "__main__":
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "server":
        server(int(args[0]))
    elif mode == "sendfile-server":
        sendfile_server(int(args[0]), args[1])
    elif mode == "count-client":
        count_client(int(args[0]))
    elif mode == "exec-server":
        exec_server(int(args[0]), args[1])
    elif mode == "native-server":
        native_server(int(args[0]))
    elif mode == "client":
        client(int(args[0]), args[1])
    elif mode == "accept-wake":
        accept_wake(int(args[0]))
    elif mode == "options":
        options(int(args[0]))
    elif mode == "oob":
        oob(int(args[0]))
    elif mode == "differences":
        differences(int(args[0]))
    elif mode == "connect-timeout":
        connect_timeout(args[0])
    else:
        sys.exit("unknown mode " + mode)
