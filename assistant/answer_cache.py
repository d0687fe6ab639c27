"""Answers to repeated questions, kept so that the hundredth citizen asking "comment renouveler ma CIN" this
morning does not cost a query embedding and a retrieval again (issue 16).

What may be kept, and for how long:
- only a conversation's first turn: a follow-up depends on the history, which the key does not hold;
- only answered, not_found and out_of_scope turns composed normally (not a clarify, not a refusal, not a model
  fallback or a degraded retrieval, which say something about this moment rather than about the question);
- never a message that carries personal data. The key would be the redacted question, so two people's messages
  "my CIN AB123456 is lost" and "my CIN CD654321 is lost" would share one entry, and whatever the first answer
  said in answer to the first person's text (a model may quote it) would reach the second. Such messages are rare
  and never repeat word for word anyway, so skipping them costs no hits;
- keyed on the question as typed up to case and spacing (not the folded words: the language detector and the
  embedder see accents and letter forms), the requested language, the active index generation and the agents'
  out-of-scope marks: a re-index or a new mark makes every older entry unreachable, and the entries of an older
  generation are dropped as soon as a new one is seen;
- a bounded LRU: `Settings.answer_cache_size` entries (0 turns it off).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, replace

from assistant.context import AnswerContext
from assistant.redact import contains_personal_data
from assistant.text import sanitize

CACHEABLE_STATUSES = frozenset({"answered", "not_found", "out_of_scope"})
_TRAILING = " \t\n?!.،؟…"


@dataclass(frozen=True)
class CacheKey:
    question: str
    language: str
    generation: str
    marks: Hashable


def normalised_message(message: str) -> str:
    """Case and spacing do not make another question; accents, letters and words do."""
    return " ".join(sanitize(message).casefold().split()).strip(_TRAILING)


class AnswerCache:
    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[CacheKey, AnswerContext] = OrderedDict()
        self._lock = threading.Lock()
        self._generation: str | None = None
        self.hits = 0
        self.misses = 0

    def key_for(self, message: str, language: str, generation: str | None, marks: Hashable,
                has_history: bool) -> CacheKey | None:
        """The key for a turn, or None when this turn must neither be served from the cache nor stored in it."""
        if self.size <= 0 or has_history or generation is None or contains_personal_data(message):
            return None
        question = normalised_message(message)
        return CacheKey(question, language, generation, marks) if question else None

    def get(self, key: CacheKey, message: str) -> AnswerContext | None:
        """A fresh context for this message with the kept answer, or None."""
        with self._lock:
            self._forget_older_generations(key.generation)
            kept = self._entries.get(key)
            if kept is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
        return replace(kept, message=message, timings={}, flags={**kept.flags, "cached": True})

    def put(self, key: CacheKey, context: AnswerContext) -> bool:
        """Keep the answer if its turn may be kept; True if it was."""
        if (context.status not in CACHEABLE_STATUSES or context.mode == "fallback" or context.flags.get("degraded")
                or context.history):
            return False
        with self._lock:
            self._forget_older_generations(key.generation)
            self._entries[key] = replace(context, timings={})
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return True

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def _forget_older_generations(self, generation: str) -> None:
        if generation != self._generation:
            self._entries.clear()
            self._generation = generation
