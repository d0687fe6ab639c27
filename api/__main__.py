"""`python -m api serve | keys create --role admin|agent [--name N] | keys list | keys revoke ID | migrate | purge`."""

from __future__ import annotations

import argparse
import logging
import sys

from pydantic import ValidationError

from core.settings import Settings
from storage.conversations import ConversationStore
from storage.database import Database
from storage.keys import ROLES, KeyStore


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="serve the HTTP API on HOST:PORT")
    commands.add_parser("migrate", help="bring the database schema up to date")
    commands.add_parser("purge", help="delete conversation text older than SAHLA_RETENTION_DAYS")
    keys = commands.add_parser("keys", help="manage API keys").add_subparsers(dest="action", required=True)
    create = keys.add_parser("create", help="create a key; it is shown once")
    create.add_argument("--role", choices=ROLES, required=True)
    create.add_argument("--name", default="")
    keys.add_parser("list", help="list keys (never the keys themselves)")
    revoke = keys.add_parser("revoke", help="revoke a key by its id")
    revoke.add_argument("key_id")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        settings = Settings()
    except ValidationError as exc:
        sys.stderr.write(f"invalid settings:\n{exc}\n")
        return 2
    if args.command == "serve":
        return _serve(settings)
    database = Database(settings.sqlalchemy_url)
    database.migrate()
    if args.command == "purge":
        sys.stdout.write(f"{ConversationStore(database).purge_text_older_than(settings.retention_days)} turns purged\n")
    elif args.command == "keys":
        return _keys(KeyStore(database), args)
    return 0


def _serve(settings: Settings) -> int:
    from api.app import create_app
    from api.services import UnsafeConfigurationError

    try:
        app = create_app(settings)
    except UnsafeConfigurationError as exc:
        sys.stderr.write(f"refusing to start: {exc}\n")
        return 2
    from api.server import run

    run(app, settings)
    return 0


def _keys(store: KeyStore, args: argparse.Namespace) -> int:
    if args.action == "create":
        info, plain = store.create(args.role, args.name or args.role)
        sys.stdout.write(f"{plain}\n")
        sys.stderr.write(f"created {info.role} key {info.id}; it is shown once, store it now\n")
    elif args.action == "list":
        for info in store.list():
            state = f"revoked {info.revoked_at:%Y-%m-%d}" if info.revoked_at else "active"
            sys.stdout.write(f"{info.id}  {info.role:<6} {state:<18} {info.name}\n")
    elif not store.revoke(args.key_id):
        sys.stderr.write(f"no active key {args.key_id!r}\n")
        return 1
    else:
        sys.stdout.write(f"revoked {args.key_id}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
