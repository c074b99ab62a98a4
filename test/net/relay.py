#!/usr/bin/env python3
"""Delay/loss relay between two TUN devices (this kernel has no netem qdisc).

Runs inside the router namespace that test/net/topology.ts builds: policy routing sends every
packet that arrives from the client side into TUN A and from the server side into TUN B; this
script reads each device and writes the packet to the other one after DELAY_MS, dropping it
with probability LOSS (a seeded generator, so a run is reproducible). Packets written to a TUN
device enter the router as if received on it and are routed on by the main table.

    relay.py TUN_A TUN_B DELAY_MS LOSS SEED

Bounded: it exits when stdin closes (its parent went away) or on SIGTERM.
"""
import fcntl
import heapq
import os
import random
import select
import signal
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000


def open_tun(name):
    fd = os.open('/dev/net/tun', os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack('16sH', name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def main():
    name_a, name_b, delay_ms, loss, seed = sys.argv[1:6]
    delay = float(delay_ms) / 1000
    loss = float(loss)
    rng = random.Random(int(seed))
    a, b = open_tun(name_a), open_tun(name_b)
    other = {a: b, b: a}
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    sys.stdout.write('ready\n')
    sys.stdout.flush()
    queue = []
    order = 0
    while True:
        timeout = max(0.0, queue[0][0] - time.monotonic()) if queue else 1.0
        readable, _, _ = select.select([a, b, sys.stdin], [], [], timeout)
        for fd in readable:
            if fd is sys.stdin:
                if not sys.stdin.buffer.read1(1):
                    return
                continue
            while True:
                try:
                    packet = os.read(fd, 65536)
                except BlockingIOError:
                    break
                if loss > 0 and rng.random() < loss:
                    continue
                order += 1
                heapq.heappush(queue, (time.monotonic() + delay, order, other[fd], packet))
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, fd, packet = heapq.heappop(queue)
            try:
                os.write(fd, packet)
            except OSError:
                pass


if __name__ == '__main__':
    main()
