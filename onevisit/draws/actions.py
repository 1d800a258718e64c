"""Draw writes: freeze and publish a pool, then — once the seed is public — draw, record, task."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from onevisit.audit.actions import Actor, record
from onevisit.catalog.models import Item
from onevisit.draws.models import DeclaredRelation, Draw
from onevisit.draws.signing import signature_for
from onevisit.inspections.keyring import suite as deployment_suite
from onevisit.lib.gm import GM
from onevisit.lib.problems import gettext_noop
from onevisit.planning.models import Kind, Level, PlannedVisit, Task, TaskItem, Tier
from onevisit.planning.queries import applicable_items, full_industry_code
from onevisit.registry.models import Body, Enterprise, Inspector
from onevisit.scope.queries import licensed_codes
from onevisit.sortition import (
    KEY_RULE,
    Conflict,
    DrawError,
    TeamMember,
    assign_teams,
    draw_strata,
    key_string,
    pool_sha256,
    pool_sm3,
    stratum_sizes,
    teams_commitment,
)
from onevisit.versions.actions import do_freeze
from onevisit.versions.models import Kind as VersionKind
from onevisit.versions.models import snapshot_sha256


def _json_source(source: Any) -> Any:
    """A seed value as the record's JSON keeps it: a decimal typed with a fractional part
    becomes a JSON number, which the key rule writes back in its shortest decimal form."""
    if isinstance(source, Decimal):
        return int(source) if source == source.to_integral_value() else float(source)
    if isinstance(source, list):
        return [_json_source(value) for value in source]
    return source


def green_pool(body: Body | None) -> Any:
    """The enterprises a body samples at random: its green tier (any body's for a joint draw)."""
    tiers = Tier.objects.filter(computed_level=Level.GREEN, override_level="")
    if body is not None:
        tiers = tiers.filter(body=body)
    ids = tiers.values("enterprise_id")
    return Enterprise.objects.filter(pk__in=ids, status=Enterprise.Status.ACTIVE).select_related(
        "industry"
    )


def _stratum_of(enterprise: Enterprise, strata_by: str) -> str:
    if strata_by == Draw.Strata.DISTRICT:
        return enterprise.district_id
    if strata_by == Draw.Strata.INDUSTRY:
        return enterprise.industry.section_id or enterprise.industry_id
    return "all"


def do_create_draw(
    *,
    actor: Actor,
    by: Any,
    body: Body | None,
    fields: dict[str, Any],
    items: Sequence[Item] = (),
    questions: Sequence[str] = (),
) -> Draw:
    """Freeze the pool (sorted), its strata and hashes (SHA-256, and SM3 under the gm suite),
    and publish the plan of the draw."""
    ratio = Decimal(fields["ratio"])
    if not 0 < ratio <= 1:
        raise DrawError(gettext_noop("the share drawn must lie above 0 and at most 1"))
    if fields["seed_known_after"] <= timezone.now():
        raise DrawError(gettext_noop("the seed must come from a future public source"))
    for item in items:
        item.assert_plannable()
    labels: dict[str, str] = {}
    strata: dict[str, list[str]] = {}
    if fields.get("subject", Draw.Subject.ENTERPRISES) == Draw.Subject.LIST:
        for n, question in enumerate(q for q in questions if q.strip()):
            candidate = f"Q{n + 1:03d}"
            labels[candidate] = question.strip()
            strata.setdefault("all", []).append(candidate)
    else:
        pool_query = green_pool(body).select_related("industry").order_by("uscc")
        licensed = licensed_codes(body) if body is not None else {}
        for enterprise in pool_query.iterator(chunk_size=5000):
            codes = licensed.get(enterprise.pk, ())
            if items and not applicable_items(list(items), full_industry_code(enterprise), *codes):
                continue  # 清单之外无检查: none of the draw's items applies to its industries
            labels[enterprise.uscc] = enterprise.name
            stratum = _stratum_of(enterprise, fields.get("strata_by", ""))
            strata.setdefault(stratum, []).append(enterprise.uscc)
    if not labels:
        raise DrawError(gettext_noop("the pool is empty"))
    pool = sorted(labels)
    strata = {name: sorted(members) for name, members in sorted(strata.items())}
    stratum_sizes(strata, str(ratio), fields.get("cap"))  # refuse impossible sizes now
    suite = deployment_suite()
    with transaction.atomic():
        draw = Draw.objects.create(
            body=body,
            created_by=by,
            pool=pool,
            pool_sha256=pool_sha256(pool),
            pool_sm3=pool_sm3(pool) if suite == GM else "",
            suite=suite,
            strata=strata,
            labels=labels,
            **fields,
        )
        draw.items.set(items)
        record(
            actor=actor,
            action="create",
            obj=draw,
            changes={
                "pool_sha256": draw.pool_sha256,
                **({"pool_sm3": draw.pool_sm3} if draw.pool_sm3 else {}),
                "pool": len(pool),
                "seed_source": draw.seed_source,
                "seed_known_after": draw.seed_known_after.isoformat(),
            },
        )
    return draw


def _team_inputs(
    draw: Draw, selected: list[str], on: dt.date
) -> tuple[list[TeamMember], list[Conflict], dict[str, str]]:
    enterprises = {e.uscc: e for e in Enterprise.objects.filter(uscc__in=selected)}
    staff = Inspector.objects.filter(body=draw.body, active=True).prefetch_related("districts")
    members, conflicts = [], []
    for inspector in staff:
        members.append(
            TeamMember(str(inspector.pk), frozenset(d.code for d in inspector.districts.all()))
        )
        if not (inspector.certificate_valid_from <= on <= inspector.certificate_valid_until):
            conflicts.append(Conflict(str(inspector.pk), "*", "执法证不在有效期内"))
    by_pk = {e.pk: uscc for uscc, e in enterprises.items()}
    for relation in DeclaredRelation.objects.filter(enterprise__in=enterprises.values()):
        conflicts.append(
            Conflict(
                str(relation.inspector_id),
                by_pk[relation.enterprise_id],
                f"申报回避：{relation.reason}",
            )
        )
    year_ago = on - dt.timedelta(days=365)
    recent = (
        PlannedVisit.inspectors.through.objects.filter(
            plannedvisit__enterprise__in=enterprises.values(),
            plannedvisit__week_start__gte=year_ago,
            plannedvisit__week_start__lte=on,
            inspector__body=draw.body,
        )
        .values_list("inspector_id", "plannedvisit__enterprise_id")
        .distinct()
    )
    for inspector_id, enterprise_id in recent:
        conflicts.append(
            Conflict(str(inspector_id), by_pk[enterprise_id], "近12个月内检查过该企业")
        )
    districts = {uscc: e.district_id for uscc, e in enterprises.items()}
    return members, conflicts, districts


def do_run_draw(*, actor: Actor, draw: Draw, sources: list[Any]) -> Draw:
    """Enter the seed values (only after the announced time), draw, publish, create tasks."""
    if draw.status != Draw.Status.PLANNED:
        raise DrawError(gettext_noop("this draw has already been made"))
    if not draw.seed_due:
        raise DrawError(gettext_noop("the seed cannot be entered before the announced time"))
    sources = [_json_source(source) for source in sources]
    key = key_string(sources, KEY_RULE)
    if not key.strip("./"):
        raise DrawError(gettext_noop("the seed values are empty"))
    sizes = stratum_sizes(draw.strata, str(draw.ratio), draw.cap)
    drawn = draw_strata(draw.strata, sizes, key, draw.algorithm)
    selected = [c for name in draw.strata for c in drawn[name]]
    now = timezone.now()
    result: dict[str, Any] = {
        "version": 1,
        "suite": draw.suite,
        "title": draw.title,
        "algorithm": draw.algorithm,
        "seed_source": draw.seed_source,
        "sources": sources,
        "key_rule": KEY_RULE,
        "key": key,
        "pool": draw.pool,
        "pool_sha256": draw.pool_sha256,
        **({"pool_sm3": draw.pool_sm3} if draw.pool_sm3 else {}),
        "ratio": str(Decimal(str(draw.ratio)).normalize()),
        "count": len(selected),
        "selected": selected,
        "strata": [
            {"name": name, "pool": members, "count": sizes[name], "selected": drawn[name]}
            for name, members in draw.strata.items()
        ],
        "created": draw.created.isoformat(),
        "drawn": now.isoformat(),
    }
    if draw.cap is not None:
        result["cap"] = draw.cap
    needs_teams = draw.subject == Draw.Subject.ENTERPRISES and draw.body is not None
    if needs_teams:
        on = draw.window_start or timezone.localdate()
        members, conflicts, districts = _team_inputs(draw, selected, on)
        assignments = assign_teams(
            selected, districts, members, conflicts, key, draw.algorithm, draw.team_size
        )
        result["teams"] = {
            "team_size": draw.team_size,
            "districts": districts,
            "inspectors": [{"id": m.id, "districts": sorted(m.districts)} for m in members],
            "conflicts": [
                {"inspector": c.inspector, "candidate": c.candidate, "reason": c.reason}
                for c in conflicts
            ],
            "assignments": [
                {
                    "candidate": a.candidate,
                    "team": list(a.team),
                    "skipped": [{"inspector": i, "reason": r} for i, r in a.skipped],
                }
                for a in assignments
            ],
        }
        result["teams_commitment"] = teams_commitment(result["teams"], draw.suite)
    result["signature"] = signature_for(result)
    with transaction.atomic():
        draw.status, draw.seed_values, draw.key, draw.record, draw.drawn_at = (
            Draw.Status.DRAWN,
            sources,
            key,
            result,
            now,
        )
        draw.save(update_fields=["status", "seed_values", "key", "record", "drawn_at"])
        # the published record is the draw's frozen version (its hash; the record itself is
        # the public one, reproducible with `verify-draw`)
        do_freeze(
            actor=actor,
            by=None,
            obj=draw,
            kind=VersionKind.DRAW,
            snapshot={
                "record_sha256": snapshot_sha256(result),
                "pool_sha256": draw.pool_sha256,
                "key": key,
                "count": len(selected),
            },
        )
        tasks = _tasks_from(draw, selected) if needs_teams and draw.window_start else 0
        record(
            actor=actor,
            action="draw",
            obj=draw,
            changes={"key": key, "selected": len(selected), "tasks": tasks},
        )
    return draw


def _tasks_from(draw: Draw, selected: list[str]) -> int:
    items = list(draw.items.all())
    for item in items:
        item.assert_plannable()
    enterprises = list(Enterprise.objects.filter(uscc__in=selected).select_related("industry"))
    assert draw.body is not None and draw.window_start and draw.window_end
    # each drawn enterprise is checked for the draw's items that apply to its industry, or to
    # a licensed entry of its published business scope that the body approves, only
    licensed = licensed_codes(draw.body, [e.pk for e in enterprises])
    fitting = {
        e.pk: applicable_items(items, full_industry_code(e), *licensed.get(e.pk, ()))
        for e in enterprises
    }
    tasks = [
        Task(
            enterprise=e,
            body=draw.body,
            kind=Kind.ROUTINE,
            window_start=draw.window_start,
            window_end=draw.window_end,
            cause=f"双随机抽查：{draw.title}（抽取记录 #{draw.pk}）",
            draw=draw,
        )
        for e in enterprises
        if fitting[e.pk] or not items
    ]
    Task.objects.bulk_create(tasks, batch_size=2000)
    TaskItem.objects.bulk_create(
        [TaskItem(task=t, item=i) for t in tasks for i in fitting[t.enterprise_id]],
        batch_size=5000,
    )
    return len(tasks)
