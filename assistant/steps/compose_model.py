"""Step `compose` with a model: the chosen record and its neighbours go to the model as numbered sources; the
streamed text is checked a sentence at a time (assistant.streaming); any model failure or failed check falls back
to the extractive answer with `mode: "fallback"`."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from functools import partial
from urllib.parse import urlparse

from assistant.catalog import RecordCatalog
from assistant.checks import check_answer
from assistant.citations import citation_for, record_text
from assistant.context import AnswerContext, Citation
from assistant.forms import LANGUAGE_NAMES
from assistant.llm import ChatModel, ChatModelError
from assistant.redact import redact
from assistant.resources import load_prompt
from assistant.steps.compose_extractive import ComposeExtractive
from assistant.streaming import CheckedStream

logger = logging.getLogger(__name__)


class ComposeWithModel:
    name = "compose"

    def __init__(self, chat_model: ChatModel, catalog: RecordCatalog, fallback: ComposeExtractive,
                 max_context_records: int = 3) -> None:
        self._chat_model = chat_model
        self._catalog = catalog
        self._fallback = fallback
        self._max_context_records = max_context_records

    def stream(self, context: AnswerContext) -> Iterator[str]:
        citations = [c for n, pid in enumerate(self._context_procedures(context), 1)
                     if (c := citation_for(self._catalog, pid, context.language, n)) is not None]
        checked_stream = CheckedStream(_checker(citations))
        try:
            yield from checked_stream.feed(self._chat_model.stream(model_messages(context, citations)))
        except ChatModelError as exc:
            context.flags["model_error"] = str(exc)
            logger.warning("event=model_failed reason=%s", exc)
            self._fallback.compose(context, mode="fallback")
            return
        checked, rest = checked_stream.finish()
        if rest:
            yield rest
        context.flags.update(masked=checked.masked, unsupported=checked.unsupported, bad_markers=checked.bad_markers)
        if checked.must_fall_back or checked_stream.stopped:
            self._fallback.compose(context, mode="fallback")
            return
        used = {int(n) for n in re.findall(r"\[(\d{1,2})\]", checked.text)}
        context.answer, context.mode = checked.text, "llm"
        context.citations = [c for c in citations if c.n in used] or citations[:1]

    def _context_procedures(self, context: AnswerContext) -> list[str]:
        assert context.chosen is not None and context.retrieval is not None
        others = [c.procedure_id for c in context.retrieval.candidates if c is not context.chosen]
        return [context.chosen.procedure_id, *others][: self._max_context_records]


def _checker(citations: list[Citation]) -> partial:  # type: ignore[type-arg]
    sources = [record_text(c.stored) for c in citations if c.stored is not None]
    records = {c.n: c.stored.record for c in citations if c.stored is not None}
    hosts = {_host(str(url)) for r in records.values()
             for url in (r.source_url, r.online_service.url if r.online_service else None) if url}
    return partial(check_answer, sources=sources, citation_count=len(citations), record_hosts=hosts,
                   fees_by_marker={n: {fee.amount_mad for fee in r.fees or []} for n, r in records.items()})


def model_messages(context: AnswerContext, citations: list[Citation]) -> list[dict[str, str]]:
    records = "\n\n".join(f"[{c.n}] {record_text(c.stored)}" for c in citations if c.stored is not None)
    system = load_prompt("system.md").replace("{language_name}", LANGUAGE_NAMES[context.language])
    user = f"<records>\n{records}\n</records>\n\nQuestion: {redact(context.question)}"
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def _host(url: str) -> str:
    return (urlparse(url).hostname or "").lower().removeprefix("www.")
