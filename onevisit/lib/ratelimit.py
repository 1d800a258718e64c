"""A fixed-window request limit per client address, and single-use tokens, kept in Django's
cache: the database cache or Redis (settings.CACHES), shared by every server process, so that a
limit means the same with one worker or twelve. Behind a reverse proxy, set
ONEVISIT_CLIENT_IP_HEADER (e.g. HTTP_X_REAL_IP) so that clients are told apart: the login
throttle (django-axes) and every limit here take the client's address from `client_address`.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ipware import get_client_ip

WINDOW_SECONDS = 60


def client_address(request: HttpRequest) -> str:
    """The client's address: as the reverse proxy states it in ONEVISIT_CLIENT_IP_HEADER (parsed
    and validated by django-ipware; a header that holds no address is ignored), else the
    connection's own."""
    header = settings.ONEVISIT_CLIENT_IP_HEADER
    order = [header, "REMOTE_ADDR"] if header else ["REMOTE_ADDR"]
    found, _routable = get_client_ip(
        request, request_header_order=order, proxy_count=settings.ONEVISIT_PROXY_COUNT or None
    )
    return found or str(request.META.get("REMOTE_ADDR", ""))


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


def seconds_left_in_window() -> int:
    """How long until the current minute's counts are forgotten (for Retry-After)."""
    return max(1, WINDOW_SECONDS - int(time.time() % WINDOW_SECONDS))


def use_once(scope: str, token: str, seconds: int) -> bool:
    """True the first time a token is used within `seconds`, False every time after."""
    return bool(cache.add(f"once:{scope}:{token}", 1, timeout=seconds))


def login_name(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str | None:
    """The account name a login tried, as the lockout (django-axes) records it: no longer than
    an account name can be (150), so that a name of thousands of characters is counted, not
    refused by the database's column with a server error."""
    source = credentials if credentials else getattr(request, "POST", {})
    name = source.get("username") if source else None
    return None if name is None else str(name)[:150]
