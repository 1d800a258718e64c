"""政企沟通: every request is routed, acknowledged and answered within working-day deadlines and
rated by the one who asked; a low rating reopens it once; a guidance request becomes a service
visit that counts toward no cap; anonymity hides who asks from the department."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from onevisit.inspections.models import Visit
from onevisit.inspections.tests.base import SYSTEM, VisitTestCase
from onevisit.liaison.actions import (
    ConcernRefused,
    Raised,
    do_acknowledge_concern,
    do_answer_concern,
    do_plan_guidance_visit,
    do_raise_concern,
    do_rate_concern,
    do_reopen_concern,
    do_route_concern,
)
from onevisit.liaison.models import Concern, Kind
from onevisit.liaison.queries import answer_figures
from onevisit.oversight.actions import visit_facts
from onevisit.versions.actions import versions_of
from onevisit.workdays.calendar import working_deadline

TODAY = timezone.localdate()


class LiaisonCase(VisitTestCase):
    def raise_(self, **fields: Any) -> Concern:
        values: dict[str, Any] = {
            "kind": Kind.QUESTION,
            "subject": "特种设备使用登记要带哪些材料？",
            "text": "新购两台叉车，想先弄清楚登记要求",
            "enterprise": self.bearing,
            "body": self.market,
        }
        values.update(fields)
        by = values.pop("by", self.erin)
        return do_raise_concern(by=by, raised=Raised(**values))[0]


class DeadlineTest(LiaisonCase):
    def test_it_sets_working_day_deadlines_by_kind(self) -> None:
        question = self.raise_()
        assert question.ack_due == working_deadline(TODAY, 1).date
        assert question.answer_due == working_deadline(TODAY, 5).date
        suggestion = self.raise_(kind=Kind.SUGGESTION)
        assert suggestion.answer_due == working_deadline(TODAY, 15).date

    def test_it_routes_by_kind_and_leaves_the_rest_to_the_supervisor(self) -> None:
        assert self.raise_(body=None, item=self.ecology_item).body == self.ecology
        visit = self.register()
        problem = self.raise_(kind=Kind.PROBLEM, body=None, visit=visit)
        assert problem.body == self.market
        unrouted = self.raise_(kind=Kind.SUGGESTION, body=None)
        assert unrouted.body is None
        do_route_concern(actor=SYSTEM, concern=unrouted, body=self.ecology, note="环保事项")
        assert unrouted.body == self.ecology

    def test_it_shows_the_supervisor_what_is_overdue(self) -> None:
        late = self.raise_()
        Concern.objects.filter(pk=late.pk).update(
            ack_due=TODAY - dt.timedelta(days=3), answer_due=TODAY - dt.timedelta(days=1)
        )
        self.raise_(kind=Kind.SUGGESTION)
        page = self.client_for(self.supervisor).get(
            reverse("liaison:concern_list") + "?show=overdue"
        )
        assert [c.pk for c in page.context["page"]] == [late.pk]
        assert Concern.objects.overdue(TODAY).count() == 1


class AnswerAndRatingTest(LiaisonCase):
    def test_it_is_answered_rated_and_reopened_once_after_a_low_rating(self) -> None:
        concern = self.raise_()
        do_acknowledge_concern(actor=SYSTEM, concern=concern)
        with self.assertRaises(ConcernRefused):
            do_rate_concern(concern=concern, rating=5, comment="")
        do_answer_concern(actor=SYSTEM, concern=concern, by=self.alice, answer="带购买发票和合格证")
        with self.assertRaises(ConcernRefused):
            do_rate_concern(concern=concern, rating=6, comment="")
        do_rate_concern(concern=concern, rating=2, comment="没说去哪里办")
        assert concern.status == Concern.Status.CLOSED and concern.can_reopen
        with self.assertRaises(ConcernRefused):
            do_reopen_concern(concern=concern, reason=" ")
        do_reopen_concern(concern=concern, reason="请告知办理地点")
        assert concern.status == Concern.Status.ACKNOWLEDGED and concern.reopened
        do_answer_concern(actor=SYSTEM, concern=concern, by=self.alice, answer="政务服务中心二楼")
        do_rate_concern(concern=concern, rating=1, comment="")
        with self.assertRaises(ConcernRefused):
            do_reopen_concern(concern=concern, reason="还是不清楚")

    def test_it_keeps_every_answer_and_rating_of_a_reopened_request_as_a_thread(self) -> None:
        concern = self.raise_()
        do_answer_concern(actor=SYSTEM, concern=concern, by=self.alice, answer="带购买发票和合格证")
        do_rate_concern(concern=concern, rating=2, comment="没说去哪里办")
        do_reopen_concern(concern=concern, reason="请告知办理地点")
        do_answer_concern(actor=SYSTEM, concern=concern, by=self.alice, answer="政务服务中心二楼")
        do_rate_concern(concern=concern, rating=5, comment="清楚了")
        thread = list(concern.replies.values_list("answer", "rating", "reopen_reason"))
        assert thread == [
            ("带购买发票和合格证", 2, "请告知办理地点"),
            ("政务服务中心二楼", 5, ""),
        ]
        first, second = versions_of(concern)
        assert (first.state, first.snapshot["answer"]) == ("superseded", "带购买发票和合格证")
        assert (second.reason, second.snapshot["answer"]) == ("请告知办理地点", "政务服务中心二楼")
        page = self.client_for(self.erin).get(reverse("liaison:concern_detail", args=[concern.pk]))
        html = page.content.decode()
        assert (
            "带购买发票和合格证" in html and "政务服务中心二楼" in html and "没说去哪里办" in html
        )

    def test_it_reads_the_status_as_a_status_and_the_reopen_button_as_what_it_does(self) -> None:
        concern = self.raise_()
        html = (
            self.client_for(self.erin)
            .get(reverse("liaison:concern_detail", args=[concern.pk]))
            .content.decode()
        )
        status = html.split('id="concern-status"')[1].split("</dd>")[0]
        assert "已接收" in status and "时间" not in status
        do_answer_concern(actor=SYSTEM, concern=concern, by=self.alice, answer="带发票")
        do_rate_concern(concern=concern, rating=1, comment="")
        html = (
            self.client_for(self.erin)
            .get(reverse("liaison:concern_detail", args=[concern.pk]))
            .content.decode()
        )
        assert "要求重新答复" in html and "重新整改" not in html

    def test_it_does_not_reopen_a_good_rating(self) -> None:
        concern = self.raise_()
        do_answer_concern(actor=SYSTEM, concern=concern, by=self.alice, answer="答复")
        do_rate_concern(concern=concern, rating=4, comment="")
        with self.assertRaises(ConcernRefused):
            do_reopen_concern(concern=concern, reason="再问一下")

    def test_it_figures_answer_times_and_ratings_per_body_for_the_dashboard(self) -> None:
        answered = self.raise_()
        do_answer_concern(actor=SYSTEM, concern=answered, by=self.alice, answer="答复")
        do_rate_concern(concern=answered, rating=4, comment="")
        self.raise_()
        [market] = answer_figures(TODAY)
        assert (market.received, market.answered, market.on_time, market.rated) == (2, 1, 1, 1)
        assert market.average_rating == 4.0 and market.on_time_share == 100
        page = self.client_for(self.supervisor).get(reverse("oversight:dashboard"))
        assert self.market.name in page.content.decode().split('id="requests"')[1]


class GuidanceVisitTest(LiaisonCase):
    def test_it_becomes_a_service_visit_that_counts_toward_no_cap(self) -> None:
        concern = self.raise_(kind=Kind.GUIDANCE, subject="请上门指导特种设备台账")
        with self.assertRaises(ConcernRefused):
            do_answer_concern(actor=SYSTEM, concern=concern, by=self.alice, answer="好的")
        visit = do_plan_guidance_visit(
            actor=SYSTEM,
            concern=concern,
            by=self.alice,
            date=TODAY,
            inspectors=[self.ivan_inspector],
            note="请准备设备台账",
        )
        concern.refresh_from_db()
        assert concern.status == Concern.Status.ANSWERED and concern.service_visit == visit
        assert visit.purpose == Visit.Purpose.GUIDANCE and not visit.is_enforcement
        assert visit.current_code() is not None  # a code at the door like any visit
        assert not visit.items.exists()
        page = self.client_for(self.erin).get(reverse("inspections:mine")).content.decode()
        card = page.split(f'id="upcoming-{visit.pk}"')[1].split('id="upcoming-')[0]
        assert "上门指导" in card and "请上门指导特种设备台账" in card and "请准备设备台账" in card
        assert "检查内容" not in card and "检查码" not in card and "伊万" in card
        Visit.objects.filter(pk=visit.pk).update(status=Visit.Status.CLOSED)
        [fact] = visit_facts(Visit.objects.filter(pk=visit.pk))
        assert fact.counted == frozenset()

    def test_it_cannot_be_anonymous_or_raised_by_the_public(self) -> None:
        with self.assertRaises(ConcernRefused):
            self.raise_(kind=Kind.GUIDANCE, anonymous=True)
        with self.assertRaises(ConcernRefused):
            self.raise_(kind=Kind.GUIDANCE, by=None, enterprise=None)


class AccessTest(LiaisonCase):
    def test_it_hides_an_anonymous_requester_from_the_department(self) -> None:
        concern = self.raise_(anonymous=True)
        page = self.client_for(self.alice).get(reverse("liaison:concern_detail", args=[concern.pk]))
        html = page.content.decode()
        assert self.bearing.name not in html and concern.subject in html
        own = self.client_for(self.erin).get(reverse("liaison:concern_detail", args=[concern.pk]))
        assert own.status_code == 200

    def test_it_lets_only_the_routed_body_answer_and_only_the_requester_rate(self) -> None:
        concern = self.raise_()
        answer = reverse("liaison:concern_act", args=[concern.pk, "answer"])
        for user in (self.bob, self.ivan, self.frank, self.erin, self.stranger):
            response = self.client_for(user).post(answer, {"answer": "x"})
            assert response.status_code in (403, 404), user
        assert self.client_for(self.alice).post(answer, {"answer": "带发票"}).status_code == 302
        rate = reverse("liaison:concern_act", args=[concern.pk, "rate"])
        for user in (self.alice, self.supervisor, self.frank):
            self.client_for(user).post(rate, {"rating": "5"})
        concern.refresh_from_db()
        assert concern.rating is None
        self.client_for(self.erin).post(rate, {"rating": "5"})
        concern.refresh_from_db()
        assert concern.rating == 5
        listed = self.client_for(self.bob).get(reverse("liaison:concern_list") + "?show=all")
        assert listed.context["page"].paginator.count == 0

    def test_it_lets_the_public_ask_follow_and_rate_by_receipt(self) -> None:
        client = self.client_for(None)
        response = client.post(
            reverse("liaison:concern_new"),
            {
                "kind": Kind.SUGGESTION,
                "body": self.market.pk,
                "enterprise_name": "聊城鑫源轴承有限公司",
                "subject": "建议公布检查结果",
                "text": "希望在网站上公示抽查结果",
                "name": "王女士",
                "phone": "13800000000",
            },
        )
        receipt = response.context["concern"].receipt
        secret = response.context["secret"]
        concern = Concern.objects.get(receipt=receipt)
        assert not concern.anonymous and "王女士" not in concern.identity_sealed
        do_answer_concern(actor=SYSTEM, concern=concern, by=self.alice, answer="已在网站公示")
        wrong = client.post(reverse("liaison:concern_follow"), {"receipt": receipt, "secret": "x"})
        assert wrong.status_code == 422
        client.post(
            reverse("liaison:concern_follow"),
            {"receipt": receipt, "secret": secret, "rating": "5", "comment": "谢谢"},
        )
        concern.refresh_from_db()
        assert concern.rating == 5 and concern.status == Concern.Status.CLOSED
        contact = self.client_for(self.alice).post(
            reverse("liaison:concern_act", args=[concern.pk, "contact"]), follow=True
        )
        assert "13800000000" in contact.content.decode()


class DashboardCountTest(LiaisonCase):
    def test_it_leaves_a_guidance_visit_out_of_the_inspections_counted(self) -> None:
        concern = self.raise_(kind=Kind.GUIDANCE, subject="请上门指导")
        visit = do_plan_guidance_visit(
            actor=SYSTEM,
            concern=concern,
            by=self.alice,
            date=TODAY,
            inspectors=[self.ivan_inspector],
        )
        Visit.objects.filter(pk=visit.pk).update(status=Visit.Status.CLOSED)
        inspection = self.register()
        Visit.objects.filter(pk=inspection.pk).update(status=Visit.Status.CLOSED)
        page = self.client_for(self.supervisor).get(reverse("oversight:dashboard"))
        assert page.context["total"] == 1


def queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


class ListQueryTest(LiaisonCase):
    def test_it_lists_requests_in_a_number_of_queries_that_does_not_grow(self) -> None:
        client = self.client_for(self.supervisor)
        url = reverse("liaison:concern_list") + "?show=all"
        self.raise_()
        one = queries(client, url)
        for n in range(5):
            self.raise_(subject=f"问题 {n}", enterprise=self.cable if n % 2 else self.bearing)
        assert queries(client, url) == one
