"""Item lists: versions, 清单之外无检查, the public list, editing rights, Excel round trip."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from onevisit.audit.actions import Actor
from onevisit.catalog.actions import (
    PointFields,
    do_create_item,
    do_publish_item,
    do_revise_item,
    do_withdraw_item,
)
from onevisit.catalog.imports import import_items
from onevisit.catalog.models import Item, ItemNotPublished
from onevisit.planning.actions import do_create_task
from onevisit.planning.models import Kind, TaskItem
from onevisit.planning.queries import applicable_items
from onevisit.registry.models import Body
from onevisit.testing import PersonaTestCase

ACTOR = Actor.system("test")
TODAY_2027 = dt.date(2027, 3, 1)
POINTS = [
    PointFields(
        "食品经营许可证在有效期内", "许可证载明项目与实际一致", "查看证照", "到期前申请延续"
    ),
    PointFields("从业人员健康证明", "持有效健康证明", "抽查", "组织体检"),
]


def food_item(body: Body, code: str = "SCJG-001", publish: bool = True) -> Item:
    item = do_create_item(
        actor=ACTOR,
        body=body,
        fields={
            "code": code,
            "name": "食品经营许可及食品安全管理检查",
            "legal_basis": "《中华人民共和国食品安全法》第三十五条",
            "industries": "F52,H62",
        },
        points=POINTS,
    )
    return do_publish_item(actor=ACTOR, item=item) if publish else item


class ItemVersionTest(PersonaTestCase):
    def test_it_publishes_a_revision_and_withdraws_the_previous_version(self) -> None:
        first = food_item(self.market)
        draft = do_revise_item(actor=ACTOR, item=first)
        assert (draft.version, draft.status, draft.points.count()) == (2, "draft", 2)
        assert do_revise_item(actor=ACTOR, item=first) == draft  # one draft at a time
        do_publish_item(actor=ACTOR, item=draft)
        first.refresh_from_db()
        assert first.status == Item.Status.WITHDRAWN
        assert list(Item.objects.published().values_list("version", flat=True)) == [2]

    def test_it_makes_a_draft_only_on_the_revise_button_never_on_opening_an_address(self) -> None:
        from django.urls import reverse

        first = food_item(self.market)
        client = self.client_for(self.alice)
        response = client.get(reverse("catalog:item_edit", args=[first.pk]))
        assert response.status_code == 302
        assert response["Location"] == reverse("catalog:item_detail", args=[first.pk])
        assert Item.objects.filter(code=first.code).count() == 1
        client.post(reverse("catalog:item_transition", args=[first.pk, "revise"]))
        assert Item.objects.filter(code=first.code, status=Item.Status.DRAFT).count() == 1

    def test_it_never_plans_or_checks_an_item_that_is_not_published(self) -> None:
        draft = food_item(self.market, publish=False)
        with pytest.raises(ItemNotPublished):
            do_create_task(
                actor=ACTOR,
                enterprise=self.bearing,
                body=self.market,
                kind=Kind.ROUTINE,
                start=TODAY_2027,
                end=TODAY_2027,
                items=[draft],
            )
        published = food_item(self.market, code="SCJG-002")
        task = do_create_task(
            actor=ACTOR,
            enterprise=self.bearing,
            body=self.market,
            kind=Kind.ROUTINE,
            start=TODAY_2027,
            end=TODAY_2027,
            items=[published],
        )
        do_withdraw_item(actor=ACTOR, item=published, reason="法规修订")
        published.refresh_from_db()
        with pytest.raises(ItemNotPublished):
            TaskItem(task=task, item=published).save()

    def test_it_refuses_to_publish_an_item_without_check_points(self) -> None:
        item = do_create_item(
            actor=ACTOR,
            body=self.market,
            fields={"code": "X", "name": "空事项", "legal_basis": "某法"},
            points=[],
        )
        with pytest.raises(ValueError, match="检查点"):
            do_publish_item(actor=ACTOR, item=item)


class PublicListTest(PersonaTestCase):
    def test_it_lists_published_items_to_anyone_and_hides_drafts(self) -> None:
        food_item(self.market)
        food_item(self.ecology, code="STHJ-DRAFT", publish=False)
        response = self.client_for(None).get(reverse("catalog:item_list"), {"q": "食品"})
        page = response.content.decode()
        assert response.status_code == 200
        assert "食品经营许可及食品安全管理检查" in page
        assert "STHJ-DRAFT" not in page
        draft = Item.objects.get(code="STHJ-DRAFT")
        assert (
            self.client_for(None).get(reverse("catalog:item_detail", args=[draft.pk])).status_code
            == 404
        )
        assert (
            self.client_for(self.bob)
            .get(reverse("catalog:item_detail", args=[draft.pk]))
            .status_code
            == 200
        )
        assert (
            self.client_for(self.alice)
            .get(reverse("catalog:item_detail", args=[draft.pk]))
            .status_code
            == 404
        )

    def test_it_keeps_the_list_page_to_a_fixed_number_of_queries(self) -> None:
        for n in range(12):
            food_item(self.market, code=f"SCJG-{n:03d}")
        client = self.client_for(None)
        with self.assertNumQueries(2):
            client.get(reverse("catalog:item_list"))

    def test_it_lets_only_the_bodys_own_admin_edit_and_publish(self) -> None:
        draft = food_item(self.market, publish=False)
        url = reverse("catalog:item_transition", args=[draft.pk, "publish"])
        for user in (self.bob, self.ivan, self.erin, self.supervisor, self.stranger):
            assert self.client_for(user).post(url).status_code in (403, 404), user
        assert self.client_for(None).post(url).status_code == 302  # to the login page
        assert self.client_for(self.alice).post(url).status_code == 302
        draft.refresh_from_db()
        assert draft.is_published

    def test_it_creates_a_draft_from_the_form(self) -> None:
        data = {
            "code": "SCJG-009",
            "name": "计量器具检查",
            "legal_basis": "《计量法》第九条",
            "responsible": "计量科",
            "industries": "f52, c",
            "recognition_days": "180",
            "points-TOTAL_FORMS": "2",
            "points-INITIAL_FORMS": "0",
            "points-0-content": "强制检定计量器具",
            "points-0-standard": "按期检定",
            "points-0-method": "查看检定证书",
            "points-0-guidance": "送检",
        }
        response = self.client_for(self.alice).post(reverse("catalog:item_create"), data)
        assert response.status_code == 302
        item = Item.objects.get(code="SCJG-009")
        assert (item.status, item.industries, item.points.count()) == ("draft", "F52,C", 1)

    def test_it_checks_targeted_industries_against_the_table_at_any_level(self) -> None:
        data = {
            "code": "SCJG-010",
            "name": "轴承产品质量检查",
            "legal_basis": "《产品质量法》第十五条",
            "industries": "3451, 3400",
            "recognition_days": "180",
            "points-TOTAL_FORMS": "1",
            "points-INITIAL_FORMS": "0",
            "points-0-content": "出厂检验记录",
            "points-0-standard": "逐批检验",
            "points-0-method": "查看记录",
        }
        url = reverse("catalog:item_create")
        page = self.client_for(self.alice).post(url, data).content.decode()
        assert "3400" in page and not Item.objects.filter(code="SCJG-010").exists()
        self.client_for(self.alice).post(url, {**data, "industries": "3451"})
        item = Item.objects.get(code="SCJG-010")
        assert item.industries == "C3451"  # with its section, as enterprises' codes are matched
        assert list(Item.objects.for_industry("C3451")) == [item]
        assert applicable_items([item], "C3451") == [item]
        assert applicable_items([item], "C3452") == []


class ItemExcelTest(PersonaTestCase):
    def export(self) -> bytes:
        response = self.client_for(None).get(reverse("catalog:item_list"), {"format": "xlsx"})
        assert response.status_code == 200
        return response.content

    def test_it_round_trips_the_export_and_versions_a_changed_item(self) -> None:
        food_item(self.market)
        data = self.export()
        report = import_items(data, "items.xlsx", actor=ACTOR)
        assert (report.ok, report.unchanged, report.created, report.updated) == (True, 1, 0, 0)

        book = load_workbook(io.BytesIO(data))
        sheet = book.active
        assert sheet is not None
        sheet.cell(row=2, column=12).value = "食品经营许可证在有效期内并公示"
        buffer = io.BytesIO()
        book.save(buffer)
        report = import_items(buffer.getvalue(), "items.xlsx", actor=ACTOR)
        assert (report.ok, report.updated) == (True, 1)
        current = Item.objects.published().get(code="SCJG-001")
        assert current.version == 2
        assert current.points.first().content == "食品经营许可证在有效期内并公示"  # type: ignore[union-attr]

    def test_it_rejects_a_file_with_bad_rows_and_changes_nothing(self) -> None:
        rows = "\n".join(
            [
                "主体编码,事项编码,事项名称,设定依据,检查内容,检查标准,检查方法",
                "LC-SCJG,A-1,特种设备检查,特种设备安全法,使用登记,已登记,查看",
                "LC-NOPE,A-2,某检查,某法,内容,标准,方法",
                "LC-SCJG,A-1,特种设备检查（改名）,特种设备安全法,定期检验,合格,查看",
                "LC-SCJG,A-3,,某法,内容,标准,方法",
            ]
        )
        report = import_items(rows.encode(), "items.csv", actor=ACTOR)
        assert not report.ok
        assert [e.row for e in report.errors] == [3, 4, 5]
        assert not Item.objects.exists()

    def test_it_limits_a_department_admin_to_its_own_items(self) -> None:
        rows = (
            "主体编码,事项编码,事项名称,设定依据,检查内容,检查标准,检查方法\n"
            "LC-STHJ,B-1,排污检查,条例,内容,标准,方法"
        )
        report = import_items(rows.encode(), "items.csv", actor=ACTOR, only_body=self.market)
        assert not report.ok
        assert [e.row for e in report.errors] == [2]
