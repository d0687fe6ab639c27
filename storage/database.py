"""The engine, sessions and migrations. SQLite under the data dir by default; PostgreSQL for several replicas."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

logger = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Any fixed number: replicas starting together take this PostgreSQL advisory lock so that one migrates at a time.
_MIGRATION_LOCK = 7_415_201


class DatabaseError(Exception):
    """The database cannot be reached or refused the operation."""


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            path = url.removeprefix("sqlite:///")
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self.engine: Engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15})
            event.listen(self.engine, "connect", _sqlite_pragmas)
        else:
            # pool_pre_ping: a PostgreSQL restart must not leave every pooled connection dead. The pool is larger
            # than the server's worker threads (40), so no request waits for a connection under load.
            self.engine = create_engine(url, pool_pre_ping=True, pool_size=20, max_overflow=30, pool_timeout=10,
                                        connect_args={"connect_timeout": 5})
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # SQLite has one writer at a time. Writers that meet its lock sleep in its busy handler by growing steps (up
        # to 100 ms) however soon the lock is free: at 32 concurrent chat turns, a p95 of a second and stalls of
        # five just to store turns. The process's writers wait here instead, each woken as the previous commits.
        # PostgreSQL locks rows, not the database: no wait there.
        self._write_turn: AbstractContextManager[Any] = threading.Lock() if self.is_sqlite else nullcontext()

    @contextmanager
    def session(self, write: bool = False) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back on any error. `write`: a transaction that
        writes at once and briefly (a chat turn), which on SQLite takes its turn among this process's writers."""
        with self._write_turn if write else nullcontext():
            session = self._sessions()
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
            finally:
                session.close()

    def migrate(self) -> None:
        """Bring the schema to the newest revision (Alembic)."""
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as connection:
            if not self.is_sqlite:
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def ping(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except SQLAlchemyError:
            return False

    def describe(self) -> str:
        """The URL without its password, for logs and status."""
        return self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(connection: Any, _: Any) -> None:
    cursor = connection.cursor()
    # WAL lets readers go on while a turn is written; foreign keys are off by default in SQLite.
    cursor.execute("PRAGMA journal_mode=WAL")
    # Under WAL, NORMAL syncs the log at checkpoints instead of at every commit: the database stays consistent
    # whatever happens, and a crash of the process loses nothing; only a power cut or kernel crash may lose the last
    # commits before it. That was 8 ms of fsync on every chat turn (13 % of a replica's CPU samples at c=8). A
    # deployment that cannot lose a turn to a power cut runs on PostgreSQL, like any deployment with replicas.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()
