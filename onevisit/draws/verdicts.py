"""A record's verification, said in the reader's language: which field does not recompute, and
the first positions at which the record and the recomputation differ."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from onevisit.sortition.records import Mismatch


def field_label(field: str) -> str:
    stratum = re.fullmatch(r"strata\[(\d+)\]\.(count|selected)", field)
    if stratum:
        number, part = int(stratum.group(1)) + 1, stratum.group(2)
        if part == "count":
            return _("the number drawn in stratum %(n)s") % {"n": number}
        return _("the candidates drawn in stratum %(n)s") % {"n": number}
    if field.startswith("teams"):
        return _("the team assignment")
    labels = {
        "record": _("the record"),
        "algorithm": _("the algorithm"),
        "key": _("the key string"),
        "sources": _("the seed values"),
        "pool": _("the pool"),
        "pool_sha256": _("the pool's SHA-256"),
        "pool_sm3": _("the pool's SM3"),
        "suite": _("the crypto suite"),
        "count": _("the number drawn"),
        "selected": _("the candidates drawn"),
        "strata": _("the strata"),
        "ratio": _("the share drawn"),
    }
    return str(labels.get(field, field))


def describe(mismatch: Mismatch) -> str:
    what = field_label(mismatch.field)
    if mismatch.field == "signature":
        text = _(
            "Verification failed: the signature is not made by this city's keys over this record."
        )
    elif mismatch.detail == "missing":
        text = _("Verification failed: %(field)s is missing from the record.") % {"field": what}
    elif mismatch.detail == "wrong type" or mismatch.field == "sources":
        text = _("Verification failed: %(field)s cannot be read.") % {"field": what}
    else:
        text = _("Verification failed: %(field)s does not match the recomputation.") % {
            "field": what
        }
    if mismatch.positions:
        places = "、".join(str(p + 1) for p in mismatch.positions)
        text += " " + _("First differing positions: %(places)s.") % {"places": places}
    return str(text)
