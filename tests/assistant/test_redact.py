"""Redaction on its own: every spelling in the table is caught whole, and dates, fees, laws and delays are kept."""

from __future__ import annotations

import pytest

from assistant.redact import redact
from tests.assistant.redaction_cases import NEGATIVE, POSITIVE, squash


def test_the_table_holds_at_least_sixty_positive_and_thirty_negative_cases() -> None:
    assert len(POSITIVE) >= 60 and len(NEGATIVE) >= 30


@pytest.mark.parametrize(("text", "secret"), POSITIVE)
def test_personal_data_in_any_spelling_is_redacted_whole(text: str, secret: str) -> None:
    redacted = redact(text)
    assert secret not in squash(redacted), redacted
    assert "[" in redacted


@pytest.mark.parametrize("text", NEGATIVE)
def test_dates_fees_laws_and_delays_are_kept_as_written(text: str) -> None:
    assert redact(text) == text


def test_the_text_around_a_match_is_kept_as_written() -> None:
    assert redact("Bonjour, ma CIN est AB123456 et j'habite à Fès.") == "Bonjour, ma CIN est [CIN] et j'habite à Fès."


def test_no_digit_of_a_mixed_script_number_is_left_behind() -> None:
    assert redact("CIN AB12٣٤٥٦ merci") == "CIN [CIN] merci"


def test_a_text_is_redacted_the_same_when_read_again_and_one_with_personal_data_is_not_kept() -> None:
    from assistant import redact as module

    clean, personal = "Le passeport coûte 500 DH au guichet.", "ma CIN AB123456, passeport svp"
    for _ in range(2):
        assert redact(clean) == clean
        assert redact(personal) == "ma CIN [CIN], passeport svp"
    assert clean in module._clean
    assert personal not in module._clean
    for n in range(module._CLEAN_KEPT + 5):  # the memory of clean texts stays bounded
        redact(f"question {n}")
    assert len(module._clean) == module._CLEAN_KEPT


@pytest.mark.parametrize("text", ["écrivez à karim at gmail dot com svp", "mail: karim(at)gmail(point)ma",
                                  "karim arobase gmail.com", "ＫＡＲＩＭ＠ＧＭＡＩＬ．ＣＯＭ"])
def test_an_address_without_a_digit_is_still_found(text: str) -> None:
    assert "[EMAIL]" in redact(text), redact(text)
