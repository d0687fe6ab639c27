"""Reading a sitemap (sitemaps.org protocol): a `<urlset>` of page URLs, or a `<sitemapindex>` of further sitemaps.
Gzipped files are read too. A sitemap has no use for a DTD, so one is refused before parsing (what defusedxml's
forbid_dtd does); the standard library's parser resolves no external entity, and the size and count limits are the
protocol's own."""

from __future__ import annotations

import gzip
import zlib
from dataclasses import dataclass, field
from urllib.parse import urlsplit
from xml.etree import ElementTree

MAX_URLS = 50_000  # per sitemap file, as the protocol says
MAX_BYTES = 50_000_000  # uncompressed
MAX_URL_BYTES = 2048  # what the database keeps; the protocol allows 2,048 characters


class SitemapError(ValueError):
    """Not a sitemap; the message says why."""


@dataclass
class Sitemap:
    pages: list[str] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)  # from a sitemap index
    # URLs on another host or not http(s), which the protocol forbids, or longer than we keep
    skipped: list[str] = field(default_factory=list)


def parse_sitemap(data: bytes, sitemap_url: str) -> Sitemap:
    if data[:2] == b"\x1f\x8b":
        data = _gunzip(data)
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise SitemapError("a DTD or entity declaration, which a sitemap never needs, was refused")
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise SitemapError(f"not valid XML ({exc})") from exc
    kind = root.tag.rsplit("}", 1)[-1]
    if kind not in ("urlset", "sitemapindex"):
        raise SitemapError(f"the root element is <{kind}>, not <urlset> or <sitemapindex>")
    item = "url" if kind == "urlset" else "sitemap"
    sitemap = Sitemap()
    host = urlsplit(sitemap_url).netloc
    found = sitemap.pages if kind == "urlset" else sitemap.sitemaps
    for element in root:
        if element.tag.rsplit("}", 1)[-1] != item:
            continue
        loc = next((child.text for child in element if child.tag.rsplit("}", 1)[-1] == "loc"), None)
        url = (loc or "").strip()
        if not url:
            continue
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.netloc != host or len(url.encode()) > MAX_URL_BYTES:
            sitemap.skipped.append(url)
        elif url not in found:
            found.append(url)
        if len(found) >= MAX_URLS:
            break
    return sitemap


def _gunzip(data: bytes) -> bytes:
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = decompressor.decompress(data, MAX_BYTES + 1)
    except (zlib.error, gzip.BadGzipFile) as exc:
        raise SitemapError("a broken gzip file") from exc
    if len(out) > MAX_BYTES:
        raise SitemapError(f"over {MAX_BYTES} bytes once uncompressed")
    return out
