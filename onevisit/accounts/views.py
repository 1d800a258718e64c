from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onevisit.accounts.actions import do_create_api_token, do_revoke_api_token
from onevisit.accounts.models import ApiToken, User


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
