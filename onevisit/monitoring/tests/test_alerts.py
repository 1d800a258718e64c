"""An alert travels from a packet to an off-site case to a triggered visit, and into the tiers."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from onevisit.monitoring.actions import do_check_alerts
from onevisit.monitoring.models import Alert, Device, Reading, Threshold, password_digest
from onevisit.monitoring.session import KnownDevice, Session
from onevisit.monitoring.store import device_table, store_rows
from onevisit.monitoring.tests.test_receiver import MN, packet
from onevisit.planning.actions import do_recompute_tiers
from onevisit.planning.models import Task, Tier
from onevisit.planning.tests.test_planning import PlanningCase


class AlertTest(PlanningCase):
    def setUp(self) -> None:
        self.device = Device.objects.create(
            mn=MN,
            password_sha256=password_digest("123456"),
            enterprise=self.bearing,
            body=self.ecology,
            equipment_unit="2#锅炉",
        )
        Threshold.objects.create(device=self.device, factor="w01018", upper=12)

    def receive(self, *numbers: int) -> None:
        session = Session({MN: KnownDevice(self.device.pk, password_digest("123456"))})
        outcome = session.feed(b"".join(packet(n) for n in numbers))
        store_rows(outcome.rows, outcome.devices)

    def test_it_opens_one_case_per_hour_beyond_the_limit_and_one_when_a_device_falls_silent(
        self,
    ) -> None:
        self.receive(0, 1, 2, 3)  # w01018 = 10.5, 11.5, 12.5, 13.5 in the same hour
        since = timezone.now() - dt.timedelta(days=3650)
        assert do_check_alerts(since=since, now=timezone.now()) == 1
        alert = Alert.objects.get()
        assert (alert.kind, alert.value, alert.limit) == ("exceeded", 12.5, 12)
        assert do_check_alerts(since=since, now=timezone.now()) == 0
        later = timezone.now() + dt.timedelta(hours=3)
        assert do_check_alerts(since=later, now=later) == 1
        assert Alert.objects.filter(kind="silent").count() == 1

    def test_it_flags_implausible_values_and_flat_lines(self) -> None:
        Threshold.objects.filter(device=self.device).update(
            upper=1000, plausible_low=0, plausible_high=500, flat_readings=3
        )
        now = timezone.now()
        values = [-1.0, 7.0, 7.0, 7.0, 7.0, 900.0]
        Reading.objects.bulk_create(
            Reading(
                device=self.device,
                factor="w01018",
                kind="Rtd",
                value=v,
                received=now,
                data_time=now - dt.timedelta(hours=10 - n),
            )
            for n, v in enumerate(values)
        )
        do_check_alerts(since=now - dt.timedelta(days=1), now=now)
        kinds = sorted(Alert.objects.values_list("kind", "value"))
        assert kinds == [("flat", 7.0), ("implausible", -1.0), ("implausible", 900.0)]

    def test_it_goes_from_packet_to_case_to_triggered_visit_on_the_web(self) -> None:
        self.receive(0, 5)
        do_check_alerts(since=timezone.now() - dt.timedelta(days=3650), now=timezone.now())
        alert = Alert.objects.get(kind="exceeded")
        explain = reverse("monitoring:alert_act", args=[alert.pk, "explain"])
        assert self.client_for(self.frank).post(explain, {"text": "x"}).status_code == 404
        self.client_for(self.erin).post(explain, {"text": "检修期间旁路，已附检修记录"})
        alert.refresh_from_db()
        assert alert.status == "explained"
        escalate = reverse("monitoring:alert_act", args=[alert.pk, "escalate"])
        data = {"start": "2027-03-01", "end": "2027-03-12", "items": [self.waste.pk]}
        assert self.client_for(self.alice).post(escalate, data).status_code == 404
        assert self.client_for(self.erin).post(escalate, data).status_code == 403
        self.client_for(self.bob).post(escalate, data)
        alert.refresh_from_db()
        task = Task.objects.get(kind="triggered")
        assert alert.status == "escalated" and alert.task == task
        assert task.body == self.ecology and f"在线监测预警 #{alert.pk}" in task.cause
        assert f"{timezone.localtime(alert.data_time):%Y-%m-%d %H:%M}" in task.cause  # Beijing
        assert list(task.items.all()) == [self.waste]
        page = (
            self.client_for(self.erin)
            .get(reverse("monitoring:alert_list"), {"status": "escalated"})
            .content.decode()
        )
        assert "聊城鑫源轴承有限公司" in page

    def test_it_lets_the_body_choose_any_of_its_items_and_closes_only_with_a_note(self) -> None:
        self.receive(0, 5)
        do_check_alerts(since=timezone.now() - dt.timedelta(days=3650), now=timezone.now())
        alert = Alert.objects.get(kind="exceeded")
        bob = self.client_for(self.bob)
        page = bob.get(reverse("monitoring:alert_detail", args=[alert.pk]))
        assert page.context["chosen"] == {self.waste.pk}  # the fitting item, offered first
        escalate = reverse("monitoring:alert_act", args=[alert.pk, "escalate"])
        refused = bob.post(escalate, {"start": "2027-03-01", "end": "2027-03-12"})
        self.assertContains(refused, "至少选择", status_code=422)
        self.assertContains(refused, 'class="error"', status_code=422)
        close = reverse("monitoring:alert_act", args=[alert.pk, "close"])
        refused = bob.post(close, {"note": " "})
        assert refused.status_code == 422
        alert.refresh_from_db()
        assert alert.status == "open"
        bob.post(close, {"note": "企业提供检修记录，数据已恢复正常"})
        alert.refresh_from_db()
        assert alert.status == "closed" and alert.closing_note == "企业提供检修记录，数据已恢复正常"

    def test_it_counts_alerts_in_the_bodys_risk_tiers(self) -> None:
        do_recompute_tiers(self.ecology)
        before = Tier.objects.get(enterprise=self.bearing, body=self.ecology).score
        self.receive(0, 3)
        do_check_alerts(since=timezone.now() - dt.timedelta(days=3650), now=timezone.now())
        do_recompute_tiers(self.ecology)
        tier = Tier.objects.get(enterprise=self.bearing, body=self.ecology)
        assert tier.score == before + 5
        assert {"code": "alerts", "detail": "", "count": 1, "points": 5} in tier.factors


class Alert2025Test(PlanningCase):
    def test_it_raises_the_same_alert_from_a_2025_device(self) -> None:
        mn = "010000A8900016F000169DC0"
        device = Device.objects.create(
            mn=mn,
            password_sha256=password_digest("123456"),
            enterprise=self.bearing,
            body=self.ecology,
            protocol_version=2,
        )
        Threshold.objects.create(device=device, factor="w01018", upper=12)
        known = device_table()
        assert known[mn].version == 2
        outcome = Session(known).feed(b"".join(packet(n, mn=mn, flag=9) for n in (0, 1, 2, 3)))
        store_rows(outcome.rows, outcome.devices)
        since = timezone.now() - dt.timedelta(days=3650)
        assert do_check_alerts(since=since, now=timezone.now()) == 1
        alert = Alert.objects.get()
        assert (alert.device, alert.kind, alert.value) == (device, "exceeded", 12.5)
