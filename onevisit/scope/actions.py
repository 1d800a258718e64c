"""Writes of the business scope: a district proposes a regional entry and market regulation
publishes or returns it; an enterprise publishes its scope (自主公示), every version kept."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from onevisit.accounts.models import User
from onevisit.audit.actions import Actor, record
from onevisit.planning.actions import do_recompute_tiers
from onevisit.registry.identifiers import InvalidIdentifier
from onevisit.registry.industries import check_enterprise_code, section_of
from onevisit.registry.models import Body, District, Enterprise
from onevisit.scope.models import Entry, Line, Version
from onevisit.scope.queries import usable_entries
from onevisit.versions.actions import do_end_version, do_freeze
from onevisit.versions.models import Kind

MAX_LINES = 100


class ScopeRefused(Exception):
    """A write that breaks a rule; the message says which, in the user's language."""


def industry_class(raw: str) -> str:
    """A GB/T 4754 class, "5164" or "F5164", in the form with its section letter."""
    try:
        _division, code = check_enterprise_code(raw)
    except InvalidIdentifier as error:
        raise ScopeRefused(error.localized(_)) from None
    if len(code) != 4:
        raise ScopeRefused(_("Give the four-digit industry class (小类)."))
    return section_of(code) + code


def _check_licence(licensed: bool, approving_body: Body | None) -> None:
    if licensed and approving_body is None:
        raise ScopeRefused(_("A licensed entry names the body that approves it."))
    if not licensed and approving_body is not None:
        raise ScopeRefused(_("Only a licensed entry has an approving body."))


@dataclass(frozen=True)
class Proposal:
    """What a district proposes, or proposes again after a return."""

    wording: str
    industry: str
    licensed: bool
    approving_body: Body | None
    justification: str


def _checked(proposal: Proposal, entry: Entry | None = None) -> str:
    code = industry_class(proposal.industry)
    _check_licence(proposal.licensed, proposal.approving_body)
    if not proposal.wording.strip() or not proposal.justification.strip():
        raise ScopeRefused(_("A regional entry gives its wording and why the district needs it."))
    taken = Entry.objects.filter(wording=proposal.wording.strip()).exclude(
        status=Entry.Status.RETURNED
    )
    if entry is not None:
        taken = taken.exclude(pk=entry.pk)
    if taken.exists():
        raise ScopeRefused(_("An entry with this wording exists already."))
    return code


def _proposed(entry: Entry) -> dict[str, object]:
    return {
        "code": entry.code,
        "wording": entry.wording,
        "industry": entry.industry_code,
        "licensed": entry.licensed,
        "approving_body": entry.approving_body.name if entry.approving_body else "",
        "justification": entry.justification,
        "district": entry.district.name if entry.district else "",
    }


def do_propose_entry(*, actor: Actor, by: User, district: District, proposal: Proposal) -> Entry:
    """A district proposes a regional entry (区域特色条目) for market regulation to review."""
    code = _checked(proposal)
    with transaction.atomic():
        count = Entry.objects.select_for_update().filter(regional=True, district=district).count()
        entry = Entry.objects.create(
            code=f"QY{district.code}{count + 1:03d}",
            wording=proposal.wording.strip()[:200],
            industry_code=code,
            licensed=proposal.licensed,
            approving_body=proposal.approving_body,
            regional=True,
            district=district,
            justification=proposal.justification.strip(),
            status=Entry.Status.PROPOSED,
            proposed_by=by,
        )
        do_freeze(actor=actor, by=by, obj=entry, kind=Kind.PROPOSAL, snapshot=_proposed(entry))
        record(actor=actor, action="propose", obj=entry, changes={"wording": entry.wording})
    return entry


def do_revise_entry(*, actor: Actor, by: User, entry: Entry, proposal: Proposal) -> Entry:
    """A returned entry, revised and proposed again as the same entry (its code kept): the
    proposals and the returns stay in its history."""
    if entry.status != Entry.Status.RETURNED:
        raise ScopeRefused(_("Only a returned entry is revised and proposed again."))
    code = _checked(proposal, entry)
    with transaction.atomic():
        entry.wording = proposal.wording.strip()[:200]
        entry.industry_code = code
        entry.licensed = proposal.licensed
        entry.approving_body = proposal.approving_body
        entry.justification = proposal.justification.strip()
        entry.status = Entry.Status.PROPOSED
        entry.proposed_by = by
        entry.save()
        do_freeze(actor=actor, by=by, obj=entry, kind=Kind.PROPOSAL, snapshot=_proposed(entry))
        record(actor=actor, action="revise", obj=entry, changes={"wording": entry.wording})
    return entry


def do_review_entry(*, actor: Actor, by: User, entry: Entry, publish: bool, note: str) -> Entry:
    """Market regulation publishes a proposed regional entry (a frozen version: what
    enterprises choose from), or returns it with a note for the district to revise."""
    if entry.status != Entry.Status.PROPOSED:
        raise ScopeRefused(_("Only a proposed entry is reviewed."))
    if not publish and not note.strip():
        raise ScopeRefused(_("Say why the entry is returned."))
    with transaction.atomic():
        entry.status = Entry.Status.PUBLISHED if publish else Entry.Status.RETURNED
        entry.review_note = note.strip()
        entry.reviewed_by = by
        entry.save(update_fields=["status", "review_note", "reviewed_by"])
        if publish:
            do_freeze(
                actor=actor,
                by=by,
                obj=entry,
                kind=Kind.PUBLICATION,
                snapshot=_proposed(entry),
                reason=note.strip() or _("Reviewed and published."),
            )
        else:
            do_end_version(actor=actor, obj=entry, reason=_("Returned: %(note)s") % {"note": note})
        record(
            actor=actor,
            action="publish" if publish else "return",
            obj=entry,
            changes={"note": note.strip()},
        )
    return entry


def do_publish_scope(
    *,
    actor: Actor,
    by: User | None,
    enterprise: Enterprise,
    entries: Sequence[Entry],
    characteristic: Sequence[Entry] = (),
) -> Version:
    """自主公示: the enterprise publishes the entries it runs, marking its characteristic ones;
    no new licence is needed for the publication itself. The earlier version stays on record."""
    chosen = list({e.pk: e for e in entries}.values())
    if not chosen:
        raise ScopeRefused(_("Choose at least one entry."))
    if len(chosen) > MAX_LINES:
        raise ScopeRefused(_("At most %(n)s entries.") % {"n": MAX_LINES})
    allowed = set(
        usable_entries(enterprise)
        .filter(pk__in=[e.pk for e in chosen])
        .values_list("pk", flat=True)
    )
    refused = [e.wording for e in chosen if e.pk not in allowed]
    if refused:
        raise ScopeRefused(
            _("Not in the catalogue for your district: %(entries)s")
            % {"entries": "、".join(refused)}
        )
    marked = {e.pk for e in characteristic}
    if not marked <= {e.pk for e in chosen}:
        raise ScopeRefused(_("Only a chosen entry is marked as characteristic."))
    with transaction.atomic():
        Enterprise.objects.select_for_update().filter(pk=enterprise.pk).first()
        last = Version.objects.filter(enterprise=enterprise).aggregate(n=Max("number"))["n"] or 0
        Version.objects.filter(enterprise=enterprise, current=True).update(current=False)
        version = Version.objects.create(
            enterprise=enterprise, number=last + 1, current=True, published_by=by
        )
        Line.objects.bulk_create(
            Line(version=version, entry=e, characteristic=e.pk in marked) for e in chosen
        )
        for body in {e.approving_body for e in chosen if e.approving_body is not None}:
            # 谁审批谁监管: the approving body now scores the enterprise among its own
            do_recompute_tiers(
                body,
                [enterprise.pk],
                reason=_("its published business scope has a licensed entry this body approves"),
            )
        record(
            actor=actor,
            action="publish_scope",
            obj=enterprise,
            changes={
                "version": version.number,
                "entries": [e.code for e in chosen],
                "characteristic": sorted(e.code for e in chosen if e.pk in marked),
            },
        )
    return version
