from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onevisit.accounts.actions import do_create_api_token, do_revoke_api_token
from onevisit.accounts.models import ApiToken, User
from onevisit.registry import access
from onevisit.registry.models import Body, Enterprise, Inspector


def home(request: HttpRequest) -> HttpResponse:
    """One home page, its content by role: what this person can do here today."""
    user = request.user
    context: dict[str, object] = {"today": timezone.localdate()}
    if not user.is_authenticated:
        context["public_bodies"] = Body.objects.filter(published=True).count()
        return render(request, "home.html", context)
    assert isinstance(user, User)
    if user.is_supervisor:
        context["stats"] = _city_stats()
    elif user.is_body_admin or user.is_inspector:
        context["body"] = user.body
        context["body_stats"] = _body_stats(user)
    elif user.is_enterprise_user:
        context["enterprise"] = access.get_enterprise_for_user(user, user.enterprise_id or 0)
    return render(request, "home.html", context)


def _city_stats() -> dict[str, int]:
    today = timezone.localdate()
    return {
        "enterprises": Enterprise.objects.count(),
        "bodies": Body.objects.count(),
        "published_bodies": Body.objects.filter(published=True).count(),
        "inspectors": Inspector.objects.count(),
        "certified": Inspector.objects.certified(today).count(),
    }


def _body_stats(user: User) -> dict[str, int]:
    today = timezone.localdate()
    soon = today + dt.timedelta(days=60)
    counts = Inspector.objects.filter(body_id=user.body_id or 0).aggregate(
        total=Count("id"),
        certified=Count(
            "id",
            filter=Q(
                active=True, certificate_valid_from__lte=today, certificate_valid_until__gte=today
            ),
        ),
        expiring=Count("id", filter=Q(active=True, certificate_valid_until__range=(today, soon))),
    )
    return {k: int(v or 0) for k, v in counts.items()}


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    new_secret = ""
    if request.method == "POST":
        _token, new_secret = do_create_api_token(user=user, name=request.POST.get("name", ""))
        messages.success(request, _("Token created. Copy it now: it is shown only once."))
    return render(
        request,
        "accounts/tokens.html",
        {
            "tokens": ApiToken.objects.filter(user=user).order_by("-created"),
            "new_secret": new_secret,
        },
    )


@login_required
@require_POST
def revoke_token(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    token = get_object_or_404(ApiToken, pk=pk, user=user)
    do_revoke_api_token(user=user, token=token)
    messages.success(request, _("Token revoked."))
    return redirect("accounts:tokens")
