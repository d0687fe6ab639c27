"""Aliases learned from agents' corrections join a procedure's records when a generation is built."""

from __future__ import annotations

from core.embedders import FakeEmbedder
from core.settings import Settings
from ingestion.pipeline import IndexOptions, run_index
from tests.conftest import CORPUS, open_index

ALIAS = "ma grand mere doit prouver qu elle est en vie"


def card_of(index, procedure_id: str, language: str) -> str:
    return next(c.text for c in index.all_chunks() if c.id == f"corpus/procedures/{procedure_id}/{language}.md#card")


def test_a_learned_alias_re_embeds_only_its_procedure_and_leaves_with_its_removal(settings: Settings,
                                                                                    embedder: FakeEmbedder) -> None:
    index = open_index(settings, embedder)
    run_index([CORPUS], embedder, index, IndexOptions())
    with_alias = run_index([CORPUS], embedder, index, IndexOptions(), aliases={"certificat-vie": [ALIAS, ALIAS]})
    assert sorted(with_alias.updated) == [f"corpus/procedures/certificat-vie/{lang}.md" for lang in ("ar", "en", "fr")]
    assert all(ALIAS in card_of(index, "certificat-vie", lang) for lang in ("fr", "ar", "en"))
    assert card_of(index, "certificat-vie", "fr").count(ALIAS) == 1
    assert ALIAS not in card_of(index, "certificat-nationalite", "fr")
    again = run_index([CORPUS], embedder, index, IndexOptions(), aliases={"certificat-vie": [ALIAS]})
    assert again.updated == [] and again.chunks_embedded == 0  # unchanged aliases: nothing to re-embed
    removed = run_index([CORPUS], embedder, index, IndexOptions(), aliases={})
    assert len(removed.updated) == 3 and ALIAS not in card_of(index, "certificat-vie", "fr")
