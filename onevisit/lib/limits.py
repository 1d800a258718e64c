"""The size of a request, bounded before anything reads its body: a 314 MB "tip" is refused at
the door, not spooled to disk and then refused.

RequestSizeLimit answers 413 when Content-Length is over the limit of the view the path leads to;
BoundedUploadHandler counts the bytes of a body sent without a length (chunked) and stops it at
the same limit. The reverse proxy should refuse larger bodies first (docs/reference.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve

# Views that take a whole register as a file; every other view takes a few photos at most.
IMPORT_VIEWS = frozenset({"operations:import"})


def body_limit(request: HttpRequest) -> int:
    try:
        view = resolve(request.path_info).view_name
    except Resolver404:
        view = ""
    if view in IMPORT_VIEWS:
        return int(settings.ONEVISIT_IMPORT_MAX_BYTES) + 1024 * 1024
    return int(settings.ONEVISIT_REQUEST_MAX_BYTES)


def _content_length(request: HttpRequest) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def too_large(request: HttpRequest, limit: int) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": f"the request is larger than {limit:,} bytes"}, status=413)
    return render(request, "413.html", {"limit": limit}, status=413)


class RequestSizeLimit:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = body_limit(request)
        if _content_length(request) > limit:
            return too_large(request, limit)
        return self.get_response(request)


class BoundedUploadHandler(FileUploadHandler):
    """First of the upload handlers: stops a multipart body beyond the view's limit."""

    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],
        content_length: int,
        boundary: Any,
        encoding: str | None = None,
    ) -> None:
        self.limit = body_limit(self.request) if self.request is not None else 0
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.limit and self.received > self.limit:
            raise RequestDataTooBig(f"upload larger than {self.limit} bytes")
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
