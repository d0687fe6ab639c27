"""The answer pipeline: the steps of `assistant.steps` run in order over one context. Each step's duration is
recorded under its name; a step that stops the run (a status other than answered) skips the rest, and the compose
step streams its text as it is produced."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from assistant.answerability import AnswerabilityModel
from assistant.checks import OfficialContacts
from assistant.citations import citation_for
from assistant.context import AnswerContext, Citation, Turn
from assistant.examples import ExampleBanks
from assistant.llm import ChatModel
from assistant.messages import Messages
from assistant.retrieval import HybridRetriever
from assistant.sentence_ranker import SentenceRanker
from assistant.sentence_vectors import SentenceVectors
from assistant.steps.answerability import CheckAnswerability
from assistant.steps.check_output import CheckOutput
from assistant.steps.choice import ResolveChoice
from assistant.steps.compose_extractive import ComposeExtractive
from assistant.steps.compose_model import ComposeWithModel
from assistant.steps.follow_up import ResolveFollowUp
from assistant.steps.retrieve import RetrieveCandidates
from assistant.steps.screen import Screen
from assistant.steps.suggest import Suggest
from assistant.steps.understand import Understand


class Step(Protocol):
    name: str

    def __call__(self, context: AnswerContext) -> None: ...


class ComposeStep(Protocol):
    name: str

    def stream(self, context: AnswerContext) -> Iterator[str]: ...


@dataclass(frozen=True)
class PipelineConfig:
    model: AnswerabilityModel | None = None  # the shipped one (assistant/data/answerability.json) by default
    sentence_ranker: SentenceRanker | None = None  # the shipped one (assistant/data/sentence_ranker.json) by default
    official: OfficialContacts = field(default_factory=OfficialContacts)  # where answers may send people
    max_context_records: int = 3
    follow_up_max_words: int = 6
    # Where the example bank's and the body sentences' vectors are kept between runs (the data directory); None:
    # in memory only.
    examples_cache: Path | None = None


class AnswerPipeline:
    def __init__(self, retriever: HybridRetriever, chat_model: ChatModel | None = None,
                 config: PipelineConfig | None = None) -> None:
        self.retriever = retriever
        self.catalog = retriever.catalog
        self.chat_model = chat_model
        self.config = config or PipelineConfig()
        messages = Messages()
        # Agents' "not our domain" marks (set by api.services); the gate asks before scoring.
        self.is_known_out_of_scope: Callable[[str], bool] = lambda _question: False
        self.examples = ExampleBanks(retriever.embedder, self.config.examples_cache)
        self.steps: Sequence[Step] = (
            Understand(messages), Screen(messages), ResolveChoice(self.catalog),
            ResolveFollowUp(chat_model, self.config.follow_up_max_words),
            RetrieveCandidates(retriever), CheckAnswerability(messages, retriever, self.catalog, self.config.model,
                                                              lambda question: self.is_known_out_of_scope(question),
                                                              self.examples),
        )
        extractive = ComposeExtractive(self.catalog, messages,
                                       SentenceVectors(retriever.embedder, self.config.examples_cache),
                                       self.config.sentence_ranker)
        self.composer: ComposeStep = (
            ComposeWithModel(chat_model, self.catalog, extractive, self.config.max_context_records)
            if chat_model is not None else extractive)
        self.finishers: Sequence[Step] = (CheckOutput(self.catalog, self.config.official), Suggest())

    def run(self, message: str, history: list[Turn] | None = None, language: str = "auto") -> AnswerContext:
        context = self.prepare(message, history, language)
        for _ in self.compose(context):
            pass
        return context

    def prepare(self, message: str, history: list[Turn] | None = None, language: str = "auto") -> AnswerContext:
        """Every step up to composing; the context says whether and what to compose."""
        context = AnswerContext(message=message, history=list(history or []), requested_language=language)
        started = time.perf_counter()
        for step in self.steps:
            _timed(step, context)
            if context.stopped:
                break
        context.timings["prepare"] = (time.perf_counter() - started) * 1000
        return context

    def compose(self, context: AnswerContext) -> Iterator[str]:
        """Yields the answer's text as it is produced; on return the context holds the final answer."""
        started = time.perf_counter()
        if context.stopped:
            yield context.answer
        else:
            yield from self.composer.stream(context)
        context.timings["generation"] = (time.perf_counter() - started) * 1000
        for step in self.finishers:
            _timed(step, context)

    def citation_for(self, procedure_id: str, language: str, n: int) -> Citation | None:
        return citation_for(self.catalog, procedure_id, language, n)


def _timed(step: Step, context: AnswerContext) -> None:
    started = time.perf_counter()
    step(context)
    context.timings[step.name] = (time.perf_counter() - started) * 1000
