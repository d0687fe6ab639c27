"""Checked streaming of model text: nothing a check could change leaves unchecked.

Three cursors over the model's text: `produced` (all the model wrote), `released` (how far it has been let out,
checked or known safe) and `shown` (the text the reader has, which masking may have made differ from `produced`).
Words without digits, links or addresses go out as they arrive; from the first digit or link-like word, the rest of
the sentence waits until it is complete and checked (an amount is judged against the record its sentence cites, and
the [n] comes last). A check that must fall back stops the stream.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

from assistant.checks import CheckResult

_SENTENCE_END = re.compile(r"(?:[.!?؟:;]\s|\n)")
# What an output check may mask or judge: digits (amounts, delays, phones, markers), addresses and link-like words.
_NEEDS_CHECK = re.compile(r"\d|@|https?:|www\.|\w\.\w|\[")


class CheckedStream:
    def __init__(self, check: Callable[[str], CheckResult]) -> None:
        self._check = check
        self.produced = ""
        self.released = 0
        self.shown = ""
        self.stopped = False  # a sentence failed its check: the caller falls back

    def feed(self, deltas: Iterable[str]) -> Iterator[str]:
        """The text to show as `deltas` arrive; stops early (with `stopped`) when a sentence must fall back."""
        for delta in deltas:
            self.produced += delta
            boundary = last_sentence_end(self.produced)
            if boundary > self.released:
                checked = self._check(self.produced[:boundary])
                if checked.must_fall_back:
                    self.stopped = True
                    return
                if checked.text[len(self.shown):]:
                    yield checked.text[len(self.shown):]
                self.shown, self.released = checked.text, boundary
            safe = safe_prefix_end(self.produced, self.released)
            if safe > self.released:
                yield self.produced[self.released:safe]
                self.shown, self.released = self.shown + self.produced[self.released:safe], safe

    def finish(self) -> tuple[CheckResult, str]:
        """The whole text checked, and what is still to show of it (empty when it must fall back)."""
        checked = self._check(self.produced)
        rest = "" if checked.must_fall_back else checked.text[len(self.shown):]
        return checked, rest


def safe_prefix_end(text: str, start: int) -> int:
    """How far text after `start` may go out unchecked: up to the last whole word before anything a check could
    change (the word being written may still turn into a link)."""
    tail = text[start:]
    risky = _NEEDS_CHECK.search(tail)
    if risky:
        tail = tail[:risky.start()]
    words_end = max(tail.rfind(" "), tail.rfind("\n"))
    return start + words_end + 1 if words_end >= 0 else start


def last_sentence_end(text: str) -> int:
    """The index just past the last sentence end in `text` (0 when none yet)."""
    ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    return ends[-1] if ends else 0
