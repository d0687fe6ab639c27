"""The chat model adapter: Mistral through its SDK (any Mistral-compatible server via server_url)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any, Protocol

logger = logging.getLogger(__name__)


class ChatModelError(Exception):
    """The model could not produce an answer (timeout, rate limit, server error, malformed or cut stream)."""


class ChatModel(Protocol):
    name: str

    def complete(self, messages: list[dict[str, str]]) -> str: ...

    def stream(self, messages: list[dict[str, str]]) -> Iterator[str]: ...


class MistralChatModel:
    def __init__(self, api_key: str, model: str, server_url: str | None, timeout_seconds: float) -> None:
        from mistralai.client import Mistral

        self.name = model
        self._client = Mistral(api_key=api_key, server_url=server_url, timeout_ms=int(timeout_seconds * 1000))
        self._timeout_ms = int(timeout_seconds * 1000)

    def complete(self, messages: list[dict[str, str]]) -> str:
        try:
            response = self._client.chat.complete(model=self.name, messages=messages,  # type: ignore[arg-type]
                                                  temperature=0.1, timeout_ms=self._timeout_ms)
            message = response.choices[0].message if response and response.choices else None
            content = message.content if message is not None else None
        except Exception as exc:  # the SDK raises httpx, SDK and validation errors alike
            raise ChatModelError(f"{type(exc).__name__}") from exc
        if not isinstance(content, str) or not content.strip():
            raise ChatModelError("empty or non-text completion")
        return content

    def stream(self, messages: list[dict[str, str]]) -> Iterator[str]:
        finished = False
        try:
            events = self._client.chat.stream(model=self.name, messages=messages,  # type: ignore[arg-type]
                                              temperature=0.1, timeout_ms=self._timeout_ms)
            with events as stream:
                for event in stream:
                    choice = event.data.choices[0] if event.data.choices else None
                    if choice is None:
                        continue
                    delta: Any = choice.delta.content
                    if isinstance(delta, str) and delta:
                        yield delta
                    if choice.finish_reason:
                        finished = True
        except ChatModelError:
            raise
        except Exception as exc:
            raise ChatModelError(f"{type(exc).__name__}") from exc
        if not finished:
            # A stream that ends without a finish reason was cut: its text may stop mid-sentence.
            raise ChatModelError("stream ended without a finish reason")
