"""A device's readings as an Excel workbook: one row per data time, one column per factor,
folded hours as their means; only for those who see the enterprise; bad windows explained."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from unittest import mock
from urllib.parse import quote

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from onevisit.monitoring.models import Device, HourlyReading, Reading, password_digest
from onevisit.testing import PersonaTestCase

DAY = dt.date(2026, 11, 2)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


class ReadingsExportTest(PersonaTestCase):
    device: Device

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.device = Device.objects.create(
            mn="88888880000001",
            password_sha256=password_digest("123456"),
            enterprise=cls.bearing,
            body=cls.ecology,
            equipment_unit="2#锅炉",
        )
        raw = [
            ("w01018", "Rtd", at(DAY, 10, 0), 10.5, "N"),
            ("w21003", "Rtd", at(DAY, 10, 0), 1.2, "N"),
            ("w01018", "Rtd", at(DAY, 10, 10), 11.5, "D"),
            ("w01018", "Rtd", at(DAY + dt.timedelta(days=3), 9, 0), 99.0, "N"),  # outside
        ]
        Reading.objects.bulk_create(
            Reading(device=cls.device, factor=f, kind=k, data_time=t, value=v, flag=g, received=t)
            for f, k, t, v, g in raw
        )
        HourlyReading.objects.create(
            device=cls.device,
            factor="w01018",
            kind="Rtd",
            hour=at(DAY - dt.timedelta(days=1), 8),
            count=6,
            mean=9.0,
            low=8.0,
            high=10.0,
        )

    def export(self, user: Any, start: dt.date, end: dt.date) -> Any:
        url = reverse("monitoring:device_readings", args=[self.device.pk])
        return self.client_for(user).get(url, {"start": start.isoformat(), "end": end.isoformat()})

    def sheet(self, response: Any) -> list[tuple[Any, ...]]:
        assert response.status_code == 200, response.content.decode()[:500]
        book = load_workbook(io.BytesIO(response.content), read_only=True)
        return list(book.worksheets[0].iter_rows(values_only=True))

    def test_it_writes_one_row_per_data_time_with_the_folded_hours_as_means(self) -> None:
        rows = self.sheet(self.export(self.bob, DAY - dt.timedelta(days=1), DAY))
        assert rows[0] == (
            "数据时间",
            "数据类型",
            "化学需氧量 实时值（mg/L）",
            "氨氮 实时值（mg/L）",
            "异常标记",
        )
        assert rows[1][1:] == ("小时均值", 9, None, None)
        assert rows[2][0] == at(DAY, 10).replace(tzinfo=None)  # local time, as Excel shows it
        assert rows[2][1:] == ("实时数据", 10.5, 1.2, None)
        assert rows[3][1:] == ("实时数据", 11.5, None, "化学需氧量 实时值（mg/L）: D")
        assert len(rows) == 4

    def test_it_names_the_file_so_that_a_browser_keeps_the_chinese_name(self) -> None:
        response = self.export(self.bob, DAY, DAY)
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment; filename*=utf-8''"), disposition
        assert quote(f"在线监测-{self.device.mn}-2026-11-02至2026-11-02") in disposition

    def test_it_lets_the_enterprise_and_officials_export_but_no_other_enterprise(self) -> None:
        for user in (self.erin, self.bob, self.alice, self.supervisor):
            assert len(self.sheet(self.export(user, DAY, DAY))) == 3, user.username
        assert self.export(self.frank, DAY, DAY).status_code == 404
        anonymous = self.client.get(reverse("monitoring:device_readings", args=[self.device.pk]))
        assert anonymous.status_code == 302

    def test_it_explains_a_window_it_cannot_export(self) -> None:
        backwards = self.export(self.bob, DAY, DAY - dt.timedelta(days=1))
        assert backwards.status_code == 400
        assert "结束日期早于开始日期" in backwards.content.decode()
        too_long = self.export(self.bob, DAY - dt.timedelta(days=400), DAY)
        assert "每次最多导出 366 天" in too_long.content.decode()
        empty = self.export(self.bob, DAY - dt.timedelta(days=30), DAY - dt.timedelta(days=20))
        assert empty.status_code == 400
        assert "没有数据" in empty.content.decode()
        with mock.patch("onevisit.monitoring.exports.MAX_ROWS", 1):
            crowded = self.export(self.bob, DAY, DAY)
        assert crowded.status_code == 400
        assert "Excel" in crowded.content.decode()

    def test_it_offers_the_export_under_the_device_s_chart(self) -> None:
        url = reverse("monitoring:enterprise_devices", args=[self.bearing.pk])
        page = self.client_for(self.erin).get(url).content.decode()
        assert reverse("monitoring:device_readings", args=[self.device.pk]) in page
        form = self.client_for(self.erin).get(
            reverse("monitoring:device_readings", args=[self.device.pk])
        )
        assert form.status_code == 200 and 'name="start"' in form.content.decode()
