from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onevisit.accounts.actions import do_create_api_token, do_revoke_api_token
from onevisit.accounts.models import ApiToken, User
from onevisit.lib.ratelimit import too_many

_login_form = auth_views.LoginView.as_view(template_name="accounts/login.html")


def login(request: HttpRequest) -> HttpResponseBase:
    """Django's login, with a per-address limit on attempts that pauses nobody for longer than
    the current minute (the lockout of an account is axes', per account and address)."""
    if request.method == "POST" and too_many(request, "login", settings.ONEVISIT_LOGINS_PER_MINUTE):
        return render(request, "accounts/slow_down.html", status=429)
    return _login_form(request)


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
