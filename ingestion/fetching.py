"""Fetching official pages politely: robots.txt obeyed (urllib.robotparser), a delay between two requests to the
same host (the larger of ours and the site's Crawl-delay), conditional requests (ETag, Last-Modified), redirects
followed by hand so that each hop is checked against its own host's robots.txt, a timeout and a size limit.

Every failure comes back as a FetchResult with a reason an admin can act on, never as an exception."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpx

logger = logging.getLogger(__name__)

MAX_REDIRECTS = 5
REDIRECTS = (301, 302, 303, 307, 308)


@dataclass(frozen=True)
class FetchOptions:
    user_agent: str = "SahlaBot/1.0"
    timeout_seconds: float = 20.0
    host_delay_seconds: float = 1.0
    max_bytes: int = 5_000_000


@dataclass(frozen=True)
class FetchResult:
    url: str  # the final URL, after redirects
    status: int | None = None  # the HTTP status; None when no answer came (timeout, refused, blocked)
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    content_type: str = ""
    error: str | None = None  # why nothing usable came back
    location: str | None = None  # where a redirect points

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def gone(self) -> bool:
        return self.status in (404, 410)


class PageFetcher:
    def __init__(self, client: httpx.Client, options: FetchOptions,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> None:
        self._client = client
        self._options = options
        self._clock, self._sleep = clock, sleep
        self._robots: dict[str, RobotFileParser | str] = {}  # per host: the rules, or why they could not be read
        self._last_request: dict[str, float] = {}

    def fetch(self, url: str, etag: str | None = None, last_modified: str | None = None) -> FetchResult:
        """GET the page, conditionally when a previous version is known."""
        headers = {"User-Agent": self._options.user_agent}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        for _ in range(MAX_REDIRECTS + 1):
            blocked = self._blocked(url)
            if blocked:
                return FetchResult(url, error=blocked)
            result = self._get(url, headers)
            if result.status not in REDIRECTS or not result.location:
                return result
            url = urljoin(url, result.location)
            if urlsplit(url).scheme not in ("http", "https"):
                return FetchResult(url, error="redirected to a URL that is not http or https")
        return FetchResult(url, error=f"more than {MAX_REDIRECTS} redirects")

    def _get(self, url: str, headers: dict[str, str]) -> FetchResult:
        """One request, redirects not followed."""
        self._wait_for_host(url)
        try:
            with self._client.stream("GET", url, headers=headers, timeout=self._options.timeout_seconds,
                                     follow_redirects=False) as response:
                if response.status_code in REDIRECTS:
                    location = response.headers.get("location")
                    return FetchResult(url, response.status_code, location=location,
                                       error=None if location else f"HTTP {response.status_code} without a Location")
                body: bytes | None = b""
                if response.status_code == 200:
                    body = self._read_limited(response)
                if body is None:
                    return FetchResult(url, 200, error=f"the page is over {self._options.max_bytes} bytes")
                return FetchResult(url, response.status_code, body, _short(response.headers.get("etag"), 512),
                                   _short(response.headers.get("last-modified"), 64),
                                   response.headers.get("content-type", "").split(";")[0].strip().lower(),
                                   None if response.status_code in (200, 304) else f"HTTP {response.status_code}")
        except httpx.TimeoutException:
            return FetchResult(url, error=f"no answer within {self._options.timeout_seconds:g} s (timeout)")
        except (httpx.HTTPError, httpx.InvalidURL, UnicodeError) as exc:  # UnicodeError: a host IDNA refuses
            return FetchResult(url, error=f"could not connect ({type(exc).__name__})")

    def _read_limited(self, response: httpx.Response) -> bytes | None:
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self._options.max_bytes:
                return None
            chunks.append(chunk)
        return b"".join(chunks)

    def _wait_for_host(self, url: str) -> None:
        host = urlsplit(url).netloc
        rules = self._robots.get(host)
        delay = self._options.host_delay_seconds
        if isinstance(rules, RobotFileParser):
            crawl_delay = rules.crawl_delay(self._options.user_agent)
            delay = max(delay, float(crawl_delay or 0))
        last = self._last_request.get(host)
        if last is not None:
            wait = last + delay - self._clock()
            if wait > 0:
                self._sleep(wait)
        self._last_request[host] = self._clock()

    def _blocked(self, url: str) -> str | None:
        """Why robots.txt keeps us from this URL, or None when it may be fetched."""
        host = urlsplit(url).netloc
        if host not in self._robots:
            self._robots[host] = self._read_robots(url)
        rules = self._robots[host]
        if isinstance(rules, str):
            return rules
        if not rules.can_fetch(self._options.user_agent, url):
            return "robots.txt disallows this URL"
        return None

    def _read_robots(self, url: str) -> RobotFileParser | str:
        parts = urlsplit(url)
        robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
        rules = RobotFileParser(robots_url)
        self._wait_for_host(robots_url)
        try:
            response = self._client.get(robots_url, headers={"User-Agent": self._options.user_agent},
                                        timeout=self._options.timeout_seconds, follow_redirects=True)
        except (httpx.HTTPError, httpx.InvalidURL, UnicodeError) as exc:
            return f"robots.txt could not be read ({type(exc).__name__}); nothing fetched from {parts.netloc} this run"
        # The robots.txt conventions: no file means everything is allowed, a refused one means nothing is, and a
        # failing server means we cannot know, so we wait for the next run.
        if response.status_code >= 500:
            return f"robots.txt answered HTTP {response.status_code}; nothing fetched from {parts.netloc} this run"
        if response.status_code in (401, 403):
            rules.parse(["User-agent: *", "Disallow: /"])
        elif response.status_code >= 400:
            rules.parse([])
        else:
            rules.parse(response.text.splitlines())
        return rules


def _short(value: str | None, limit: int) -> str | None:
    """A validator longer than we keep is dropped, not cut: a cut one would never match, a dropped one just means
    the next request is unconditional and the content hash decides."""
    return value if value is not None and len(value) <= limit else None
