"""Warnings raised from a constructed visit history, handled by the supervisor; the dashboard."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from onevisit.audit.actions import Actor
from onevisit.inspections.models import Evaluation, InspectionCode, Visit
from onevisit.oversight.actions import (
    WarningRefused,
    do_acknowledge_warning,
    do_close_warning,
    do_save_rule,
    do_scan_warnings,
)
from onevisit.oversight.models import Kind, Warning
from onevisit.planning.models import FrequencyRule
from onevisit.testing import PersonaTestCase

SYSTEM = Actor.system("test")


class WarningTest(PersonaTestCase):
    def happened(self, days_ago: int, *bodies: Any, code: bool = True, **fields: Any) -> Visit:
        day = timezone.localdate() - dt.timedelta(days=days_ago)
        visit = Visit.objects.create(
            enterprise=fields.pop("enterprise", self.bearing),
            lead_body=bodies[0],
            origin=fields.pop("origin", "planned"),
            cause=fields.pop("cause", ""),
            date=day,
            status=Visit.Status.CLOSED,
            checked_in_at=timezone.now() - dt.timedelta(days=days_ago),
            closed_at=timezone.now() - dt.timedelta(days=days_ago),
        )
        visit.bodies.set(bodies)
        if code:
            InspectionCode.objects.create(
                visit=visit,
                short_code=f"C{visit.pk:07d}",
                token=f"t{visit.pk}",
                valid_on=day,
                issued_at=timezone.now() - dt.timedelta(days=days_ago + 1),
            )
        return visit

    def kinds(self) -> list[str]:
        return sorted(Warning.objects.values_list("kind", flat=True))

    def test_it_raises_multi_headed_and_repeated_once(self) -> None:
        self.happened(40, self.market)
        self.happened(30, self.ecology)
        self.happened(5, self.market)
        assert do_scan_warnings(today=timezone.localdate()) == 2
        assert self.kinds() == [Kind.MULTI_HEADED, Kind.REPEATED]
        assert do_scan_warnings(today=timezone.localdate()) == 0
        assert Warning.objects.count() == 2

    def test_it_does_not_count_triggered_visits(self) -> None:
        self.happened(20, self.market)
        self.happened(10, self.ecology, origin="triggered", cause="举报")
        do_scan_warnings(today=timezone.localdate())
        assert self.kinds() == []

    def test_it_raises_over_cap_from_the_frequency_rule(self) -> None:
        FrequencyRule.objects.create(body=self.market, annual_cap=2)
        today = timezone.localdate()
        for n in range(3):
            self.happened((today - dt.date(today.year, 1, 1)).days - n * 100, self.market)
        do_scan_warnings(today=today)
        assert Kind.OVER_CAP in self.kinds()

    def test_it_raises_without_code_and_low_evaluation(self) -> None:
        self.happened(3, self.market, code=False)
        rated = self.happened(200, self.ecology)
        Evaluation.objects.create(
            visit=rated, conduct=1, professionalism=2, burden=1, submitted_on=timezone.localdate()
        )
        do_scan_warnings(today=timezone.localdate())
        assert self.kinds() == [Kind.LOW_EVALUATION, Kind.WITHOUT_CODE]

    def test_it_follows_the_configured_rules(self) -> None:
        self.happened(40, self.market)
        self.happened(5, self.market)
        do_save_rule(actor=SYSTEM, kind=Kind.REPEATED, enabled=True, days=30, threshold=None)
        do_scan_warnings(today=timezone.localdate())
        assert self.kinds() == []
        with self.assertRaises(WarningRefused):
            do_save_rule(actor=SYSTEM, kind=Kind.REPEATED, enabled=True, days=0, threshold=None)

    def test_it_is_acknowledged_by_the_body_and_closed_by_the_supervisor_with_notes(self) -> None:
        self.happened(40, self.market)
        self.happened(5, self.market)
        do_scan_warnings(today=timezone.localdate())
        warning = Warning.objects.get()
        with self.assertRaises(WarningRefused):
            do_close_warning(actor=SYSTEM, warning=warning, by=self.supervisor, note="")
        page = self.client_for(self.alice)
        page.post(
            reverse("oversight:warning_act", args=[warning.pk, "acknowledge"]),
            {"note": "已并入联合检查计划"},
        )
        assert (
            page.post(
                reverse("oversight:warning_act", args=[warning.pk, "close"]), {"note": "x"}
            ).status_code
            == 403
        )
        assert (
            self.client_for(self.bob)
            .get(reverse("oversight:warning_detail", args=[warning.pk]))
            .status_code
            == 404
        )
        self.client_for(self.supervisor).post(
            reverse("oversight:warning_act", args=[warning.pk, "close"]), {"note": "已约谈"}
        )
        warning.refresh_from_db()
        assert warning.status == Warning.Status.CLOSED
        assert (warning.acknowledged_note, warning.closed_note) == ("已并入联合检查计划", "已约谈")

    def test_it_reopens_a_closed_group_that_gains_a_visit(self) -> None:
        self.happened(20, self.market)
        self.happened(15, self.ecology)
        do_scan_warnings(today=timezone.localdate())
        warning = Warning.objects.get(kind=Kind.MULTI_HEADED)
        do_acknowledge_warning(actor=SYSTEM, warning=warning, by=self.alice, note="知悉")
        do_close_warning(actor=SYSTEM, warning=warning, by=self.supervisor, note="已处理")
        self.happened(10, self.ecology)
        do_scan_warnings(today=timezone.localdate())
        warning.refresh_from_db()
        assert warning.status == Warning.Status.OPEN and warning.visits.count() == 3


class DashboardTest(PersonaTestCase):
    def test_it_compares_this_year_with_last_year(self) -> None:
        today = timezone.localdate()
        for year, count in ((today.year - 1, 4), (today.year, 2)):
            for n in range(count):
                visit = Visit.objects.create(
                    enterprise=self.bearing,
                    lead_body=self.market,
                    origin="planned",
                    date=dt.date(year, 1, 10 + n),
                    status=Visit.Status.CLOSED,
                )
                visit.bodies.set([self.market, self.ecology] if n == 0 else [self.market])
        response = self.client_for(self.supervisor).get(reverse("oversight:dashboard"))
        assert response.context["total"] == 2
        assert response.context["last_total"] == 4
        assert response.context["change"] == -50
        assert response.context["joint_share"] == 50
        self.assertContains(response, "<svg")
        assert self.client_for(self.alice).get(reverse("oversight:dashboard")).status_code == 403


class OversightWritesTest(PersonaTestCase):
    """Every write of the oversight pages is the supervisor's (acknowledging a warning is also
    the concerned department's)."""

    def test_it_refuses_the_supervisors_writes_to_everyone_else(self) -> None:
        from onevisit.inspections.models import Complaint

        visit = Visit.objects.create(
            enterprise=self.bearing,
            lead_body=self.market,
            origin="planned",
            date=timezone.localdate(),
            status=Visit.Status.CLOSED,
            closed_at=timezone.now(),
        )
        visit.bodies.set([self.market])
        evaluation = Evaluation.objects.create(
            visit=visit, conduct=1, professionalism=1, burden=1, submitted_on=timezone.localdate()
        )
        complaint = Complaint.objects.create(visit=visit, text="索要好处")
        writes = [
            (reverse("oversight:rules"), {"kind": "repeated", "enabled": "on", "days": "30"}),
            (reverse("oversight:evaluation_note", args=[evaluation.pk]), {"note": "已约谈"}),
            (reverse("oversight:complaint_handle", args=[complaint.pk]), {"note": "已处理"}),
        ]
        for user in (self.alice, self.ivan, self.erin, self.stranger):
            for url, data in writes:
                assert self.client_for(user).post(url, data).status_code in {403, 404}, (user, url)
        complaint.refresh_from_db()
        evaluation.refresh_from_db()
        assert complaint.status == "open" and evaluation.supervisor_note == ""
        for url, data in writes:
            assert self.client_for(self.supervisor).post(url, data).status_code == 302
        complaint.refresh_from_db()
        assert complaint.status == "handled"
