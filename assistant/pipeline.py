"""The answer pipeline: small named steps over one context; any step may stop the run with a status and a
localised canned message. Each step's duration is recorded."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from urllib.parse import urlparse

from assistant.checks import check_answer
from assistant.context import AnswerContext, Citation, Turn
from assistant.extractive import compose_extractive, detect_intents, intent_vocabulary
from assistant.gate import GateThresholds, passes_gate, thresholds_for
from assistant.language import detect_language
from assistant.llm import ChatModel, ChatModelError
from assistant.redact import redact
from assistant.resources import load_data, load_prompt
from assistant.retrieval import HybridRetriever, StoredRecord
from assistant.text import expand_with_lexicon, keyword_tokens, matches_any, sanitize, words

logger = logging.getLogger(__name__)

LANGUAGE_NAMES = {"fr": "French", "ar": "Modern Standard Arabic", "en": "English",
                  "darija": "Moroccan Darija written in Arabic script", "amazigh": "Arabic, then French"}
# Which record language serves each answer language.
RECORD_LANGUAGE = {"fr": "fr", "ar": "ar", "en": "en", "darija": "ar", "amazigh": "ar"}
_ARABIC = re.compile("[\u0621-\u064a]")
Step = Callable[[AnswerContext], None]


@dataclass(frozen=True)
class PipelineConfig:
    gate: dict[str, GateThresholds] = field(default_factory=dict)  # per form; defaults from assistant.gate
    max_context_records: int = 3
    follow_up_max_words: int = 6


class AnswerPipeline:
    def __init__(self, retriever: HybridRetriever, chat_model: ChatModel | None = None,
                 config: PipelineConfig | None = None) -> None:
        self.retriever = retriever
        self.chat_model = chat_model
        self.config = config or PipelineConfig()
        messages = load_data("messages")
        missing = [lang for lang in ("fr", "ar", "en", "darija") if lang not in messages]
        if missing:
            raise RuntimeError(f"messages.yaml lacks languages {missing}")
        self._messages = messages
        self.is_known_out_of_scope: Callable[[str], bool] = lambda _question: False  # set by api.services
        self._steps: list[tuple[str, Step]] = [
            ("understand", self.understand_message),
            ("screen", self.screen_manipulation),
            ("follow_up", self.resolve_follow_up),
            ("retrieval", self.retrieve_candidates),
            ("gate", self.gate_relevance),
        ]

    # -- running -----------------------------------------------------------------------------------------
    def run(self, message: str, history: list[Turn] | None = None, language: str = "auto") -> AnswerContext:
        context = self.prepare(message, history, language)
        for _ in self.compose(context):
            pass
        return context

    def prepare(self, message: str, history: list[Turn] | None = None, language: str = "auto") -> AnswerContext:
        """Every step up to composing; the context says whether and what to compose."""
        context = AnswerContext(message=message, history=list(history or []), requested_language=language)
        started = time.perf_counter()
        for name, step in self._steps:
            step_started = time.perf_counter()
            step(context)
            context.timings[name] = (time.perf_counter() - step_started) * 1000
            if context.stopped:
                break
        context.timings["prepare"] = (time.perf_counter() - started) * 1000
        return context

    def compose(self, context: AnswerContext) -> Iterator[str]:
        """Yields the answer's text as it is produced; on return the context holds the final answer."""
        started = time.perf_counter()
        if context.stopped:
            yield context.answer
        elif self.chat_model is not None:
            yield from self._compose_with_model(context)
        else:
            self._compose_extractive(context)
            yield from _paragraphs(context.answer)
        context.timings["generation"] = (time.perf_counter() - started) * 1000

    # -- steps -------------------------------------------------------------------------------------------
    def understand_message(self, context: AnswerContext) -> None:
        context.message = sanitize(context.message).strip()
        detected = detect_language(context.message) if context.message else "fr"
        context.language = detected if context.requested_language == "auto" else context.requested_language
        context.form = ("darija_latin" if detected == "darija" and not _ARABIC.search(context.message)
                        else detected)
        if not words(context.message):
            context.stop("out_of_scope", self._canned("empty", context.language))

    def screen_manipulation(self, context: AnswerContext) -> None:
        safety = load_data("safety")
        text = " ".join(words(context.message))
        raw = context.message.lower()
        for pattern in safety["injection"] + safety["abuse"]:
            if re.search(pattern, text) or re.search(pattern, raw):
                context.flags["screened"] = pattern
                context.stop("refused", self._canned("refused", context.language))
                return

    def resolve_follow_up(self, context: AnswerContext) -> None:
        context.intents = detect_intents(context.message)
        context.question = context.message
        if not context.history or not self._is_follow_up(context):
            return
        previous = context.history[-1]
        context.flags["follow_up"] = True
        if self.chat_model is not None:
            try:
                context.question = self._rewrite_follow_up(context)
                return
            except ChatModelError as exc:
                logger.warning("event=rewrite_failed reason=%s", exc)
        context.question = f"{previous.question} {context.message}"

    def retrieve_candidates(self, context: AnswerContext) -> None:
        context.keyword_query = expand_with_lexicon(context.question)
        context.retrieval = self.retriever.retrieve(context.question, context.keyword_query, form=context.form)
        if context.retrieval.degraded:
            context.flags["degraded"] = True

    def gate_relevance(self, context: AnswerContext) -> None:
        assert context.retrieval is not None
        if self.is_known_out_of_scope(context.question):  # an agent marked this question "not our domain"
            context.stop("out_of_scope", self._canned("out_of_scope", context.language))
            return
        chosen = passes_gate(context.retrieval, self.config.gate.get(context.form) or thresholds_for(context.form))
        if chosen is None and context.flags.get("follow_up") and context.history[-1].procedure_id:
            chosen = next((c for c in context.retrieval.candidates
                           if c.procedure_id == context.history[-1].procedure_id), None)
        if chosen is None:
            in_domain = matches_any(context.message, load_data("scope")["public_service_words"])
            if in_domain:
                context.stop("not_found", self._canned("not_found", context.language))
            else:
                context.stop("out_of_scope", self._canned("out_of_scope", context.language))
            return
        context.chosen = chosen
        context.status = "answered"

    # -- composing ---------------------------------------------------------------------------------------
    def _compose_extractive(self, context: AnswerContext, mode: str = "extractive") -> None:
        assert context.chosen is not None
        citation = self.citation_for(context.chosen.procedure_id, context.language, 1)
        if citation is None or citation.stored is None:
            context.stop("not_found", self._canned("not_found", context.language))
            return
        if context.language == "amazigh":
            context.answer = self._amazigh_answer(context, citation)
        else:
            context.answer = compose_extractive(citation.stored, context.intents, context.language)
        context.citations = [citation]
        context.mode = mode  # type: ignore[assignment]

    def _amazigh_answer(self, context: AnswerContext, citation: Citation) -> str:
        assert citation.stored is not None
        parts = [load_data("messages")["amazigh"]["greeting"],
                 compose_extractive(citation.stored, context.intents, "ar")]
        french = self._stored(citation.procedure_id, "fr")
        if french is not None:
            parts.append(compose_extractive(french, context.intents, "fr"))
        return "\n\n---\n\n".join(parts)

    def _compose_with_model(self, context: AnswerContext) -> Iterator[str]:
        assert self.chat_model is not None and context.retrieval is not None
        citations = [c for n, cand in enumerate(self._context_candidates(context), 1)
                     if (c := self.citation_for(cand, context.language, n)) is not None]
        messages = self._model_messages(context, citations)
        sources = [_record_text(c.stored) for c in citations if c.stored is not None]
        records = {c.n: c.stored.record for c in citations if c.stored is not None}
        hosts = {_host(str(url)) for r in records.values()
                 for url in (r.source_url, r.online_service.url if r.online_service else None) if url}
        check = partial(check_answer, sources=sources, citation_count=len(citations), record_hosts=hosts,
                        fees_by_marker={n: {fee.amount_mad for fee in r.fees} for n, r in records.items()})
        produced, released, shown = "", 0, ""
        try:
            # Nothing a check could change leaves unchecked. Words without digits, links or addresses go out as
            # they arrive; from the first digit or link-like word, the rest of the sentence waits until the sentence
            # is complete and checked (an amount is judged against the record its sentence cites, and the [n]
            # comes last). An invented amount or a bad marker stops the model mid-answer.
            for delta in self.chat_model.stream(messages):
                produced += delta
                boundary = _last_sentence_end(produced)
                if boundary > released:
                    checked = check(produced[:boundary])
                    if checked.must_fall_back:
                        break
                    if checked.text[len(shown):]:
                        yield checked.text[len(shown):]
                    shown, released = checked.text, boundary
                safe = _safe_prefix_end(produced, released)
                if safe > released:
                    yield produced[released:safe]
                    shown, released = shown + produced[released:safe], safe
        except ChatModelError as exc:
            context.flags["model_error"] = str(exc)
            logger.warning("event=model_failed reason=%s", exc)
            self._compose_extractive(context, mode="fallback")
            return
        checked = check(produced)
        if not checked.must_fall_back and checked.text[len(shown):]:
            yield checked.text[len(shown):]
        context.flags.update(masked=checked.masked, unsupported=checked.unsupported, bad_markers=checked.bad_markers)
        if checked.must_fall_back:
            self._compose_extractive(context, mode="fallback")
            return
        used = {int(n) for n in re.findall(r"\[(\d{1,2})\]", checked.text)}
        context.answer, context.mode = checked.text, "llm"
        context.citations = [c for c in citations if c.n in used] or citations[:1]

    def _context_candidates(self, context: AnswerContext) -> list[str]:
        assert context.chosen is not None and context.retrieval is not None
        others = [c.procedure_id for c in context.retrieval.candidates if c is not context.chosen]
        return [context.chosen.procedure_id, *others][: self.config.max_context_records]

    def _model_messages(self, context: AnswerContext, citations: list[Citation]) -> list[dict[str, str]]:
        records = "\n\n".join(
            f"[{c.n}] {_record_text(c.stored)}" for c in citations if c.stored is not None
        )
        system = load_prompt("system.md").replace("{language_name}", LANGUAGE_NAMES[context.language])
        user = f"<records>\n{records}\n</records>\n\nQuestion: {redact(context.question)}"
        return [{"role": "system", "content": system}, {"role": "user", "content": user}]

    def _rewrite_follow_up(self, context: AnswerContext) -> str:
        assert self.chat_model is not None
        messages = [{"role": "system", "content": load_prompt("rewrite.md")}]
        for turn in context.history[-3:]:
            messages.append({"role": "user", "content": redact(turn.question)})
            if turn.answer:
                messages.append({"role": "assistant", "content": redact(turn.answer)[:600]})
        messages.append({"role": "user", "content": redact(context.message)})
        rewritten = self.chat_model.complete(messages).strip()
        if not rewritten or len(rewritten) > 500:
            raise ChatModelError("unusable rewrite")
        return rewritten

    # -- helpers -----------------------------------------------------------------------------------------
    def _is_follow_up(self, context: AnswerContext) -> bool:
        tokens = keyword_tokens(context.message)
        if len(words(context.message)) > self.config.follow_up_max_words:
            return False
        # Nothing but question words: "et combien ça coûte ?", "w ch7al?", "and where?".
        return all(t in intent_vocabulary() for t in tokens)

    def _stored(self, procedure_id: str, language: str) -> StoredRecord | None:
        return self.retriever.corpus.records().get((procedure_id, language))

    def citation_for(self, procedure_id: str, language: str, n: int) -> Citation | None:
        """Citation `n` of a procedure, from its record in the answer language's record language."""
        stored = self.retriever.corpus.record_for(procedure_id, RECORD_LANGUAGE.get(language, "fr"))
        if stored is None:
            return None
        record = stored.record
        return Citation(n=n, procedure_id=procedure_id, title=record.title, language=record.lang,
                        url=str(record.source_url), snippet=_snippet(stored), stored=stored)

    def _canned(self, key: str, language: str) -> str:
        table = self._messages.get(language) or self._messages["fr"]
        if language == "amazigh":
            table = self._messages["ar"]
            text = f"{self._messages['amazigh']['greeting']}\n\n{table[key]}\n\n{self._messages['fr'][key]}"
            return text.replace("{channels}", table["channels"])
        return str(table[key]).replace("{channels}", table["channels"])


def _host(url: str) -> str:
    return (urlparse(url).hostname or "").lower().removeprefix("www.")


def _record_text(stored: StoredRecord | None) -> str:
    if stored is None:
        return ""
    return f"{stored.record.model_dump_json(exclude={'aliases'})}\n{stored.body}"


def _snippet(stored: StoredRecord) -> str:
    body = re.sub(r"^##.*$", "", stored.body, flags=re.MULTILINE)
    flat = " ".join(body.split())
    return flat[:220] + ("…" if len(flat) > 220 else "")


_SENTENCE_END = re.compile(r"(?:[.!?؟:;]\s|\n)")
# What an output check may mask or judge: digits (amounts, delays, phones, markers), addresses and link-like words.
_NEEDS_CHECK = re.compile(r"\d|@|https?:|www\.|\w\.\w|\[")


def _safe_prefix_end(text: str, start: int) -> int:
    """How far text after `start` may go out unchecked: up to the last whole word before anything a check could
    change (the word being written may still turn into a link)."""
    tail = text[start:]
    risky = _NEEDS_CHECK.search(tail)
    if risky:
        tail = tail[:risky.start()]
    words_end = max(tail.rfind(" "), tail.rfind("\n"))
    return start + words_end + 1 if words_end >= 0 else start


def _last_sentence_end(text: str) -> int:
    """The index just past the last sentence end in `text` (0 when none yet)."""
    ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    return ends[-1] if ends else 0


def _paragraphs(text: str) -> Iterator[str]:
    parts = text.split("\n\n")
    for n, part in enumerate(parts):
        yield part + ("\n\n" if n < len(parts) - 1 else "")
