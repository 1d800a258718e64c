"""After the visit: mutual recognition of results, anonymous evaluation, complaints."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from onevisit.audit.models import AuditEntry
from onevisit.inspections import access
from onevisit.inspections.actions import (
    PointEntry,
    Scores,
    VisitRefused,
    do_close_visit,
    do_evaluate_visit,
    do_record_result,
    do_sign_off,
)
from onevisit.inspections.checklist import merge
from onevisit.inspections.models import Evaluation, Visit, visit_points
from onevisit.inspections.recognition import recognition_savings
from onevisit.inspections.tests.base import SYSTEM, VisitTestCase, certificates, publish_item
from onevisit.planning.actions import do_create_task
from onevisit.planning.models import Kind, Task


class ClosingTestCase(VisitTestCase):
    def close(self, visit: Visit, outcome: str = "compliant") -> Visit:
        self.on_site(visit)
        for row in merge(visit_points(visit), [], []):
            entry = (
                PointEntry(row.points, outcome, severity="minor", description="问题")
                if outcome == "noncompliant"
                else PointEntry(row.points, outcome)
            )
            do_record_result(actor=SYSTEM, visit=visit, by=self.ivan, entry=entry)
        do_sign_off(actor=SYSTEM, visit=visit, by=self.ivan, party="enterprise", name="张三")
        do_sign_off(
            actor=SYSTEM, visit=visit, by=self.ivan, party="team", certificates=certificates(visit)
        )
        with self.captureOnCommitCallbacks(execute=True):
            return do_close_visit(actor=SYSTEM, visit=visit, by=self.ivan)


class RecognitionTest(ClosingTestCase):
    def test_it_recognises_another_bodys_task_whose_points_are_all_covered(self) -> None:
        # 生态环境 checks only the shared point: 市场监管 found it compliant, so no visit.
        shared_only = publish_item(
            self.ecology, "STHJ-009", [("特种作业人员持证", "special-operators")]
        )
        covered = self.task(self.ecology, shared_only, self.bearing)
        self.close(self.register())
        covered.refresh_from_db()
        self.ecology_task.refresh_from_db()
        assert covered.status == Task.Status.RECOGNISED
        assert self.ecology_task.status == Task.Status.OPEN  # 治理设施 is not covered
        assert AuditEntry.objects.filter(action="recognise", object_id=str(covered.pk)).exists()
        savings = recognition_savings(timezone.localdate().year)
        assert savings.recognised_tasks == 1
        assert savings.visits_saved == 0  # the ecology task still needs a visit

    def test_it_counts_a_visit_saved_when_nothing_else_is_due(self) -> None:
        shared_only = publish_item(
            self.ecology, "STHJ-009", [("特种作业人员持证", "special-operators")]
        )
        self.ecology_task.status = Task.Status.CANCELLED
        self.ecology_task.save()
        today = timezone.localdate()
        later = do_create_task(  # next quarter's check: a visit of its own, unless recognised
            actor=SYSTEM,
            enterprise=self.bearing,
            body=self.ecology,
            kind=Kind.DEPLOYED,
            start=today + dt.timedelta(days=90),
            end=today + dt.timedelta(days=180),
            items=[shared_only],
            cause="省厅部署",
        )
        self.close(self.register())
        assert recognition_savings(later.window_end.year).visits_saved == 1

    def test_it_does_not_recognise_from_a_noncompliant_result(self) -> None:
        shared_only = publish_item(
            self.ecology, "STHJ-009", [("特种作业人员持证", "special-operators")]
        )
        covered = self.task(self.ecology, shared_only, self.bearing)
        self.close(self.register(), outcome="noncompliant")
        covered.refresh_from_db()
        assert covered.status == Task.Status.OPEN

    def test_it_does_not_recognise_beyond_the_recognition_window(self) -> None:
        shared_only = publish_item(
            self.ecology, "STHJ-009", [("特种作业人员持证", "special-operators")]
        )
        covered = self.task(self.ecology, shared_only, self.bearing, days=400)
        self.close(self.register())
        covered.refresh_from_db()
        assert covered.status == Task.Status.OPEN  # its window ends after the 365 days


class EvaluationTest(ClosingTestCase):
    def test_it_stores_no_evaluator_and_audits_as_the_system(self) -> None:
        visit = self.close(self.register())
        evaluation = do_evaluate_visit(visit=visit, by=self.erin, scores=Scores(5, 4, 3, "很规范"))
        assert {f.name for f in Evaluation._meta.get_fields()}.isdisjoint({"user", "by", "author"})
        entry = AuditEntry.objects.get(action="evaluate")
        assert entry.actor_id is None and entry.actor_name == "system:evaluation"
        assert evaluation.average == 4

    def test_it_refuses_a_second_evaluation_and_other_enterprises(self) -> None:
        visit = self.close(self.register())
        with self.assertRaises(VisitRefused):
            do_evaluate_visit(visit=visit, by=self.frank, scores=Scores(1, 1, 1))
        do_evaluate_visit(visit=visit, by=self.erin, scores=Scores(5, 5, 5))
        with self.assertRaises(VisitRefused):
            do_evaluate_visit(visit=visit, by=self.erin, scores=Scores(1, 1, 1))

    def test_it_says_a_visit_is_rated_before_the_form_is_filled(self) -> None:
        from django.urls import reverse

        visit = self.close(self.register())
        url = reverse("inspections:evaluate", args=[visit.pk])
        assert 'name="conduct"' in self.client_for(self.erin).get(url).content.decode()
        do_evaluate_visit(visit=visit, by=self.erin, scores=Scores(5, 5, 5))
        page = self.client_for(self.erin).get(url).content.decode()
        assert 'id="rated"' in page and 'name="conduct"' not in page

    def test_it_refuses_scores_outside_one_to_five(self) -> None:
        visit = self.close(self.register())
        with self.assertRaises(VisitRefused):
            do_evaluate_visit(visit=visit, by=self.erin, scores=Scores(6, 1, 1))

    def test_it_shows_a_body_only_blocks_of_five(self) -> None:
        for n in range(6):
            visit = Visit.objects.create(
                enterprise=self.bearing,
                lead_body=self.market,
                origin="planned",
                date=timezone.localdate() - dt.timedelta(days=n),
                status=Visit.Status.CLOSED,
                closed_at=timezone.now(),
            )
            visit.bodies.set([self.market])
            Evaluation.objects.create(
                visit=visit,
                conduct=5 if n < 5 else 1,
                professionalism=4,
                burden=4,
                submitted_on=timezone.localdate(),
            )
            summary = access.evaluation_summary(self.alice, self.market)
            if n < 4:
                assert not summary.shown
        assert summary.count == 5 and summary.conduct == 5  # the sixth waits for four more
        assert not access.evaluation_summary(self.bob, self.ecology).shown
