from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onevisit.audit.actions import Actor
from onevisit.catalog import access, actions
from onevisit.catalog.exports import ITEM_EXPORT_HEADERS, item_export_rows
from onevisit.catalog.forms import ItemForm, ItemSearchForm, PointFormSet, points_from
from onevisit.catalog.models import Item
from onevisit.registry.access import bodies_for_user, require_login
from onevisit.registry.models import Body
from onevisit.registry.views import xlsx_response

PAGE_SIZE = 30


def item_list(request: HttpRequest) -> HttpResponse:
    """检查事项清单: every body's published items, searchable, with no login."""
    items = access.items_for_user(request.user)
    form = ItemSearchForm(request.GET or None)
    body: Body | None = None
    if form.is_valid():
        items = items.matching(form.cleaned_data["q"] or "")
        if form.cleaned_data["body"]:
            body = get_object_or_404(bodies_for_user(request.user), pk=form.cleaned_data["body"])
            items = items.filter(body=body)
    if not (request.user.is_authenticated and request.GET.get("all")):
        items = items.published()
    if request.GET.get("format") == "xlsx":
        return xlsx_response("items", "检查事项清单", ITEM_EXPORT_HEADERS, item_export_rows(items))
    listed = items.annotate(point_count=Count("points")).order_by("body__code", "code", "-version")
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    own_body = _editable_body(request.user)
    return render(
        request,
        "catalog/item_list.html",
        {
            "form": form,
            "page": page,
            "body": body,
            "own_body": own_body,
            "query_string": _without_page(request),
        },
    )


def _without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _editable_body(user: Any) -> Body | None:
    if getattr(user, "is_authenticated", False) and user.is_body_admin:
        return user.body  # type: ignore[no-any-return]
    return None


def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = access.get_item(request.user, pk)
    versions = access.items_for_user(request.user).filter(body=item.body, code=item.code)
    can_edit = _editable_body(request.user) == item.body
    return render(
        request,
        "catalog/item_detail.html",
        {"item": item, "points": item.points.all(), "versions": versions, "can_edit": can_edit},
    )


@login_required
def item_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user = require_login(request.user)
    body = _editable_body(user)
    if body is None:
        raise PermissionDenied("Only a body's admin keeps its item list.")
    item = access.get_item(user, pk) if pk else None
    if item is not None:
        access.require_item_editor(user, item.body)
        if item.status != Item.Status.DRAFT:
            # A published version is frozen: a new draft comes only from the 修订 button (a POST),
            # never from opening an address, which a link on another site could make anyone do.
            messages.info(
                request,
                _(
                    "A published item is not edited in place: press Revise (new version) for "
                    "a new draft."
                ),
            )
            return redirect("catalog:item_detail", pk=item.pk)
    initial_points = (
        [
            {
                "content": p.content,
                "standard": p.standard,
                "method": p.method,
                "guidance": p.guidance,
                "topic": p.topic,
            }
            for p in item.points.all()
        ]
        if item
        else []
    )
    form = ItemForm(request.POST or None, instance=item)
    formset = PointFormSet(request.POST or None, initial=initial_points, prefix="points")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        points = points_from(formset)
        if not points:
            messages.error(request, _("An item needs at least one check point."))
        elif item is None:
            item = actions.do_create_item(
                actor=Actor.of(user), body=body, fields=fields, points=points
            )
            messages.success(request, _("Draft saved. Publish it when it is ready."))
            return redirect("catalog:item_detail", pk=item.pk)
        else:
            actions.do_update_draft(actor=Actor.of(user), item=item, fields=fields, points=points)
            messages.success(request, _("Draft saved. Publish it when it is ready."))
            return redirect("catalog:item_detail", pk=item.pk)
    return render(
        request, "catalog/item_form.html", {"form": form, "formset": formset, "item": item}
    )


@login_required
@require_POST
def item_transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = require_login(request.user)
    item = access.get_item(user, pk)
    access.require_item_editor(user, item.body)
    actor = Actor.of(user)
    try:
        if action == "publish":
            actions.do_publish_item(actor=actor, item=item)
            messages.success(request, _("Published. The previous version was withdrawn."))
        elif action == "withdraw":
            reason = request.POST.get("reason", "").strip()
            if not reason:
                messages.error(request, _("Give the reason for withdrawing the item."))
                return redirect("catalog:item_detail", pk=item.pk)
            actions.do_withdraw_item(actor=actor, item=item, reason=reason)
            messages.success(request, _("Withdrawn: it can no longer be planned or checked."))
        elif action == "revise":
            draft = actions.do_revise_item(actor=actor, item=item)
            return redirect("catalog:item_edit", pk=draft.pk)
        else:
            raise PermissionDenied("Unknown action.")
    except ValueError as error:
        messages.error(request, str(error))
    return redirect("catalog:item_detail", pk=item.pk)
