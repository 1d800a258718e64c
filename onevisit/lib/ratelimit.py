"""A fixed-window request limit per client address, and single-use tokens, kept in Django's
cache: the database cache or Redis (settings.CACHES), shared by every server process, so that a
limit means the same with one worker or twelve. Behind a reverse proxy, set
ONEVISIT_CLIENT_IP_HEADER (e.g. HTTP_X_REAL_IP) so that clients are told apart.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

WINDOW_SECONDS = 60


def client_address(request: HttpRequest) -> str:
    header = getattr(settings, "ONEVISIT_CLIENT_IP_HEADER", "")
    if header and request.META.get(header):
        return str(request.META[header]).split(",")[0].strip()
    return str(request.META.get("REMOTE_ADDR", ""))


def too_many(request: HttpRequest, scope: str, per_minute: int) -> bool:
    """Count this request; True once the client has made more than `per_minute` in the
    current minute. A limit of 0 or less switches the check off."""
    if per_minute <= 0:
        return False
    window = int(time.time() // WINDOW_SECONDS)
    key = f"ratelimit:{scope}:{client_address(request)}:{window}"
    if cache.add(key, 1, timeout=WINDOW_SECONDS + 5):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS + 5)
        return False
    return count > per_minute


def use_once(scope: str, token: str, seconds: int) -> bool:
    """True the first time a token is used within `seconds`, False every time after."""
    return bool(cache.add(f"once:{scope}:{token}", 1, timeout=seconds))
