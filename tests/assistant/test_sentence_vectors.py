"""Sentence vectors: embedded once per record text, kept in memory and on disk, and how they score passages."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from assistant.passages import body_sentences, select_passages, sentence_bonuses
from assistant.sentence_vectors import SentenceVectors
from tests.assistant.steps.conftest import make_record

TEXTS = ["Le timbre coûte 500 dirhams.", "Le dépôt se fait à l'annexe.", "Un mineur vient avec son tuteur."]


class CountingEmbedder:
    """One axis per text it has seen, so that each text's vector is its own and cosines are 0 or 1."""

    name = "counting/fake"
    dimension = 8

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self._axes: dict[str, int] = {}

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dimension, dtype=np.float32)
        vector[self._axes.setdefault(text, len(self._axes) % self.dimension)] = 1.0
        return vector

    def embed_query(self, text: str) -> np.ndarray:
        return self._vector(text)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.batches.append(list(texts))
        return np.stack([self._vector(t) for t in texts])


def test_a_record_is_embedded_once_in_one_batch_and_then_served_from_memory() -> None:
    embedder = CountingEmbedder()
    vectors = SentenceVectors(embedder)
    first = vectors.similarities(embedder.embed_query(TEXTS[1]), TEXTS)
    again = vectors.similarities(embedder.embed_query(TEXTS[1]), TEXTS)
    assert embedder.batches == [TEXTS]
    assert first == again == {TEXTS[0]: 0.0, TEXTS[1]: 1.0, TEXTS[2]: 0.0}


def test_a_restart_reads_the_vectors_from_the_data_directory_instead_of_embedding(tmp_path: Path) -> None:
    SentenceVectors(CountingEmbedder(), tmp_path).vectors(TEXTS)
    assert len(list((tmp_path / "sentence-vectors" / "counting-fake").glob("*.npy"))) == 1
    restarted = CountingEmbedder()
    assert SentenceVectors(restarted, tmp_path).vectors(TEXTS).shape == (3, 8)
    assert restarted.batches == []


def test_warming_embeds_only_the_records_without_a_file_and_answers_then_embed_nothing(tmp_path: Path) -> None:
    first = make_record("## Conditions\n\n" + " ".join(TEXTS))
    second = make_record("## Conditions\n\nUn autre texte, une autre phrase.", id="autre")
    embedder = CountingEmbedder()
    assert SentenceVectors(embedder, tmp_path).warm([first]) == 1
    assert SentenceVectors(embedder, tmp_path).warm([first, second]) == 1
    assert len(embedder.batches) == 2
    answering = CountingEmbedder()
    SentenceVectors(answering, tmp_path).vectors([s.text for s in body_sentences(first.body)])
    assert answering.batches == []


def test_without_a_data_directory_warming_embeds_nothing() -> None:
    embedder = CountingEmbedder()
    assert SentenceVectors(embedder).warm([make_record("## Conditions\n\n" + TEXTS[0])]) == 0
    assert embedder.batches == []


def test_an_edited_record_gets_new_vectors() -> None:
    embedder = CountingEmbedder()
    vectors = SentenceVectors(embedder)
    vectors.vectors(TEXTS)
    vectors.vectors([*TEXTS[:2], "Un mineur vient avec son représentant légal."])
    assert len(embedder.batches) == 2


def test_an_unreadable_or_misshapen_cache_file_is_embedded_again(tmp_path: Path,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    SentenceVectors(CountingEmbedder(), tmp_path).vectors(TEXTS)
    [path] = (tmp_path / "sentence-vectors" / "counting-fake").glob("*.npy")
    path.write_bytes(b"not numpy")
    embedder = CountingEmbedder()
    assert SentenceVectors(embedder, tmp_path).vectors(TEXTS).shape == (3, 8)
    assert embedder.batches == [TEXTS] and "sentence_vectors_unreadable" in caplog.text
    np.save(path, np.zeros((2, 8), dtype=np.float32))  # another record's shape
    embedder = CountingEmbedder()
    SentenceVectors(embedder, tmp_path).vectors(TEXTS)
    assert embedder.batches == [TEXTS]


def test_an_unwritable_data_directory_still_answers_from_memory_and_says_why(tmp_path: Path,
                                                                               caplog: pytest.LogCaptureFixture) -> None:
    blocked = tmp_path / "data"
    blocked.write_text("a file where the directory should be")  # refuses mkdir even to root, unlike chmod
    embedder = CountingEmbedder()
    vectors = SentenceVectors(embedder, blocked)
    assert vectors.similarities(embedder.embed_query(TEXTS[2]), TEXTS)[TEXTS[2]] == 1.0
    vectors.vectors(TEXTS)
    assert embedder.batches == [TEXTS]  # kept in memory: the failed write costs no second embedding
    assert "sentence_vectors_unwritable" in caplog.text
    assert blocked.read_text() == "a file where the directory should be"


def test_memory_keeps_only_the_records_used_last() -> None:
    embedder = CountingEmbedder()
    vectors = SentenceVectors(embedder, capacity=1)
    vectors.vectors(TEXTS[:1])
    vectors.vectors(TEXTS[1:])
    vectors.vectors(TEXTS[:1])
    assert len(embedder.batches) == 3


BODY = """## Conditions
- Le dossier est complet.
- Le demandeur est majeur.
- Le tuteur signe pour un enfant.
- Le formulaire est rempli.
"""


def test_a_sentence_that_stands_out_for_the_question_is_chosen_without_sharing_a_word() -> None:
    sentences = body_sentences(BODY)
    similarity = {s.text: 0.80 for s in sentences} | {"Le tuteur signe pour un enfant.": 0.90}
    best = select_passages(sentences, ["fiston"], limit=1, similarity=similarity)
    assert [p.sentence.text for p in best] == ["Le tuteur signe pour un enfant."]
    assert select_passages(sentences, ["fiston"], limit=1) == []


def test_sentences_crowded_together_get_no_bonus() -> None:
    sentences = body_sentences(BODY)
    assert sentence_bonuses(sentences, {s.text: 0.83 for s in sentences}) == [0.0] * 4
    assert sentence_bonuses(sentences[:2], {s.text: n / 10 for n, s in enumerate(sentences)}) == [0.0, 0.0]
    assert sentence_bonuses(sentences, None) == [0.0] * 4
