"""What a correction keeps and how the gate's out-of-scope provider behaves, without a service."""

from __future__ import annotations

from sqlalchemy.exc import OperationalError

from api.corrections import KnownOutOfScope, normalised_question


def test_the_normalised_question_is_redacted_then_folded() -> None:
    question = "Écrivez à ali@example.ma ou au 0612345678, CIN AB123456 : l'extrait d'ACTE ?"
    assert normalised_question(question) == "ecrivez a email ou au phone cin cin l extrait d acte"


class FlakyStore:
    """A review store whose database answers once, then fails."""

    def __init__(self) -> None:
        self.calls = 0

    def out_of_scope_questions(self) -> set[str]:
        self.calls += 1
        if self.calls > 1:
            raise OperationalError("SELECT", {}, Exception("down"))
        return {"recette du tajine"}


def test_the_provider_matches_normalised_questions_and_keeps_its_examples_when_the_database_fails() -> None:
    store = FlakyStore()
    provider = KnownOutOfScope(store, refresh_seconds=0)  # type: ignore[arg-type]
    assert provider.is_known_out_of_scope("Recette du TAJINE ?")
    assert provider.is_known_out_of_scope("recette du tajine") and store.calls >= 2  # read again, failed, kept
    assert not provider.is_known_out_of_scope("passeport biométrique")
    assert not provider.is_known_out_of_scope("   ")
