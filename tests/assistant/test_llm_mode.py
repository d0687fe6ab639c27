"""The Mistral path through the real SDK against a local Mistral-protocol server: streaming, follow-up rewriting,
output checks, and a fallback for every failure."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assistant.context import Turn
from assistant.llm import MistralChatModel
from assistant.pipeline import AnswerPipeline
from tests.mistral_server import MistralServer, Reply


@pytest.fixture
def server() -> Iterator[MistralServer]:
    with MistralServer() as running:
        yield running


@pytest.fixture
def llm_pipeline(pipeline: AnswerPipeline, server: MistralServer) -> AnswerPipeline:
    model = MistralChatModel("test-key", "mistral-small-latest", server.url, timeout_seconds=2)
    return AnswerPipeline(pipeline.retriever, model)


QUESTION = "Combien coûte le passeport biométrique ?"


def test_streamed_model_answer_is_returned_with_its_citations(llm_pipeline, server) -> None:
    server.enqueue(Reply("Le timbre du passeport coûte 500 MAD [1]. La demande se fait en ligne. "
                         "Le passeport est remis au service qui a reçu le dossier [1]."))
    context = llm_pipeline.prepare(QUESTION)
    deltas = list(llm_pipeline.compose(context))
    # Plain words go out as they come; the amount and its marker wait for their sentence to be checked.
    assert deltas[:2] == ["Le ", "timbre "] and "500 MAD [1]. " in deltas and "".join(deltas) == context.answer
    assert context.mode == "llm" and context.status == "answered"
    assert context.citations[0].procedure_id == "passeport-biometrique"
    request = server.requests[-1]
    assert request["stream"] is True and request["model"] == "mistral-small-latest"
    assert "<records>" in request["messages"][1]["content"]


@pytest.mark.parametrize("reply", [
    Reply(status=429), Reply(status=500), Reply(status=503), Reply(garbage=True),
    Reply("Le passeport coûte", cut=True), Reply("trop lent", delay=3),
], ids=["429", "500", "503", "garbage", "cut-stream", "timeout"])
def test_any_model_failure_falls_back_to_the_extractive_answer(llm_pipeline, server, reply) -> None:
    server.enqueue(reply, reply, reply)  # the SDK may retry
    context = llm_pipeline.run(QUESTION)
    assert context.status == "answered" and context.mode == "fallback"
    assert "500 MAD" in context.answer and context.citations


def test_invented_amount_makes_the_answer_fall_back(llm_pipeline, server) -> None:
    server.enqueue(Reply("Le passeport est gratuit, il coûte 0 MAD et il faut payer 1200 DH [1]."))
    context = llm_pipeline.run(QUESTION)
    assert context.mode == "fallback" and "1200 DH" in context.flags["unsupported"]
    assert "1200" not in context.answer


def test_foreign_link_and_phone_are_masked(llm_pipeline, server) -> None:
    server.enqueue(Reply("Payez le timbre de 500 MAD [1] sur https://passeport-rapide.example.com ou appelez "
                         "0612345678."))
    context = llm_pipeline.run(QUESTION)
    assert context.mode == "llm"
    assert "example.com" not in context.answer and "0612345678" not in context.answer
    assert "https://passeport-rapide.example.com" in context.flags["masked"]


def test_citation_marker_without_a_source_makes_the_answer_fall_back(llm_pipeline, server) -> None:
    server.enqueue(Reply("Le timbre coûte 500 MAD [7]."))
    context = llm_pipeline.run(QUESTION)
    assert context.mode == "fallback" and context.flags["bad_markers"] == [7]


def test_follow_up_is_rewritten_by_the_model_into_a_standalone_question(llm_pipeline, server) -> None:
    server.enqueue(Reply("Combien coûte le passeport biométrique ?"), Reply("Il coûte 500 MAD [1]."))
    history = [Turn("Comment obtenir un passeport biométrique ?", "…", "passeport-biometrique")]
    context = llm_pipeline.run("et combien ça coûte ?", history)
    assert context.question == "Combien coûte le passeport biométrique ?"
    assert context.citations[0].procedure_id == "passeport-biometrique" and context.mode == "llm"
    assert server.requests[0]["stream"] is False


def test_personal_data_is_redacted_before_it_reaches_the_model(llm_pipeline, server) -> None:
    server.enqueue(Reply("Le timbre coûte 500 MAD [1]."))
    context = llm_pipeline.run("Combien coûte le passeport biométrique ? CIN AB123456, tel 0612345678, ali@example.ma")
    assert context.status == "answered"
    sent = server.requests[-1]["messages"][1]["content"]
    assert "AB123456" not in sent and "0612345678" not in sent and "ali@example.ma" not in sent
    assert "[CIN]" in sent and "[PHONE]" in sent and "[EMAIL]" in sent


def test_streamed_text_is_checked_before_it_leaves_a_sentence_at_a_time(llm_pipeline, server) -> None:
    server.enqueue(Reply("Le timbre coûte 500 MAD [1]. Payez sur https://passeport-rapide.example.com maintenant. "
                         "Fin [1]."))
    context = llm_pipeline.prepare(QUESTION)
    deltas = list(llm_pipeline.compose(context))
    assert not any("example.com" in d for d in deltas) and "".join(deltas) == context.answer


def test_an_invented_amount_stops_the_stream_before_it_is_shown(llm_pipeline, server) -> None:
    server.enqueue(Reply("Le timbre coûte 500 MAD [1]. Ignorez cela : le passeport est gratuit, 0 DH, ou 1200 DH "
                         "en urgence. Merci [1]."))
    context = llm_pipeline.prepare(QUESTION)
    deltas = list(llm_pipeline.compose(context))
    assert not any("1200" in d for d in deltas) and context.mode == "fallback"
