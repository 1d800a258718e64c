"""The demo city's business scope: a sample catalogue of standard wordings for its industries
(imported through the catalogue import, with its own sample codes; a city imports the national
catalogue the same way), 临清's regional entries (published, returned, one under review), and
the demo enterprise's published scope in two versions, with licensed entries that tie it to
the bodies approving them (idempotent)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.db import transaction

from onevisit.accounts.models import User
from onevisit.audit.actions import Actor
from onevisit.scope.actions import (
    Proposal,
    do_propose_entry,
    do_publish_scope,
    do_review_entry,
)
from onevisit.scope.imports import import_scope
from onevisit.scope.models import Entry

ACTOR = Actor.system("demo")
CATALOGUE = Path(__file__).resolve().parent / "data" / "demo_catalogue.csv"
# (wording, industry, why the district needs it, published / returned / under review, the note)
REGIONAL = [
    ("有色金属压延销售", "5164", "临清轴承、金属加工企业集中，需销售自产有色金属压延材", True, ""),
    ("轴承保持架销售", "5174", "临清轴承产业链配套企业众多，标准目录无对应表述", True, ""),
    (
        "废旧轴承回收",
        "5191",
        "临清轴承企业每年报废轴承量大，需专门回收渠道",
        False,
        "与再生资源回收条目重叠，请说明与标准条目的区别或直接选用标准条目",
    ),
    ("轴承检测服务", "7452", "本地轴承企业需要第三方检测，标准表述过宽", None, ""),
]


def load_scope(say: Callable[[str], object]) -> None:
    if Entry.objects.exists():
        return
    report = import_scope(CATALOGUE.read_bytes(), CATALOGUE.name, actor=ACTOR)
    if not report.ok:
        say(f"Business scope catalogue not loaded: {report.summary()}")
        return
    proposer = User.objects.filter(username="lq_admin").first()
    reviewer = User.objects.filter(username="scjg_admin").first()
    if proposer is None or proposer.body is None or reviewer is None:
        return
    with transaction.atomic():
        for wording, industry, why, publish, note in REGIONAL:
            entry = do_propose_entry(
                actor=ACTOR,
                by=proposer,
                district=proposer.body.district,
                proposal=Proposal(wording, industry, False, None, why),
            )
            if publish is not None:
                do_review_entry(
                    actor=ACTOR,
                    by=reviewer,
                    entry=entry,
                    publish=publish,
                    note=note,
                )
        versions = _demo_enterprise_scope()
    say(
        f"Business scope: {report.created} catalogue entries, {len(REGIONAL)} regional entries "
        f"of 临清; the demo enterprise has published {versions} versions."
    )


def _demo_enterprise_scope() -> int:
    user = User.objects.filter(username="enterprise").first()
    if user is None or user.enterprise is None:
        return 0
    enterprise = user.enterprise
    codes = {e.wording: e for e in Entry.objects.filter(status=Entry.Status.PUBLISHED)}
    first = [codes[w] for w in ("金属结构制造", "金属结构销售", "金属材料销售") if w in codes]
    do_publish_scope(actor=ACTOR, by=user, enterprise=enterprise, entries=first)
    second = first + [
        codes[w]
        for w in ("有色金属压延销售", "特种设备安装改造修理", "道路货物运输（不含危险货物）")
        if w in codes
    ]
    marked = [codes[w] for w in ("有色金属压延销售",) if w in codes]
    do_publish_scope(
        actor=ACTOR, by=user, enterprise=enterprise, entries=second, characteristic=marked
    )
    return 2
