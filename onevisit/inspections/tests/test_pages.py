"""The pages: the public code check, the phone checklist, the enterprise's side, and who may
open what (a matrix of roles over every page)."""

from __future__ import annotations

import datetime as dt
from xml.etree import ElementTree

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from onevisit.inspections.actions import do_cancel_visit
from onevisit.inspections.models import Complaint, InspectionCode, PointResult, Visit
from onevisit.inspections.tests.base import SYSTEM, VisitTestCase, certificates, photo_upload
from onevisit.workdays.calendar import add_working_days


class CodePageTest(VisitTestCase):
    def verdict(self, code: str) -> str:
        response = self.client_for(None).get(reverse("inspections:verify", args=[code]))
        body = response.content.decode()
        return body.split('data-state="')[1].split('"')[0]

    def test_it_shows_the_team_items_and_rights_for_a_valid_code(self) -> None:
        visit = self.register()
        code = visit.current_code()
        assert code is not None
        for given in (code.token, code.display, code.short_code.lower()):
            response = self.client_for(None).get(reverse("inspections:verify", args=[given]))
            self.assertContains(response, "今日有效")
            self.assertContains(response, self.mali.certificate_number)
            self.assertContains(response, self.market_item.legal_basis)
            self.assertContains(response, "五个严禁")
            self.assertContains(response, "回避")

    def test_it_says_plainly_what_is_wrong_with_a_code(self) -> None:
        visit = self.register(date=timezone.localdate() + dt.timedelta(days=2))
        code = visit.current_code()
        assert code is not None
        assert self.verdict(code.token) == "not_yet"
        InspectionCode.objects.filter(pk=code.pk).update(
            valid_on=timezone.localdate() - dt.timedelta(days=1)
        )
        assert self.verdict(code.token) == "expired"
        assert self.verdict(code.token[:-3] + ("AAA" if code.token[-3:] != "AAA" else "BBB")) in {
            "forged",
            "malformed",
        }
        assert self.verdict("ZZZZ-ZZZZ") == "unknown"
        assert self.verdict("hello world") == "malformed"
        do_cancel_visit(actor=SYSTEM, visit=visit, reason="企业停产")
        assert self.verdict(code.short_code) == "cancelled"

    def test_it_hides_details_of_a_code_that_does_not_admit(self) -> None:
        visit = self.register()
        code = visit.current_code()
        assert code is not None
        do_cancel_visit(actor=SYSTEM, visit=visit, reason="取消")
        response = self.client_for(None).get(reverse("inspections:verify", args=[code.short_code]))
        self.assertNotContains(response, self.mali.certificate_number)

    def test_it_shows_the_team_and_items_only_on_the_day_of_an_open_visit(self) -> None:
        later = self.register(date=timezone.localdate() + dt.timedelta(days=2))
        code = later.current_code()
        assert code is not None
        ahead = self.client_for(None).get(reverse("inspections:verify", args=[code.short_code]))
        self.assertContains(ahead, "今日无效")
        self.assertNotContains(ahead, self.mali.certificate_number)
        self.assertNotContains(ahead, self.market_item.legal_basis)
        Visit.objects.filter(pk=later.pk).update(status=Visit.Status.CLOSED)
        assert self.verdict(code.short_code) == "closed"
        over = self.client_for(None).get(reverse("inspections:verify", args=[code.short_code]))
        self.assertNotContains(over, "今日有效")
        self.assertNotContains(over, self.mali.certificate_number)

    @override_settings(ONEVISIT_CODE_LOOKUPS_PER_MINUTE=3)
    def test_it_limits_lookups_per_address(self) -> None:
        client = self.client_for(None)
        statuses = [
            client.get(reverse("inspections:verify", args=["ZZZZ-ZZZ" + str(n)])).status_code
            for n in range(5)
        ]
        assert statuses[:3] == [404, 404, 404] and statuses[3:] == [429, 429]

    @override_settings(ONEVISIT_COMPLAINTS_PER_MINUTE=1)
    def test_it_keeps_a_rate_limited_complaint_and_says_what_was_limited(self) -> None:
        code = self.register().current_code()
        assert code is not None
        url = reverse("inspections:complain", args=[code.short_code])
        client = self.client_for(None)
        client.post(url, {"text": "第一次投诉", "contact": ""})
        response = client.post(url, {"text": "检查人员态度恶劣", "contact": "13800000000"})
        assert response.status_code == 429
        self.assertContains(response, "检查人员态度恶劣</textarea>", status_code=429)
        self.assertContains(response, 'value="13800000000"', status_code=429)
        self.assertContains(response, '<li class="error" role="alert">', status_code=429)
        self.assertContains(response, "1", status_code=429)
        assert Complaint.objects.count() == 1

    def test_it_takes_a_complaint_without_login_for_the_supervisor(self) -> None:
        visit = self.register()
        code = visit.current_code()
        assert code is not None
        response = self.client_for(None).post(
            reverse("inspections:complain", args=[code.short_code]),
            {"text": "检查人员索要土特产", "contact": ""},
        )
        assert response.status_code == 201
        complaint = Complaint.objects.get()
        assert complaint.visit == visit
        supervisor = self.client_for(self.supervisor).get(reverse("oversight:complaint_list"))
        self.assertContains(supervisor, "索要土特产")
        assert (
            self.client_for(self.alice).get(reverse("oversight:complaint_list")).status_code == 403
        )

    def test_it_gives_the_complainant_a_receipt_to_follow_the_complaint(self) -> None:
        code = self.register().current_code()
        assert code is not None
        receipt = self.client_for(None).post(
            reverse("inspections:complain", args=[code.short_code]), {"text": "态度恶劣"}
        )
        number, secret = receipt.context["complaint"].receipt, receipt.context["secret"]
        self.assertContains(receipt, number, status_code=201)
        status = reverse("inspections:complaint_status")
        wrong = self.client_for(None).post(status, {"receipt": number, "secret": "guess"})
        assert wrong.status_code == 422 and "态度恶劣" not in wrong.content.decode()
        complaint = Complaint.objects.get()
        self.client_for(self.supervisor).post(
            reverse("oversight:complaint_handle", args=[complaint.pk]),
            {"note": "已约谈检查人员，责令书面检查"},
        )
        found = self.client_for(None).post(status, {"receipt": number, "secret": secret})
        self.assertContains(found, "已约谈检查人员")

    def test_it_serves_the_qr_code_as_an_svg_document_an_img_can_show(self) -> None:
        visit = self.register()
        response = self.client_for(self.ivan).get(reverse("inspections:visit_qr", args=[visit.pk]))
        assert response["Content-Type"] == "image/svg+xml"
        svg = ElementTree.fromstring(response.content)  # noqa: S314 - our own output
        assert svg.tag == "{http://www.w3.org/2000/svg}svg"  # without it <img> shows nothing

    def test_it_publishes_the_public_key(self) -> None:
        response = self.client_for(None).get(reverse("inspections:public_key"))
        assert response.content.startswith(b"-----BEGIN PUBLIC KEY-----")


class PhoneTest(VisitTestCase):
    def test_it_walks_a_visit_from_check_in_to_closing_on_the_phone(self) -> None:
        visit = self.register()
        phone = self.client_for(self.ivan)
        self.assertContains(phone.get(reverse("inspections:today")), self.bearing.name)
        wrong = phone.post(
            reverse("inspections:check_in", args=[visit.pk]), {"uscc": self.cable.uscc}
        )
        # refused: the reason beside the code as typed, to correct one character at the gate
        self.assertContains(wrong, f'value="{self.cable.uscc}"', status_code=422)
        visit.refresh_from_db()
        assert visit.status == Visit.Status.SCHEDULED
        phone.post(reverse("inspections:check_in", args=[visit.pk]), {"uscc": self.bearing.uscc})
        page = phone.get(reverse("inspections:checklist", args=[visit.pk]))
        rows = page.context["rows"]
        for row in rows:
            response = phone.post(
                reverse("inspections:checklist_row", args=[visit.pk, row.key]),
                {"outcome": "compliant", "photos": [photo_upload()]},
                headers={"HX-Request": "true"},
            )
            assert response.status_code == 200
            self.assertContains(response, "已保存")
        assert PointResult.objects.filter(visit=visit).count() == 3
        phone.post(reverse("inspections:sign", args=[visit.pk, "enterprise"]), {"name": "张三"})
        typed = {f"cert-{pk}": number for pk, number in certificates(visit).items()}
        one_wrong = {**typed, f"cert-{self.mali.pk}": "37152023000099"}
        refused = phone.post(reverse("inspections:sign", args=[visit.pk, "team"]), one_wrong)
        self.assertContains(refused, 'value="37152023000099"', status_code=422)
        self.assertContains(
            refused, f'value="{self.ivan_inspector.certificate_number}"', status_code=422
        )
        phone.post(reverse("inspections:sign", args=[visit.pk, "team"]), typed)
        phone.post(reverse("inspections:close", args=[visit.pk]))
        visit.refresh_from_db()
        assert visit.status == Visit.Status.CLOSED
        pdf = self.client_for(self.erin).get(reverse("inspections:record_pdf", args=[visit.pk]))
        assert b"".join(pdf.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]

    def test_it_answers_a_refused_row_with_the_reason(self) -> None:
        visit = self.on_site(self.register())
        key = f"p-{self.market_item.points.get(number=1).pk}"
        response = self.client_for(self.ivan).post(
            reverse("inspections:checklist_row", args=[visit.pk, key]),
            {"outcome": "noncompliant", "note": "二号车间", "description": "叉车无牌照"},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 422
        self.assertContains(response, "严重程度", status_code=422)
        # what the inspector typed stays in the row, beside the reason
        self.assertContains(response, 'role="alert"', status_code=422)
        self.assertContains(response, "二号车间</textarea>", status_code=422)
        self.assertContains(response, "叉车无牌照</textarea>", status_code=422)
        self.assertContains(response, 'value="noncompliant" checked', status_code=422)
        foreign = f"p-{self.ecology_item.points.first().pk}"  # type: ignore[union-attr]
        response = self.client_for(self.ivan).post(
            reverse("inspections:checklist_row", args=[visit.pk, foreign]), {"outcome": "compliant"}
        )
        assert response.status_code == 302
        assert not PointResult.objects.exists()


class EnterpriseSideTest(VisitTestCase):
    def test_it_shows_the_checklist_ahead_but_not_an_unannounced_visit(self) -> None:
        announced = self.register(date=timezone.localdate() + dt.timedelta(days=1))
        hidden = self.register(
            date=timezone.localdate() + dt.timedelta(days=2),
            unannounced_reason="举报线索，防止转移",
        )
        page = self.client_for(self.erin).get(reverse("inspections:mine"))
        self.assertContains(page, "特种设备使用登记")
        self.assertContains(page, f"upcoming-{announced.pk}")
        self.assertNotContains(page, f"upcoming-{hidden.pk}")
        assert (
            self.client_for(self.erin)
            .get(reverse("inspections:visit_detail", args=[hidden.pk]))
            .status_code
            == 404
        )

    def test_it_lets_the_enterprise_propose_another_day(self) -> None:
        visit = self.register(date=timezone.localdate() + dt.timedelta(days=2))
        later = add_working_days(timezone.localdate(), 6)
        self.client_for(self.erin).post(
            reverse("inspections:propose", args=[visit.pk]),
            {"date": later.isoformat(), "reason": "年度检修"},
        )
        proposal = visit.proposals.get()
        self.client_for(self.alice).post(
            reverse("inspections:proposal_decide", args=[proposal.pk, "accept"])
        )
        visit.refresh_from_db()
        assert visit.date == later


class RoleMatrixTest(VisitTestCase):
    """Every page of visits and oversight against every persona: 200 where allowed, 403 or 404
    (or a login redirect for the anonymous) where not."""

    def test_it_lets_each_role_open_only_its_pages(self) -> None:
        visit = self.register()
        code = visit.current_code()
        assert code is not None
        pages = {
            "visit_list": reverse("inspections:visit_list"),
            "visit_new": reverse("inspections:visit_new"),
            "planned": reverse("inspections:planned_list"),
            "detail": reverse("inspections:visit_detail", args=[visit.pk]),
            "qr": reverse("inspections:visit_qr", args=[visit.pk]),
            "today": reverse("inspections:today"),
            "checklist": reverse("inspections:checklist", args=[visit.pk]),
            "mine": reverse("inspections:mine"),
            "evaluate": reverse("inspections:evaluate", args=[visit.pk]),
            "summary": reverse("inspections:evaluation_summary"),
            "verify": reverse("inspections:verify", args=[code.short_code]),
            "dashboard": reverse("oversight:dashboard"),
            "warnings": reverse("oversight:warning_list"),
            "rules": reverse("oversight:rules"),
            "evaluations": reverse("oversight:evaluation_list"),
            "complaints": reverse("oversight:complaint_list"),
        }
        allowed = {
            "supervisor": {
                "visit_list",
                "planned",
                "detail",
                "qr",
                "verify",
                "dashboard",
                "warnings",
                "rules",
                "evaluations",
                "complaints",
            },
            "alice": {
                "visit_list",
                "visit_new",
                "planned",
                "detail",
                "qr",
                "summary",
                "verify",
                "warnings",
            },
            "bob": {"visit_list", "visit_new", "planned", "summary", "verify", "warnings"},
            "ivan": {
                "visit_list",
                "visit_new",
                "detail",
                "qr",
                "today",
                "checklist",
                "summary",
                "verify",
            },
            "erin": {"visit_list", "detail", "qr", "mine", "evaluate", "verify"},
            "frank": {"visit_list", "mine", "verify"},
            "stranger": {"verify"},
            None: {"verify"},
        }
        users = {
            "supervisor": self.supervisor,
            "alice": self.alice,
            "bob": self.bob,
            "ivan": self.ivan,
            "erin": self.erin,
            "frank": self.frank,
            "stranger": self.stranger,
            None: None,
        }
        failures = []
        for name, user in users.items():
            client = self.client_for(user)
            for page, url in pages.items():
                status = client.get(url).status_code
                ok = status == 200
                if ok != (page in allowed[name]):
                    failures.append(f"{name} {page}: {status}")
        assert not failures, failures

    def test_it_guards_every_write_by_role(self) -> None:
        visit = self.register()
        writes = [
            reverse("inspections:check_in", args=[visit.pk]),
            reverse("inspections:sign", args=[visit.pk, "team"]),
            reverse("inspections:close", args=[visit.pk]),
            reverse("inspections:visit_cancel", args=[visit.pk]),
        ]
        for user in (self.bob, self.erin, self.frank, self.stranger, self.supervisor):
            client = self.client_for(user)
            for url in writes[:3]:
                assert client.post(url, {"uscc": self.bearing.uscc}).status_code in {403, 404}, (
                    user,
                    url,
                )
        for user in (self.bob, self.ivan, self.erin, self.stranger):
            assert self.client_for(user).post(writes[3], {"reason": "x"}).status_code in {403, 404}
        visit.refresh_from_db()
        assert visit.status == Visit.Status.SCHEDULED

    def test_it_keeps_the_visit_list_queries_constant(self) -> None:
        for _ in range(3):
            self.register()
        client = self.client_for(self.supervisor)
        client.get(reverse("inspections:visit_list"))
        with self.assertNumQueries(7):
            client.get(reverse("inspections:visit_list"))
        for _ in range(5):
            self.register()
        with self.assertNumQueries(7):
            client.get(reverse("inspections:visit_list"))


class DocumentAccessTest(VisitTestCase):
    """A closed visit's documents and photos: its bodies' staff and the enterprise only."""

    def test_it_shows_documents_and_photos_only_to_those_concerned(self) -> None:
        from onevisit.inspections.actions import (
            PointEntry,
            do_close_visit,
            do_record_result,
            do_sign_off,
        )
        from onevisit.inspections.checklist import merge
        from onevisit.inspections.models import Photo, visit_points

        visit = self.on_site(self.register())
        for n, row in enumerate(merge(visit_points(visit), [], [])):
            do_record_result(
                actor=SYSTEM,
                visit=visit,
                by=self.ivan,
                entry=PointEntry(row.points, "compliant"),
                photos=[photo_upload()] if n == 0 else [],
            )
        do_sign_off(actor=SYSTEM, visit=visit, by=self.ivan, party="enterprise", name="张三")
        do_sign_off(
            actor=SYSTEM, visit=visit, by=self.ivan, party="team", certificates=certificates(visit)
        )
        do_close_visit(actor=SYSTEM, visit=visit, by=self.ivan)
        photo = Photo.objects.get()
        urls = [
            reverse("inspections:record_pdf", args=[visit.pk]),
            reverse("inspections:feedback_pdf", args=[visit.pk]),
            reverse("inspections:feedback", args=[visit.pk]),
            reverse("inspections:photo", args=[photo.pk]),
        ]
        for user, allowed in (
            (self.supervisor, True),
            (self.alice, True),
            (self.ivan, True),
            (self.erin, True),
            (self.bob, False),
            (self.frank, False),
            (self.stranger, False),
            (None, False),
        ):
            client = self.client_for(user)
            for url in urls:
                status = client.get(url).status_code
                assert (status == 200) == allowed, (user, url, status)

    def test_it_guards_the_enterprise_and_manager_writes(self) -> None:
        visit = self.register(date=timezone.localdate() + dt.timedelta(days=2))
        later = add_working_days(timezone.localdate(), 6).isoformat()
        propose = reverse("inspections:propose", args=[visit.pk])
        for user in (self.frank, self.alice, self.ivan, self.stranger):
            assert self.client_for(user).post(
                propose, {"date": later, "reason": "x"}
            ).status_code in {403, 404}
        self.client_for(self.erin).post(propose, {"date": later, "reason": "检修"})
        proposal = visit.proposals.get()
        decide = reverse("inspections:proposal_decide", args=[proposal.pk, "accept"])
        for user in (self.bob, self.ivan, self.erin, self.frank):
            assert self.client_for(user).post(decide).status_code in {403, 404}
        evaluate = reverse("inspections:evaluate", args=[visit.pk])
        for user in (self.frank, self.alice, self.ivan):
            assert self.client_for(user).post(
                evaluate, {"conduct": 1, "professionalism": 1, "burden": 1}
            ).status_code in {403, 404}
        row = reverse("inspections:checklist_row", args=[visit.pk, "p-1"])
        for user in (self.bob, self.erin, self.alice, self.supervisor):
            assert self.client_for(user).post(row, {"outcome": "compliant"}).status_code in {
                403,
                404,
            }
        proposal.refresh_from_db()
        assert proposal.status == "pending"


class PlannedVisitWriteTest(VisitTestCase):
    def test_it_lets_only_the_lead_bodys_admin_register_a_planned_visit(self) -> None:
        from onevisit.planning.models import PlannedVisit, PlanningRun

        today = timezone.localdate()
        run = PlanningRun.objects.create(
            year=today.year,
            horizon_start=today,
            status=PlanningRun.Status.DONE,
            finished=timezone.now(),
        )
        planned = PlannedVisit.objects.create(
            run=run,
            enterprise=self.bearing,
            week=0,
            week_start=today - dt.timedelta(days=today.weekday()),
            lead_body=self.market,
        )
        planned.tasks.set([self.market_task])
        planned.inspectors.set([self.ivan_inspector, self.mali])
        url = reverse("inspections:schedule_planned", args=[planned.pk])
        for user in (self.bob, self.ivan, self.erin, self.stranger):
            assert (
                self.client_for(user).post(url, {"date": today.isoformat()}).status_code == 403
            ), user
        assert not Visit.objects.exists()
        self.client_for(self.alice).post(url, {"date": today.isoformat()})
        assert Visit.objects.get().planned_visit == planned


class RefusalTest(VisitTestCase):
    """An outsider cannot tell a visit that is not theirs from one that does not exist."""

    def test_it_answers_the_same_for_not_yours_and_does_not_exist(self) -> None:
        visit = self.register()
        missing = visit.pk + 1000
        for user in (self.frank, self.stranger, self.bob):
            client = self.client_for(user)
            answers = set()
            for name in ("visit_detail", "checklist", "visit_qr"):
                theirs = client.get(reverse(f"inspections:{name}", args=[visit.pk])).status_code
                none = client.get(reverse(f"inspections:{name}", args=[missing])).status_code
                answers |= {theirs, none}
            assert len(answers) == 1, (user, answers)  # one answer, whatever the page

    def test_it_logs_a_refusal_in_one_line_without_a_traceback(self) -> None:
        visit = self.register()
        with self.assertLogs("django.request", level="WARNING") as logs:
            response = self.client_for(self.erin).get(
                reverse("inspections:checklist", args=[visit.pk])
            )
        assert response.status_code == 403
        assert all(record.exc_info is None for record in logs.records)
