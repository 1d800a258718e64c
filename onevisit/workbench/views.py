from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from onevisit.accounts.models import User
from onevisit.registry.models import Body
from onevisit.workbench.queries import sections_for


def home(request: HttpRequest) -> HttpResponse:
    """工作台: the page each role lands on, listing what waits for it today."""
    user = request.user
    today = timezone.localdate()
    if not isinstance(user, User) or not user.is_authenticated:
        public_bodies = Body.objects.filter(published=True).count()
        return render(request, "workbench/public.html", {"public_bodies": public_bodies})
    return render(
        request,
        "workbench/home.html",
        {"sections": sections_for(user, today), "today": today},
    )
