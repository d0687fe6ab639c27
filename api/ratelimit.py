"""Fixed-window rate limits, in this process or shared by every replica through Redis.

A window of one minute per key: simple, predictable for a citizen ("try again in 40 s"), and one Redis round trip
(INCR + EXPIRE in a pipeline). If Redis fails, limits fall back to this process's counters rather than refusing
every citizen or letting everyone through."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import redis

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int = 0  # seconds until the window resets


class Counter(Protocol):
    def hit(self, key: str, window: int) -> tuple[int, int]:
        """Count one hit; return the count in this window and the seconds left in it."""
        ...


class MemoryCounter:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._counts: dict[str, tuple[int, int]] = {}
        self._lock = threading.Lock()
        self._clock = clock

    def hit(self, key: str, window: int) -> tuple[int, int]:
        now = self._clock()
        slot = int(now // window)
        with self._lock:
            if len(self._counts) > 100_000:  # old windows pile up under many clients; drop them
                self._counts = {k: v for k, v in self._counts.items() if v[0] == slot}
            previous_slot, count = self._counts.get(key, (slot, 0))
            count = count + 1 if previous_slot == slot else 1
            self._counts[key] = (slot, count)
        return count, max(1, int((slot + 1) * window - now))


class RedisCounter:
    def __init__(self, url: str) -> None:
        self._client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)

    def hit(self, key: str, window: int) -> tuple[int, int]:
        now = time.time()
        slot = int(now // window)
        name = f"sahla:rl:{key}:{slot}"
        pipe = self._client.pipeline()
        pipe.incr(name)
        pipe.expire(name, window + 5)
        count, _ = pipe.execute()
        return int(count), max(1, int((slot + 1) * window - now))

    def ping(self) -> bool:
        try:
            return bool(self._client.ping())
        except redis.RedisError:
            return False


class RateLimiter:
    def __init__(self, redis_url: str | None = None, on_fallback: Callable[[], None] | None = None) -> None:
        self._memory = MemoryCounter()
        self._redis = RedisCounter(redis_url) if redis_url else None
        self._on_fallback = on_fallback
        self.backend = "redis" if redis_url else "memory"
        self._redis_retry_at = 0.0  # after a failure, Redis is left alone for a few seconds instead of every request


    def check(self, key: str, limit: int) -> Decision:
        """One hit against `limit` per minute for this key; a limit of 0 means no limit."""
        if limit <= 0:
            return Decision(True)
        count, reset = self._hit(key)
        return Decision(count <= limit, 0 if count <= limit else reset)

    def _hit(self, key: str) -> tuple[int, int]:
        if self._redis is not None and time.monotonic() >= self._redis_retry_at:
            try:
                return self._redis.hit(key, WINDOW_SECONDS)
            except redis.RedisError as exc:
                self._redis_retry_at = time.monotonic() + 5
                logger.warning("event=rate_limit_redis_failed fallback=memory error=%s", type(exc).__name__)
                if self._on_fallback:
                    self._on_fallback()
        return self._memory.hit(key, WINDOW_SECONDS)
