"""Shared set-up for the visit tests: two bodies with a point they share, open tasks for
聊城鑫源轴承 (Erin's enterprise), and a second certified inspector of 市场监管 (Ma Li)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from onevisit.audit.actions import Actor
from onevisit.catalog.actions import PointFields, do_create_item, do_publish_item
from onevisit.catalog.models import Item
from onevisit.inspections.actions import Registration, do_check_in, do_register_visit
from onevisit.inspections.models import Visit
from onevisit.planning.actions import do_create_task
from onevisit.planning.models import Kind, Task
from onevisit.registry.models import Body, District, Enterprise, Inspector
from onevisit.testing import PersonaTestCase, make_user

SYSTEM = Actor.system("test")


def publish_item(body: Body, code: str, points: list[tuple[str, str]]) -> Item:
    item = do_create_item(
        actor=SYSTEM,
        body=body,
        fields={"code": code, "name": f"{code} 检查", "legal_basis": f"{code} 依据第一条"},
        points=[
            PointFields(content, "按标准", "现场检查", "按指引整改", topic=topic)
            for content, topic in points
        ],
    )
    do_publish_item(actor=SYSTEM, item=item)
    return item


def jpeg(size: tuple[int, int] = (8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="JPEG")
    return buffer.getvalue()


def photo_upload(name: str = "p.jpg", data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data if data is not None else jpeg(), "image/jpeg")


def certificates(visit: Visit) -> dict[int, str]:
    """Each team member's own certificate number, as they type it to confirm the record."""
    return {i.pk: i.certificate_number for i in visit.inspectors.all()}


class VisitTestCase(PersonaTestCase):
    mali: Inspector
    baiwen: Inspector
    market_item: Item
    ecology_item: Item
    market_task: Task
    ecology_task: Task

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        today = timezone.localdate()
        mali_user = make_user("mali", role="inspector", body=cls.market)
        cls.mali = Inspector.objects.create(
            user=mali_user,
            name="马力",
            body=cls.market,
            certificate_number="37152023000003",
            certificate_valid_from=today - dt.timedelta(days=365),
            certificate_valid_until=today + dt.timedelta(days=365),
        )
        linqing = District.objects.get(code="371581")
        cls.mali.districts.set([linqing])
        cls.baiwen = Inspector.objects.get(certificate_number="37152023000002")
        cls.baiwen.districts.add(linqing)
        cls.market_item = publish_item(
            cls.market,
            "SCJG-002",
            [("特种设备使用登记", ""), ("作业人员持证", "special-operators"), ("维护保养记录", "")],
        )
        cls.ecology_item = publish_item(
            cls.ecology,
            "STHJ-002",
            [("治理设施正常运行", ""), ("特种作业人员持证", "special-operators")],
        )
        cls.market_task = cls.task(cls.market, cls.market_item, cls.bearing)
        cls.ecology_task = cls.task(cls.ecology, cls.ecology_item, cls.bearing)

    @staticmethod
    def task(
        body: Body, item: Item, enterprise: Enterprise, kind: str = Kind.DEPLOYED, days: int = 60
    ) -> Task:
        today = timezone.localdate()
        return do_create_task(
            actor=SYSTEM,
            enterprise=enterprise,
            body=body,
            kind=kind,
            start=today - dt.timedelta(days=5),
            end=today + dt.timedelta(days=days),
            items=[item],
            cause="省厅部署" if kind != Kind.ROUTINE else "",
        )

    def register(self, **overrides: Any) -> Visit:
        fields: dict[str, Any] = {
            "enterprise": self.bearing,
            "lead_body": self.market,
            "date": timezone.localdate(),
            "inspectors": [self.ivan_inspector, self.mali],
            "tasks": [self.market_task],
        }
        fields.update(overrides)
        return do_register_visit(actor=SYSTEM, by=self.alice, reg=Registration(**fields))

    def county_market(self) -> tuple[Task, list[Inspector]]:
        """临清市市场监督管理局 with the city's item SCJG-002 and a task for the bearing works."""
        linqing = District.objects.get(code="371581")
        county = Body.objects.create(
            name="临清市市场监督管理局",
            code="LQ-SCJG",
            kind="administrative",
            level="county",
            district=linqing,
            published=True,
        )
        team = []
        for n in (1, 2):
            inspector = Inspector.objects.create(
                name=f"临清检查员{n}",
                body=county,
                certificate_number=f"3715812300030{n}",
                certificate_valid_from=timezone.localdate() - dt.timedelta(days=30),
                certificate_valid_until=timezone.localdate() + dt.timedelta(days=900),
            )
            inspector.districts.set([linqing])
            team.append(inspector)
        item = publish_item(county, self.market_item.code, [("特种设备使用登记", "")])
        return self.task(county, item, self.bearing), team

    def joint_visit(self) -> Visit:
        return self.register(
            tasks=[self.market_task, self.ecology_task],
            inspectors=[self.ivan_inspector, self.mali, self.baiwen],
        )

    def on_site(self, visit: Visit) -> Visit:
        return do_check_in(actor=SYSTEM, visit=visit, by=self.ivan, uscc=self.bearing.uscc)
