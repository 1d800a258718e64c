"""The import page: every kind of list officials keep in Excel, for those who may import it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from onevisit.audit.actions import Actor
from onevisit.operations.forms import ImportForm
from onevisit.operations.importers import run_import
from onevisit.registry import access


@login_required
def import_view(request: HttpRequest) -> HttpResponse:
    kinds = access.importable_kinds(request.user)
    if not kinds:
        raise PermissionDenied("Only the supervisor and department admins import data.")
    form = ImportForm(request.POST or None, request.FILES or None, kinds=kinds)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = run_import(
            form.cleaned_data["kind"],
            upload.file,
            upload.name,
            actor=Actor.of(request.user),
            dry_run=form.cleaned_data["dry_run"],
            user=request.user,  # type: ignore[arg-type]
        )
    return render(request, "operations/import.html", {"form": form, "report": report})
