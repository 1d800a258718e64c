"""Bulk writes (COPY on PostgreSQL, batched inserts on SQLite) store what the ORM would: choices
by value, decimals exactly, JSON as JSON, auto_now times, and each instance gets its id."""

from __future__ import annotations

from decimal import Decimal

from django.test import TestCase

from onevisit.audit.actions import (
    Actor,
    StaleAuditPlan,
    do_append_planned,
    plan_records,
    record_many,
    verify_chain,
)
from onevisit.lib.bulk import copy_rows, insert_instances
from onevisit.registry.models import District, Enterprise, EnterpriseGram, Industry
from onevisit.testing import uscc


class BulkTest(TestCase):
    def test_it_writes_every_kind_of_field_as_the_orm_reads_it(self) -> None:
        district = District.objects.get(code="371581")
        industry = Industry.objects.get(code="34")
        made = insert_instances(
            [
                Enterprise(
                    uscc=uscc(900 + n),
                    name=f"临清市第{n}轴承厂",
                    district=district,
                    industry=industry,
                    industry_code="3451",
                    status=Enterprise.Status.REVOKED,
                    land_area_mu=Decimal("12.35"),
                    latitude=Decimal("36.838712"),
                    longitude=Decimal("115.705121"),
                    employees=n,
                    above_scale=True,
                )
                for n in range(3)
            ]
        )
        assert all(e.pk for e in made) and len({e.pk for e in made}) == 3
        stored = Enterprise.objects.get(pk=made[1].pk)
        assert stored.status == "revoked"
        assert stored.land_area_mu == Decimal("12.35")
        assert stored.latitude == Decimal("36.838712")
        assert stored.employees == 1 and stored.above_scale is True
        assert stored.created is not None and stored.updated is not None
        assert stored.name == "临清市第1轴承厂"

    def test_it_appends_plain_rows_and_chained_audit_entries(self) -> None:
        enterprise = Enterprise.objects.create(
            uscc=uscc(950),
            name="阳谷电缆",
            district=District.objects.get(code="371521"),
            industry=Industry.objects.get(code="38"),
            industry_code="3831",
        )
        copy_rows(
            EnterpriseGram._meta.db_table,
            ("gram", "enterprise_id", "district_id"),
            [("阳谷", enterprise.pk, "371521"), ("谷电", enterprise.pk, "371521")],
        )
        assert set(enterprise.grams.values_list("gram", flat=True)) == {"阳谷", "谷电"}
        from django.db import transaction

        with transaction.atomic():
            entries = record_many(
                actor=Actor.system("test"),
                entries=[
                    {
                        "action": "update",
                        "verb": "import",
                        "object_type": "registry.enterprise",
                        "object_id": str(enterprise.pk),
                        "object_repr": enterprise.name,
                        "changes": {"name": ["阳谷电缆", "阳谷华通电缆"], "employees": [0, 12]},
                    }
                    for _ in range(2)
                ],
            )
        assert [e.pk for e in entries] == sorted(e.pk for e in entries)
        entries[0].refresh_from_db()
        assert entries[0].changes == {"name": ["阳谷电缆", "阳谷华通电缆"], "employees": [0, 12]}
        assert verify_chain().first_broken_id is None

    def test_it_refuses_to_append_entries_chained_onto_a_head_that_has_moved(self) -> None:
        from django.db import transaction

        entry = {"action": "action", "verb": "import", "object_type": "", "object_id": ""}
        with transaction.atomic():
            planned = plan_records(actor=Actor.system("test"), entries=[dict(entry)])
            record_many(actor=Actor.system("web"), entries=[dict(entry)])  # someone else's
            with self.assertRaises(StaleAuditPlan):
                do_append_planned(planned)
        assert verify_chain().first_broken_id is None
