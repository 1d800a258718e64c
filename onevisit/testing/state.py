"""The state of the whole database as one comparable value, to show that something changed
nothing (a GET, a refused request)."""

from __future__ import annotations

import hashlib

from django.apps import apps

# What a request may change without changing any record: sessions, login attempts counted by
# django-axes, the cache table (not a model), who last used a token.
NOT_STATE = {"sessions.session", "axes.accessattempt", "axes.accesslog", "axes.accessfailurelog"}


def database_state() -> dict[str, str]:
    """Per model: its row count and a hash of every row's values."""
    state: dict[str, str] = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in NOT_STATE or model._meta.proxy:
            continue
        rows = model._base_manager.order_by("pk").values_list()
        digest = hashlib.sha256()
        count = 0
        for row in rows.iterator(chunk_size=2000):
            digest.update(repr(row).encode())
            count += 1
        state[label] = f"{count}:{digest.hexdigest()[:16]}"
    return state


def changes(before: dict[str, str], after: dict[str, str]) -> dict[str, tuple[str, str]]:
    return {
        label: (before.get(label, "-"), after.get(label, "-"))
        for label in sorted(set(before) | set(after))
        if before.get(label) != after.get(label)
    }
