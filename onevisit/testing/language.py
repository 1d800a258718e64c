"""Find English that reaches a user of the Chinese interface.

A page speaks one language: with zh-Hans active, its visible text (and the attributes a person
reads: placeholder, title, alt, aria-label, button values) holds no English words. Technical
names that Chinese users read as they are (API, PDF, HJ 212, GB/T 4754, USCC, QR, …) are allowed.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Words that stay as they are in a Chinese interface: standards, formats, acronyms, units.
ALLOWED = {
    "api",
    "pdf",
    "xlsx",
    "csv",
    "json",
    "ics",
    "icalendar",
    "qr",
    "sha",
    "md5",
    "rfc",
    "uscc",
    "gb",
    "hj",
    "mn",
    "st",
    "cn",
    "qn",
    "pw",
    "cp",
    "crc",
    "ip",
    "id",
    "url",
    "openapi",
    "open",
    "mqtt",
    "tcp",
    "kw",
    "kwh",
    "mg",
    "m3",
    "ph",
    "cod",
    "nh3",
    "so2",
    "nox",
    "pm",
    "tsp",
    "rtd",
    "avg",
    "min",
    "max",
    "cou",
    "zsrtd",
    "flag",
    "km",
    "mu",
    "tce",
    "utc",
    "excel",
    "html",
    "onevisit",
    "octo",
    "icann",
    "georeport",
    "v2",
    "v1",
    "tls",
    "https",
    "http",
    "www",
    "english",
    "org",
    "com",
    "svg",
    "png",
    "jpg",
    "jpeg",
    "docx",
    "ok",
    "django",
    "ninja",
    "redis",
    "postgresql",
    "sqlite",
    "wal",
    "ed25519",
    "fernet",
    "base32",
    "crockford",
    "sha256",
    "kg",
    "t",
    "a",
    "b",
    "c",
    "d",
    "e",
    "f",
    "n",
    "p",
    "m",
    "l",
    "x",
    "y",
    "z",
    "la",
    "leq",
    "ldn",
    "ld",
    "ln",
    "lmx",
    "lmn",
    "rs",
    "rt",
    "i",
    "ii",
    "iii",
    "iv",
    "pcs",
    "h",
    "s",
    "authorization",
    "bearer",
    "token",
    "control",
    "mac",
    "command",
    "true",
    "false",
}
TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9'_.:/\-]*")
IDENTIFIER = re.compile(r"[a-z0-9][._:/][a-z]")
SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)+")
SKIP_TAGS = {"script", "style", "code", "pre", "textarea", "option"}
READ_ATTRIBUTES = {"placeholder", "title", "alt", "aria-label"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skipping = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIP_TAGS:
            self.skipping += 1
        for name, value in attrs:
            if value and name in READ_ATTRIBUTES:
                self.parts.append(value)
        if tag == "input" and dict(attrs).get("type") in ("submit", "button"):
            self.parts.append(dict(attrs).get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIP_TAGS and self.skipping:
            self.skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self.skipping and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.parts


def english_in(text: str) -> bool:
    """True when the text holds a word of English that is not an allowed technical name. Codes
    (anything with a digit: credit codes, hashes, certificate numbers) and capitals (acronyms)
    are not words, nor are masked secrets (a password hash's salt shown as "iQ7+pr****")."""
    text = re.sub(r"\S*\*{4,}\S*", "", text)
    for token in TOKEN.findall(text):
        if re.search(r"[a-z0-9][._:/][a-z]", token) or re.fullmatch(
            r"[a-z0-9]+(-[a-z0-9]+)+", token
        ):
            continue  # an identifier, a slug or a path: registry.body, system:demo, food-safety
        for word in re.split(r"[-_.']", token):
            if not word.isalpha() or word.isupper() or word.lower() in ALLOWED:
                continue
            if any(c.isupper() for c in word[1:]):  # IqbPLE…: a hash or a code, not a word
                continue
            if not word.isascii():
                continue
            return True
    return False


def english_leaks(html: str) -> list[str]:
    """Visible text with English in it; JSON (the audit log's record of changes) is data, and so
    is "<unknown>", which django-axes stores for a request without a user agent."""
    return [
        part
        for part in visible_text(html)
        if not part.startswith(("{", "[")) and part != "<unknown>" and english_in(part)
    ]
