"""Writes docs/catalogue-example.jsonl from our own corpus records (no outside data): a few procedures in the
three languages, in the catalogue shape of docs/catalogue.md. Run: python scripts/catalogue_example.py"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from ingestion.catalogue import line_from_record  # noqa: E402
from ingestion.loaders import load_document  # noqa: E402

PROCEDURES = ("certificat-residence", "passeport-biometrique", "certificat-vie")


def main() -> None:
    lines = []
    for procedure_id in PROCEDURES:
        for lang in ("fr", "ar", "en"):
            path = REPO / "corpus" / "procedures" / procedure_id / f"{lang}.md"
            doc = load_document(path, path.relative_to(REPO).as_posix(), 1_000_000)
            assert doc.record is not None
            lines.append(json.dumps(line_from_record(doc.record, doc.body), ensure_ascii=False))
    target = REPO / "docs" / "catalogue-example.jsonl"
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    sys.stdout.write(f"wrote {len(lines)} lines to {target.relative_to(REPO)}\n")


if __name__ == "__main__":
    main()
