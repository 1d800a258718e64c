from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from onevisit.audit.actions import Actor
from onevisit.lib.params import whole_number
from onevisit.lib.ratelimit import too_many
from onevisit.lib.security import drop_control_characters
from onevisit.registry.access import require_login
from onevisit.registry.models import Body
from onevisit.tips import access
from onevisit.tips.actions import (
    Report,
    TipRefused,
    do_acknowledge_tip,
    do_close_tip,
    do_conclude_tip,
    do_note_tip,
    do_record_reward,
    do_route_tip,
    do_submit_tip,
    reveal_identity,
)
from onevisit.tips.forms import StatusForm, TipForm
from onevisit.tips.models import Tip


def _checked_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse()  # what the CSRF check is told it guards (not marked exempt)


_csrf = CsrfViewMiddleware(_checked_view)


@csrf_exempt  # checked below, after the limit: the CSRF check reads the body
def tip_new(request: HttpRequest) -> HttpResponse:
    """The public form: no login; anonymous unless a name and phone are given. The limit per
    address is checked before the body is read; each form shown sends one tip."""
    if request.method == "POST":
        if too_many(request, "tip", settings.ONEVISIT_TIPS_PER_MINUTE):
            return _too_many_tips(request)
        refused = _csrf.process_view(request, _checked_view, (), {})
        if refused is not None:
            return refused
        drop_control_characters(request)
    form = TipForm(request.POST or None)
    if request.method == "POST":
        if form.is_spam():
            form.add_error(
                None, _("Please fill in the form again (it was sent too fast or from an old page).")
            )
        elif form.is_valid():
            if not form.use_token():
                form.renew_token()
                form.add_error(
                    None,
                    _("This form was sent already. Check what you typed and send it again."),
                )
                return render(request, "tips/tip_new.html", {"form": form})
            data = form.cleaned_data
            report = Report(
                category=data["category"],
                description=data["description"],
                enterprise_name=data["enterprise_name"],
                uscc=data["uscc"],
                address=data["address"],
                name=data["name"],
                phone=data["phone"],
            )
            try:
                tip, secret = do_submit_tip(
                    report=report, files=request.FILES.getlist("attachments")
                )
            except TipRefused as error:
                form.renew_token()
                form.add_error(None, str(error))
            else:
                # The secret is shown here once and kept nowhere but as a digest.
                return render(
                    request, "tips/receipt.html", {"tip": tip, "secret": secret}, status=201
                )
    return render(request, "tips/tip_new.html", {"form": form})


def _too_many_tips(request: HttpRequest) -> HttpResponse:
    # The text fields of a small request are shown again; a large one (with files) is not read.
    small = (whole_number(request.META.get("CONTENT_LENGTH")) or 0) <= 64 * 1024
    form = TipForm(request.POST) if small else TipForm()
    messages.error(
        request,
        _(
            "This address has sent %(n)s tips in the last minute, the most allowed. Wait a "
            "minute and send again (attach the files again)."
        )
        % {"n": settings.ONEVISIT_TIPS_PER_MINUTE},
    )
    return render(request, "tips/tip_new.html", {"form": form}, status=429)


def tip_status(request: HttpRequest) -> HttpResponse:
    """The reporter follows the tip with the receipt number and the secret (sent by POST so
    that the secret stays out of addresses and logs)."""
    form = StatusForm(request.POST or None)
    tip = None
    if request.method == "POST" and form.is_valid():
        if too_many(request, "tip-status", settings.ONEVISIT_CODE_LOOKUPS_PER_MINUTE):
            form.add_error(
                None,
                _("This address has looked up %(n)s tips in the last minute. Wait a minute.")
                % {"n": settings.ONEVISIT_CODE_LOOKUPS_PER_MINUTE},
            )
            return render(request, "tips/status.html", {"form": form, "tip": None}, status=429)
        tip = access.find_own_tip(form.cleaned_data["receipt"], form.cleaned_data["secret"])
        if tip is None:
            form.add_error(None, _("No tip with this receipt number and secret."))
    return render(
        request,
        "tips/status.html",
        {"form": form, "tip": tip, "updates": tip.updates.filter(public=True) if tip else []},
    )


@login_required
def tip_list(request: HttpRequest) -> HttpResponse:
    tips = access.tips_for_user(request.user)
    status = request.GET.get("status", "open")
    if status == "open":
        tips = tips.filter(status__in=[Tip.Status.RECEIVED, Tip.Status.ACKNOWLEDGED])
    elif status in Tip.Status.values:
        tips = tips.filter(status=status)
    page = Paginator(tips, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "tips/tip_list.html",
        {
            "page": page,
            "status": status,
            "statuses": Tip.Status.choices,
            "today": timezone.localdate(),
        },
    )


@login_required
def tip_detail(request: HttpRequest, pk: int) -> HttpResponse:
    tip = access.get_tip(request.user, pk)
    user = require_login(request.user)
    return render(
        request,
        "tips/tip_detail.html",
        {
            "tip": tip,
            "updates": tip.updates.select_related("by"),
            "attachments": tip.attachments.all(),
            "handler": access.is_handler(request.user, tip),
            "bodies": Body.objects.filter(user.in_area("district"), published=True)
            if user.is_supervisor
            else [],
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def tip_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    tip = access.get_tip(request.user, pk)
    user = require_login(request.user)
    actor = Actor.of(user)
    note = request.POST.get("note", "")
    try:
        if action == "route":
            if not user.is_supervisor:
                raise PermissionDenied("Only the supervisor re-routes tips.")
            body = get_object_or_404(
                Body.objects.filter(user.in_area("district")),
                pk=whole_number(request.POST.get("body")) or 0,
            )
            do_route_tip(actor=actor, tip=tip, body=body, by=user, note=note)
            messages.success(request, _("Passed on."))
            return redirect("tips:tip_list")
        access.require_handler(user, tip)
        if action == "reveal":
            identity = reveal_identity(actor=actor, tip=tip)
            return render(request, "tips/identity.html", {"tip": tip, "identity": identity})
        _handle(action, tip, user, actor, note, request)
        messages.success(request, _("Saved."))
    except TipRefused as error:
        messages.error(request, str(error))
    return redirect("tips:tip_detail", pk=tip.pk)


def _handle(
    action: str, tip: Tip, user: object, actor: Actor, note: str, request: HttpRequest
) -> None:
    by = require_login(user)
    if action == "acknowledge":
        do_acknowledge_tip(actor=actor, tip=tip, by=by, note=note)
    elif action == "note":
        do_note_tip(
            actor=actor, tip=tip, by=by, note=note, public=request.POST.get("public") == "on"
        )
    elif action == "conclude":
        days = request.POST.get("visit_within_days", "").strip()
        do_conclude_tip(
            actor=actor,
            tip=tip,
            by=by,
            verified=request.POST.get("verified") == "yes",
            note=note,
            visit_within_days=whole_number(days, low=1, high=90),
        )
    elif action == "close":
        do_close_tip(actor=actor, tip=tip, by=by, note=note)
    elif action == "reward":
        try:
            amount = Decimal(request.POST.get("amount", ""))
        except InvalidOperation:
            raise TipRefused(_("Give the amount in yuan.")) from None
        do_record_reward(actor=actor, tip=tip, by=by, amount=amount, note=note)
    else:
        raise Http404("Unknown action.")


@login_required
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    found = access.get_attachment(request.user, pk)
    return FileResponse(found.file.open("rb"), content_type=found.content_type, filename=found.name)
