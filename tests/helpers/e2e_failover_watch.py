#!/usr/bin/env python3
"""e2e_failover_watch.py - watch a transfer: the receiver's file size every 100 ms
(tests/e2e/failover.bats, tests/demo-failover).

    e2e_failover_watch.py [--links] [--mark FILE] [--give-up S] [--ready FILE]
                      [--interval S] [--fault-at BYTES --fault-batch CMD LINE ...]
                      [--sample NAME=DIR ... --samples PREFIX]
                      RECEIVED EXPECTED TIMEOUT

Samples the size of RECEIVED every --interval seconds (0.1) until it reaches
EXPECTED bytes or TIMEOUT seconds pass.  The stall is the longest interval
without progress of that size, from the first byte received to the end (the
last byte, or the timeout when the transfer never completes).  --mark FILE:
FILE appears (written by whoever injects the fault) at the moment of the
fault; its time is reported, and the stall that began after it.

--give-up S: stop once S seconds passed after the fault without progress.
--ready FILE: create FILE once watching (so a caller can start the transfer).

--fault-at BYTES --fault-batch CMD LINE (repeated): inject the fault itself
once RECEIVED holds BYTES: CMD (split into words, e.g. "ip -n NS -batch -"
or "tc -n NS -batch -"), started before the transfer, gets LINE on its
stdin, then end of file; the fault's time is when every CMD has exited.  No
process is started at the fault, and the watcher sees the size every 100 ms:
on a loaded machine a caller's shell loop may take seconds per look, and
starting ip or tc seconds more, and a fault that late could come after the
end of the transfer.

--sample NAME=DIR (repeated) --samples PREFIX: from the fault on, twice a
second and once more at the end, append the lines of DIR/assocs and
DIR/remaddr (an SCTP /proc directory, e.g. /proc/self/net/sctp, or
/proc/PID/net/sctp for the namespace of process PID), without their header,
to PREFIX.NAME.assocs and PREFIX.NAME.remaddr: what the kernel says of the
associations while the transfer goes on after the fault.

--links: also print, once a second, the bytes each link carried in that second
(tx of link1 and link2 of the namespace the watcher runs in, from /sys), with
"<== link 1 failed" on the second of the fault and "switch" on the first
second where link 2 carries more than link 1.

The last line is the summary, key=value words:
    complete=0|1 bytes=N elapsed=S stall=S stall_at=S fault_at=S after_fault=S
(times in seconds from the first byte; after_fault: the longest stall that
began at or after the fault, or the time since the fault without progress).
"""
import argparse
import os
import shlex
import subprocess
import sys
import time


def size(path):
    try:
        return os.stat(path).st_size
    except FileNotFoundError:
        return 0


def sample(dirs, prefix):
    for name, d in dirs:
        for table in ("assocs", "remaddr"):
            try:
                with open(f"{d}/{table}") as f:
                    lines = f.readlines()[1:]
            except OSError:
                lines = []
            with open(f"{prefix}.{name}.{table}", "a") as out:
                out.writelines(lines)


def link_tx(name):
    try:
        with open(f"/sys/class/net/{name}/statistics/tx_bytes") as f:
            return int(f.read())
    except OSError:
        return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--links", action="store_true")
    ap.add_argument("--mark")
    ap.add_argument("--give-up", type=float)
    ap.add_argument("--ready")
    ap.add_argument("--interval", type=float, default=0.1)
    ap.add_argument("--fault-at", type=int)
    ap.add_argument("--fault-batch", nargs=2, action="append", default=[],
                    metavar=("CMD", "LINE"))
    ap.add_argument("--sample", action="append", default=[])
    ap.add_argument("--samples")
    ap.add_argument("received")
    ap.add_argument("expected", type=int)
    ap.add_argument("timeout", type=float)
    a = ap.parse_args()
    dirs = [tuple(x.split("=", 1)) for x in a.sample]
    sampled = None
    batch = [(subprocess.Popen(shlex.split(cmd), stdin=subprocess.PIPE, stdout=sys.stderr,
                               text=True), line) for cmd, line in a.fault_batch]
    injected = False

    start = time.monotonic()
    first = None            # time of the first byte
    last_prog = None        # time of the last progress
    last_size = 0
    stall, stall_at = 0.0, 0.0
    after_fault = 0.0
    fault = None
    prev_tx = (link_tx("link1"), link_tx("link2"))
    next_sec = start + 1
    sec = 0
    switched = False
    fault_printed = False
    if a.links:
        print(f"{'second':>6} {'link 1 KB':>10} {'link 2 KB':>10} {'received KB':>12}", flush=True)

    if a.ready:
        open(a.ready, "w").close()
    while True:
        now = time.monotonic()
        if a.mark and fault is None and os.path.exists(a.mark):
            fault = now
        s = size(a.received)
        if batch and not injected and s >= a.fault_at:
            for p, line in batch:
                p.stdin.write(line + "\n")
                p.stdin.close()
            injected = True
        if injected and fault is None and all(p.poll() is not None for p, _ in batch):
            fault = now = time.monotonic()
        if a.samples and fault is not None and (sampled is None or now - sampled >= 0.5):
            sample(dirs, a.samples)
            sampled = now
        if s > last_size:
            if first is None:
                first = now
            else:
                gap = now - last_prog
                if gap > stall:
                    stall, stall_at = gap, last_prog - first
                if fault is not None and last_prog >= fault - a.interval and gap > after_fault:
                    after_fault = gap
            last_prog = now
            last_size = s
        if a.links and now >= next_sec:
            sec += 1
            next_sec += 1
            tx = (link_tx("link1"), link_tx("link2"))
            d1, d2 = tx[0] - prev_tx[0], tx[1] - prev_tx[1]
            prev_tx = tx
            note = ""
            if fault is not None and not fault_printed:
                note += "  <== link 1 failed"
                fault_printed = True
            if fault is not None and not switched and d2 > d1 and d2 > 4096:
                note += "  <== switch: link 2 carries the data"
                switched = True
            print(f"{sec:>6} {d1 / 1024:>10.0f} {d2 / 1024:>10.0f} {s / 1024:>12.0f}{note}", flush=True)
        if (a.give_up is not None and fault is not None and
                now - max(fault, last_prog or fault) >= a.give_up):
            break
        if s >= a.expected or now - start >= a.timeout:
            break
        time.sleep(max(0.0, a.interval - (time.monotonic() - now)))

    end = time.monotonic()
    if a.samples and fault is not None:
        sample(dirs, a.samples)
    complete = last_size >= a.expected
    if first is not None and not complete:
        # No progress from the last byte to the timeout: that is a stall too.
        gap = end - last_prog
        if gap > stall:
            stall, stall_at = gap, last_prog - first
        if fault is not None and last_prog >= fault - a.interval and gap > after_fault:
            after_fault = gap
        if fault is not None and last_prog < fault:
            after_fault = end - fault
    base = first if first is not None else start
    print(f"complete={int(complete)} bytes={last_size} "
          f"elapsed={(last_prog or end) - base:.1f} stall={stall:.1f} stall_at={stall_at:.1f} "
          f"fault_at={(fault - base) if fault is not None else -1:.1f} after_fault={after_fault:.1f}",
          flush=True)
    return 0 if complete else 1


if __name__ == "__main__":
    sys.exit(main())
