"""Streaming through the service: time to the first `delta` against time to the full answer, with the local
Mistral-protocol server (tests/mistral_server.py) emitting one token every `token_interval` seconds.

The mock server runs in this process, so its moments and the client's are read from one clock
(`time.perf_counter`). Per request:
  pre_model  = mock received the request - client sent it        (HTTP, understanding, retrieval, gate, SDK call)
  relay      = client saw the first delta - mock wrote the first chunk   (what the service adds to the first token)
  ttft       = client saw the first delta - client sent it
  full       = client saw `done` - client sent it
  tail       = client saw `done` - mock wrote its last chunk            (output checks, citations, final event)
The same mock streams straight to the Mistral SDK (our adapter, no service) side by side: its relay is the part of
the service's that the SDK itself costs.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx

from assistant.llm import MistralChatModel
from bench.latency import summarise
from bench.service import Service
from tests.mistral_server import MistralServer, Reply

# No figures and no links: the output checks pass it, so `done` carries the model's answer (mode "llm").
ANSWER = ("Pour cette démarche, préparez les pièces demandées et adressez-vous au service indiqué dans la fiche [1]. "
          "Vérifiez les conditions avant de vous déplacer et gardez une copie de chaque document remis. "
          "Le service en ligne, quand il existe, évite souvent un déplacement et permet de suivre la demande [1].")


def _stream_through_service(client: httpx.Client, question: str) -> dict[str, float] | None:
    sent = time.perf_counter()
    first = done = None
    event = ""
    mode = ""
    with client.stream("POST", "/v1/chat", json={"message": question, "stream": True}) as response:
        response.raise_for_status()
        for line in response.iter_lines():
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                if event == "delta" and first is None:
                    first = time.perf_counter()
                elif event == "done":
                    done = time.perf_counter()
                    mode = json.loads(line[5:]).get("mode", "")
    if first is None or done is None:
        return None
    return {"sent": sent, "first_delta": first, "done": done, "llm": float(mode == "llm")}


def _stream_through_sdk(model: MistralChatModel) -> dict[str, float]:
    sent = time.perf_counter()
    first = None
    for _ in model.stream([{"role": "user", "content": "bench"}]):
        if first is None:
            first = time.perf_counter()
    return {"sent": sent, "first_delta": first or time.perf_counter(), "done": time.perf_counter()}


def measure_streaming(data_dir: Path, log_path: Path, questions: list[str], requests: int,
                      token_interval: float = 0.02) -> dict[str, Any]:
    service_rows: list[dict[str, float]] = []
    sdk_rows: list[dict[str, float]] = []
    reply = Reply(ANSWER, chunk_delay=token_interval)
    with MistralServer() as mock, Service(data_dir, log_path, SAHLA_MISTRAL_API_KEY="bench",
                                          SAHLA_MISTRAL_SERVER_URL=mock.url) as service, \
            httpx.Client(base_url=service.url, timeout=60) as client:
        sdk = MistralChatModel("bench", "mistral-small-latest", mock.url, timeout_seconds=30)
        n = 0
        for attempt in range(requests * 4):
            if len(service_rows) >= requests:
                break
            mock.enqueue(reply)
            before = len(mock.streams)
            row = _stream_through_service(client, questions[attempt % len(questions)])
            if row is None or len(mock.streams) == before:
                mock.replies.clear()  # not answered (gate): no model call, nothing to compare
                continue
            n += 1
            if n <= 2:
                continue  # warm-up: the first turns open the SDK's connection pool
            service_rows.append({**row, **mock.streams[-1]})
            mock.enqueue(reply)
            sdk_rows.append({**_stream_through_sdk(sdk), **mock.streams[-1]})
    return {
        "token_interval_ms": token_interval * 1000, "tokens": len(ANSWER.split(" ")), "requests": len(service_rows),
        "service": _timeline(service_rows), "sdk_direct": _timeline(sdk_rows),
        "llm_mode_share": round(sum(r["llm"] for r in service_rows) / max(len(service_rows), 1), 2),
        **_verdict(service_rows, sdk_rows),
    }


def _timeline(rows: list[dict[str, float]]) -> dict[str, dict[str, float]]:
    def spans(start: str, end: str) -> dict[str, float]:
        return summarise([(r[end] - r[start]) * 1000 for r in rows])

    return {"pre_model": spans("sent", "received"), "relay": spans("first_chunk", "first_delta"),
            "ttft": spans("sent", "first_delta"), "full": spans("sent", "done"), "tail": spans("last_chunk", "done"),
            "model_stream": spans("first_chunk", "last_chunk")}


def _verdict(service_rows: list[dict[str, float]], sdk_rows: list[dict[str, float]]) -> dict[str, Any]:
    service = _timeline(service_rows)
    sdk = _timeline(sdk_rows)
    return {
        "added_to_first_token_ms": service["relay"]["p50_ms"],
        "added_to_first_token_p95_ms": service["relay"]["p95_ms"],
        "added_beyond_sdk_ms": round(service["relay"]["p50_ms"] - sdk["relay"]["p50_ms"], 2),
        "aim": "the service adds < 20 ms to the first token (relay p95)",
        "aim_met": service["relay"]["p95_ms"] < 20,
    }
