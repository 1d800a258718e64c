"""Walk the site as a person would: from the home page, every link once per URL pattern."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

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


# A number beyond 64 bits, a digit that is not ASCII, control and bidi characters, an empty
# value (a blank where a unique key is), a number of 5,000 digits, a negative number.
HOSTILE_VALUES = ("99999999999999999999", "²", "a\x05b\u202e", "", "9" * 5000, "-1")


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str]


class _Forms(HTMLParser):
    def __init__(self, url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.url = url
        self.forms: list[Form] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "form":
            action = found.get("action") or self.url
            self.forms.append(Form(action, found.get("method", "get").lower(), {}))
        elif (
            tag in {"input", "select", "textarea"}
            and self.forms
            and found.get("name")
            and found.get("type") not in {"file", "submit", "button"}
        ):
            self.forms[-1].fields[found["name"]] = found.get("value", "")


def forms_of(url: str, html: str) -> list[Form]:
    parser = _Forms(url)
    parser.feed(html)
    return [f for f in parser.forms if f.action.startswith("/") and not NOT_PAGES.search(f.action)]


def hostile_submissions(client: Client, page: Page) -> Iterator[tuple[str, str, int]]:
    """Send every form of the page with each hostile value in all its fields (the CSRF token
    kept), and the page's own address with each hostile value in each of its query parameters;
    yield (method, url, status) for each."""
    for form in forms_of(page.url, page.html):
        for value in HOSTILE_VALUES:
            data = {
                name: (kept if name == "csrfmiddlewaretoken" else value)
                for name, kept in form.fields.items()
            }
            if form.method == "post":
                response = client.post(form.action, data)
            else:
                response = client.get(form.action, data)
            yield form.method, form.action, response.status_code
    query = parse_qs(urlsplit(page.url).query)
    for name in query:
        for value in HOSTILE_VALUES:
            response = client.get(urlsplit(page.url).path, {**query, name: value})
            yield "get", f"{page.url} [{name}]", response.status_code


def get_everywhere(client: Client, limit: int = 300) -> list[tuple[str, int]]:
    """GET every address a persona can reach, as a link on another site could make them:
    each page the walk finds and each file it links to, each form's own address, and every URL
    pattern of the site filled with the ids 1 and 2 and with each word seen in a path segment.
    (url, status) of each."""
    seen: dict[str, int] = {}
    words: set[str] = set()

    def get(url: str) -> None:
        if url not in seen and len(seen) < limit * 10:
            seen[url] = client.get(url).status_code
            words.update(re.findall(r"/([a-z][a-z_-]{1,30})(?=/|$)", urlsplit(url).path))

    for page in walk(client, limit=limit):
        seen[page.url] = page.status
        for href in LINK.findall(page.html):
            href = href.replace("&amp;", "&")
            if href.startswith("/") and not href.startswith(("/static/", "/admin/")):
                get(href)
        for form in _all_forms(page.url, page.html):
            get(form.action)
    for url in pattern_urls(words):
        get(url)
    return list(seen.items())


def _all_forms(url: str, html: str) -> list[Form]:
    parser = _Forms(url)
    parser.feed(html)
    return [f for f in parser.forms if f.action.startswith("/")]


def pattern_urls(words: set[str]) -> list[str]:
    """Each URL pattern of the site (but the admin's) with its numbers 1 and 2 and its words
    from `words` and a few file kinds."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def patterns(resolver: URLResolver, prefix: str) -> Iterator[str]:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                yield from patterns(entry, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                yield prefix + str(entry.pattern)

    fillers = {"int": ["1", "2"], "str": sorted(words | {"xlsx", "pdf", "csv", "ics"})}
    urls: list[str] = []
    for pattern in patterns(get_resolver(), "/"):
        if pattern.startswith(("/admin/", "/api/")) or "^" in pattern:
            continue
        filled = [pattern]
        for kind in re.findall(r"<(\w+):\w+>", pattern):
            filled = [
                re.sub(r"<\w+:\w+>", value, url, count=1)
                for url in filled
                for value in fillers.get(kind, ["1"])
            ]
        urls += filled
    return urls
