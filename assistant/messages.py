"""Canned, localised texts (assistant/data/messages.yaml), loaded and checked once."""

from __future__ import annotations

from typing import Any

from assistant.resources import load_data

REQUIRED_LANGUAGES = ("fr", "ar", "en", "darija")


class Messages:
    def __init__(self) -> None:
        table: dict[str, Any] = load_data("messages")
        missing = [lang for lang in REQUIRED_LANGUAGES if lang not in table]
        if missing:
            raise RuntimeError(f"messages.yaml lacks languages {missing}")
        self._table = table

    def text(self, key: str, language: str) -> str:
        """The canned text `key` in `language`; Amazigh gets a Tamazight greeting, then Arabic and French."""
        if language == "amazigh":
            arabic, french = self._table["ar"], self._table["fr"]
            text = f"{self._table['amazigh']['greeting']}\n\n{arabic[key]}\n\n{french[key]}"
            return text.replace("{channels}", arabic["channels"])
        table = self._table.get(language) or self._table["fr"]
        return str(table[key]).replace("{channels}", table["channels"])

    def greeting(self, language: str) -> str:
        return str(self._table.get(language, {}).get("greeting", ""))
