"""Reading sitemaps: a urlset, a sitemap index, gzip, URLs on another host skipped, and what is not a sitemap."""

from __future__ import annotations

import gzip

import pytest

from ingestion.sitemap import SitemapError, parse_sitemap

NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def urlset(*urls: str) -> bytes:
    return f'<?xml version="1.0"?><urlset {NS}>{"".join(f"<url><loc> {u} </loc></url>" for u in urls)}</urlset>'.encode()


def test_a_urlset_gives_its_pages_once_each_in_order() -> None:
    sitemap = parse_sitemap(urlset("https://x.gov.ma/fr/a", "https://x.gov.ma/ar/a", "https://x.gov.ma/fr/a"),
                            "https://x.gov.ma/sitemap.xml")
    assert sitemap.pages == ["https://x.gov.ma/fr/a", "https://x.gov.ma/ar/a"] and sitemap.sitemaps == []


def test_a_sitemap_index_gives_its_child_sitemaps() -> None:
    data = f'<sitemapindex {NS}><sitemap><loc>https://x.gov.ma/s1.xml</loc></sitemap></sitemapindex>'.encode()
    sitemap = parse_sitemap(data, "https://x.gov.ma/sitemap.xml")
    assert sitemap.sitemaps == ["https://x.gov.ma/s1.xml"] and sitemap.pages == []


def test_a_gzipped_sitemap_is_read() -> None:
    sitemap = parse_sitemap(gzip.compress(urlset("https://x.gov.ma/fr/a")), "https://x.gov.ma/sitemap.xml.gz")
    assert sitemap.pages == ["https://x.gov.ma/fr/a"]


def test_urls_on_another_host_not_http_or_too_long_are_skipped() -> None:
    long = "https://x.gov.ma/" + "é" * 1100
    sitemap = parse_sitemap(urlset("https://x.gov.ma/a", "https://evil.example/a", "javascript:alert(1)", long),
                            "https://x.gov.ma/sitemap.xml")
    assert sitemap.pages == ["https://x.gov.ma/a"]
    assert sitemap.skipped == ["https://evil.example/a", "javascript:alert(1)", long]


@pytest.mark.parametrize(("data", "reason"), [
    (b"<html><body>not found</body></html>", "not <urlset> or <sitemapindex>"),
    (b"<urlset><url>", "not valid XML"),
    (b"\x1f\x8b\x08garbage", "broken gzip"),
    (b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;'
     b'&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]><urlset>&d;&d;&d;&d;&d;&d;&d;&d;</urlset>',
     "DTD or entity declaration"),
])
def test_what_is_not_a_sitemap_is_named(data: bytes, reason: str) -> None:
    with pytest.raises(SitemapError, match=reason):
        parse_sitemap(data, "https://x.gov.ma/sitemap.xml")
