"""双随机、一公开 on the platform: freeze, publish, seed, draw, verify, tasks — and tampering."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import tempfile
from contextlib import redirect_stdout
from decimal import Decimal
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from onevisit.audit.actions import Actor
from onevisit.catalog.tests.test_items import food_item
from onevisit.draws.actions import do_create_draw, do_run_draw
from onevisit.draws.models import DeclaredRelation, Draw, PoolFrozen
from onevisit.planning.actions import do_recompute_tiers
from onevisit.planning.models import Task
from onevisit.planning.tests.test_planning import PlanningCase
from onevisit.registry.models import District, Inspector
from onevisit.sortition import DrawError
from onevisit.sortition.records import Mismatch, verify_record, without_teams
from onevisit.testing import TODAY
from onevisit.versions.actions import versions_of
from onevisit.versions.models import snapshot_sha256

ACTOR = Actor.system("test")
SEED_TIME = timezone.now() + dt.timedelta(days=2)
LATER = SEED_TIME + dt.timedelta(hours=1)
SOURCES: list[Any] = [[3, 9, 14, 22, 27, 31, 8], 2027015]


class DrawCase(PlanningCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        yanggu = District.objects.get(code="371521")
        linqing = District.objects.get(code="371581")
        Inspector.objects.create(
            name="杨帆",
            body=cls.market,
            certificate_number="37152023000201",
            certificate_valid_from=TODAY - dt.timedelta(days=30),
            certificate_valid_until=TODAY + dt.timedelta(days=900),
        ).districts.set([yanggu, linqing])
        do_recompute_tiers(cls.market)

    def make_draw(self, **extra: Any) -> Draw:
        fields = {
            "title": "2027年食品经营双随机抽查",
            "strata_by": Draw.Strata.DISTRICT,
            "ratio": "0.5",
            "seed_source": "中国福利彩票双色球第2027015期开奖号码",
            "seed_known_after": SEED_TIME,
            "window_start": dt.date(2027, 3, 1),
            "window_end": dt.date(2027, 5, 31),
            **extra,
        }
        return do_create_draw(
            actor=ACTOR, by=self.alice, body=self.market, fields=fields, items=[self.market_item]
        )


class DrawProcessTest(DrawCase):
    def test_it_freezes_the_green_pool_and_never_lets_it_change(self) -> None:
        draw = self.make_draw()
        assert draw.pool == sorted([self.cable.uscc, self.shop.uscc])
        assert draw.strata == {"371521": [self.cable.uscc], "371581": [self.shop.uscc]}
        published = self.client_for(None).get(reverse("draws:draw_pool", args=[draw.pk]))
        assert hashlib.sha256(published.content).hexdigest() == draw.pool_sha256
        draw.pool = [*draw.pool, "91371500MA00000000"]
        with pytest.raises(PoolFrozen):
            draw.save()

    def test_it_draws_only_enterprises_that_an_item_of_the_draw_applies_to(self) -> None:
        retail_only = food_item(self.market, code="SCJG-009")  # F52, H62: shops, restaurants
        draw = do_create_draw(
            actor=ACTOR,
            by=self.alice,
            body=self.market,
            fields={
                "title": "2027年零售食品双随机抽查",
                "ratio": "1",
                "seed_source": "中国福利彩票双色球第2027015期开奖号码",
                "seed_known_after": SEED_TIME,
                "window_start": dt.date(2027, 3, 1),
                "window_end": dt.date(2027, 5, 31),
            },
            items=[retail_only, self.market_item],
        )
        assert draw.pool == sorted([self.cable.uscc, self.shop.uscc])
        with mock.patch.object(timezone, "now", return_value=LATER):
            do_run_draw(actor=ACTOR, draw=draw, sources=SOURCES)
        cable_task = Task.objects.get(draw=draw, enterprise=self.cable)
        shop_task = Task.objects.get(draw=draw, enterprise=self.shop)
        assert list(cable_task.items.all()) == [self.market_item]  # a cable maker sells no food
        assert set(shop_task.items.all()) == {retail_only, self.market_item}
        only_retail = do_create_draw(
            actor=ACTOR,
            by=self.alice,
            body=self.market,
            fields={
                **{k: getattr(draw, k) for k in ("ratio", "seed_source")},
                "title": "零售",
                "seed_known_after": SEED_TIME,
            },
            items=[retail_only],
        )
        assert only_retail.pool == [self.shop.uscc]

    def test_it_refuses_the_seed_before_the_announced_time(self) -> None:
        draw = self.make_draw()
        with pytest.raises(DrawError, match="before the announced time"):
            do_run_draw(actor=ACTOR, draw=draw, sources=SOURCES)
        draw.refresh_from_db()
        assert draw.status == "planned" and draw.record is None

    def test_it_draws_publishes_a_verifiable_record_and_creates_tasks(self) -> None:
        relation = DeclaredRelation.objects.create(
            inspector=self.ivan_inspector, enterprise=self.shop, reason="配偶在该企业任职"
        )
        draw = self.make_draw()
        with mock.patch.object(timezone, "now", return_value=LATER):
            do_run_draw(actor=ACTOR, draw=draw, sources=SOURCES)
        draw.refresh_from_db()
        record = draw.record
        assert record is not None
        verify_record(record)
        assert record["key"] == "3.8.9.14.22.27.31./2027015./"
        assert sorted(record["selected"]) == sorted([self.cable.uscc, self.shop.uscc])
        shop_team = next(
            a for a in record["teams"]["assignments"] if a["candidate"] == self.shop.uscc
        )
        assert str(relation.inspector_id) not in shop_team["team"]
        assert {
            "inspector": str(relation.inspector_id),
            "reason": "申报回避：配偶在该企业任职",
        } in shop_team["skipped"]
        tasks = Task.objects.filter(body=self.market, cause__contains="双随机")
        assert tasks.count() == 2
        assert {t.window_start for t in tasks} == {dt.date(2027, 3, 1)}
        assert all(list(t.items.all()) == [self.market_item] for t in tasks)
        with pytest.raises(DrawError, match="already"):
            do_run_draw(actor=ACTOR, draw=draw, sources=SOURCES)

    def test_it_freezes_the_published_record_as_the_draws_version(self) -> None:
        draw = self.make_draw()
        with mock.patch.object(timezone, "now", return_value=LATER):
            do_run_draw(actor=ACTOR, draw=draw, sources=SOURCES)
        draw.refresh_from_db()
        (version,) = versions_of(draw)
        assert (version.kind, version.state) == ("draw", "current")
        assert version.snapshot["record_sha256"] == snapshot_sha256(draw.record)
        assert version.snapshot["key"] == draw.key and version.intact()

    def test_it_refuses_a_draw_when_a_team_cannot_be_formed(self) -> None:
        Inspector.objects.filter(certificate_number="37152023000201").update(active=False)
        draw = self.make_draw()
        with (
            mock.patch.object(timezone, "now", return_value=LATER),
            pytest.raises(DrawError, match="cannot be formed"),
        ):
            do_run_draw(actor=ACTOR, draw=draw, sources=SOURCES)
        draw.refresh_from_db()
        assert draw.status == "planned" and not Task.objects.exists()

    def test_it_refuses_a_ratio_over_one_and_a_seed_already_known(self) -> None:
        with pytest.raises(DrawError):
            self.make_draw(ratio="1.5")
        with pytest.raises(DrawError, match="future"):
            self.make_draw(seed_known_after=timezone.now() - dt.timedelta(minutes=1))

    def test_it_draws_questions_for_a_public_session(self) -> None:
        questions = ["货车检查何时能合并？", "燃气企业年检能否一次办？", "旅行社检查标准在哪查？"]
        draw = do_create_draw(
            actor=ACTOR,
            by=self.supervisor,
            body=None,
            fields={
                "title": "政企面对面随机抽题",
                "subject": Draw.Subject.LIST,
                "ratio": "0.6",
                "seed_source": "现场观众掷骰子（当场公开）",
                "seed_known_after": SEED_TIME,
            },
            questions=questions,
        )
        with mock.patch.object(timezone, "now", return_value=LATER):
            do_run_draw(actor=ACTOR, draw=draw, sources=[4, 2])
        draw.refresh_from_db()
        assert draw.record is not None and draw.record["count"] == 3 - 1
        assert "teams" not in draw.record
        verify_record(draw.record)


class PublicDisclosureTest(DrawCase):
    def drawn(self) -> Draw:
        draw = self.make_draw()
        with mock.patch.object(timezone, "now", return_value=LATER):
            do_run_draw(actor=ACTOR, draw=draw, sources=SOURCES)
        draw.refresh_from_db()
        return draw

    def test_it_publishes_plans_and_records_without_login(self) -> None:
        planned = self.make_draw(title="第二批抽查")
        draw = self.drawn()
        anonymous = self.client_for(None)
        page = anonymous.get(reverse("draws:draw_list")).content.decode()
        assert "第二批抽查" in page and planned.pool_sha256[:17] in page
        detail = anonymous.get(reverse("draws:draw_detail", args=[draw.pk])).content.decode()
        assert self.shop.name in detail
        api = anonymous.get("/api/public/draws").json()
        assert {d["title"] for d in api} == {"第二批抽查", "2027年食品经营双随机抽查"}
        published = anonymous.get(f"/api/public/draws/{draw.pk}/record").json()
        assert published == without_teams(draw.record or {})

    def test_it_commits_to_the_teams_until_the_results_then_reveals_them(self) -> None:
        draw = self.drawn()
        record = draw.record or {}
        anonymous = self.client_for(None)
        before = anonymous.get(reverse("draws:draw_record", args=[draw.pk])).json()
        assert "teams" not in before and before["teams_commitment"] == record["teams_commitment"]
        verify_record(before)  # the selection stays verifiable
        page = anonymous.get(reverse("draws:draw_detail", args=[draw.pk])).content.decode()
        assert record["teams_commitment"] in page and self.ivan_inspector.name not in page
        Task.objects.filter(draw=draw).update(status=Task.Status.DONE)  # the results are out
        after = anonymous.get(reverse("draws:draw_record", args=[draw.pk])).json()
        assert after["teams"] == record["teams"]
        verify_record(after)
        after["teams"]["assignments"][0]["team"].reverse()
        with pytest.raises(Mismatch) as caught:
            verify_record(after)
        assert caught.value.field == "teams_commitment"

    def test_it_verifies_the_downloaded_record_with_the_command(self) -> None:
        draw = self.drawn()
        body = self.client_for(None).get(reverse("draws:draw_record", args=[draw.pk])).content
        folder = Path(self.tmp())
        path = folder / "record.json"
        path.write_bytes(body)
        out = io.StringIO()
        with redirect_stdout(out):
            call_command("verify-draw", str(path), stdout=out)
        assert out.getvalue().strip().startswith("OK, signed (gm, key ")
        tampered = json.loads(body)
        tampered["selected"].reverse()
        path.write_text(json.dumps(tampered), encoding="utf-8")
        with pytest.raises(SystemExit) as exited:
            call_command("verify-draw", str(path), stdout=io.StringIO())
        assert exited.value.code == 1
        with pytest.raises(Mismatch):
            verify_record(tampered)

    def test_it_verifies_on_the_page(self) -> None:
        draw = self.drawn()
        response = self.client_for(None).post(
            reverse("draws:draw_verify", args=[draw.pk]), follow=True
        )
        assert "验证通过" in response.content.decode()

    def test_it_takes_the_share_in_per_cent_and_shows_strata_by_name(self) -> None:
        alice = self.client_for(self.alice)
        form = {
            "title": "百分比抽查",
            "subject": "enterprises",
            "strata_by": "district",
            "percent": "500",
            "team_size": "2",
            "algorithm": "sha256-v1",
            "seed_source": "中国福利彩票双色球第2027015期开奖号码",
            "seed_known_after": "2027-01-10 21:30",
        }
        refused = alice.post(reverse("draws:draw_create"), form)
        assert refused.status_code == 200 and "percent" in refused.context["form"].errors
        alice.post(reverse("draws:draw_create"), {**form, "percent": "5"})
        draw = Draw.objects.get(title="百分比抽查")
        assert draw.ratio == Decimal("0.05")
        page = self.client_for(None).get(reverse("draws:draw_detail", args=[draw.pk]))
        self.assertContains(page, "5 %")
        self.assertContains(page, "临清市（371581）")

    def test_it_says_in_chinese_which_field_and_positions_fail(self) -> None:
        draw = self.drawn()
        record = dict(draw.record or {})
        record["selected"] = list(reversed(record["selected"]))
        upload = SimpleUploadedFile("draw.json", json.dumps(record).encode(), "application/json")
        response = self.client_for(None).post(
            reverse("draws:draw_verify", args=[draw.pk]), {"record": upload}, follow=True
        )
        page = response.content.decode()
        assert "验证不通过" in page and "抽中的对象" in page and "首个不同位置：1" in page
        assert "selected" not in page.split("<main>")[1].split("</h1>")[0]

    def test_it_answers_a_hostile_record_file_without_a_server_error(self) -> None:
        """Anyone may upload a record: one nested 100,000 deep, and one with a number of
        100,000 digits, are refused as not a record, with a reason."""
        draw = self.drawn()
        client = self.client_for(None)
        for data, reason in [
            (b"[" * 100_000 + b"]" * 100_000, "64"),
            (b'{"count": ' + b"9" * 100_000 + b"}", "40"),
            (b'{"count": NaN}', "NaN"),
        ]:
            upload = SimpleUploadedFile("draw.json", data, "application/json")
            response = client.post(
                reverse("draws:draw_verify", args=[draw.pk]), {"record": upload}, follow=True
            )
            page = response.content.decode()
            assert response.status_code == 200 and reason in page, reason
        path = Path(tempfile.mkdtemp()) / "deep.json"
        path.write_bytes(b"[" * 100_000 + b"]" * 100_000)
        out, err = io.StringIO(), io.StringIO()
        with pytest.raises(SystemExit):
            call_command("verify-draw", str(path), stdout=out, stderr=err)
        assert "64" in err.getvalue()

    def test_it_names_the_field_of_an_unreadable_source_on_the_command_line(self) -> None:
        draw = self.drawn()
        record = {**(draw.record or {}), "sources": [1.25, {"期号": 2027015}]}
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "odd.json"
            path.write_text(json.dumps(record), encoding="utf-8")
            out = io.StringIO()
            with redirect_stdout(out), pytest.raises(SystemExit):
                call_command("verify-draw", str(path), stdout=out)
        assert (
            "MISMATCH sources" in out.getvalue() and "positions 1" in out.getvalue()
        )  # 1.25 is a number under rfc3797

    def test_it_goes_from_plan_to_public_record_on_the_web(self) -> None:
        alice = self.client_for(self.alice)
        response = alice.post(
            reverse("draws:draw_create"),
            {
                "title": "网页抽查",
                "subject": "enterprises",
                "strata_by": "district",
                "percent": "50",
                "team_size": "2",
                "algorithm": "sha256-v1",
                "seed_source": "双色球第2027015期",
                "seed_known_after": "2030-01-01T20:00",
                "window_start": "2027-03-01",
                "window_end": "2027-05-31",
                "items": [str(self.market_item.pk)],
            },
        )
        draw = Draw.objects.get(title="网页抽查")
        assert response.status_code == 302 and draw.status == "planned"
        run = reverse("draws:draw_run", args=[draw.pk])
        alice.post(run, {"values": "3 9 14 22 27 31 8\n2027015"})
        draw.refresh_from_db()
        assert draw.status == "planned"  # too early: refused, nothing drawn
        # the announced time passes (moving the clock would also expire the login session)
        Draw.objects.filter(pk=draw.pk).update(seed_known_after=timezone.now())
        refused = alice.post(run, {"values": "3 9 14 22 27 31 8\n上证指数收盘"}, follow=True)
        assert "第 2 行" in refused.content.decode()  # no letter or digit: nothing to draw with
        alice.post(run, {"values": "3 9 14 22 27 31 8\n2027015\n3012.450\n上证指数 SH000001"})
        draw.refresh_from_db()
        # RFC 3797 §4: a fraction keeps its digits without trailing zeros, text keeps letters
        # and digits only
        assert draw.status == "drawn" and draw.key == (
            "3.8.9.14.22.27.31./2027015./3012.45/SH000001/"
        )
        assert draw.record is not None and draw.record["key_rule"] == "rfc3797"
        assert draw.record["sources"][2:] == [3012.45, "上证指数 SH000001"]
        verify_record(json.loads(json.dumps(draw.record)))
        assert Task.objects.filter(cause__contains="网页抽查").count() == 2

    def test_it_lets_only_the_organising_body_create_and_run(self) -> None:
        url = reverse("draws:draw_create")
        for user in (self.ivan, self.erin, self.stranger):
            assert self.client_for(user).get(url).status_code == 403, user
        assert self.client_for(self.alice).get(url).status_code == 200
        draw = self.make_draw()
        run = reverse("draws:draw_run", args=[draw.pk])
        for user in (self.bob, self.supervisor, self.ivan, self.erin):
            assert self.client_for(user).post(run, {"values": "1 2 3"}).status_code == 403, user

    @staticmethod
    def tmp() -> str:
        import tempfile

        return tempfile.mkdtemp()


class ResultDisclosureTest(DrawCase):
    """一公开 of results: each drawn enterprise's outcome, published when its visit closes."""

    def test_it_publishes_each_drawn_enterprises_result_searchably(self) -> None:
        from onevisit.inspections.models import Finding, Visit

        draw = self.make_draw()
        with mock.patch.object(timezone, "now", return_value=LATER):
            do_run_draw(actor=ACTOR, draw=draw, sources=SOURCES)
        tasks = list(Task.objects.filter(draw=draw).select_related("enterprise"))
        assert tasks
        checked = tasks[0]
        visit = Visit.objects.create(
            enterprise=checked.enterprise,
            lead_body=self.market,
            origin="drawn",
            date=dt.date(2027, 3, 10),
            status=Visit.Status.CLOSED,
            closed_at=timezone.now(),
        )
        visit.bodies.set([self.market])
        visit.tasks.set([checked])
        point = self.market_item.points.first()
        assert point is not None
        Finding.objects.create(
            visit=visit,
            point=point,
            body=self.market,
            severity="general",
            description="商业秘密细节",
            rectify_by=dt.date(2027, 4, 1),
        )
        anonymous = self.client_for(None)
        page = anonymous.get(reverse("draws:draw_results"), {"q": checked.enterprise.name})
        body = page.content.decode()
        assert checked.enterprise.uscc in body and "责令整改" in body
        assert "商业秘密细节" not in body  # details of problems stay unpublished
        api = anonymous.get("/api/public/draw-results", {"draw": draw.pk}).json()
        assert api["count"] == len(tasks)
        line = next(r for r in api["items"] if r["uscc"] == checked.enterprise.uscc)
        assert (line["status"], line["problems"], line["checked_on"]) == (
            "checked",
            1,
            "2027-03-10",
        )
        assert line["publish_by"] > line["published_on"]
        others = [r for r in api["items"] if r["uscc"] != checked.enterprise.uscc]
        assert all(r["status"] == "pending" and r["published_on"] is None for r in others)
        detail = anonymous.get(reverse("draws:draw_detail", args=[draw.pk]))
        self.assertContains(detail, "draw-results")

    def test_it_lists_results_without_reading_any_draw_s_pool(self) -> None:
        from onevisit.draws.disclosure import drawn_tasks

        draw = self.make_draw()
        with mock.patch.object(timezone, "now", return_value=LATER):
            do_run_draw(actor=ACTOR, draw=draw, sources=SOURCES)
        listed = drawn_tasks(draw_id=draw.pk)[0].draw
        assert listed is not None
        assert {"pool", "labels", "record"} <= listed.get_deferred_fields()
