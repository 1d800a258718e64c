"""经营范围自主公示: the catalogue is imported with a row-error report; a district proposes regional
entries that market regulation publishes or returns; an enterprise publishes its scope, every
version kept, and anyone looks it up; a licensed entry makes its approving body's items apply
(谁审批谁监管)."""

from __future__ import annotations

import datetime as dt
import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from onevisit.accounts.models import Role, User
from onevisit.audit.actions import Actor
from onevisit.draws.actions import do_create_draw
from onevisit.inspections.tests.base import publish_item
from onevisit.operations.importers import run_import
from onevisit.planning.models import Tier
from onevisit.planning.queries import scope_of
from onevisit.registry.models import Body, District
from onevisit.scope.actions import (
    Proposal,
    ScopeRefused,
    do_propose_entry,
    do_publish_scope,
    do_review_entry,
)
from onevisit.scope.models import Entry, Version
from onevisit.sortition import DrawError
from onevisit.testing import PersonaTestCase, make_user
from onevisit.versions.actions import versions_of

SYSTEM = Actor.system("test")
HEADER = ["条目代码", "规范表述", "行业代码", "类型", "审批部门"]


def workbook(rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class ScopeCase(PersonaTestCase):
    county: Body
    dora: User
    metal: Entry
    waste: Entry

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        linqing = District.objects.get(code="371581")
        cls.county = Body.objects.create(
            name="临清市市场监督管理局",
            code="LQ-SCJG",
            kind="administrative",
            level="county",
            district=linqing,
            published=True,
        )
        cls.dora = make_user("dora", role=Role.BODY_ADMIN, body=cls.county)
        cls.metal = Entry.objects.create(
            code="1051640001", wording="金属材料销售", industry_code="F5164"
        )
        cls.waste = Entry.objects.create(
            code="2077020001",
            wording="危险废物经营",
            industry_code="N7724",
            licensed=True,
            approving_body=cls.ecology,
        )


class CatalogueImportTest(ScopeCase):
    def test_it_imports_the_catalogue_and_rejects_a_file_with_bad_rows(self) -> None:
        bad = workbook(
            [
                ["1051640002", "有色金属合金销售", "5164", "一般", ""],
                ["1034000001", "某某制造", "3400", "一般", ""],
                ["2077020002", "危险化学品经营", "5166", "许可", ""],
                ["1051640003", "金属制品销售", "5164", "普通", ""],
            ]
        )
        report = run_import("scope", bad, "条目.xlsx", actor=SYSTEM, dry_run=False)
        assert [e.row for e in report.errors] == [3, 4, 5]
        assert not Entry.objects.filter(code="1051640002").exists()
        good = workbook(
            [
                ["1051640002", "有色金属合金销售", "5164", "一般", ""],
                ["2077020002", "危险化学品经营", "F5166", "许可", self.market.code],
                ["1051640001", "金属材料销售", "5164", "一般", ""],
            ]
        )
        report = run_import("scope", good, "条目.xlsx", actor=SYSTEM, dry_run=False)
        assert (report.created, report.updated, report.unchanged) == (2, 0, 1)
        licensed = Entry.objects.get(code="2077020002")
        assert licensed.licensed and licensed.approving_body == self.market
        assert licensed.industry_code == "F5166"


class RegionalEntryTest(ScopeCase):
    def test_it_is_proposed_by_the_district_and_published_or_returned_by_market_regulation(
        self,
    ) -> None:
        entry = do_propose_entry(
            actor=SYSTEM,
            by=self.dora,
            district=self.county.district,
            proposal=Proposal(
                "有色金属压延销售",
                "5164",
                False,
                None,
                "开发区金属加工企业集中，标准条目无对应表述",
            ),
        )
        assert entry.status == Entry.Status.PROPOSED and entry.code == "QY371581001"
        review = reverse("scope:review", args=[entry.pk])
        for user in (self.dora, self.bob, self.erin, self.supervisor):
            assert self.client_for(user).post(review, {"decision": "publish"}).status_code == 403
        with self.assertRaises(ScopeRefused):
            do_review_entry(actor=SYSTEM, by=self.alice, entry=entry, publish=False, note="")
        self.client_for(self.alice).post(review, {"decision": "publish"})
        entry.refresh_from_db()
        assert entry.status == Entry.Status.PUBLISHED
        with self.assertRaises(ScopeRefused):
            do_propose_entry(
                actor=SYSTEM,
                by=self.dora,
                district=self.county.district,
                proposal=Proposal("有色金属压延销售", "3400", False, None, "重复"),
            )

    def test_it_keeps_what_was_typed_when_a_proposal_is_refused(self) -> None:
        response = self.client_for(self.dora).post(
            reverse("scope:propose"),
            {
                "wording": "有色金属压延销售",
                "industry": "99999",
                "justification": "金属加工企业集中",
            },
        )
        assert response.status_code == 422 and not Entry.objects.filter(regional=True).exists()
        page = response.content.decode()
        assert 'value="有色金属压延销售"' in page and "加工企业集中</textarea>" in page

    def test_it_revises_a_returned_entry_as_the_same_entry_with_its_history(self) -> None:
        entry = do_propose_entry(
            actor=SYSTEM,
            by=self.dora,
            district=self.county.district,
            proposal=Proposal("有色金属压延", "5164", False, None, "金属加工企业集中"),
        )
        review = reverse("scope:review", args=[entry.pk])
        self.client_for(self.alice).post(review, {"decision": "return", "note": "请写明“销售”"})
        revised = {
            "entry": entry.pk,
            "wording": "有色金属压延销售",
            "industry": "5164",
            "justification": "金属加工企业集中，标准条目无对应表述",
        }
        response = self.client_for(self.dora).post(reverse("scope:propose"), revised)
        assert response.status_code == 302
        entry.refresh_from_db()
        assert (entry.code, entry.wording, entry.status) == (
            "QY371581001",
            "有色金属压延销售",
            "proposed",
        )
        self.client_for(self.alice).post(review, {"decision": "publish"})
        history = versions_of(entry)
        assert [(v.kind, v.state) for v in history] == [
            ("proposal", "superseded"),
            ("proposal", "superseded"),
            ("publication", "current"),
        ]
        assert "请写明“销售”" in history[0].end_reason
        assert history[0].snapshot["wording"] == "有色金属压延"
        page = self.client_for(self.dora).get(reverse("scope:regional")).content.decode()
        assert "有色金属压延" in page and "请写明“销售”" in page

    def test_it_offers_a_regional_entry_only_to_its_district(self) -> None:
        entry = Entry.objects.create(
            code="QY371581001",
            wording="有色金属压延销售",
            industry_code="F5164",
            regional=True,
            district=self.county.district,
        )
        do_publish_scope(actor=SYSTEM, by=self.erin, enterprise=self.bearing, entries=[entry])
        with self.assertRaisesMessage(ScopeRefused, "有色金属压延销售"):
            do_publish_scope(actor=SYSTEM, by=self.frank, enterprise=self.cable, entries=[entry])


class SelfPublicationTest(ScopeCase):
    def test_it_keeps_every_version_and_shows_the_current_one_to_anyone(self) -> None:
        client = self.client_for(self.erin)
        client.post(reverse("scope:mine"), {"entries": [self.metal.pk]})
        client.post(
            reverse("scope:mine"),
            {"entries": [self.metal.pk, self.waste.pk], "characteristic": [self.metal.pk]},
        )
        versions = list(Version.objects.filter(enterprise=self.bearing).order_by("number"))
        assert [(v.number, v.current) for v in versions] == [(1, False), (2, True)]
        assert versions[0].lines.count() == 1 and versions[1].lines.count() == 2
        public = self.client_for(None)
        found = public.get(reverse("scope:lookup"), {"q": "鑫源"}).content.decode()
        assert self.bearing.uscc in found
        page = public.get(reverse("scope:published", args=[self.bearing.uscc])).content.decode()
        current = page.split('id="scope"')[1].split("</ul>")[0]
        assert "金属材料销售" in current and "危险废物经营" in current and "自主标识" in current
        assert self.client_for(None).get(reverse("scope:mine")).status_code == 302
        assert self.client_for(self.alice).get(reverse("scope:mine")).status_code == 403

    def test_it_refuses_an_empty_scope(self) -> None:
        with self.assertRaises(ScopeRefused):
            do_publish_scope(actor=SYSTEM, by=self.erin, enterprise=self.bearing, entries=[])


class ApprovingBodySupervisesTest(ScopeCase):
    def test_it_makes_the_approving_bodys_items_apply_through_a_licensed_entry(self) -> None:
        item = publish_item(self.ecology, "STHJ-009", [("危险废物转移联单", "")])
        item.industries = "N77"
        item.save(update_fields=["industries"])
        assert self.bearing not in scope_of(self.ecology)
        new_visit = reverse("inspections:visit_new") + f"?uscc={self.bearing.uscc}"
        assert "STHJ-009" not in self.client_for(self.bob).get(new_visit).content.decode()

        do_publish_scope(
            actor=SYSTEM, by=self.erin, enterprise=self.bearing, entries=[self.metal, self.waste]
        )
        assert self.bearing in scope_of(self.ecology)
        assert Tier.objects.filter(enterprise=self.bearing, body=self.ecology).exists()
        assert "STHJ-009" in self.client_for(self.bob).get(new_visit).content.decode()

    def test_it_puts_the_enterprise_in_the_approving_bodys_random_draw_pool(self) -> None:
        item = publish_item(self.ecology, "STHJ-009", [("危险废物转移联单", "")])
        item.industries = "N77"
        item.save(update_fields=["industries"])
        Tier.objects.create(
            enterprise=self.bearing,
            body=self.ecology,
            computed_level="green",
            score=0,
            computed_at=timezone.now(),
        )

        def pool() -> list[str]:
            return list(
                do_create_draw(
                    actor=SYSTEM,
                    by=self.bob,
                    body=self.ecology,
                    fields={
                        "title": "危险废物经营单位双随机抽查",
                        "ratio": "1",
                        "seed_source": "福彩双色球",
                        "seed_known_after": timezone.now() + dt.timedelta(days=1),
                        "window_start": timezone.localdate(),
                        "window_end": timezone.localdate() + dt.timedelta(days=60),
                    },
                    items=[item],
                ).pool
            )

        with self.assertRaises(DrawError):  # N77 applies to no one: the pool is empty
            pool()
        do_publish_scope(actor=SYSTEM, by=self.erin, enterprise=self.bearing, entries=[self.waste])
        Tier.objects.filter(enterprise=self.bearing, body=self.ecology).update(
            computed_level="green", override_level=""
        )
        assert pool() == [self.bearing.uscc]


class ListQueryTest(ScopeCase):
    def test_it_shows_the_catalogue_in_queries_that_do_not_grow(self) -> None:
        client = self.client_for(None)
        url = reverse("scope:catalogue")
        with CaptureQueriesContext(connection) as before:
            client.get(url)
        for n in range(5):
            Entry.objects.create(
                code=f"9{n}",
                wording=f"许可条目 {n}",
                industry_code="F5164",
                licensed=True,
                approving_body=self.market,
            )
        with CaptureQueriesContext(connection) as after:
            client.get(url)
        assert len(after) == len(before)
