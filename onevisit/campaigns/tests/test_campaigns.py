"""淘汰落后产能: each enterprise's list, proof of dismantling, 销号, the city's totals, and
"零复活": a retired unit that shows any sign of running becomes an alert, a case and a
triggered visit."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from onevisit.audit.actions import Actor
from onevisit.campaigns.actions import (
    CampaignRefused,
    do_bind_device,
    do_close_unit,
    do_record_dismantling,
    retirement_totals,
)
from onevisit.campaigns.models import Campaign, RetirementUnit
from onevisit.inspections.tests.base import photo_upload
from onevisit.monitoring.actions import do_check_alerts
from onevisit.monitoring.models import Alert, Device, Reading, password_digest
from onevisit.monitoring.session import KnownDevice, Session
from onevisit.monitoring.store import store_rows
from onevisit.monitoring.tests.test_receiver import MN, packet
from onevisit.planning.models import Task
from onevisit.planning.tests.test_planning import PlanningCase

SYSTEM = Actor.system("test")


class RetirementTest(PlanningCase):
    def setUp(self) -> None:
        today = timezone.localdate()
        self.campaign = Campaign.objects.create(
            name="淘汰落后产能专项行动",
            kind=Campaign.Kind.OBSOLETE_CAPACITY,
            lead_body=self.ecology,
            starts=today - dt.timedelta(days=200),
            ends=today + dt.timedelta(days=100),
        )
        self.kiln = RetirementUnit.objects.create(
            campaign=self.campaign,
            enterprise=self.bearing,
            kind="equipment",
            name="燃煤热处理炉",
            model="RT2-75-9",
            capacity="75 kW",
            count=3,
            deadline=today - dt.timedelta(days=10),
        )
        self.line = RetirementUnit.objects.create(
            campaign=self.campaign,
            enterprise=self.bearing,
            kind="line",
            name="冲压生产线",
            count=1,
            deadline=today + dt.timedelta(days=30),
        )

    def retire(self, unit: RetirementUnit) -> RetirementUnit:
        do_record_dismantling(actor=SYSTEM, unit=unit, note="已拆除并切割", proof=photo_upload())
        return do_close_unit(actor=SYSTEM, unit=unit)

    def test_it_closes_out_only_on_proof_and_counts_what_the_city_reports(self) -> None:
        with self.assertRaises(CampaignRefused):
            do_close_unit(actor=SYSTEM, unit=self.kiln)
        with self.assertRaises(CampaignRefused):
            do_record_dismantling(actor=SYSTEM, unit=self.kiln, note="已拆除", proof=None)
        bad = SimpleUploadedFile("x.txt", b"just text", "text/plain")
        with self.assertRaises(CampaignRefused):
            do_record_dismantling(actor=SYSTEM, unit=self.kiln, note="已拆除", proof=bad)
        self.kiln.refresh_from_db()
        assert self.kiln.status == RetirementUnit.Status.PLANNED
        self.retire(self.kiln)
        totals = retirement_totals(self.campaign, timezone.localdate())
        assert (totals.units, totals.lines, totals.planned_units) == (3, 0, 1)
        # an enterprise is done only when its whole list is closed out
        assert (totals.enterprises, totals.enterprises_started, totals.enterprises_listed) == (
            0,
            1,
            1,
        )
        self.retire(self.line)
        totals = retirement_totals(self.campaign, timezone.localdate())
        assert (totals.enterprises, totals.lines) == (1, 1)

    def test_it_raises_a_revival_alert_that_becomes_a_triggered_visit_on_the_web(self) -> None:
        device = Device.objects.create(
            mn=MN, password_sha256=password_digest("123456"), enterprise=self.bearing
        )
        self.retire(self.kiln)
        do_bind_device(actor=SYSTEM, unit=self.kiln, device=device)
        device.refresh_from_db()
        assert device.body == self.ecology
        session = Session({MN: KnownDevice(device.pk, password_digest("123456"))})
        outcome = session.feed(packet(1))  # carries SB1-RS=1: the equipment reports running
        store_rows(outcome.rows, outcome.devices)
        opened = do_check_alerts(since=timezone.now() - dt.timedelta(days=3650), now=timezone.now())
        alert = Alert.objects.get(kind=Alert.Kind.REVIVED)
        assert opened >= 1 and alert.device == device
        page = self.client_for(self.bob).get(
            reverse("campaigns:campaign_detail", args=[self.campaign.pk])
        )
        self.assertContains(page, "复活")
        escalate = reverse("monitoring:alert_act", args=[alert.pk, "escalate"])
        detail = self.client_for(self.bob).get(reverse("monitoring:alert_detail", args=[alert.pk]))
        items = [i.pk for i in detail.context["items"]]
        assert items, "the ecology bureau offers its published items"
        self.client_for(self.bob).post(
            escalate, {"start": "2027-03-01", "end": "2027-03-12", "items": items[:1]}
        )
        alert.refresh_from_db()
        assert alert.status == "escalated" and Task.objects.filter(kind="triggered").count() == 1

    def test_it_counts_power_above_the_threshold_as_running(self) -> None:
        device = Device.objects.create(
            mn="PWR01", password_sha256=password_digest("x"), enterprise=self.bearing
        )
        self.retire(self.kiln)
        do_bind_device(actor=SYSTEM, unit=self.kiln, device=device)
        now = timezone.now()
        Reading.objects.bulk_create(
            Reading(
                device=device,
                factor="P",
                kind="Rtd",
                value=v,
                data_time=now - dt.timedelta(hours=h),
                received=now,
            )
            for h, v in ((5, 0.2), (3, 0.8), (1, 12.0))
        )
        do_check_alerts(since=now - dt.timedelta(days=1), now=now)
        assert list(Alert.objects.filter(kind="revived").values_list("value", flat=True)) == [12.0]

    def test_it_lets_the_enterprise_prove_and_only_the_lead_body_close_out(self) -> None:
        plan = reverse("campaigns:enterprise_plan", args=[self.campaign.pk, self.bearing.pk])
        assert self.client_for(self.erin).get(plan).status_code == 200
        assert self.client_for(self.frank).get(plan).status_code == 403
        assert self.client_for(self.stranger).get(plan).status_code == 403
        assert (
            self.client_for(self.frank).get(reverse("campaigns:campaign_list")).status_code == 403
        )
        dismantle = reverse("campaigns:unit_act", args=[self.kiln.pk, "dismantle"])
        assert (
            self.client_for(self.frank)
            .post(dismantle, {"note": "x", "proof": photo_upload()})
            .status_code
            == 403
        )
        self.client_for(self.erin).post(
            dismantle, {"note": "已拆除，见照片", "proof": photo_upload()}
        )
        close = reverse("campaigns:unit_act", args=[self.kiln.pk, "close"])
        assert self.client_for(self.erin).post(close).status_code == 403
        assert self.client_for(self.alice).post(close).status_code == 403
        self.client_for(self.bob).post(close)
        self.kiln.refresh_from_db()
        assert self.kiln.status == RetirementUnit.Status.CLOSED
        assert (
            self.client_for(self.supervisor)
            .get(reverse("campaigns:campaign_detail", args=[self.campaign.pk]))
            .status_code
            == 200
        )


class FloodCampaignTest(PlanningCase):
    """防汛检查: supervision groups check sites that are not enterprises, unannounced; problems
    go into the campaign's ledger with the responsible unit, and close out there."""

    def setUp(self) -> None:
        from onevisit.campaigns.models import SitePoint, SiteType, SupervisionGroup, Target
        from onevisit.registry.models import Inspector

        today = timezone.localdate()
        self.campaign = Campaign.objects.create(
            name="汛期防汛安全检查",
            kind=Campaign.Kind.FLOOD,
            lead_body=self.market,
            starts=today - dt.timedelta(days=30),
            ends=today + dt.timedelta(days=60),
            unannounced=True,
        )
        self.group = SupervisionGroup.objects.create(campaign=self.campaign, name="第一督导组")
        self.group.members.set(Inspector.objects.filter(user=self.ivan))
        site_type = SiteType.objects.create(campaign=self.campaign, name="在建建筑工地")
        self.points = [
            SitePoint.objects.create(site_type=site_type, number=n, content=c)
            for n, c in enumerate(["防汛预案", "排水设施", "临时用电"], start=1)
        ]
        self.site = Target.objects.create(
            campaign=self.campaign,
            name="东昌湖畔住宅项目",
            site_type=site_type,
            responsible_unit="聊城某建设集团",
            responsible_person="项目经理 张工",
            group=self.group,
        )

    def form(self, **overrides: str) -> dict[str, str]:
        data = {"group": str(self.group.pk), **{f"outcome-{p.pk}": "ok" for p in self.points}}
        data.update(overrides)
        return data

    def test_it_puts_a_sites_problems_in_the_campaign_ledger(self) -> None:
        from onevisit.rectification.models import Rectification

        url = reverse("campaigns:target_check", args=[self.site.pk])
        drain = self.points[1].pk
        self.client_for(self.ivan).post(url, self.form(**{f"outcome-{drain}": "problem"}))
        assert not Rectification.objects.exists()  # a problem without a description is refused
        self.client_for(self.ivan).post(
            url, self.form(**{f"outcome-{drain}": "problem", f"problem-{drain}": "排水沟堵塞"})
        )
        rect = Rectification.objects.get()
        assert rect.campaign == "汛期防汛安全检查" and rect.enterprise is None
        assert rect.unit_name == "聊城某建设集团" and rect.responsible == "项目经理 张工"
        assert "排水沟堵塞" in rect.problem
        page = self.client_for(self.alice).get(
            reverse("campaigns:campaign_detail", args=[self.campaign.pk])
        )
        assert page.context["problems"]["found"] == 1
        ledger = self.client_for(self.alice).get(
            reverse("rectification:ledger"), {"show": "all", "campaign": "汛期防汛安全检查"}
        )
        self.assertContains(ledger, "聊城某建设集团")

    def test_it_refuses_a_check_outside_the_campaigns_dates(self) -> None:
        from onevisit.campaigns.actions import CampaignRefused, SiteFinding, do_record_site_check

        after = timezone.now() + dt.timedelta(days=61)
        with self.assertRaisesMessage(CampaignRefused, str(self.campaign.ends)):
            do_record_site_check(
                actor=Actor.system("test"),
                target=self.site,
                group=self.group,
                by=self.ivan,
                findings=[SiteFinding(p, "ok") for p in self.points],
                entered_at=after,
            )
        assert not self.site.checks.exists()

    def test_it_lets_only_the_groups_and_the_lead_body_check(self) -> None:
        url = reverse("campaigns:target_check", args=[self.site.pk])
        for user in (self.bob, self.erin, self.stranger):
            assert self.client_for(user).post(url, self.form()).status_code in {403, 404}
        assert self.client_for(self.alice).post(url, self.form()).status_code == 302
        assert self.site.checks.count() == 1
