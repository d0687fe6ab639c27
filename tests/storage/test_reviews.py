"""Reviews, learned aliases, out-of-scope examples, the audit trail and the weekly quality figures, on both engines."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from storage.conversations import ConversationStore
from storage.database import Database
from storage.models import Message, Review, utcnow
from storage.quality import QualityStats, week_of
from storage.reviews import (
    QueueFilter,
    ReviewInput,
    ReviewStore,
    UnknownAliasError,
    UnknownExampleError,
    UnknownTurnError,
)


def turn(**overrides: object) -> dict[str, object]:
    return {"question": "comment renouveler la cin", "answer": "…", "language": "fr", "status": "answered",
            "mode": "extractive", "procedure_id": "cnie-renouvellement", "form": "fr",
            "citations": [{"n": 1, "procedure_id": "cnie-renouvellement", "title": "CNIE"}], **overrides}


@pytest.fixture
def stores(database: Database) -> tuple[ConversationStore, ReviewStore]:
    conversations = ConversationStore(database)
    conversations.record_turn("c1", "m1", **turn())
    conversations.record_turn("c1", "m2", **turn(question="perdu mon passeport", status="not_found",
                                                  procedure_id=None, citations=[]))
    conversations.record_turn("c2", "m3", **turn(question="wach kayn chi haja", language="darija",
                                                  form="darija_latin", status="clarify", procedure_id=None))
    return conversations, ReviewStore(database)


def test_the_queue_puts_thumbs_down_first_then_the_newest(stores) -> None:
    conversations, reviews = stores
    conversations.add_feedback("m1", "down", "pas clair")
    items, total = reviews.queue(QueueFilter())
    assert total == 3 and [t.message_id for t in items][0] == "m1"
    assert items[0].feedback == "down" and items[0].feedback_comment == "pas clair"
    assert items[0].citations == [{"n": 1, "procedure_id": "cnie-renouvellement", "title": "CNIE"}]


def test_the_queue_filters_by_language_status_procedure_and_review(stores) -> None:
    _, reviews = stores
    ids = lambda **kw: sorted(t.message_id for t in reviews.queue(QueueFilter(**kw))[0])  # noqa: E731
    assert ids(statuses=("not_found", "clarify")) == ["m2", "m3"]
    assert ids(language="darija") == ["m3"]
    assert ids(procedure_id="cnie-renouvellement") == ["m1"]
    reviews.save_review(ReviewInput("m2", "wrong", "agent1", expected_procedure_id="passeport-biometrique",
                                    alias="perdu mon passeport"))
    assert ids(reviewed=True) == ["m2"] and ids(reviewed=False) == ["m1", "m3"]
    assert ids(procedure_id="passeport-biometrique") == ["m2"]  # named by the review


def test_a_wrong_review_learns_an_alias_once_and_everything_is_audited(stores) -> None:
    _, reviews = stores
    for _ in range(2):
        reviews.save_review(ReviewInput("m2", "wrong", "agent1", action="link",
                                        expected_procedure_id="passeport-biometrique", alias="perdu mon passeport"))
    assert reviews.aliases_by_procedure() == {"passeport-biometrique": ["perdu mon passeport"]}
    [alias] = reviews.aliases()
    assert alias["author_key_id"] == "agent1" and alias["source_message_id"] == "m2" and alias["language"] == "fr"
    reviews.remove_alias(alias["id"], "admin1")
    assert reviews.aliases_by_procedure() == {}
    trail = reviews.corrections()
    assert [c["action"] for c in trail] == ["alias_removed", "link", "link"]
    assert {c["author_key_id"] for c in trail} == {"agent1", "admin1"}
    assert all(c["question"] == "perdu mon passeport" and c["created_at"] for c in trail)
    with pytest.raises(UnknownAliasError):
        reviews.remove_alias(alias["id"], "admin1")


def test_a_later_review_replaces_the_earlier_one(stores) -> None:
    _, reviews = stores
    reviews.save_review(ReviewInput("m1", "incomplete", "agent1", note="manque le prix"))
    reviews.save_review(ReviewInput("m1", "correct", "agent2"))
    reviewed = reviews.turn("m1")
    assert reviewed and reviewed.verdict == "correct" and reviewed.reviewer_key_id == "agent2" and reviewed.note is None
    assert len(reviews.corrections()) == 2 and len(reviews.reviewed_turns()) == 1


def test_not_our_domain_adds_an_out_of_scope_example(stores) -> None:
    _, reviews = stores
    reviews.save_review(ReviewInput("m3", "wrong", "agent1", out_of_scope="wach kayn chi haja"))
    assert reviews.out_of_scope_questions() == {"wach kayn chi haja"}
    [example] = reviews.out_of_scope_examples()
    assert example["author_key_id"] == "agent1" and example["language"] == "darija"
    reviews.remove_out_of_scope(example["id"], "admin1")
    assert reviews.out_of_scope_questions() == set()
    assert reviews.corrections()[0]["action"] == "out_of_scope_removed"
    with pytest.raises(UnknownExampleError):
        reviews.remove_out_of_scope(example["id"], "admin1")


def test_reviewing_an_unknown_turn_stores_nothing(stores) -> None:
    _, reviews = stores
    with pytest.raises(UnknownTurnError):
        reviews.save_review(ReviewInput("nope", "wrong", "agent1", expected_procedure_id="x", alias="q"))
    assert reviews.aliases() == [] and reviews.corrections() == []


def test_retention_empties_the_queue_text_and_notes_but_keeps_the_learned_alias(stores, database: Database) -> None:
    conversations, reviews = stores
    reviews.save_review(ReviewInput("m2", "wrong", "agent1", note="il parlait de son passeport",
                                    expected_procedure_id="passeport-biometrique", alias="perdu mon passeport"))
    with database.session() as session:
        session.execute(update(Message).values(created_at=utcnow() - timedelta(days=200)))
        session.execute(update(Review).values(created_at=utcnow() - timedelta(days=200)))
    assert conversations.purge_text_older_than(90) == 3
    assert reviews.purge_notes_older_than(90) == 1
    assert reviews.queue(QueueFilter()) == ([], 0)
    reviewed = reviews.turn("m2")
    assert reviewed and reviewed.question is None and reviewed.answer is None and reviewed.note is None
    assert reviews.aliases_by_procedure() == {"passeport-biometrique": ["perdu mon passeport"]}


def test_weekly_quality_gives_shares_rates_and_top_wrong_procedures(stores, database: Database) -> None:
    conversations, reviews = stores
    conversations.record_turn("c3", "m4", **turn(procedure_id="casier-judiciaire"))
    conversations.add_feedback("m1", "up", None)
    conversations.add_feedback("m4", "down", None)
    reviews.save_review(ReviewInput("m1", "correct", "agent1"))
    reviews.save_review(ReviewInput("m4", "wrong", "agent1"))
    with database.session() as session:  # one turn a week earlier
        session.execute(update(Message).where(Message.id == "m3").values(created_at=utcnow() - timedelta(days=7)))
    report = QualityStats(database).report()
    this_week, last_week = week_of(utcnow().date()), week_of((utcnow() - timedelta(days=7)).date())
    cells = {(w["week"], w["form"]): w for w in report["weeks"]}
    assert set(cells) == {(this_week, "fr"), (last_week, "darija_latin")}
    fr = cells[(this_week, "fr")]
    assert (fr["turns"], fr["reviewed"], fr["correct"], fr["wrong"]) == (3, 2, 1, 1)
    assert fr["correct_share"] == 0.5 and (fr["thumbs_up"], fr["thumbs_down"]) == (1, 1)
    assert fr["not_found_rate"] == round(1 / 3, 4) and fr["clarify_rate"] == 0.0
    assert cells[(last_week, "darija_latin")]["clarify_rate"] == 1.0
    assert cells[(last_week, "darija_latin")]["correct_share"] is None
    assert report["top_wrong"] == [{"procedure_id": "casier-judiciaire", "count": 1}]
