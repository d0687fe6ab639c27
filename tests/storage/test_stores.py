"""The stores on both engines: SQLite (default) and PostgreSQL (several replicas)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text, update

from storage.conversations import ConversationStore, UnknownMessageError
from storage.database import Database
from storage.documents import DocumentStore
from storage.jobs import STALE_AFTER, JobConflictError, JobStore
from storage.keys import KeyStore, hash_key
from storage.models import ApiKey, Conversation, Feedback, Job, Message, utcnow


def turn(**overrides: object) -> dict[str, object]:
    return {"question": "comment renouveler la cin", "answer": "…", "language": "fr", "status": "answered",
            "mode": "extractive", "procedure_id": "cnie-renouvellement", **overrides}


def test_migrations_create_every_table_and_are_idempotent(database: Database) -> None:
    database.migrate()  # a second run (another replica starting) changes nothing
    with database.engine.connect() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    assert version == "0005_sources"


def test_turns_are_kept_per_conversation_oldest_first(database: Database) -> None:
    store = ConversationStore(database)
    store.record_turn("c1", "m1", **turn(question="first"))
    store.record_turn("c1", "m2", **turn(question="second", procedure_id=None, status="not_found"))
    store.record_turn("c2", "m3", **turn(question="other"))
    history = store.history("c1")
    assert [t.question for t in history] == ["first", "second"] and history[1].status == "not_found"
    assert [t.question for t in store.history("c2")] == ["other"] and store.history("nope") == []


def test_a_turn_creates_its_conversation_or_touches_it_in_one_write(database: Database) -> None:
    store = ConversationStore(database)
    store.record_turn("c1", "m1", new_conversation=True, **turn(question="first", choices=["a", "b"],
                                                                citations=[{"procedure_id": "a"}]))
    with database.session() as session:
        created = session.get(Conversation, "c1")
        assert created is not None
        first_update = created.updated_at
    store.record_turn("c1", "m2", **turn(question="second"))
    store.record_turn("lost", "m3", **turn(question="its history could not be read"))  # never stored: inserted
    with database.session() as session:
        touched = session.get(Conversation, "c1")
        assert touched is not None and touched.updated_at >= first_update
        stored = session.get(Message, "m1")
        assert stored is not None and stored.choices == ["a", "b"] and stored.citations == [{"procedure_id": "a"}]
    assert [t.question for t in store.history("c1")] == ["first", "second"]
    assert [t.question for t in store.history("lost")] == ["its history could not be read"]


def test_a_clarify_turns_history_offers_its_choice_ids_whether_stored_with_titles_or_without(
        database: Database) -> None:
    store = ConversationStore(database)
    store.record_turn("c1", "m1", **turn(status="clarify", procedure_id=None,
                                         choices=[{"procedure_id": "a", "title": "A"}, {"procedure_id": "b", "title": "B"}]))
    store.record_turn("c1", "m2", **turn(status="clarify", procedure_id=None, choices=["c", "d"]))
    assert [t.choices for t in store.history("c1")] == [("a", "b"), ("c", "d")]


def test_feedback_is_one_row_per_answer_updated_by_a_later_comment(database: Database) -> None:
    store = ConversationStore(database)
    store.record_turn("c1", "m1", **turn())
    first = store.add_feedback("m1", "down", None)
    assert store.add_feedback("m1", "down", "pas clair") == first
    assert store.add_feedback("m1", "up", None) == first
    with database.session() as session:
        rows = session.execute(select(Feedback.rating, Feedback.comment)).all()
    assert [tuple(r) for r in rows] == [("up", "pas clair")]


def test_feedback_needs_an_existing_message(database: Database) -> None:
    store = ConversationStore(database)
    store.record_turn("c1", "m1", **turn())
    assert store.add_feedback("m1", "up", None)
    with pytest.raises(UnknownMessageError):
        store.add_feedback("missing", "down", "bad")


def test_stats_count_languages_statuses_feedback_and_top_not_found(database: Database) -> None:
    store = ConversationStore(database)
    store.record_turn("c1", "m1", **turn())
    for i in range(3):
        store.record_turn(f"n{i}", f"nf{i}", **turn(question="permis de chasse", status="not_found", language="ar"))
    store.record_turn("c9", "m9", **turn(question="Permis de chasse", status="not_found"))
    store.record_turn("c1", "m2", **turn())
    store.add_feedback("m1", "up", None)
    store.add_feedback("m2", "down", "unclear")
    stats = store.stats()
    assert stats["questions"]["total"] == 6 and stats["questions"]["by_language"] == {"fr": 3, "ar": 3}
    assert stats["questions"]["by_status"] == {"answered": 2, "not_found": 4}
    assert stats["feedback"] == {"up": 1, "down": 1}
    assert stats["top_not_found"][0] == {"question": "permis de chasse", "count": 4}


def test_retention_purges_old_text_but_keeps_the_counts(database: Database) -> None:
    store = ConversationStore(database)
    store.record_turn("old", "m-old", **turn(question="vieux"))
    store.record_turn("new", "m-new", **turn(question="récent"))
    with database.session() as session:
        session.execute(update(Message).where(Message.id == "m-old").values(created_at=utcnow() - timedelta(days=40)))
    assert store.purge_text_older_than(30) == 1
    with database.session() as session:
        texts = dict(session.execute(select(Message.id, Message.question)).all())
    assert texts == {"m-old": None, "m-new": "récent"}
    assert store.stats()["questions"]["total"] == 2


def test_keys_are_stored_hashed_verified_and_revocable(database: Database) -> None:
    keys = KeyStore(database)
    info, plain = keys.create("agent", "guichet Rabat")
    with database.session() as session:
        stored = session.scalars(select(ApiKey.key_hash)).all()
    assert stored == [hash_key(plain)] and plain not in stored
    verified = keys.verify(plain)
    assert verified is not None and verified.role == "agent" and keys.verify(plain + "x") is None
    assert not keys.has_active_admin()
    assert keys.revoke(info.id) and keys.verify(plain) is None and not keys.revoke(info.id)


def test_only_one_index_job_is_active_at_a_time(database: Database) -> None:
    jobs = JobStore(database)
    first = jobs.start("reindex")
    with pytest.raises(JobConflictError):
        jobs.start("upload")
    jobs.finish(first, "succeeded", {"added": 1}, [])
    second = jobs.start("reindex", full=True)
    job = jobs.get(second)
    assert job is not None and job["status"] == "queued" and job["full"] is True
    assert [j["job_id"] for j in jobs.recent()] == [second, first]


def test_a_job_whose_process_died_stops_blocking_the_next(database: Database) -> None:
    jobs = JobStore(database)
    dead = jobs.start("reindex")
    jobs.mark_running(dead)
    with database.session() as session:
        session.execute(update(Job).values(heartbeat_at=utcnow() - STALE_AFTER - timedelta(seconds=1)))
    assert jobs.start("reindex")
    abandoned = jobs.get(dead)
    assert abandoned is not None and abandoned["status"] == "failed" and "stopped" in abandoned["errors"][0]["message"]


def test_documents_replace_uploads_and_removing_them_leaves_hiding_alone(database: Database) -> None:
    documents = DocumentStore(database)
    documents.save_upload("cnie-renouvellement", "fr", "a.fr.md", b"one")
    documents.save_upload("cnie-renouvellement", "fr", "b.fr.md", b"two")
    documents.save_upload("cnie-renouvellement", "ar", "b.ar.md", b"three")
    assert sorted((u.language, u.content) for u in documents.uploads()) == [("ar", b"three"), ("fr", b"two")]
    assert documents.remove_uploads("cnie-renouvellement", "ar") == 1
    assert [u.language for u in documents.uploaded("cnie-renouvellement")] == ["fr"]
    assert documents.remove_uploads("cnie-renouvellement") == 1 and documents.uploads() == []
    assert documents.hidden_procedures() == set()


def test_hiding_a_procedure_is_explicit_idempotent_and_reversible(database: Database) -> None:
    documents = DocumentStore(database)
    documents.hide("cnie-renouvellement")
    documents.hide("cnie-renouvellement")
    documents.save_upload("cnie-renouvellement", "en", "c.en.md", b"new")
    assert documents.hidden_procedures() == {"cnie-renouvellement"} and len(documents.uploads()) == 1
    assert documents.show("cnie-renouvellement") is True and documents.show("cnie-renouvellement") is False
    assert documents.hidden_procedures() == set() and len(documents.uploads()) == 1


def test_catalogue_entries_are_kept_per_source_and_removed_by_procedure_and_language(database: Database) -> None:
    documents = DocumentStore(database)
    documents.put_catalogue_entry("portail", "permis-chasse", "fr", b'{"a": 1}')
    documents.put_catalogue_entry("portail", "permis-chasse", "ar", b'{"a": 2}')
    documents.put_catalogue_entry("ministere", "permis-barque", "fr", b'{"a": 3}')
    assert set(documents.catalogue_hashes("portail")) == {("permis-chasse", "fr"), ("permis-chasse", "ar")}
    documents.remove_catalogue_entries("portail", [("permis-chasse", "ar"), ("permis-barque", "fr")])
    assert set(documents.catalogue_hashes("portail")) == {("permis-chasse", "fr")}
    assert set(documents.catalogue_hashes("ministere")) == {("permis-barque", "fr")}  # another source is untouched


def test_a_failed_replacement_can_put_the_previous_upload_back(database: Database) -> None:
    documents = DocumentStore(database)
    documents.save_upload("permis-chasse", "fr", "permis-chasse.fr.html", b"v1")
    previous = documents.upload_for("permis-chasse", "fr")
    documents.save_upload("permis-chasse", "fr", "permis-chasse.fr.html", b"v2")
    assert previous is not None and previous.content == b"v1"
    documents.save_upload(previous.procedure_id, previous.language, previous.filename, previous.content)
    current = documents.upload_for("permis-chasse", "fr")
    assert current is not None and current.content == b"v1"
    documents.remove_upload("permis-chasse", "fr")
    assert documents.upload_for("permis-chasse", "fr") is None
