from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from onevisit.audit.actions import Actor
from onevisit.liaison import access
from onevisit.liaison.actions import (
    ConcernRefused,
    Raised,
    do_acknowledge_concern,
    do_answer_concern,
    do_plan_guidance_visit,
    do_raise_concern,
    do_rate_concern,
    do_reopen_concern,
    do_route_concern,
    reveal_contact,
)
from onevisit.liaison.forms import AnswerForm, ConcernForm, GuidanceForm, RateForm
from onevisit.liaison.models import Concern, Kind
from onevisit.lib.params import whole_number
from onevisit.lib.ratelimit import too_many
from onevisit.registry.access import require_login
from onevisit.registry.models import Body, Inspector


def concern_new(request: HttpRequest) -> HttpResponse:
    """The door: an enterprise user raises a request for its enterprise; anyone else asks a
    question or makes a suggestion about an enterprise matter and gets a receipt."""
    user = require_login(request.user) if request.user.is_authenticated else None
    if user is not None and not user.is_enterprise_user:
        raise PermissionDenied("Officials answer requests; they do not raise them here.")
    enterprise = user.enterprise if user is not None else None
    form = ConcernForm(request.POST or None, enterprise=enterprise)
    if request.method == "POST" and form.is_valid():
        if user is None and too_many(request, "concern", settings.ONEVISIT_CODE_LOOKUPS_PER_MINUTE):
            form.add_error(None, _("Too many requests from this address; try again in a minute."))
        else:
            data = form.cleaned_data
            try:
                concern, secret = do_raise_concern(
                    by=user,
                    raised=Raised(
                        kind=data["kind"],
                        subject=data["subject"],
                        text=data["text"],
                        body=data["body"],
                        enterprise=enterprise,
                        enterprise_name=data.get("enterprise_name", ""),
                        item=data["item"],
                        visit=data.get("visit"),
                        anonymous=bool(data.get("anonymous"))
                        or (user is None and not data.get("name", "").strip()),
                        name=data.get("name", ""),
                        phone=data.get("phone", ""),
                    ),
                )
            except ConcernRefused as error:
                form.add_error(None, str(error))
            else:
                if user is not None:
                    messages.success(request, _("Sent. You will see the answer here."))
                    return redirect("liaison:concern_detail", pk=concern.pk)
                return render(
                    request, "liaison/received.html", {"concern": concern, "secret": secret}
                )
    return render(
        request,
        "liaison/concern_new.html",
        {"form": form, "enterprise": enterprise},
        status=422 if request.method == "POST" else 200,
    )


@login_required
def concern_list(request: HttpRequest) -> HttpResponse:
    concerns = access.concerns_for_user(request.user)
    show = request.GET.get("show", "open")
    today = timezone.localdate()
    if show == "open":
        concerns = concerns.filter(status__in=[*Concern.OPEN, Concern.Status.ANSWERED])
    elif show == "overdue":
        concerns = concerns.overdue(today)
    elif show == "unrouted":
        concerns = concerns.open().filter(body__isnull=True)
    page = Paginator(concerns, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "liaison/concern_list.html",
        {"page": page, "show": show, "today": today, "can_raise": request.user.is_enterprise_user},  # type: ignore[union-attr]
    )


@login_required
def concern_detail(request: HttpRequest, pk: int) -> HttpResponse:
    concern = access.get_concern(request.user, pk)
    user = require_login(request.user)
    handler = access.is_handler(user, concern)
    context = {
        "concern": concern,
        "handler": handler,
        "raiser": concern.raised_by_id == user.pk,
        "today": timezone.localdate(),
        "answer_form": AnswerForm(),
        "rate_form": RateForm(),
        "bodies": Body.objects.filter(user.in_area("district"), published=True).order_by("name")
        if user.is_supervisor
        else None,
    }
    if handler and concern.kind == Kind.GUIDANCE and concern.service_visit_id is None:
        context["guidance_form"] = GuidanceForm(
            initial={"date": timezone.localdate()},
            inspectors=Inspector.objects.certified(timezone.localdate()).filter(
                body_id=concern.body_id or 0
            ),
        )
    return render(request, "liaison/concern_detail.html", context)


@login_required
@require_POST
def concern_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    concern = access.get_concern(request.user, pk)
    actor = Actor.of(request.user)
    try:
        if action == "route":
            user = require_login(request.user)
            if not user.is_supervisor:
                raise PermissionDenied("Only the supervisor routes requests.")
            body_pk = whole_number(request.POST.get("body", "")) or 0
            body = Body.objects.filter(user.in_area("district"), pk=body_pk, published=True).first()
            if body is None:
                raise ConcernRefused(_("Choose a department."))
            do_route_concern(
                actor=actor, concern=concern, body=body, note=request.POST.get("note", "")
            )
        elif action == "acknowledge":
            access.require_handler(request.user, concern)
            do_acknowledge_concern(actor=actor, concern=concern)
        elif action == "answer":
            user = access.require_handler(request.user, concern)
            do_answer_concern(
                actor=actor, concern=concern, by=user, answer=request.POST.get("answer", "")
            )
        elif action == "plan":
            return _plan(request, concern)
        elif action == "rate":
            access.require_raiser(request.user, concern)
            _rate(request, concern)
        elif action == "reopen":
            access.require_raiser(request.user, concern)
            do_reopen_concern(concern=concern, reason=request.POST.get("reason", ""))
        elif action == "contact":
            access.require_handler(request.user, concern)
            contact = reveal_contact(actor=actor, concern=concern)
            messages.info(
                request,
                _("Contact: %(name)s, %(phone)s")
                % {"name": contact.get("name", "—"), "phone": contact.get("phone", "—")},
            )
        else:
            raise PermissionDenied("Unknown action.")
    except ConcernRefused as error:
        messages.error(request, str(error))
    else:
        if action in DONE:
            messages.success(request, str(DONE[action]))
    return redirect("liaison:concern_detail", pk=concern.pk)


DONE = {
    "route": gettext_lazy("Passed to the department."),
    "acknowledge": gettext_lazy("Acknowledged (受理)."),
    "answer": gettext_lazy("The answer is sent."),
    "rate": gettext_lazy("Thank you for rating the answer."),
    "reopen": gettext_lazy("Reopened: the department answers again."),
}


def _plan(request: HttpRequest, concern: Concern) -> HttpResponse:
    user = access.require_handler(request.user, concern)
    form = GuidanceForm(
        request.POST,
        inspectors=Inspector.objects.certified(timezone.localdate()).filter(
            body_id=concern.body_id or 0
        ),
    )
    if not form.is_valid():
        messages.error(request, _("Choose a day and who goes."))
    else:
        try:
            do_plan_guidance_visit(
                actor=Actor.of(user),
                concern=concern,
                by=user,
                date=form.cleaned_data["date"],
                inspectors=list(form.cleaned_data["inspectors"]),
                note=form.cleaned_data["note"],
            )
        except ConcernRefused as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The guidance visit is planned; its code is ready."))
    return redirect("liaison:concern_detail", pk=concern.pk)


def _rate(request: HttpRequest, concern: Concern) -> None:
    form = RateForm(request.POST)
    if not form.is_valid():
        raise ConcernRefused(_("Rate from 1 to 5."))
    do_rate_concern(
        concern=concern, rating=form.cleaned_data["rating"], comment=form.cleaned_data["comment"]
    )


def concern_follow(request: HttpRequest) -> HttpResponse:
    """A member of the public follows a request by its receipt and secret, and rates it."""
    concern = None
    error = ""
    receipt = request.POST.get("receipt", "").strip()
    if request.method == "POST":
        if too_many(request, "concern-follow", settings.ONEVISIT_CODE_LOOKUPS_PER_MINUTE):
            error = _("This address has looked up too many requests in the last minute.")
        else:
            concern = access.find_by_receipt(receipt, request.POST.get("secret", ""))
            if concern is None:
                error = _("No request with this receipt number and secret.")
            elif "rating" in request.POST or "reason" in request.POST:
                try:
                    if "reason" in request.POST:
                        do_reopen_concern(concern=concern, reason=request.POST["reason"])
                    else:
                        _rate(request, concern)
                except ConcernRefused as refused:
                    error = str(refused)
                concern.refresh_from_db()
    return render(
        request,
        "liaison/follow.html",
        {
            "concern": concern,
            "error": error,
            "receipt": receipt,
            "secret": request.POST.get("secret", "") if concern else "",
            "rate_form": RateForm(),
        },
        status=422 if error else 200,
    )
