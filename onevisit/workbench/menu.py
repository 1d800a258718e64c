"""The menu, grouped by the work of each role. Public entries close every menu; API links go to
the account group of those who may hold a token (officials), never to enterprises or the public."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from onevisit.accounts.models import User


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class Group:
    title: str
    links: list[Link]


def _link(label: str, name: str, *args: Any) -> Link:
    return Link(label, reverse(name, args=args))


def public_group(official: bool = False) -> Group:
    """The public pages; an official answers requests and so is not offered to raise one."""
    links = [
        _link(_("Check a code"), "inspections:verify_entry"),
        _link(_("Inspecting bodies"), "registry:body_list"),
        _link(_("Inspection items"), "catalog:item_list"),
        _link(_("Random draws"), "draws:draw_list"),
        _link(_("Special inspections planned"), "assessments:public_list"),
        _link(_("Results of drawn inspections"), "draws:draw_results"),
        _link(_("Discretion benchmarks"), "penalties:catalogue"),
        _link(_("Report a problem (举报)"), "tips:tip_new"),
        _link(_("Follow a tip"), "tips:tip_status"),
        _link(_("Ask the departments (政企沟通)"), "liaison:concern_new"),
        _link(_("Follow a request"), "liaison:concern_follow"),
        _link(_("Published business scopes"), "scope:lookup"),
        _link(_("Follow a complaint"), "inspections:complaint_status"),
    ]
    if official:
        links = [link for link in links if link.url != reverse("liaison:concern_new")]
    return Group(_("Public"), links)


def _registry(user: User) -> Group:
    links = [
        _link(_("Enterprises"), "registry:enterprise_list"),
        _link(_("Inspectors"), "registry:inspector_list"),
    ]
    if user.is_supervisor or user.is_body_admin:
        links.append(_link(_("Import from Excel"), "operations:import"))
    links.append(_link(_("Land-efficiency evaluation"), "evaluation:year_list"))
    links.append(_link(_("Business scope catalogue"), "scope:catalogue"))
    if user.is_body_admin or user.is_supervisor:
        links.append(_link(_("Regional entries (区域特色条目)"), "scope:regional"))
    return Group(_("Registry"), links)


def _enforcement(user: User) -> Group:
    links = [_link(_("Visits"), "inspections:visit_list")]
    if user.is_body_admin:
        links.append(_link(_("Register a visit"), "inspections:visit_new"))
    links += [
        _link(_("Rectification ledger"), "rectification:ledger"),
        _link(_("Penalty decisions"), "penalties:decision_list"),
        _link(_("Special campaigns"), "campaigns:campaign_list"),
    ]
    if user.is_supervisor:
        links.append(_link(_("Penalty consistency"), "penalties:consistency"))
    return Group(_("Inspections"), links)


def _signals(user: User) -> Group:
    links = [
        _link(_("Monitoring alerts"), "monitoring:alert_list"),
        _link(_("Tips"), "tips:tip_list"),
    ]
    if user.is_body_admin or user.is_supervisor:
        links.append(_link(_("Enterprise requests (政企沟通)"), "liaison:concern_list"))
    if user.is_body_admin:
        links += [
            _link(_("Warnings"), "oversight:warning_list"),
            _link(_("Evaluations"), "inspections:evaluation_summary"),
        ]
    return Group(_("Alerts and tips"), links)


def _planning(user: User) -> Group:
    links = [
        _link(_("Annual plans"), "planning:plan_list"),
        _link(_("Joint visits"), "planning:coordination"),
        _link(_("Planned visits to register"), "inspections:planned_list"),
        _link(_("Prior assessments (事前评估)"), "assessments:assessment_list"),
    ]
    if user.is_body_admin:
        links.insert(1, _link(_("Tiers and rules"), "planning:rules"))
        links.append(_link(_("New random draw"), "draws:draw_create"))
    return Group(_("Plans"), links)


def _account(user: User) -> Group:
    links = [_link(_("Password"), "accounts:password_change")]
    if user.is_official:
        links += [
            _link(_("API tokens"), "accounts:tokens"),
            _link(_("API documentation"), "api:openapi-view"),
        ]
    if user.is_staff:
        links.append(_link(_("Admin"), "admin:index"))
    return Group(_("Account"), links)


def menu_for(user: Any) -> list[Group]:
    if not isinstance(user, User) or not user.is_authenticated:
        return [public_group()]
    groups: list[Group] = []
    if user.is_supervisor:
        oversight = [
            _link(_("Oversight dashboard"), "oversight:dashboard"),
            _link(_("Warnings"), "oversight:warning_list"),
            _link(_("Complaints"), "oversight:complaint_list"),
            _link(_("Evaluations"), "oversight:evaluation_list"),
            _link(_("Warning rules"), "oversight:rules"),
        ]
        groups = [Group(_("Oversight"), oversight), _planning(user), _enforcement(user)]
        groups += [_signals(user), _registry(user)]
    elif user.is_body_admin:
        groups = [_planning(user), _enforcement(user), _signals(user), _registry(user)]
    elif user.is_inspector:
        mine = [
            _link(_("Today's visits"), "inspections:today"),
            _link(_("My schedule"), "planning:my_schedule"),
        ]
        groups = [Group(_("My work"), mine), _enforcement(user), _signals(user)]
        groups.append(_registry(user))
    elif user.is_enterprise_user:
        own = [
            _link(_("My inspections"), "inspections:mine"),
            _link(_("My rectifications"), "rectification:ledger"),
            _link(_("My monitoring alerts"), "monitoring:alert_list"),
            _link(_("Our registered data"), "registry:enterprise_detail", user.enterprise_id),
            _link(_("Land-efficiency evaluation"), "evaluation:year_list"),
            _link(_("My requests (政企沟通)"), "liaison:concern_list"),
            _link(_("Our business scope (自主公示)"), "scope:mine"),
        ]
        groups = [Group(_("My enterprise"), own)]
    return [*groups, public_group(user.is_official), _account(user)]


def menu(request: HttpRequest) -> dict[str, Any]:
    """Context processor: the grouped menu of whoever asks."""
    return {"menu": menu_for(getattr(request, "user", None))}
