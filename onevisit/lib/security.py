"""Two guards every page shares.

The Content-Security-Policy header: scripts only from this site's own static files, no inline
script, no eval, no framing, forms post only here. Inline style attributes stay allowed (the
templates use a few, and htmx adds its indicator style). ONEVISIT_CSP replaces the policy.

Control characters in a submitted form (other than tab and line breaks), and the invisible ones
that make a text read otherwise than it is stored (bidirectional overrides, zero-width spaces;
see lib.fields), are dropped before any view reads the form: nobody types them, and stored they
would break or falsify the exports and documents others open (the API refuses them instead, with
a 422)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render

from onevisit.lib.fields import without_unwanted

logger = logging.getLogger(__name__)

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicy:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = settings.ONEVISIT_CSP
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response


class DropControlCharacters:
    """Runs after the CSRF check, which has read the form already; a view exempt from it (the
    tip form, which reads its body only after its rate limit) calls `drop_control_characters`
    itself once it reads the form."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> None:
        if not getattr(view, "csrf_exempt", False):
            drop_control_characters(request)


def drop_control_characters(request: HttpRequest) -> None:
    if request.method != "POST" or request.content_type not in FORM_TYPES:
        return
    try:
        cleaned = request.POST.copy()
    except MultiPartParserError:  # a broken body: the view answers it as it always has
        return
    changed = False
    for key, values in cleaned.lists():
        kept = [without_unwanted(value) for value in values]
        if kept != values:
            cleaned.setlist(key, kept)
            changed = True
    if changed:
        cleaned._mutable = False
        request.POST = cleaned  # type: ignore[assignment]


class NumbersBeyondTheDatabase:
    """A number no database column holds (an id of 30 digits in any form, the admin's
    included) is bad input, answered 400 with a page that says so, never a server error.
    SQLite refuses such a number when the query runs (OverflowError), after every form check;
    the transaction of the request, if any, has been rolled back by then."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OverflowError):
            return None
        logger.warning("number beyond the database's range in %s %s", request.method, request.path)
        return render(request, "400_number.html", status=400)
