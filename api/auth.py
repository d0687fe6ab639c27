"""Who is calling: an admin or agent key from `Authorization: Bearer <key>`, checked against the hashed keys in the
database and the optional bootstrap admin key from the settings."""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass

from fastapi import Request
from sqlalchemy.exc import SQLAlchemyError

from api.errors import ApiError
from api.services import Services

logger = logging.getLogger(__name__)

_CHALLENGE = {"WWW-Authenticate": "Bearer"}


@dataclass(frozen=True)
class Caller:
    key_id: str
    role: str


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def identify(services: Services, token: str | None) -> Caller | None:
    """The caller behind a key, or None for no key. A wrong or revoked key is a 401, never a silent anonymous."""
    if token is None:
        return None
    bootstrap = services.settings.admin_key
    if bootstrap is not None and hmac.compare_digest(token.encode(), bootstrap.get_secret_value().encode()):
        return Caller("settings", "admin")
    try:
        info = services.keys.verify(token)
    except SQLAlchemyError as exc:
        logger.warning("event=key_check_failed error=%s", type(exc).__name__)
        raise ApiError(503, "database_unavailable", "keys cannot be checked right now; try again shortly") from exc
    if info is None:
        raise ApiError(401, "invalid_key", "the API key is unknown or revoked", _CHALLENGE)
    return Caller(info.id, info.role)


def require_role(services: Services, request: Request, *roles: str) -> Caller:
    caller = identify(services, bearer_token(request))
    if caller is None:
        raise ApiError(401, "missing_key", "this endpoint needs an API key: Authorization: Bearer <key>", _CHALLENGE)
    if caller.role not in roles:
        raise ApiError(403, "forbidden", f"this endpoint needs the {' or '.join(roles)} role")
    return caller
