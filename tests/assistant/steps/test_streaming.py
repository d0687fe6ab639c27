"""The checked stream over a queue-driven fake model: what leaves is checked a sentence at a time."""

from __future__ import annotations

from functools import partial

from assistant.checks import check_answer
from assistant.streaming import CheckedStream

SOURCE = '{"fees": [{"label": "Timbre", "amount_mad": 500.0}]} Le timbre coûte 500 DH.'


def _stream() -> CheckedStream:
    return CheckedStream(partial(check_answer, sources=[SOURCE], citation_count=1, record_hosts={"passeport.ma"},
                                 fees_by_marker={1: {500.0}}))


def test_plain_words_go_out_as_they_arrive(fake_model) -> None:
    fake_model.enqueue(["Le passeport ", "se demande ", "à l'annexe"])
    shown = list(_stream().feed(fake_model.stream([])))
    assert shown[:2] == ["Le passeport ", "se demande "]


def test_a_sentence_with_an_amount_waits_until_it_is_complete_and_checked(fake_model) -> None:
    fake_model.enqueue(["Le timbre coûte ", "500 ", "DH [1]", ". Fin"])
    stream = _stream()
    shown = list(stream.feed(fake_model.stream([])))
    assert "500 " not in shown and any("500 DH [1]." in s for s in shown) and not stream.stopped


def test_an_invented_amount_stops_the_stream_before_it_is_shown(fake_model) -> None:
    fake_model.enqueue(["Le timbre coûte ", "900 DH [1]", ". Ensuite"])
    stream = _stream()
    shown = "".join(stream.feed(fake_model.stream([])))
    checked, rest = stream.finish()
    assert stream.stopped and "900" not in shown and checked.must_fall_back and rest == ""


def test_a_foreign_link_is_masked_in_what_is_shown(fake_model) -> None:
    fake_model.enqueue(["Voir http://evil.example.com pour payer. "])
    stream = _stream()
    shown = "".join(stream.feed(fake_model.stream([])))
    _, rest = stream.finish()
    assert "evil" not in shown + rest
