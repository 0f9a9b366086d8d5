"""Free loopback ports for test servers, outside Linux's ephemeral range.

A client connecting to a port in the ephemeral range (32768-60999) where nothing listens
can be given that same port as its own source port and connect to itself (TCP
simultaneous open): a "nothing listens there" test then talks to itself. Ports handed out
here come from 20000-31999, so that cannot happen.
"""

from __future__ import annotations

import os
import random
import socket

LOOPBACK = "127.0.0.1"
_PORTS = random.Random(os.getpid())


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    for _ in range(200):
        port = _PORTS.randrange(20000, 32000)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind((LOOPBACK, port))
            except OSError:
                continue
            return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return int(s.getsockname()[1])
