"""`onevisit demo`: migrate, load the synthetic 聊城 (idempotent), one account per role, serve."""

from __future__ import annotations

import os
import random
import sys
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connections, transaction
from django.utils import timezone

from onevisit.accounts.models import Role, User
from onevisit.assessments.demo import load_assessments
from onevisit.audit.actions import Actor, record, snapshot
from onevisit.audit.checkpoints import write_checkpoint
from onevisit.campaigns.demo import load_campaigns, load_flood_campaign
from onevisit.catalog.demo import load_items
from onevisit.catalog.models import Item
from onevisit.draws.demo import load_draws
from onevisit.evaluation.demo import load_evaluation
from onevisit.inspections.demo import load_this_week, load_visit_history
from onevisit.liaison.demo import load_requests
from onevisit.monitoring.demo import load_station
from onevisit.oversight.demo import load_checks_owed
from onevisit.penalties.demo import load_penalties
from onevisit.planning.demo import load_planning, run_planning
from onevisit.planning.forms import YearForm
from onevisit.rectification.demo import load_rectifications
from onevisit.registry import demo
from onevisit.registry.actions import (
    BULK_ANALYZE_ROWS,
    do_bulk_upsert_enterprises,
    refresh_planner_statistics,
)
from onevisit.registry.divisions import province_divisions
from onevisit.registry.models import Body, District, Enterprise, Industry, Inspector
from onevisit.scope.demo import load_scope
from onevisit.tips.demo import load_tips

ACTOR = Actor.system("demo")
PASSWORD = "onevisit-demo"
CHUNK = 20_000
MAX_ENTERPRISES = 600_000
MAX_PROVINCE_ENTERPRISES = 3_600_000


class Command(BaseCommand):
    help = "Load the demo city (default 5,000 enterprises) and serve it on http://127.0.0.1:8000."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enterprises", type=int, default=5000)
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--no-serve", action="store_true", help="load the data, do not serve")
        parser.add_argument(
            "--province",
            action="store_true",
            help="spread the enterprises over the 16 cities of 山东 (up to 3,600,000)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        wanted, province = options["enterprises"], options["province"]
        most = MAX_PROVINCE_ENTERPRISES if province else MAX_ENTERPRISES
        if not 1 <= wanted <= most:
            self.stderr.write(f"--enterprises must lie between 1 and {most:,}")
            raise SystemExit(2)
        started = time.monotonic()
        call_command("migrate", interactive=False, verbosity=0)
        bodies = load_bodies()
        items = load_items(bodies, ACTOR)
        inspectors = load_inspectors(bodies)
        if province:
            self.stdout.write(f"Province 山东: {load_province()} divisions added.")
        added = load_enterprises(wanted, self.stdout.write, province=province)
        load_accounts(bodies)
        year = YearForm.default_year()
        load_planning(year, self.stdout.write)
        load_draws(year)
        load_visit_history(self.stdout.write)
        load_rectifications(self.stdout.write)
        run_planning(year, self.stdout.write)
        load_this_week(self.stdout.write)
        load_tips(self.stdout.write)
        load_campaigns(self.stdout.write)
        load_flood_campaign(self.stdout.write)
        load_station(self.stdout.write)
        load_penalties(self.stdout.write)
        load_evaluation(self.stdout.write)
        load_checks_owed(self.stdout.write)
        load_assessments(self.stdout.write)
        load_requests(self.stdout.write)
        load_scope(self.stdout.write)
        point = write_checkpoint()
        self.stdout.write(f"Audit log: {point.count:,} entries, checkpoint signed.")
        if province:
            cities = District.objects.cities().filter(code__startswith=demo.PROVINCE).count()
            self.stdout.write(
                f"Province 山东: {Enterprise.objects.count():,} enterprises ({added:,} new) "
                f"in {cities} cities."
            )
        fresh = "" if province else f" ({added:,} new)"
        self.stdout.write(
            f"Demo city 聊城: {demo.city_enterprises().count():,} enterprises{fresh}, "
            f"{len(bodies)} bodies, {inspectors} inspectors, "
            f"{Item.objects.published().count()} published items ({items} new), ready in "
            f"{time.monotonic() - started:.1f} s."
        )
        host = options["host"] if options["host"] not in ("0.0.0.0", "::") else "127.0.0.1"  # noqa: S104
        self.stdout.write(
            ACCOUNTS_HELP.format(password=PASSWORD, site=f"http://{host}:{options['port']}")
        )
        if not options["no_serve"]:
            # Serve from a fresh process: the planning run above started HiGHS's threads, and
            # gunicorn's workers forked from this process would abort on exit (std::system_error).
            self.stdout.flush()
            sys.stderr.flush()
            connections.close_all()
            server = [sys.executable, "-m", "onevisit", "serve"]
            server += ["--host", options["host"], "--port", str(options["port"])]
            os.execv(sys.executable, server)  # noqa: S606 - our own command, no shell


ACCOUNTS_HELP = """
Log in at {site}/accounts/login/ (password for all: {password})
  supervisor   司法局 行政执法监督: plans to accept, warnings (越位 and 缺位), complaints,
               evaluations, prior assessments (事前评估) to approve, requests to route
  scjg_admin   市场监督管理局 department admin: plans, draws, visits, rectification, tips,
               事前评估, 政企沟通 requests to answer, regional scope entries to review
  inspector    市场监督管理局 inspector: today's visits, the checklist on the phone
  enterprise   an enterprise: its visits and codes, rectifications, alerts, ratings,
               its requests (政企沟通) and its published business scope (自主公示)
  gxj_admin    工业和信息化局 admin: 淘汰落后产能 (retirement lists, 复活 alerts), 亩产效益评价
  zjj_admin    住房和城乡建设局 admin: 防汛检查 (supervision groups, site checks)
  lq_admin     临清市市场监督管理局 (county) admin: proposes regional business-scope entries
  admin        Django superuser for data stewards (/admin/)
  lc_supervisor  (with --province) 聊城's own supervisor: the same pages, 聊城's records only
No login needed: the code check {site}/v/, the public lists, draws and the tip form.
"""


def load_bodies() -> dict[str, Body]:
    existing = {b.code: b for b in Body.objects.all()}
    rows = list(demo.CITY_BODIES)
    for district, (prefix, place) in demo.COUNTY_PREFIX.items():
        for code, department in demo.COUNTY_DEPARTMENTS:
            rows.append(
                (
                    f"{prefix}-{code}",
                    f"{place}{department}",
                    "county",
                    district,
                    "administrative",
                    "",
                    "",
                )
            )
    with transaction.atomic():
        for code, name, level, district, kind, entrusting, duties in rows:
            if code in existing:
                continue
            body = Body.objects.create(
                code=code,
                name=name,
                level=level,
                district_id=district,
                kind=kind,
                entrusted_by=existing.get(entrusting),
                published=True,
                duties=duties,
                phone=f"0635-{8_200_000 + len(existing) * 1117:07d}",
            )
            existing[code] = body
            record(actor=ACTOR, action="create", obj=body, changes=snapshot(body))
    return existing


def load_inspectors(bodies: dict[str, Body]) -> int:
    if Inspector.objects.exists():
        return Inspector.objects.count()
    today = timezone.localdate()
    districts = {d.code: d for d in District.objects.all()}
    counties = District.objects.area_codes(demo.CITY)[1:]
    index = 0
    with transaction.atomic():
        for body in sorted(bodies.values(), key=lambda b: b.code):
            rng = random.Random(f"{demo.SEED}-{body.code}")
            count = 14 if body.level == "city" else 8
            for member in range(count):
                start, until = demo.certificate_validity(index, today)
                inspector = Inspector.objects.create(
                    name=demo.person_name(rng),
                    body=body,
                    certificate_number=demo.certificate_number(index),
                    certificate_valid_from=start,
                    certificate_valid_until=until,
                    phone=f"13{rng.randint(100000000, 999999999)}",
                )
                # a city inspector covers three neighbouring areas in turn (so that every area
                # has at least three of each city body) and up to two more at random
                served = (
                    sorted(
                        {counties[(member + k) % len(counties)] for k in range(3)}
                        | set(rng.sample(counties, k=rng.randint(0, 2)))
                    )
                    if body.level == "city"
                    else [body.district_id]
                )
                inspector.districts.set([districts[c] for c in served])
                record(
                    actor=ACTOR,
                    action="create",
                    obj=inspector,
                    changes={**snapshot(inspector), "districts": sorted(served)},
                )
                index += 1
    return index


def load_province() -> int:
    """The other cities of 山东 and their counties, from python-stdnum's GB/T 2260 table."""
    have = set(District.objects.values_list("code", flat=True))
    new = [
        District(code=d.code, name=d.name, parent_id=d.parent, kind=d.kind)
        for d in province_divisions(demo.PROVINCE)
        if d.code not in have
    ]
    District.objects.bulk_create(new)
    return len(new)


def load_enterprises(wanted: int, say: Any, *, province: bool = False) -> int:
    have = Enterprise.objects.count()
    if have >= wanted:
        return 0
    industries = {i.code: i for i in Industry.objects.all()}
    districts = {d.code: d for d in District.objects.all()}
    batch: list[Enterprise] = []
    added = 0
    for item in demo.enterprises(wanted, start=have, province=province):
        batch.append(
            Enterprise(
                uscc=item.uscc,
                name=item.name,
                district=districts[item.district],
                industry=industries[item.industry],
                industry_code=item.industry_code,
                address=item.address,
                legal_representative=item.legal_representative,
                land_area_mu=item.land_area_mu,
                employees=item.employees,
                above_scale=item.above_scale,
                status=item.status,
            )
        )
        if len(batch) >= CHUNK:
            added += _flush(batch)
            say(f"  {have + added:,} enterprises")
            batch = []
    added += _flush(batch)
    if added >= BULK_ANALYZE_ROWS:
        refresh_planner_statistics()
    return added


def _flush(batch: list[Enterprise]) -> int:
    if not batch:
        return 0
    with transaction.atomic():
        do_bulk_upsert_enterprises(actor=ACTOR, new=batch, changed=[])
    return len(batch)


def load_accounts(bodies: dict[str, Body]) -> None:
    scjg = bodies["LC-SCJG"]
    first_inspector = Inspector.objects.certified(timezone.localdate()).filter(body=scjg).first()
    active = demo.city_enterprises().filter(status="active").order_by("id")
    # in 临清, whose regional business-scope entries the demo enterprise publishes
    enterprise = active.filter(district_id=demo.DEMO_ENTERPRISE_DISTRICT).first() or active.first()
    specs: list[tuple[str, dict[str, Any]]] = [
        (
            "supervisor",
            {"role": Role.SUPERVISOR, "full_name": "司法局 执法监督科", "is_staff": True},
        ),
        ("scjg_admin", {"role": Role.BODY_ADMIN, "body": scjg, "full_name": "市场监管局 法规科"}),
        (
            "gxj_admin",
            {
                "role": Role.BODY_ADMIN,
                "body": bodies["LC-GXJ"],
                "full_name": "工信局 节能与综合利用科",
            },
        ),
        (
            "zjj_admin",
            {"role": Role.BODY_ADMIN, "body": bodies["LC-ZJ"], "full_name": "住建局 城建安全科"},
        ),
        (
            "lq_admin",
            {
                "role": Role.BODY_ADMIN,
                "body": bodies["LQ-SCJG"],
                "full_name": "临清市市场监管局 登记注册科",
            },
        ),
        (
            "inspector",
            {
                "role": Role.INSPECTOR,
                "body": scjg,
                "full_name": first_inspector.name if first_inspector else "检查员",
            },
        ),
        (
            "enterprise",
            {
                "role": Role.ENTERPRISE,
                "enterprise": enterprise,
                "full_name": enterprise.legal_representative if enterprise else "",
            },
        ),
        ("admin", {"is_staff": True, "is_superuser": True, "full_name": "数据管理员"}),
    ]
    city = District.objects.filter(code=demo.CITY).first()
    if District.objects.cities().count() > 1 and city is not None:  # a province
        # the `supervisor` above then stands for the province; 聊城 has one of its own
        specs.append(
            (
                "lc_supervisor",
                {"role": Role.SUPERVISOR, "area": city, "full_name": "聊城市司法局 执法监督科"},
            )
        )
    with transaction.atomic():
        for username, fields in specs:
            if User.objects.filter(username=username).exists():
                continue
            if fields.get("role") == Role.ENTERPRISE and enterprise is None:
                continue
            user = User(username=username, **fields)
            user.set_password(PASSWORD)
            user.save()
            record(
                actor=ACTOR,
                action="create",
                obj=user,
                verb="demo_account",
                changes={"username": username, "role": user.role},
            )
            if username == "inspector" and first_inspector is not None:
                first_inspector.user = user
                first_inspector.save(update_fields=["user"])
