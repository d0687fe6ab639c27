"""API keys: random, shown once, stored as SHA-256. A key has 256 bits of entropy, so a slow password hash
would add latency to every admin call and no safety."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import select, update

from storage.database import Database
from storage.models import ApiKey, utcnow

Role = Literal["admin", "agent"]
ROLES: tuple[Role, ...] = ("admin", "agent")


@dataclass(frozen=True)
class KeyInfo:
    id: str
    name: str
    role: str
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class KeyStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    def create(self, role: Role, name: str) -> tuple[KeyInfo, str]:
        """A new key; the plain key is returned once and never stored."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        key_id = secrets.token_hex(6)
        plain = f"sahla_{role}_{key_id}_{secrets.token_urlsafe(32)}"
        with self._db.session() as session:
            row = ApiKey(id=key_id, name=name, role=role, key_hash=hash_key(plain), created_at=utcnow())
            session.add(row)
        return _info(row), plain

    def verify(self, plain: str) -> KeyInfo | None:
        """The key's record when it exists and is not revoked."""
        digest = hash_key(plain)
        with self._db.session() as session:
            row = session.scalars(select(ApiKey).where(ApiKey.key_hash == digest)).first()
            if row is None or row.revoked_at is not None:
                return None
            row.last_used_at = utcnow()
            return _info(row)

    def revoke(self, key_id: str) -> bool:
        with self._db.session() as session:
            result = session.execute(update(ApiKey).where(ApiKey.id == key_id, ApiKey.revoked_at.is_(None))
                                     .values(revoked_at=utcnow()))
        return bool(getattr(result, "rowcount", 0))

    def list(self) -> list[KeyInfo]:
        with self._db.session() as session:
            return [_info(row) for row in session.scalars(select(ApiKey).order_by(ApiKey.created_at))]

    def has_active_admin(self) -> bool:
        with self._db.session() as session:
            return session.scalars(select(ApiKey.id).where(
                ApiKey.role == "admin", ApiKey.revoked_at.is_(None))).first() is not None


def _info(row: ApiKey) -> KeyInfo:
    return KeyInfo(row.id, row.name, row.role, row.created_at, row.revoked_at, row.last_used_at)
