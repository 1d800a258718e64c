from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from onevisit.audit.actions import Actor
from onevisit.lib.params import whole_number
from onevisit.lib.tabular import write_xlsx
from onevisit.registry import access
from onevisit.registry.actions import do_create_enterprise, do_update_enterprise
from onevisit.registry.forms import EnterpriseForm, EnterpriseSearchForm
from onevisit.registry.models import Enterprise
from onevisit.registry.queries import EnterpriseFilters, search_enterprises

PAGE_SIZE = 25


def xlsx_response(
    filename: str, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]
) -> HttpResponse:
    buffer = io.BytesIO()
    write_xlsx(buffer, title, headers, rows)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    stamp = timezone.localdate().isoformat()
    # RFC 6266: a Chinese file name goes as filename*=utf-8''…, which browsers decode
    disposition = content_disposition_header(True, f"{filename}-{stamp}.xlsx")
    assert disposition is not None
    response["Content-Disposition"] = disposition
    return response


@login_required
def enterprise_list(request: HttpRequest) -> HttpResponse:
    base = access.enterprises_for_user(request.user)
    area = getattr(request.user, "reach_codes", None)
    form = EnterpriseSearchForm(request.GET or None, area=area)
    filters = EnterpriseFilters(**form.cleaned_filters())
    search = search_enterprises(base, filters, area)
    count, exact = search.count()
    page = _page_number(request)
    context = {
        "form": form,
        "enterprises": search.page(page, PAGE_SIZE),
        "count": count,
        "count_is_exact": exact,
        "page": page,
        "has_next": page * PAGE_SIZE < count,
        "query_string": request.GET.urlencode(),
        "can_edit": access.can_edit_enterprises(request.user),
    }
    template = "registry/enterprise_list.html"
    if request.htmx:  # type: ignore[attr-defined]
        template += "#results"
    return render(request, template, context)


def _page_number(request: HttpRequest) -> int:
    return whole_number(request.GET.get("page", "1"), low=1, high=100_000) or 1


ENTERPRISE_EXPORT_HEADERS = [
    "统一社会信用代码",
    "企业名称",
    "行政区划代码",
    "行政区划",
    "国民经济行业代码",
    "行业",
    "注册地址",
    "法定代表人",
    "占地面积（亩）",
    "从业人数",
    "登记状态",
]


@login_required
def enterprise_export(request: HttpRequest) -> HttpResponse:
    base = access.enterprises_for_user(request.user)
    area = getattr(request.user, "reach_codes", None)
    form = EnterpriseSearchForm(request.GET or None, area=area)
    filters = EnterpriseFilters(**form.cleaned_filters())
    search = search_enterprises(base, filters, area)
    rows = (
        [
            e.uscc,
            e.name,
            e.district_id,
            e.district.name,
            e.industry_code,
            e.industry.name,
            e.address,
            e.legal_representative,
            e.land_area_mu,
            e.employees,
            e.get_status_display(),
        ]
        for e in search.iterator()
    )
    return xlsx_response("enterprises", "企业名录", ENTERPRISE_EXPORT_HEADERS, rows)


@login_required
def enterprise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = access.get_enterprise_for_user(request.user, pk)
    return render(
        request,
        "registry/enterprise_detail.html",
        {"enterprise": enterprise, "can_edit": access.can_edit_enterprises(request.user)},
    )


@login_required
def enterprise_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user = access.require_enterprise_editor(request.user)
    enterprise = access.get_enterprise_for_user(user, pk) if pk else None
    initial = {"industry_code": enterprise.industry_code} if enterprise else {}
    form = EnterpriseForm(
        request.POST or None, instance=enterprise, initial=initial, area=user.reach_codes
    )
    if request.method == "POST" and form.is_valid():
        try:
            if enterprise is None:
                enterprise = do_create_enterprise(actor=Actor.of(user), fields=form.action_fields())
            else:
                fresh = Enterprise.objects.get(pk=enterprise.pk)
                do_update_enterprise(
                    actor=Actor.of(user), enterprise=fresh, fields=form.action_fields()
                )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("registry:enterprise_detail", pk=enterprise.pk)
    return render(
        request, "registry/enterprise_form.html", {"form": form, "enterprise": enterprise}
    )


def body_list(request: HttpRequest) -> HttpResponse:
    """The public list of inspecting bodies (主体清单): no login needed."""
    bodies = access.bodies_for_user(request.user)
    if request.GET.get("format") == "xlsx":
        rows = (
            [
                b.code,
                b.name,
                b.get_kind_display(),
                b.entrusted_by.name if b.entrusted_by else "",
                b.get_level_display(),
                b.district.name,
                b.duties,
                b.phone,
            ]
            for b in bodies
        )
        headers = [
            "主体编码",
            "主体名称",
            "主体类型",
            "委托机关",
            "层级",
            "所属区划",
            "职责",
            "电话",
        ]
        return xlsx_response("bodies", "检查主体清单", headers, rows)
    return render(request, "registry/body_list.html", {"bodies": bodies})


def body_detail(request: HttpRequest, pk: int) -> HttpResponse:
    body = access.get_body_for_user(request.user, pk)
    inspectors: Any = None
    if request.user.is_authenticated:
        try:
            inspectors = access.inspectors_for_user(request.user).filter(body=body)
        except PermissionDenied:
            inspectors = None
    return render(request, "registry/body_detail.html", {"body": body, "inspectors": inspectors})


@login_required
def inspector_list(request: HttpRequest) -> HttpResponse:
    inspectors = access.inspectors_for_user(request.user)
    today = timezone.localdate()
    if request.GET.get("format") == "xlsx":
        rows = (
            [
                i.certificate_number,
                i.name,
                i.body.code,
                i.body.name,
                i.certificate_valid_from,
                i.certificate_valid_until,
                "、".join(i.district_codes),
                "是" if i.active else "否",
            ]
            for i in inspectors
        )
        headers = [
            "执法证号",
            "姓名",
            "所属主体编码",
            "所属主体",
            "证件有效期起",
            "证件有效期止",
            "服务区划",
            "在岗",
        ]
        return xlsx_response("inspectors", "执法人员", headers, rows)
    paginator = Paginator(inspectors, 50)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "registry/inspector_list.html", {"page": page, "today": today})


@login_required
def inspector_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inspector = access.get_inspector_for_user(request.user, pk)
    return render(
        request,
        "registry/inspector_detail.html",
        {"inspector": inspector, "today": timezone.localdate(), "soon": _expires_soon(inspector)},
    )


def _expires_soon(inspector: Any) -> bool:
    until: dt.date = inspector.certificate_valid_until
    return 0 <= (until - timezone.localdate()).days <= 60
