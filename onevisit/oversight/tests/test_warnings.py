"""Warnings raised from a constructed visit history, handled by the supervisor; the dashboard."""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from onevisit.audit.actions import Actor
from onevisit.audit.models import AuditEntry
from onevisit.draws.models import Draw
from onevisit.inspections.models import Evaluation, InspectionCode, Visit
from onevisit.oversight.actions import (
    WarningRefused,
    do_acknowledge_warning,
    do_close_warning,
    do_save_rule,
    do_scan_warnings,
)
from onevisit.oversight.models import ABSENT, Kind, Warning
from onevisit.planning.models import FrequencyRule, Task, Tier
from onevisit.rectification.models import Rectification
from onevisit.registry.models import Enterprise
from onevisit.testing import PersonaTestCase, make_enterprise

SYSTEM = Actor.system("test")


class WarningTest(PersonaTestCase):
    quarry: Enterprise

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.quarry = make_enterprise("东阿石料有限公司", serial=3, district="371524", industry="10")

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

    def test_it_judges_every_enterprise_when_a_scan_goes_a_few_at_a_time(self) -> None:
        self.happened(40, self.market)
        self.happened(5, self.market)
        self.happened(40, self.market, enterprise=self.cable)
        self.happened(20, self.ecology, enterprise=self.cable)
        rated = self.happened(200, self.ecology, enterprise=self.cable)
        Evaluation.objects.create(
            visit=rated, conduct=1, professionalism=1, burden=1, submitted_on=timezone.localdate()
        )
        Tier.objects.create(
            enterprise=self.quarry,
            body=self.market,
            computed_level="red",
            score=80,
            computed_at=timezone.now(),
        )
        Task.objects.create(
            enterprise=self.quarry,
            body=self.market,
            kind="routine",
            window_start=timezone.localdate() - dt.timedelta(days=90),
            window_end=timezone.localdate() - dt.timedelta(days=10),
        )
        with mock.patch("onevisit.oversight.actions.SCAN_CHUNK", 1):
            assert do_scan_warnings(today=timezone.localdate()) == 4
        assert sorted(Warning.objects.values_list("enterprise__name", "kind")) == sorted(
            [
                (self.bearing.name, Kind.REPEATED),
                (self.cable.name, Kind.MULTI_HEADED),
                (self.cable.name, Kind.LOW_EVALUATION),
                (self.quarry.name, Kind.LAPSED_CHECK),
            ]
        )

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

    def test_it_opens_a_scans_warnings_in_the_same_few_queries_however_many_they_are(
        self,
    ) -> None:
        def scan_opening(enterprises: list[Enterprise]) -> int:
            for enterprise in enterprises:
                self.happened(40, self.market, enterprise=enterprise)
                self.happened(5, self.market, enterprise=enterprise)
            with CaptureQueriesContext(connection) as queries:
                opened = do_scan_warnings(
                    today=timezone.localdate(), enterprise_ids=[e.pk for e in enterprises]
                )
            assert opened == len(enterprises)
            return len(queries)

        few = [make_enterprise(f"茌平铝业{n}有限公司", serial=40 + n) for n in range(2)]
        many = [make_enterprise(f"临清轴承{n}有限公司", serial=50 + n) for n in range(8)]
        assert scan_opening(many) == scan_opening(few)
        raised = AuditEntry.objects.filter(action="raise").values_list("object_repr", flat=True)
        assert sorted(raised)[0] == f"{Kind.REPEATED.label}: 临清轴承0有限公司"
        assert all(w.visits.count() == 2 for w in Warning.objects.prefetch_related("visits"))


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

    def test_it_compares_the_month_under_way_with_the_same_days_of_last_year(self) -> None:
        from onevisit.oversight.statistics import months

        today = dt.date(2026, 12, 7)
        for day in (dt.date(2025, 12, 3), dt.date(2025, 12, 20), dt.date(2026, 12, 2)):
            visit = Visit.objects.create(
                enterprise=self.bearing,
                lead_body=self.market,
                origin="planned",
                date=day,
                status=Visit.Status.CLOSED,
            )
            visit.bodies.set([self.market])
        december = months(today, self.supervisor.in_area("enterprise__district"))[11]
        assert (december.this_year, december.last_year) == (1, 1)  # not 1 against 2

    def test_it_says_how_many_times_an_enterprise_was_inspected(self) -> None:
        visit = Visit.objects.create(
            enterprise=self.bearing,
            lead_body=self.market,
            origin="planned",
            date=timezone.localdate(),
            status=Visit.Status.CLOSED,
        )
        visit.bodies.set([self.market])
        page = self.client_for(self.supervisor).get(reverse("oversight:dashboard"))
        self.assertContains(page, "受检 1 次")


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


class ChecksOwedTest(PersonaTestCase):
    """应查未查: each 缺位 rule fires on a duty left undone and stays silent once it is done."""

    today = timezone.localdate()

    def task(self, kind: str = "routine", days_ago: int = 10, **fields: Any) -> Task:
        return Task.objects.create(
            enterprise=fields.pop("enterprise", self.bearing),
            body=fields.pop("body", self.market),
            kind=kind,
            window_start=self.today - dt.timedelta(days=days_ago + 80),
            window_end=self.today - dt.timedelta(days=days_ago),
            **fields,
        )

    def tier(self, level: str, enterprise: Any = None) -> None:
        Tier.objects.create(
            enterprise=enterprise or self.bearing,
            body=self.market,
            computed_level=level,
            score=80,
            computed_at=timezone.now(),
        )

    def owed(self) -> list[tuple[str, str, int | None]]:
        do_scan_warnings(today=self.today)
        return sorted(
            (w.kind, w.enterprise.name, w.body_id)
            for w in Warning.objects.filter(kind__in=ABSENT).select_related("enterprise")
        )

    def test_it_warns_of_a_red_enterprise_whose_window_lapsed_unchecked(self) -> None:
        self.tier("red")
        self.tier("green", self.cable)
        self.task()
        self.task(enterprise=self.cable)  # green: no duty to warn about
        self.task(days_ago=-5)  # window still open
        assert self.owed() == [(Kind.LAPSED_CHECK, self.bearing.name, self.market.pk)]
        warning = Warning.objects.get(kind=Kind.LAPSED_CHECK)
        assert "红" in warning.describe() or "red" in warning.describe()

    def test_it_is_silent_when_the_check_was_made_or_recognised(self) -> None:
        self.tier("yellow")
        self.task(status=Task.Status.DONE)
        self.task(status=Task.Status.RECOGNISED)
        assert self.owed() == []

    def test_it_warns_of_a_triggered_check_not_made_within_the_working_days(self) -> None:
        late = self.task("triggered", days_ago=-30, cause="核实的举报：无证经营")
        Task.objects.filter(pk=late.pk).update(created=timezone.now() - dt.timedelta(days=14))
        self.task("triggered", days_ago=-30, cause="今日告警")  # created today: still in time
        assert self.owed() == [(Kind.TRIGGER_UNVISITED, self.bearing.name, self.market.pk)]
        do_save_rule(
            actor=SYSTEM, kind=Kind.TRIGGER_UNVISITED, enabled=False, days=5, threshold=None
        )
        Warning.objects.all().delete()
        assert self.owed() == []

    def test_it_warns_of_an_overdue_rectification_without_a_recheck(self) -> None:
        def rect(recheck: Task | None) -> Rectification:
            return Rectification.objects.create(
                enterprise=self.bearing,
                unit_name=self.bearing.name,
                body=self.market,
                found_on=self.today - dt.timedelta(days=40),
                problem="两台叉车未办理使用登记",
                deadline=self.today - dt.timedelta(days=3),
                recheck_task=recheck,
            )

        rect(None)
        rect(self.task("recheck", days_ago=-20))
        assert self.owed() == [(Kind.NO_RECHECK, self.bearing.name, self.market.pk)]

    def test_it_warns_of_a_drawn_enterprise_not_inspected_within_the_draw(self) -> None:
        draw = Draw.objects.create(
            body=self.market,
            title="食品经营双随机抽查",
            ratio="0.5",
            seed_source="福彩双色球",
            seed_known_after=timezone.now() - dt.timedelta(days=100),
            pool=[self.bearing.uscc, self.cable.uscc],
            pool_sha256="0" * 64,
        )
        self.task(draw=draw)
        self.task(draw=draw, enterprise=self.cable, status=Task.Status.DONE)
        assert self.owed() == [(Kind.DRAW_UNVISITED, self.bearing.name, self.market.pk)]

    def test_it_lists_the_owed_checks_on_the_body_workbench_and_counts_them_on_the_dashboard(
        self,
    ) -> None:
        self.tier("red")
        self.task()
        self.owed()
        page = self.client_for(self.alice).get(reverse("home")).content.decode()
        assert "应查未查" in page and self.bearing.name in page
        other = self.client_for(self.bob).get(reverse("home")).content.decode()
        assert self.bearing.name not in other
        dashboard = self.client_for(self.supervisor).get(reverse("oversight:dashboard"))
        absent = dashboard.content.decode().split('id="absent"')[1].split("</section>")[0]
        assert "<b>1</b>" in absent
        listed = self.client_for(self.alice).get(reverse("oversight:warning_list") + "?kind=absent")
        assert listed.context["page"].paginator.count == 1
