"""Language detection, normalisation, redaction and output checks on their own."""

from __future__ import annotations

import pytest

from assistant.checks import check_answer
from assistant.language import detect_language
from assistant.redact import redact
from assistant.text import expand_with_lexicon, keyword_tokens, sanitize


@pytest.mark.parametrize(("text", "language"), [
    ("Comment renouveler ma CNIE ?", "fr"), ("How do I renew my ID card?", "en"),
    ("كيف أجدد بطاقة التعريف الوطنية؟", "ar"), ("بغيت نجدد لاكارط ديالي", "darija"),
    ("ch7al kat5elles lakart?", "darija"), ("wach l'acte de décès b lflous?", "darija"),
    ("salam, bghit n3ref les documents pour le passeport", "darija"), ("ⴰⵣⵓⵍ", "amazigh"), ("azul", "amazigh"),
])
def test_language_detection(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_arabic_is_normalised_for_keyword_search() -> None:
    assert keyword_tokens("الْبِطَاقَةُ الوطنيـــة إستمارة") == keyword_tokens("البطاقه الوطنيه استماره")


def test_french_accents_are_folded() -> None:
    assert keyword_tokens("pièces délai") == ["pieces", "delai"]


def test_arabizi_is_transliterated_and_kept_beside_the_original() -> None:
    tokens = keyword_tokens("n9ad")
    assert tokens[0] == "n9ad" and any("\u0600" <= ch <= "\u06ff" for ch in tokens[1])


def test_lexicon_maps_darija_words_to_administrative_vocabulary() -> None:
    assert "carte nationale" in expand_with_lexicon("bghit nbdl lakart")
    assert "passeport" in expand_with_lexicon("فين نخرج الباسبور")
    assert "acte naissance" in expand_with_lexicon("3a9d l'izdiyad")
    assert "permis conduire" in expand_with_lexicon("بيرمي")


def test_lexicon_reads_the_arabic_names_of_procedures_written_in_latin_letters() -> None:
    assert "electoral register" in expand_with_lexicon("bghit nsjjel f lwa2i7 lintikhabiya")
    assert "business tax" in expand_with_lexicon("tsjil f dariba mihaniya")
    assert "self-employed" in expand_with_lexicon("ch7al dyal lflous f moqawil dati")
    assert "family booklet" in expand_with_lexicon("daftar l7ala lmadaniya tdi3 lia")
    for spelling in ("chahadat l7aya", "chahadat lhaya", "chahada dyal l7aya", "شهادة حياة"):
        assert "life certificate" in expand_with_lexicon(f"fin nakhod {spelling}?"), spelling


def test_tag_and_bidi_characters_are_stripped() -> None:
    assert sanitize("a\u202eb\u2066c\U000e0041d\u200fe") == "abcde"


def test_personal_data_is_redacted() -> None:
    text = redact("CIN BK123456, tel +212 6 12 34 56 78, mail a.b@gmail.com, RIB 011 780 0000 1234 5678 9012 34")
    assert "BK123456" not in text and "12 34 56 78" not in text and "gmail" not in text and "9012" not in text


def test_output_check_masks_foreign_links_and_keeps_official_ones() -> None:
    result = check_answer("Voir https://www.passeport.ma et http://evil.example.com [1]", ["source"], 1)
    assert "passeport.ma" in result.text and "evil.example.com" not in result.text
    assert not result.must_fall_back


def test_output_check_flags_amounts_and_delays_absent_from_sources() -> None:
    result = check_answer("Coût 75 MAD, délai 3 jours [1]", ["fees 75 MAD delay 10 jours"], 1)
    assert result.unsupported == ["3 jours"] and result.must_fall_back
