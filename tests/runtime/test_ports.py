"""Ports chosen for `archgen up` stay free until their part binds them."""

from __future__ import annotations

from archgen.runtime.ports import _ephemeral_start, free_port, port_free


def test_one_run_never_hands_out_a_port_twice() -> None:
    """Seen in a benchmark run: two services planned on one port."""
    ports = [free_port() for _ in range(300)]
    assert len(set(ports)) == len(ports)
    assert all(port_free(p) for p in ports[:20])


def test_ports_come_from_below_the_ephemeral_range() -> None:
    """Outgoing connections take their source ports from that range, at any moment."""
    assert all(p < _ephemeral_start() for p in (free_port() for _ in range(50)))


def test_a_listener_holds_a_port_and_time_wait_connections_do_not() -> None:
    """A service killed with keep-alive connections open leaves them in TIME_WAIT on its
    port; its restart (uvicorn binds with SO_REUSEADDR) must not be refused as "in use"."""
    import socket

    port = free_port()
    listener = socket.create_server(("127.0.0.1", port))
    client = socket.create_connection(("127.0.0.1", port))
    served, _ = listener.accept()
    assert not port_free(port)  # listening
    served.close()  # the server closes first: its end of the connection is in TIME_WAIT
    client.recv(1)
    client.close()
    listener.close()
    assert port_free(port)
