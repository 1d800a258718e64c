"""A deployment's move to another crypto suite, as one step: `onevisit suite --migrate`.

What was signed or hashed is published (codes on paper, draw records, the audit chain and its
checkpoints): it cannot be made again, so it keeps verifying under its own suite and key, and the
migration proves that it does. What is secret at rest (reporters' identities) is sealed again
under the deployment's suite, so that no secret is left under the old algorithm."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Model, QuerySet

from onevisit.audit.actions import Actor, record, verify_chain
from onevisit.audit.checkpoints import checkpoints_path, suite_of_line, write_checkpoint
from onevisit.audit.keys import private_key as audit_key
from onevisit.audit.models import AuditEntry
from onevisit.draws.models import Draw
from onevisit.draws.signing import check_signature
from onevisit.inspections import keyring
from onevisit.inspections.models import InspectionCode
from onevisit.inspections.tokens import BadToken
from onevisit.lib.gm import INTL
from onevisit.sortition.records import Mismatch, verify_record
from onevisit.tips import sealing


@dataclass
class Census:
    """How many records of each kind each suite made, and what does not verify."""

    suite: str
    counts: dict[str, Counter[str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    resealed: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def _by_suite(queryset: QuerySet[Model]) -> Counter[str]:
    rows = queryset.values("suite").annotate(n=Count("pk")).order_by()
    return Counter({row["suite"]: row["n"] for row in rows})


def _sealed(model: type[Model]) -> Iterator[tuple[Model, str]]:
    rows = model._default_manager.exclude(identity_sealed="").only("identity_sealed")
    for row in rows.iterator(chunk_size=2000):
        yield row, str(row.serializable_value("identity_sealed"))


def take_census(*, check: bool = True) -> Census:
    """Count each kind by suite; with `check`, verify every code, record, entry and seal."""
    census = Census(suite=keyring.suite())
    census.counts["inspection codes"] = _by_suite(InspectionCode.objects.all())
    census.counts["draw records"] = _by_suite(Draw.objects.filter(status=Draw.Status.DRAWN))
    census.counts["audit entries"] = _by_suite(AuditEntry.objects.all())
    identities: Counter[str] = Counter()
    for model in sealing.sealed_models():
        identities.update(sealing.suite_of(token) for _row, token in _sealed(model))
    census.counts["sealed identities"] = identities
    census.counts["audit checkpoints"] = _checkpoints_by_suite()
    if check:
        census.problems = list(_problems())
    return census


def _checkpoints_by_suite() -> Counter[str]:
    path = checkpoints_path()
    if not path.is_file():
        return Counter()
    lines = path.read_text(encoding="utf-8").splitlines()
    return Counter(suite for line in lines if (suite := suite_of_line(line)) is not None)


def _problems() -> Iterator[str]:
    ring = keyring.keyring()
    for code in InspectionCode.objects.only("pk", "token", "suite").iterator(chunk_size=5000):
        try:
            _claim, key = ring.check(code.token)
        except BadToken as bad:
            yield f"inspection code {code.pk}: {bad.reason}"
            continue
        if key.suite != code.suite:
            yield f"inspection code {code.pk}: recorded as {code.suite}, signed under {key.suite}"
    for draw in Draw.objects.filter(status=Draw.Status.DRAWN).iterator(chunk_size=20):
        try:
            verify_record(draw.record)
            check_signature(draw.record, ring)
        except Mismatch as mismatch:
            yield f"draw {draw.pk}: {mismatch}"
            continue
        if (draw.record or {}).get("suite", INTL) != draw.suite:
            yield f"draw {draw.pk}: recorded as {draw.suite}, its record says otherwise"
    chain = verify_chain()
    if chain.reason:
        yield f"audit log: {chain.reason}"
    for model in sealing.sealed_models():
        for row, token in _sealed(model):
            if "error" in sealing.unseal(token):
                yield f"sealed identity of {model._meta.label} {row.pk}: cannot be opened"


def do_reseal_identities(*, actor: Actor) -> int:
    """Seal every reporter's identity sealed under another suite again under the deployment's,
    in one transaction (an identity that cannot be opened is left as it is, and reported)."""
    suite = keyring.suite()
    resealed = Counter[str]()
    with transaction.atomic():
        for model in sealing.sealed_models():
            for row, token in _sealed(model):
                if sealing.suite_of(token) == suite:
                    continue
                identity = sealing.unseal(token)
                if "error" in identity:
                    continue
                model._default_manager.filter(pk=row.pk).update(
                    identity_sealed=sealing.seal(identity)
                )
                resealed[model._meta.label] += 1
        if resealed:
            record(
                actor=actor,
                action="reseal",
                verb=f"sealed reporters' identities again under the {suite} suite",
                object_type="tips.identity",
                object_id=suite,
                changes=dict(resealed),
            )
    return sum(resealed.values())


def do_migrate_suite(*, actor: Actor) -> Census:
    """Move the installation to the deployment's suite (`ONEVISIT_CRYPTO_SUITE`): make its keys,
    seal old identities again, verify everything made under either suite, and anchor the log
    with a checkpoint signed by the new audit key."""
    keyring.signer()
    sealing.ensure_key()
    audit_key()
    resealed = do_reseal_identities(actor=actor)
    census = take_census(check=True)
    census.resealed = resealed
    if census.ok:
        write_checkpoint()
        census.counts["audit checkpoints"] = _checkpoints_by_suite()
    return census
