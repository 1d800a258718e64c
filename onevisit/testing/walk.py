"""Walk the site as a person would: from the home page, every link once per URL pattern."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.test import Client

# Downloads, writes and machine endpoints are not pages a person reads.
NOT_PAGES = re.compile(
    r"(/delete/|/history/|/logout|\.xlsx|\.pdf|\.ics|\.json|\.txt|\.svg|\.pem|export|"
    r"/api/|/i18n/|/media/|/static/|format=xlsx|/photos/|/evidence/|/attachments/|/proof)"
)
LINK = re.compile(r'href="([^"#]+)"')


@dataclass(frozen=True)
class Page:
    url: str
    status: int
    html: str


def pattern_of(url: str) -> str:
    """One representative per kind of page: numbers and query strings do not make a new kind."""
    return re.sub(r"\d+", "N", urlsplit(url).path)


def walk(client: Client, start: str = "/", limit: int = 300, admin: bool = False) -> Iterator[Page]:
    queue = [start]
    seen_patterns: set[str] = set()
    visited = 0
    while queue and visited < limit:
        url = queue.pop(0)
        pattern = pattern_of(url)
        if pattern in seen_patterns:
            continue
        seen_patterns.add(pattern)
        response = client.get(url)
        visited += 1
        if "html" not in response.get("Content-Type", ""):
            yield Page(url, response.status_code, "")
            continue
        html = response.content.decode()
        yield Page(url, response.status_code, html)
        for href in LINK.findall(html):
            href = href.replace("&amp;", "&")
            if href.startswith("http"):
                continue
            if not href.startswith("/") or NOT_PAGES.search(href):
                continue
            if href.startswith("/admin/") and not admin:
                continue
            if pattern_of(href) not in seen_patterns:
                queue.append(href)
