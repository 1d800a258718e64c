from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onevisit.audit.actions import Actor
from onevisit.draws import access
from onevisit.draws.actions import do_create_draw, do_run_draw
from onevisit.draws.disclosure import (
    PUBLISH_WITHIN_WORKING_DAYS,
    drawn_tasks,
    public_results,
)
from onevisit.draws.forms import DrawForm, SeedForm, VerifyForm
from onevisit.draws.models import HEAVY_DRAW_FIELDS, Draw
from onevisit.draws.signing import check_signature
from onevisit.draws.verdicts import describe
from onevisit.inspections.keyring import keyring
from onevisit.lib import jsontext
from onevisit.lib.params import whole_number
from onevisit.lib.suites import Suite
from onevisit.registry.models import Inspector
from onevisit.sortition import DrawError
from onevisit.sortition.records import Mismatch, verify_record


def draw_list(request: HttpRequest) -> HttpResponse:
    """一公开: every draw's plan and record, no login."""
    draws = Draw.objects.select_related("body").defer(*HEAVY_DRAW_FIELDS)
    query = request.GET.get("q", "").strip()
    if query:
        draws = draws.filter(Q(title__icontains=query) | Q(body__name__icontains=query))
    page = Paginator(draws, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "draws/draw_list.html",
        {"page": page, "q": query, "can_create": _can_create(request.user)},
    )


def draw_results(request: HttpRequest) -> HttpResponse:
    """一公开 of results: what became of every enterprise drawn, searchable, no login."""
    query = request.GET.get("q", "").strip()
    draw_id = request.GET.get("draw", "")
    tasks = drawn_tasks(query, whole_number(draw_id))
    page = Paginator(tasks, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "draws/draw_results.html",
        {
            "page": page,
            "results": public_results(list(page)),
            "q": query,
            "draw": draw_id if whole_number(draw_id) is not None else "",
            "within": PUBLISH_WITHIN_WORKING_DAYS,
        },
    )


def _can_create(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and (user.supervises_everything or user.is_body_admin)
    )


def draw_detail(request: HttpRequest, pk: int) -> HttpResponse:
    draw = get_object_or_404(Draw.objects.select_related("body"), pk=pk)
    labels = draw.stratum_labels()
    teams: list[tuple[str, str, list[str], list[dict[str, str]]]] = []
    if draw.record and "teams" in draw.record and draw.teams_public:
        names = dict(Inspector.objects.filter(body=draw.body).values_list("pk", "name"))
        teams = [
            (
                a["candidate"],
                draw.labels.get(a["candidate"], ""),
                [names.get(int(i), i) for i in a["team"]],
                a["skipped"],
            )
            for a in draw.record["teams"]["assignments"][:500]
        ]
    selected = [(c, draw.labels.get(c, "")) for c in (draw.record or {}).get("selected", [])[:500]]
    return render(
        request,
        "draws/draw_detail.html",
        {
            "draw": draw,
            "selected": selected,
            "teams": teams,
            "strata": [(labels[name], len(members)) for name, members in draw.strata.items()][:50],
            "can_run": access.can_run(request.user, draw),
            "results": public_results(list(drawn_tasks(draw_id=draw.pk)[:20])),
            "seed_form": SeedForm(),
            "verify_form": VerifyForm(),
        },
    )


def draw_pool(request: HttpRequest, pk: int) -> HttpResponse:
    """The frozen pool as published: one id per line; its SHA-256 is the published hash."""
    draw = get_object_or_404(Draw.objects.only("pool"), pk=pk)
    body = "".join(f"{candidate}\n" for candidate in draw.pool)
    response = HttpResponse(body, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="draw-{pk}-pool.txt"'
    return response


def draw_record(request: HttpRequest, pk: int) -> HttpResponse:
    draw = get_object_or_404(Draw, pk=pk, status=Draw.Status.DRAWN)
    response = JsonResponse(
        draw.public_record(), json_dumps_params={"ensure_ascii": False, "indent": 1}
    )
    response["Content-Disposition"] = f'attachment; filename="draw-{pk}.json"'
    return response


def _bad_record(error: jsontext.BadJson) -> str:
    reasons = {
        "too_deep": _("it nests lists and objects more than %(n)s deep, which no record does")
        % {"n": jsontext.MAX_DEPTH},
        "long_number": _("it holds a number of more than %(n)s digits, which no record does")
        % {"n": jsontext.MAX_DIGITS},
        "not_a_number": _("it holds NaN or Infinity, which JSON does not allow"),
    }
    why = reasons.get(error.kind, _("it is not JSON text"))
    return _("The file is not a JSON record: %(why)s.") % {"why": why}


@require_POST
def draw_verify(request: HttpRequest, pk: int) -> HttpResponse:
    """Anyone: re-run the stored record, or a record file they upload."""
    draw = get_object_or_404(Draw, pk=pk)
    form = VerifyForm(request.POST, request.FILES)
    record: Any = draw.public_record()
    if form.is_valid():
        try:
            record = jsontext.loads(form.cleaned_data["record"].read())
        except jsontext.BadJson as error:
            messages.error(request, _bad_record(error))
            return redirect("draws:draw_detail", pk=pk)
    try:
        verify_record(record)
        signer = check_signature(record, keyring())
        messages.success(request, _("OK: recomputing the record gives the same draw."))
        if signer is not None:
            messages.success(
                request,
                _("The record is signed by this city's key %(key)s (%(suite)s).")
                % {"key": signer.key_id.hex(), "suite": Suite(signer.suite).label},
            )
    except Mismatch as mismatch:
        messages.error(request, describe(mismatch))
    return redirect("draws:draw_detail", pk=pk)


@login_required
def draw_create(request: HttpRequest) -> HttpResponse:
    body = access.body_for_new_draw(request.user)
    form = DrawForm(request.POST or None, body=body)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields if name != "items"}
        fields["ratio"] = form.ratio()
        try:
            draw = do_create_draw(
                actor=Actor.of(request.user),
                by=request.user,
                body=body,
                fields=fields,
                items=list(form.cleaned_data["items"]),
                questions=form.cleaned_data["questions"].splitlines(),
            )
        except DrawError as error:
            form.add_error(None, error.localized(_))
        else:
            messages.success(request, _("The pool is frozen and published."))
            return redirect("draws:draw_detail", pk=draw.pk)
    return render(request, "draws/draw_form.html", {"form": form, "body": body})


@login_required
@require_POST
def draw_run(request: HttpRequest, pk: int) -> HttpResponse:
    draw = get_object_or_404(Draw, pk=pk)
    access.require_owner(request.user, draw)
    form = SeedForm(request.POST)
    if not form.is_valid():
        problems = form.errors.get("values") or [_("Enter the seed values.")]
        messages.error(request, " ".join(str(problem) for problem in problems))
        return redirect("draws:draw_detail", pk=pk)
    try:
        do_run_draw(actor=Actor.of(request.user), draw=draw, sources=form.sources())
        messages.success(request, _("Drawn; the record is published."))
    except DrawError as error:
        messages.error(request, error.localized(_))
    return redirect("draws:draw_detail", pk=pk)
