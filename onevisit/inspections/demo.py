"""The demo city's visits: last year's scattered visits and this year's fewer, joint ones
(so the dashboard tells the "今天你来、明天他来" → "进一次门、查多项事" story), rated by
enterprises, with the warnings they raise; and this week's visits of the demo inspector and
the demo enterprise, one of them already closed with its PDFs (idempotent)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from onevisit.accounts.models import User
from onevisit.audit.actions import Actor, record_many
from onevisit.catalog.models import Item
from onevisit.inspections import tokens
from onevisit.inspections.actions import (
    PointEntry,
    Registration,
    Scores,
    do_check_in,
    do_close_visit,
    do_evaluate_visit,
    do_record_result,
    do_register_visit,
    do_sign_off,
)
from onevisit.inspections.checklist import merge
from onevisit.inspections.keyring import signer
from onevisit.inspections.models import (
    Evaluation,
    InspectionCode,
    PointResult,
    Visit,
    code_snapshot,
    visit_points,
)
from onevisit.inspections.recognition import do_apply_recognition
from onevisit.oversight.actions import do_scan_warnings
from onevisit.planning.actions import do_create_task
from onevisit.planning.models import Kind, Task
from onevisit.planning.queries import full_industry_code
from onevisit.registry.demo import city_enterprises
from onevisit.registry.models import Body, Enterprise, Inspector
from onevisit.workdays.calendar import add_working_days, is_working_day

ACTOR = Actor.system("demo")
# Visits per 100 enterprises: before coordination, each body came on its own; after it, the
# same checks in fewer, joint visits (the city reported cuts of 50–60%).
LAST_YEAR_PER_100 = 48
THIS_YEAR_PER_100 = 21
JOINT_SHARE_THIS_YEAR = 0.45
HISTORY_BATCH = 5_000  # visits held before they are written: a province's city has 150,000
COMMENTS = [
    "检查人员态度很好，讲解清楚",
    "一次查完，省了不少事",
    "",
    "",
    "希望提前告知检查内容",
    "检查时间偏长",
]


def load_visit_history(say: Callable[[str], object]) -> None:
    """Past visits and their results; results recognised by other bodies take checks out of
    the coming planning run, so this runs before it."""
    if Visit.objects.exists():
        return
    today = timezone.localdate()
    bodies = list(Body.objects.filter(items__status=Item.Status.PUBLISHED, level="city").distinct())
    enterprises = list(city_enterprises().filter(status="active").order_by("pk"))
    if not bodies or not enterprises:
        return
    rng = random.Random(371500)
    history = _History(bodies, rng)
    history.year(
        enterprises,
        dt.date(today.year - 1, 1, 1),
        dt.date(today.year - 1, 12, 31),
        LAST_YEAR_PER_100,
        0.05,
    )
    history.year(
        enterprises,
        dt.date(today.year, 1, 1),
        today - dt.timedelta(days=1),
        THIS_YEAR_PER_100,
        JOINT_SHARE_THIS_YEAR,
    )
    history.save()
    raised = do_scan_warnings(today=today)
    visited = city_enterprises().filter(visits__date__year=today.year).distinct()
    recognised = sum(
        do_apply_recognition(enterprise=e, today=today) for e in visited.iterator(chunk_size=2000)
    )
    say(
        f"Visits: {history.counts.get(today.year - 1, 0):,} last year, "
        f"{history.counts.get(today.year, 0):,} "
        f"this year so far; {raised} warnings for the supervisor; {recognised} planned checks "
        "recognised from other bodies' results."
    )


def load_this_week(say: Callable[[str], object]) -> None:
    if Visit.objects.filter(status=Visit.Status.SCHEDULED).exists():
        return
    _this_week(timezone.localdate(), say)


class _History:
    """Closed visits of past days written in bulk, with their codes, results and ratings."""

    def __init__(self, bodies: list[Body], rng: random.Random) -> None:
        self.rng = rng
        self.bodies = bodies
        self.items = {
            b.pk: list(
                Item.objects.published()
                .filter(body=b)
                .select_related("body")
                .prefetch_related("points")
            )
            for b in bodies
        }
        self.team = {
            b.pk: list(
                Inspector.objects.filter(body=b, active=True)
                .select_related("body")
                .order_by("pk")[:14]
            )
            for b in bodies
        }
        self.visits: list[tuple[Visit, list[Body], list[Item], list[Inspector]]] = []
        self.counts: dict[int, int] = {}
        self.short_codes: set[str] = set()

    def year(
        self,
        enterprises: list[Enterprise],
        start: dt.date,
        end: dt.date,
        per_100: int,
        joint: float,
    ) -> None:
        wanted = len(enterprises) * per_100 // 100
        days = [d for d in _days(start, end) if is_working_day(d)]
        if not days:
            return
        for _ in range(wanted):
            enterprise = self.rng.choice(enterprises)
            code = full_industry_code(enterprise)
            fitting = [b for b in self.bodies if any(_fits(i, code) for i in self.items[b.pk])]
            if not fitting:
                continue
            count = 2 if self.rng.random() < joint and len(fitting) > 1 else 1
            chosen = self.rng.sample(fitting, k=count)
            items = [next(i for i in self.items[b.pk] if _fits(i, code)) for b in chosen]
            day = self.rng.choice(days)
            certified = {b.pk: [i for i in self.team[b.pk] if _certified(i, day)] for b in chosen}
            if any(len(people) < 2 for people in certified.values()):
                continue  # no two inspectors of a body held a valid certificate that day
            team = [i for b in chosen for i in self.rng.sample(certified[b.pk], k=2)]
            visit = Visit(
                enterprise=enterprise,
                lead_body=chosen[0],
                origin=Visit.Origin.PLANNED,
                date=day,
                status=Visit.Status.CLOSED,
            )
            self.visits.append((visit, chosen, items, team))
            self.counts[start.year] = self.counts.get(start.year, 0) + 1
            if len(self.visits) >= HISTORY_BATCH:
                self.save()

    def save(self) -> None:
        """Write the visits held so far, and let them go."""
        if not self.visits:
            return
        with transaction.atomic():
            for visit, *_rest in self.visits:
                entered = _at(visit.date, 9 + self.rng.randint(0, 6))
                visit.checked_in_at = entered
                visit.enterprise_signed_by = "企业负责人"
                visit.enterprise_signed_at = visit.team_signed_at = entered + dt.timedelta(hours=1)
                visit.closed_at = entered + dt.timedelta(hours=1, minutes=10)
            created = Visit.objects.bulk_create([v for v, *_r in self.visits], batch_size=2000)
            self._links(created)
            self._codes(created)
            self._results(created)
            self._ratings(created)
            record_many(
                actor=ACTOR,
                entries=[
                    {
                        "action": "register",
                        "verb": "demo_history",
                        "object_type": "inspections.visit",
                        "object_id": str(v.pk),
                        "object_repr": str(v)[:300],
                        "changes": {"date": v.date.isoformat()},
                    }
                    for v in created
                ],
            )
        self.visits = []

    def _links(self, created: list[Visit]) -> None:
        bodies, items, team = Visit.bodies.through, Visit.items.through, Visit.inspectors.through
        rows_b, rows_i, rows_t = [], [], []
        for visit, (_v, chosen, chosen_items, people) in zip(created, self.visits, strict=True):
            rows_b += [bodies(visit_id=visit.pk, body_id=b.pk) for b in chosen]
            rows_i += [items(visit_id=visit.pk, item_id=i.pk) for i in chosen_items]
            rows_t += [team(visit_id=visit.pk, inspector_id=p.pk) for p in people]
        bodies.objects.bulk_create(rows_b, batch_size=5000)
        items.objects.bulk_create(rows_i, batch_size=5000)
        team.objects.bulk_create(rows_t, batch_size=5000)

    def _codes(self, created: list[Visit]) -> None:
        key = signer()
        codes = []
        used = self.short_codes
        for n, (visit, (_v, bodies, items, team)) in enumerate(
            zip(created, self.visits, strict=True)
        ):
            short = tokens.new_short_code()
            while short in used:
                short = tokens.new_short_code()
            used.add(short)
            if n % 97 == 13:
                continue  # a few teams went in without registering first: 未亮码
            token = key.issue(tokens.Claim(visit.pk, visit.date, short))
            issued = _at(visit.date, 7) - dt.timedelta(days=self.rng.randint(1, 10))
            codes.append(
                InspectionCode(
                    visit=visit,
                    short_code=short,
                    token=token,
                    suite=key.suite,
                    valid_on=visit.date,
                    issued_at=issued,
                    snapshot=code_snapshot(visit, bodies, team, items),
                )
            )
        InspectionCode.objects.bulk_create(codes, batch_size=2000)

    def _results(self, created: list[Visit]) -> None:
        results = []
        for visit, (_v, _b, items, _team) in zip(created, self.visits, strict=True):
            for item in items:
                for point in item.points.all():
                    outcome = "compliant" if self.rng.random() < 0.93 else "na"
                    results.append(
                        PointResult(
                            visit=visit,
                            point=point,
                            outcome=outcome,
                            recorded_at=visit.checked_in_at or timezone.now(),
                        )
                    )
        PointResult.objects.bulk_create(results, batch_size=5000)

    def _ratings(self, created: list[Visit]) -> None:
        ratings = []
        this_year = timezone.localdate().year
        for visit in created:
            if visit.date.year != this_year or self.rng.random() > 0.6:
                continue
            low = self.rng.random() < 0.04
            ratings.append(
                Evaluation(
                    visit=visit,
                    conduct=self.rng.choice([1, 2]) if low else self.rng.choice([4, 5, 5]),
                    professionalism=self.rng.choice([2, 3]) if low else self.rng.choice([4, 4, 5]),
                    burden=self.rng.choice([1, 2]) if low else self.rng.choice([3, 4, 5]),
                    comment=self.rng.choice(COMMENTS),
                    submitted_on=visit.date + dt.timedelta(days=self.rng.randint(0, 5)),
                )
            )
        Evaluation.objects.bulk_create(ratings, batch_size=2000)


def _certified(inspector: Inspector, day: dt.date) -> bool:
    return inspector.certificate_valid_from <= day <= inspector.certificate_valid_until


def _fits(item: Item, industry_code: str) -> bool:
    prefixes = item.industry_prefixes
    return not prefixes or any(industry_code.startswith(p) for p in prefixes)


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _this_week(today: dt.date, say: Callable[[str], object]) -> None:
    """The demo inspector's visits: one closed this morning, one waiting at the gate today, and
    a joint one at the demo enterprise in two working days (its checklist already visible)."""
    user = User.objects.filter(username="inspector").select_related("inspector").first()
    company = User.objects.filter(username="enterprise").select_related("enterprise").first()
    if user is None or company is None or company.enterprise is None:
        return
    me = user.inspector
    if me is None:
        return
    market, safety = Body.objects.get(code="LC-SCJG"), Body.objects.filter(code="LC-YJGL").first()
    partner = Inspector.objects.certified(today).filter(body=market).exclude(pk=me.pk).first()
    if partner is None or not me.can_inspect(today):
        return
    first, second = _fitting(market, "SCJG-002", company.enterprise), _fitting(market, "SCJG-003")
    if first is None or second is None:
        return
    closed = _register(today, first, market, [me, partner], "SCJG-002", today)
    _close(closed, user, company_name="车间主任 王强")
    _register(today, second, market, [me, partner], "SCJG-003", today)
    ahead = add_working_days(today, 2)
    tasks = [_task(company.enterprise, market, "SCJG-002", ahead)]
    team = [me, partner]
    if safety is not None:
        tasks.append(_task(company.enterprise, safety, "YJGL-002", ahead))
        team += list(Inspector.objects.certified(ahead).filter(body=safety)[:2])
    visit = do_register_visit(
        actor=ACTOR,
        by=None,
        reg=Registration(
            enterprise=company.enterprise,
            lead_body=market,
            date=ahead,
            inspectors=team,
            tasks=tasks,
        ),
    )
    code = visit.current_code()
    say(f"This week: the demo enterprise expects a joint visit on {ahead} (code {code}).")


def _fitting(body: Body, item_code: str, besides: Enterprise | None = None) -> Enterprise | None:
    """An active enterprise of the item's industries (清单之外无检查), other than `besides` and
    the enterprises already visited today."""
    item = Item.objects.published().get(body=body, code=item_code)
    busy = Visit.objects.filter(date=timezone.localdate()).values("enterprise")
    candidates = (
        city_enterprises()
        .filter(status="active")
        .exclude(pk__in=busy)
        .exclude(pk=besides.pk if besides else 0)
        .select_related("industry")
        .order_by("pk")
    )
    return next((e for e in candidates if _fits(item, full_industry_code(e))), None)


def _task(enterprise: Enterprise, body: Body, item_code: str, day: dt.date) -> Task:
    item = Item.objects.published().get(body=body, code=item_code)
    return do_create_task(
        actor=ACTOR,
        enterprise=enterprise,
        body=body,
        kind=Kind.DEPLOYED,
        start=day - dt.timedelta(days=7),
        end=day + dt.timedelta(days=21),
        items=[item],
        cause="市政府部署：冬季安全生产联合检查",
    )


def _register(
    today: dt.date,
    enterprise: Enterprise,
    body: Body,
    team: list[Inspector],
    item: str,
    day: dt.date,
) -> Visit:
    task = _task(enterprise, body, item, day)
    return do_register_visit(
        actor=ACTOR,
        by=None,
        reg=Registration(
            enterprise=enterprise, lead_body=body, date=day, inspectors=team, tasks=[task]
        ),
    )


def _close(visit: Visit, user: User, company_name: str) -> None:
    actor = Actor.of(user)
    do_check_in(actor=actor, visit=visit, by=user, uscc=visit.enterprise.uscc)
    rows = merge(visit_points(visit), [], [])
    for n, row in enumerate(rows):
        entry = (
            PointEntry(
                row.points,
                "noncompliant",
                severity="general",
                description="两台叉车未办理使用登记，驾驶人员一人无证",
            )
            if n == 0
            else PointEntry(row.points, "compliant")
        )
        do_record_result(actor=actor, visit=visit, by=user, entry=entry)
    do_sign_off(actor=actor, visit=visit, by=user, party="enterprise", name=company_name)
    team = {i.pk: i.certificate_number for i in visit.inspectors.all()}
    do_sign_off(actor=actor, visit=visit, by=user, party="team", certificates=team)
    do_close_visit(actor=actor, visit=visit, by=user)
    owner = User.objects.filter(enterprise=visit.enterprise).first()
    if owner is not None:
        do_evaluate_visit(visit=visit, by=owner, scores=Scores(5, 5, 4, "当场讲清了整改要求"))
