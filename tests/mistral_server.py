"""A local HTTP server that speaks the Mistral chat-completions protocol, scripted by the test.

Each request takes the next scripted reply: text (streamed as SSE chunks or returned whole), an HTTP status, a
delay, garbage, or a stream cut before its end. Requests are recorded for assertions, and each stream's moments
(received, first and last chunk written, `time.perf_counter()` seconds) for the streaming benchmark.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    text: str = ""
    status: int = 200
    delay: float = 0.0
    garbage: bool = False
    cut: bool = False  # stream stops without a finish reason or [DONE]
    chunk_delay: float = 0.0


class MistralServer:
    def __init__(self) -> None:
        self.replies: deque[Reply] = deque()
        self.requests: list[dict[str, Any]] = []
        self.streams: list[dict[str, float]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                self.received_at = time.perf_counter()
                body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
                server.requests.append(body)
                reply = server.replies.popleft() if server.replies else Reply("No scripted reply [1].")
                time.sleep(reply.delay)
                if reply.status != 200:
                    self._send(reply.status, {"message": "scripted failure"})
                elif reply.garbage:
                    self._raw(200, b"{this is not json", "application/json")
                elif body.get("stream"):
                    self._stream(body, reply)
                else:
                    self._send(200, _completion(body, reply.text))

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                self._raw(status, json.dumps(payload).encode(), "application/json")

            def _raw(self, status: int, data: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("content-type", content_type)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, body: dict[str, Any], reply: Reply) -> None:
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.end_headers()
                words = reply.text.split(" ")
                moments = {"received": self.received_at}
                for n, word in enumerate(words):
                    chunk = word + (" " if n < len(words) - 1 else "")
                    self._event(_chunk(body, chunk, None))
                    moments.setdefault("first_chunk", time.perf_counter())
                    time.sleep(reply.chunk_delay)
                if reply.cut:
                    self.wfile.flush()
                    return
                self._event(_chunk(body, "", "stop"))
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()
                moments["last_chunk"] = time.perf_counter()
                server.streams.append(moments)

            def _event(self, payload: dict[str, Any]) -> None:
                self.wfile.write(f"data: {json.dumps(payload)}\n\n".encode())
                self.wfile.flush()

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> MistralServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def enqueue(self, *replies: Reply) -> None:
        self.replies.extend(replies)


def _completion(body: dict[str, Any], text: str) -> dict[str, Any]:
    return {"id": "cmpl-1", "object": "chat.completion", "created": int(time.time()), "model": body.get("model"),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}


def _chunk(body: dict[str, Any], text: str, finish: str | None) -> dict[str, Any]:
    return {"id": "cmpl-1", "object": "chat.completion.chunk", "created": int(time.time()),
            "model": body.get("model"),
            "choices": [{"index": 0, "delta": {"role": "assistant", "content": text}, "finish_reason": finish}]}
