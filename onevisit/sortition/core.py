"""The draw algorithms, fully specified so that a third party can re-implement them.

Key string, rule "rfc3797" (RFC 3797 §4; votelib's RFC3797Selector is the test oracle): for
each seed source in order, its numbers sorted ascending (as numbers), each written in decimal:
an integer followed by "." ("12."), a number with a fractional part with its trailing zeros
removed ("1.25", "0.1"; a binary float as its shortest decimal form); a string source in upper
case with everything but the ASCII letters and digits removed (accents dropped first); every
source ends with "/". Example: [9319], [2, 5, 12, 8, 10] and [9, 18, 26, 34, 41, 45] give
"9319./2.5.8.10.12./9.18.26.34.41.45./".

Rule "onevisit-v1", kept so that records made before 2026-12 still verify (a record without a
"key_rule" field was made under it): integers as above, a string source written as it is and
followed by ".".

rfc3797: for i = 0, 1, …: digest_i = MD5(i as 2 bytes big-endian ‖ key ‖ the same 2 bytes);
read as a 128-bit big-endian integer, modulo the number of candidates still remaining, it is r;
the (r+1)-th remaining candidate in list order is selected and removed. The 2-byte counter
limits a draw to 65,536 selections; the pool may hold at most 65,535 candidates.

sha256-v1 (the default for new draws under the `intl` suite): the same, with SHA-256 and a
4-byte big-endian counter (a 256-bit integer modulo the remaining count).

sm3-v1 (the default under the `gm` suite): as sha256-v1, with SM3 (GB/T 32905) in place of
SHA-256.

Strata: each stratum is drawn from its own list (in the published order) with its own counter
starting at 0 and its own key: the draw's key followed by the stratum's name and "/", so that
strata are independent of one another.
"""

from __future__ import annotations

import hashlib
import math
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction

from onevisit.lib.gm import GM, INTL, sm3
from onevisit.lib.problems import Problem, gettext_noop

RFC3797 = "rfc3797"
SHA256_V1 = "sha256-v1"
SM3_V1 = "sm3-v1"
ALGORITHMS = (RFC3797, SHA256_V1, SM3_V1)
DEFAULT_ALGORITHMS = {GM: SM3_V1, INTL: SHA256_V1}


class DrawError(Problem):
    """A draw that cannot be made as asked: it is refused, never made partially."""


Number = int | float | Decimal
SeedSource = Number | str | Sequence[Number]
KEY_RULE = "rfc3797"
LEGACY_KEY_RULE = "onevisit-v1"
KEY_RULES = (KEY_RULE, LEGACY_KEY_RULE)


def key_string(sources: Iterable[SeedSource], rule: str = KEY_RULE) -> str:
    if rule == LEGACY_KEY_RULE:
        return _legacy_key_string(sources)
    if rule != KEY_RULE:
        raise DrawError(gettext_noop("unknown key rule %(rule)s"), rule=rule)
    parts = []
    for source in sources:
        if isinstance(source, str):
            parts.append(_clean_string(source))
        elif isinstance(source, int | float | Decimal):
            parts.append(_number(source))
        else:
            parts.append("".join(_number(n) for n in sorted(_decimal(v) for v in source)))
    return "".join(f"{part}/" for part in parts)


def _decimal(value: Number) -> Decimal:
    if isinstance(value, bool):
        raise DrawError(gettext_noop("a seed value must be a number or a text"))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise DrawError(gettext_noop("a seed value must be a finite number"))
        return Decimal(repr(value))
    number = Decimal(value)
    if not number.is_finite():
        raise DrawError(gettext_noop("a seed value must be a finite number"))
    return number


def _number(value: Number) -> str:
    text = format(_decimal(value), "f")
    if "." not in text:
        return f"{text}."
    return text.rstrip("0")


def _clean_string(text: str) -> str:
    bare = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    return "".join(c for c in bare if c.isascii() and c.isalnum()).upper()


def _legacy_key_string(sources: Iterable[SeedSource]) -> str:
    parts = []
    for source in sources:
        if isinstance(source, str | int):
            parts.append(f"{source}.")
        else:
            numbers = sorted(int(value) for value in source)  # type: ignore[union-attr]
            parts.append("".join(f"{n}." for n in numbers))
    return "".join(f"{part}/" for part in parts)


def _pool_bytes(pool: Sequence[str]) -> bytes:
    return b"".join(candidate.encode("utf-8") + b"\n" for candidate in pool)


def pool_sha256(pool: Sequence[str]) -> str:
    """SHA-256 of the pool as published: each candidate id in UTF-8 followed by a newline."""
    return hashlib.sha256(_pool_bytes(pool)).hexdigest()


def pool_sm3(pool: Sequence[str]) -> str:
    """SM3 of the same bytes: the pool's hash under the `gm` suite."""
    return sm3(_pool_bytes(pool)).hex()


def _digests(algorithm: str, key: str) -> Iterator[int]:
    data = key.encode("utf-8")
    if algorithm == RFC3797:
        for i in range(65536):
            prefix = i.to_bytes(2, "big")
            yield int.from_bytes(hashlib.md5(prefix + data + prefix).digest(), "big")  # noqa: S324
        return
    if algorithm == SHA256_V1:
        i = 0
        while True:
            prefix = i.to_bytes(4, "big")
            yield int.from_bytes(hashlib.sha256(prefix + data + prefix).digest(), "big")
            i += 1
    if algorithm == SM3_V1:
        i = 0
        while True:
            prefix = i.to_bytes(4, "big")
            yield int.from_bytes(sm3(prefix + data + prefix), "big")
            i += 1
    raise DrawError(gettext_noop("unknown algorithm %(algorithm)s"), algorithm=algorithm)


class _Remaining:
    """The candidates not yet drawn, in list order; finds the r-th one in O(log n) (a Fenwick
    tree), so that drawing k of n costs O(k log n) rather than O(k·n)."""

    def __init__(self, size: int) -> None:
        self.size = size
        # with every candidate present, node i counts the i & -i candidates it covers
        self.tree = [i & -i for i in range(size + 1)]
        self.step = 1 << (size.bit_length() - 1) if size else 0

    def take(self, rank: int) -> int:
        """Remove and return the list index of the remaining candidate of 0-based rank."""
        position = 0
        remaining = rank + 1
        step = self.step
        while step:
            nxt = position + step
            if nxt <= self.size and self.tree[nxt] < remaining:
                position = nxt
                remaining -= self.tree[nxt]
            step >>= 1
        index = position  # 0-based index of the chosen candidate
        i = index + 1
        while i <= self.size:
            self.tree[i] -= 1
            i += i & -i
        return index


def draw(pool: Sequence[str], count: int, key: str, algorithm: str = SHA256_V1) -> list[str]:
    """Select `count` candidates of `pool` in draw order."""
    if algorithm not in ALGORITHMS:
        raise DrawError(gettext_noop("unknown algorithm %(algorithm)s"), algorithm=algorithm)
    if len(set(pool)) != len(pool):
        raise DrawError(gettext_noop("the pool names a candidate twice"))
    if not 0 <= count <= len(pool):
        raise DrawError(
            gettext_noop("cannot draw %(count)s of a pool of %(size)s"),
            count=count,
            size=len(pool),
        )
    if algorithm == RFC3797 and len(pool) > 65535:
        raise DrawError(
            gettext_noop("rfc3797 draws from at most 65,535 candidates; use sha256-v1 or sm3-v1")
        )
    if not key:
        raise DrawError(gettext_noop("the key string is empty"))
    remaining = _Remaining(len(pool))
    selected = []
    digests = _digests(algorithm, key)
    for left in range(len(pool), len(pool) - count, -1):
        selected.append(pool[remaining.take(next(digests) % left)])
    return selected


def stratum_key(key: str, stratum: str) -> str:
    return f"{key}{stratum}/"


def stratum_sizes(
    strata: Mapping[str, Sequence[str]], ratio: str | Fraction, cap: int | None = None
) -> dict[str, int]:
    """Per stratum: the ratio of its size rounded up, at most `cap`, at most the stratum."""
    share = Fraction(ratio)
    if not 0 < share <= 1:
        raise DrawError(gettext_noop("the share drawn must lie above 0 and at most 1"))
    sizes = {}
    for name, members in strata.items():
        if not members:
            raise DrawError(gettext_noop("stratum %(name)s is empty"), name=name)
        size = math.ceil(share * len(members))
        sizes[name] = min(size, len(members), cap if cap is not None else size)
    return sizes


def draw_strata(
    strata: Mapping[str, Sequence[str]],
    sizes: Mapping[str, int],
    key: str,
    algorithm: str = SHA256_V1,
) -> dict[str, list[str]]:
    """Draw each stratum independently (its own key and counter)."""
    return {
        name: draw(members, sizes[name], stratum_key(key, name), algorithm)
        for name, members in strata.items()
    }
