"""What an admin may register as a source to keep in sync: an http(s) URL, a page's procedure id and language if
named, and never an id or a language for a sitemap (its pages name their own)."""

from __future__ import annotations

import httpx

from core.records import LANGUAGES, SLUG


class SourceInputError(ValueError):
    """A source an admin cannot register as given; the message says why."""


def check_source(url: str, sitemap: bool, procedure_id: str | None, language: str | None) -> str:
    """The source's kind, or SourceInputError naming what is wrong."""
    try:
        parsed = httpx.URL(url) if url.startswith(("http://", "https://")) else None
    except httpx.InvalidURL:
        parsed = None
    if parsed is None or not parsed.host or any(c.isspace() or ord(c) < 32 for c in url):
        raise SourceInputError(f"{url!r} is not an http(s) URL")
    if len(url.encode()) > 2048:
        raise SourceInputError("the URL is longer than 2048 bytes")
    if procedure_id is not None and (not SLUG.match(procedure_id) or len(procedure_id) > 120):
        raise SourceInputError(f"id {procedure_id!r} is not a lowercase slug (letters, digits and hyphens)")
    if language is not None and language not in LANGUAGES:
        raise SourceInputError(f"language {language!r} is not one of {', '.join(LANGUAGES)}")
    if sitemap and (procedure_id or language):
        raise SourceInputError("a sitemap's pages take their id and language from their own URLs; name none for a sitemap")
    return "sitemap" if sitemap else "page"
