"""Free ports on 127.0.0.1, and a check that a chosen one is still free.

`archgen up` picks every port before it starts anything, so a port must stay
free until its part binds it. Two things took ports in between: the kernel
handing the same ephemeral port out twice (seen: two services on one port),
and outgoing connections, which take their source ports from the ephemeral
range. So ports come from below that range, are never handed out twice by one
process, and are checked free when chosen.
"""

from __future__ import annotations

import random
import socket
from pathlib import Path

LOCALHOST = "127.0.0.1"
_LOWEST = 10_000
_given: set[int] = set()  # one process runs one `archgen up`: its ports, never reused
_random = random.SystemRandom()


def _ephemeral_start() -> int:
    try:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32_768
    return max(low, _LOWEST + 1_000)


def free_port() -> int:
    """A port nobody listens on, outside the ephemeral range, not given out before."""
    top = _ephemeral_start()
    for _ in range(200):
        port = _random.randrange(_LOWEST, top)
        if port not in _given and port_free(port):
            _given.add(port)
            return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:  # a crowded machine
        sock.bind((LOCALHOST, 0))
        port = int(sock.getsockname()[1])
    _given.add(port)
    return port


def port_free(port: int) -> bool:
    """Whether nobody listens on `port`. Connections a stopped server left in TIME_WAIT
    do not count (SO_REUSEADDR): every server archgen starts binds past them, and a
    service killed with keep-alive connections open leaves some for a minute."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((LOCALHOST, port))
        except OSError:
            return False
    return True
