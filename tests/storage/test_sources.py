"""The sources store and its migration (0005_sources): a URL registered once, pages followed by one source, a
removed source taking its pages' stored versions with it, and a migration that goes down and up again."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import inspect

from storage.database import MIGRATIONS, Database
from storage.documents import DocumentStore
from storage.models import utcnow
from storage.sources import SourceExistsError, SourceStore, sync_prefix


def test_a_url_is_registered_once(database: Database) -> None:
    store = SourceStore(database)
    store.add("https://x.gov.ma/fr/a.html", "page", "permis-a", "fr")
    with pytest.raises(SourceExistsError):
        store.add("https://x.gov.ma/fr/a.html", "sitemap")
    assert [(s.kind, s.procedure_id, s.pages) for s in store.all()] == [("page", "permis-a", 0)]


def test_a_page_another_source_follows_stays_with_it(database: Database) -> None:
    store = SourceStore(database)
    first, second = store.add("https://x.gov.ma/a.xml", "sitemap"), store.add("https://x.gov.ma/b.xml", "sitemap")
    assert store.add_pages(first.id, ["https://x.gov.ma/p1", "https://x.gov.ma/p2"]) == []
    assert store.add_pages(second.id, ["https://x.gov.ma/p2", "https://x.gov.ma/p3"]) == ["https://x.gov.ma/p2"]
    assert [p.url for p in store.pages(second.id)] == ["https://x.gov.ma/p3"]


def test_removing_a_source_removes_its_pages_and_their_stored_versions_only(database: Database) -> None:
    store, documents = SourceStore(database), DocumentStore(database)
    source = store.add("https://x.gov.ma/a.xml", "sitemap")
    store.add_pages(source.id, ["https://x.gov.ma/p1"])
    page = store.pages(source.id)[0]
    documents.save_upload("permis", "fr", f"{sync_prefix(page.id)}permis.fr.html", b"<p>x</p>",
                          origin_url=page.url)
    documents.save_upload("autre", "fr", "autre.fr.html", b"<p>y</p>")
    assert store.remove(source.id) == 1
    assert store.all() == [] and store.pages() == []
    assert [u.procedure_id for u in documents.uploads()] == ["autre"]


def test_the_sources_migration_goes_down_to_0001_and_up_again(tmp_path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'sahla.db'}")
    database.migrate()
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0001")
    tables = set(inspect(database.engine).get_table_names())
    assert not {"sync_sources", "sync_pages"} & tables
    assert "origin_url" not in {c["name"] for c in inspect(database.engine).get_columns("documents")}
    database.migrate()
    assert {"sync_sources", "sync_pages"} <= set(inspect(database.engine).get_table_names())
    database.close()


def test_a_stored_page_keeps_its_url_and_fetch_time_so_putting_it_back_keeps_them(database: Database) -> None:
    documents = DocumentStore(database)
    fetched = utcnow()
    documents.save_upload("permis", "fr", "sync/p1/permis.fr.html", b"<p>x</p>", "https://x.gov.ma/p", fetched)
    previous = documents.upload_for("permis", "fr")
    assert previous is not None and (previous.origin_url, previous.fetched_at) == ("https://x.gov.ma/p", fetched)
    documents.save_upload("permis", "fr", "permis.fr.html", b"<p>upload</p>")
    documents.save_upload(previous.procedure_id, previous.language, previous.filename, previous.content,
                          previous.origin_url, previous.fetched_at)
    assert documents.uploads() == [previous]
