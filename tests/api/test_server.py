"""The guarded protocol in-process, on uvloop as `python -m api serve` runs it: a connection whose request has
arrived is not closed at the header deadline just because the event loop was too busy to read it in time."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn

from api.server import GuardedProtocol
from tests.conftest import REPO, free_port

HEADER_TIMEOUT = 1.0


async def app(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
    if scope["type"] != "http":
        return
    if scope["path"] == "/block":
        time.sleep(HEADER_TIMEOUT * 1.7)  # holds the event loop, as a replica whose loop is starved does
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"ok"})


@pytest.fixture
def port() -> Iterator[int]:
    number = free_port()
    protocol = type("Protocol", (GuardedProtocol,), {"header_timeout": HEADER_TIMEOUT})
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=number, loop="uvloop", http=protocol,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started
    try:
        yield number
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def response(sock: socket.socket) -> bytes:
    sock.settimeout(10)
    received = b""
    try:
        while not received.endswith(b"ok") and (data := sock.recv(4096)):
            received += data
    except OSError:
        pass
    return received


def test_a_request_that_arrived_while_the_loop_was_busy_is_answered_not_closed_at_the_header_deadline(port) -> None:
    waiting = socket.create_connection(("127.0.0.1", port))  # accepted now: its header deadline starts
    time.sleep(0.2)
    blocker = socket.create_connection(("127.0.0.1", port))
    blocker.sendall(b"GET /block HTTP/1.1\r\nHost: x\r\n\r\n")
    time.sleep(0.3)  # the loop is inside /block; this request waits in the socket past its deadline
    waiting.sendall(b"GET /ok HTTP/1.1\r\nHost: x\r\n\r\n")
    try:
        assert response(waiting).startswith(b"HTTP/1.1 200")
        assert response(blocker).startswith(b"HTTP/1.1 200")
    finally:
        waiting.close()
        blocker.close()


def test_a_connection_that_sends_nothing_is_still_closed_at_the_header_deadline(port) -> None:
    silent = socket.create_connection(("127.0.0.1", port))
    silent.settimeout(HEADER_TIMEOUT * 5)
    started = time.monotonic()
    try:
        assert silent.recv(10) == b""
        assert time.monotonic() - started < HEADER_TIMEOUT * 3
    finally:
        silent.close()


@pytest.mark.parametrize("value", ["0", "abc", "100000"])
def test_a_bad_keep_alive_setting_stops_the_server_before_it_listens_and_names_the_setting(value: str) -> None:
    done = subprocess.run([sys.executable, "-m", "api", "serve"], cwd=REPO, capture_output=True, text=True,
                          timeout=60, env={**os.environ, "SAHLA_KEEP_ALIVE_SECONDS": value, "PORT": str(free_port())})
    assert done.returncode == 2
    assert "invalid settings" in done.stderr and "keep_alive_seconds" in done.stderr


def test_the_server_runs_numpy_products_on_one_blas_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """Many request threads each running a small product beside the embedder: one BLAS thread each (api/server.py)."""
    from threadpoolctl import threadpool_info, threadpool_limits

    from api import server
    from core.settings import Settings

    seen: list[int] = []
    monkeypatch.setattr(server.uvicorn, "run", lambda *args, **kwargs: seen.extend(
        pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"))
    with threadpool_limits(2, user_api="blas"):  # restored after the test, whatever `run` set
        server.run(object(), Settings(_env_file=None))  # type: ignore[arg-type]
    assert seen and set(seen) == {1}


@pytest.mark.parametrize("value", ["0", "many", "65"])
def test_a_bad_query_batch_size_stops_the_server_before_it_listens_and_names_the_setting(value: str) -> None:
    done = subprocess.run([sys.executable, "-m", "api", "serve"], cwd=REPO, capture_output=True, text=True,
                          timeout=60, env={**os.environ, "SAHLA_QUERY_BATCH_SIZE": value, "PORT": str(free_port())})
    assert done.returncode == 2
    assert "invalid settings" in done.stderr and "query_batch_size" in done.stderr
