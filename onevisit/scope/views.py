from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onevisit.audit.actions import Actor
from onevisit.lib.params import whole_number
from onevisit.registry.access import require_login
from onevisit.registry.models import Body, Enterprise
from onevisit.scope import access
from onevisit.scope.actions import (
    Proposal,
    ScopeRefused,
    do_propose_entry,
    do_publish_scope,
    do_review_entry,
    do_revise_entry,
)
from onevisit.scope.models import Entry, EntryQuerySet, Version
from onevisit.scope.queries import current_scope, usable_entries
from onevisit.versions.queries import versions_by_object

SHOWN = 50


def _matching(entries: EntryQuerySet, q: str) -> EntryQuerySet:
    if not q:
        return entries
    return entries.filter(Q(wording__icontains=q) | Q(code__icontains=q))


def catalogue(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:50]
    entries = _matching(Entry.objects.usable().select_related("approving_body", "district"), q)
    page = Paginator(entries, SHOWN).get_page(request.GET.get("page"))
    return render(
        request,
        "scope/catalogue.html",
        {"page": page, "q": q, "can_import": access.is_reviewer(request.user)},
    )


@login_required
def regional(
    request: HttpRequest, typed: dict[str, str] | None = None, status: int = 200
) -> HttpResponse:
    """Every official reads the regional entries; a county-level department proposes its
    district's, and revises those returned to it; market regulation reviews them."""
    user = require_login(request.user)
    if not user.is_official:
        raise PermissionDenied("Officials see the regional entries under review.")
    entries = list(
        Entry.objects.filter(regional=True)
        .select_related("district", "approving_body")
        .order_by("status", "code")
    )
    history = versions_by_object(entries)
    district = user.body.district_id if user.body else None
    return render(
        request,
        "scope/regional.html",
        {
            "entries": [(e, history.get(str(e.pk), [])) for e in entries],
            "can_propose": access.can_propose(user),
            "can_review": access.is_reviewer(user),
            "own_district": district,
            "typed": typed or dict.fromkeys(TYPED, ""),
            "bodies": Body.objects.filter(published=True).order_by("name"),
        },
        status=status,
    )


def _proposal(request: HttpRequest) -> Proposal:
    body_pk = whole_number(request.POST.get("approving_body", ""))
    licensed = request.POST.get("licensed") == "1"
    return Proposal(
        wording=request.POST.get("wording", "")[:200],
        industry=request.POST.get("industry", "")[:10],
        licensed=licensed,
        approving_body=Body.objects.filter(pk=body_pk).first() if licensed and body_pk else None,
        justification=request.POST.get("justification", ""),
    )


TYPED = ("wording", "industry", "licensed", "approving_body", "justification", "entry")


def _typed(request: HttpRequest) -> dict[str, str]:
    """What the proposer typed, to show again with a refusal."""
    return {name: request.POST.get(name, "") for name in TYPED}


@login_required
@require_POST
def propose(request: HttpRequest) -> HttpResponse:
    """Propose a new entry, or (with `entry`) revise one returned to the district."""
    user = access.require_proposer(request.user)
    assert user.body is not None
    revised = whole_number(request.POST.get("entry", ""))
    try:
        if revised:
            entry = get_object_or_404(
                Entry, pk=revised, regional=True, district_id=user.body.district_id
            )
            do_revise_entry(actor=Actor.of(user), by=user, entry=entry, proposal=_proposal(request))
        else:
            do_propose_entry(
                actor=Actor.of(user),
                by=user,
                district=user.body.district,
                proposal=_proposal(request),
            )
    except ScopeRefused as error:
        messages.error(request, str(error))
        return regional(request, typed=_typed(request), status=422)
    messages.success(request, _("Proposed; market regulation reviews it."))
    return redirect("scope:regional")


@login_required
@require_POST
def review(request: HttpRequest, pk: int) -> HttpResponse:
    user = access.require_reviewer(request.user)
    entry = get_object_or_404(Entry, pk=pk, regional=True)
    publish = request.POST.get("decision") == "publish"
    try:
        do_review_entry(
            actor=Actor.of(user),
            by=user,
            entry=entry,
            publish=publish,
            note=request.POST.get("note", ""),
        )
    except ScopeRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Published.") if publish else _("Returned."))
    return redirect("scope:regional")


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """自主公示: the enterprise picks entries from both libraries, marks its characteristic
    ones and publishes; earlier versions stay listed."""
    enterprise = access.own_enterprise(request.user)
    usable = usable_entries(enterprise).select_related("approving_body")
    if request.method == "POST":
        chosen = list(usable.filter(pk__in=_ids(request.POST.getlist("entries"))))
        marked = [e for e in chosen if e.pk in set(_ids(request.POST.getlist("characteristic")))]
        try:
            do_publish_scope(
                actor=Actor.of(request.user),
                by=require_login(request.user),
                enterprise=enterprise,
                entries=chosen,
                characteristic=marked,
            )
        except ScopeRefused as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Published: anyone can now look it up."))
            return redirect("scope:mine")
    current = current_scope(enterprise)
    lines = list(current.lines.all()) if current else []
    q = request.GET.get("q", "").strip()[:50]
    taken = {line.entry_id for line in lines}
    found = list(_matching(usable, q).exclude(pk__in=taken)[:SHOWN]) if q else []
    return render(
        request,
        "scope/mine.html",
        {
            "enterprise": enterprise,
            "current": current,
            "lines": lines,
            "found": found,
            "q": q,
            "versions": Version.objects.filter(enterprise=enterprise).order_by("-number"),
        },
    )


def _ids(values: list[str]) -> list[int]:
    return [n for n in (whole_number(v) for v in values) if n is not None]


def lookup(request: HttpRequest) -> HttpResponse:
    """Anyone looks up an enterprise's published scope by name or credit code."""
    q = request.GET.get("q", "").strip()[:100]
    found = []
    if q:
        found = list(
            Enterprise.objects.filter(
                Q(uscc=q.upper()) | Q(name__icontains=q), scope_versions__current=True
            ).order_by("name")[:20]
        )
    return render(request, "scope/lookup.html", {"q": q, "found": found})


def published(request: HttpRequest, uscc: str) -> HttpResponse:
    enterprise = get_object_or_404(Enterprise, uscc=uscc.upper()[:18])
    versions = (
        Version.objects.filter(enterprise=enterprise)
        .order_by("-number")
        .prefetch_related(
            "lines__entry__approving_body",
        )
    )
    if not versions:
        return render(request, "scope/published.html", {"enterprise": enterprise}, status=404)
    return render(
        request,
        "scope/published.html",
        {"enterprise": enterprise, "current": versions[0], "versions": versions},
    )
