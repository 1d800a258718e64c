"""Another city's officials change nothing of this city, by any form.

The demo city 聊城 and, in the same province, 济南 with its market regulator's admin and its own
supervisor (whose area is 济南). Every form that any persona of 聊城 is shown, filled as that
persona's page fills it (the ids of 聊城's enterprises, visits, tasks, items…), is sent again as
each of 济南's officials. Afterwards no row that existed before has changed or gone, and no new
row points at one of 聊城's records: whatever 济南's officials may do, they do to 济南."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator

from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.test import Client, TestCase

from onevisit.accounts.models import Role, User
from onevisit.registry.models import Body, District
from onevisit.testing import make_user, other_city_district
from onevisit.testing.state import NOT_STATE
from onevisit.testing.walk import Form, forms_of, walk

SOURCES = ["supervisor", "scjg_admin", "gxj_admin", "zjj_admin", "inspector", "enterprise"]
# Written by any request that writes at all: the log of the write itself, and the worker's queue.
BOOKKEEPING = NOT_STATE | {
    "audit.auditentry",
    "audit.audithead",
    "django_tasks_db.dbtaskresult",
}
# Shared reference data a new record of either city may name.
REFERENCE = {
    "registry.district",
    "registry.industry",
    "contenttypes.contenttype",
    "auth.permission",
    "auth.group",
}
Rows = dict[str, dict[object, str]]


def rows_of_every_table() -> Rows:
    rows: Rows = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in BOOKKEEPING or model._meta.proxy:
            continue
        found: dict[object, str] = {}
        for row in model._base_manager.order_by("pk").values_list().iterator(chunk_size=2000):
            found[row[0]] = hashlib.sha256(repr(row).encode()).hexdigest()[:16]
        rows[label] = found
    return rows


def references(model: type[models.Model], pk: object) -> Iterator[tuple[str, object]]:
    """(label of the referenced model, its pk) for each foreign key of one row."""
    fields = [f for f in model._meta.concrete_fields if isinstance(f, models.ForeignKey)]
    if not fields:
        return
    values = model._base_manager.filter(pk=pk).values_list(*(f.attname for f in fields)).first()
    for field, value in zip(fields, values or (), strict=False):
        if value is not None:
            target = field.related_model
            assert isinstance(target, type)
            yield target._meta.label_lower, value


class OtherCityTest(TestCase):
    jinan_admin: User
    jinan_supervisor: User

    @classmethod
    def setUpTestData(cls) -> None:
        call_command("demo", "--no-serve", "--enterprises", "120", stdout=io.StringIO())
        other_city_district()
        jinan = Body.objects.create(
            name="济南市市场监督管理局",
            code="JN-SCJG",
            kind="administrative",
            level="city",
            district_id="370100",
            published=True,
        )
        cls.jinan_admin = make_user("jn_admin", role=Role.BODY_ADMIN, body=jinan)
        cls.jinan_supervisor = make_user(
            "jn_supervisor", role=Role.SUPERVISOR, area=District.objects.get(code="370100")
        )

    def forms_of_this_city(self) -> list[Form]:
        found: dict[tuple[str, str], Form] = {}
        for username in SOURCES:
            client = Client()
            client.force_login(User.objects.get(username=username))
            for page in walk(client):
                for form in forms_of(page.url, page.html):
                    if form.method == "post":
                        found.setdefault((form.action, ",".join(sorted(form.fields))), form)
        return list(found.values())

    def test_another_citys_officials_change_nothing_here_by_any_form(self) -> None:
        forms = self.forms_of_this_city()
        assert len(forms) > 100
        theirs = {
            ("accounts.user", self.jinan_admin.pk),
            ("accounts.user", self.jinan_supervisor.pk),
            ("registry.body", self.jinan_admin.body_id),
        }
        clients = []
        for official in (self.jinan_admin, self.jinan_supervisor):
            client = Client(raise_request_exception=False)
            client.force_login(official)
            clients.append((official.username, client))
        before = rows_of_every_table()
        served: list[str] = []
        for username, client in clients:
            for form in forms:
                answer = client.post(form.action, form.fields)
                if answer.status_code >= 500:
                    served.append(f"{username} POST {form.action}: {answer.status_code}")
        after = rows_of_every_table()
        changed = []
        for label, rows in before.items():
            for pk, digest in rows.items():
                if (label, pk) in theirs:
                    continue
                if pk not in after[label]:
                    changed.append(f"{label} {pk} deleted")
                elif after[label][pk] != digest:
                    changed.append(f"{label} {pk} changed")
        for label, rows in after.items():
            model = apps.get_model(label)
            for pk in rows.keys() - before[label].keys():
                for target, value in references(model, pk):
                    if target in REFERENCE or (target, value) in theirs:
                        continue
                    if value in before.get(target, {}):
                        changed.append(f"new {label} {pk} points at {target} {value}")
        assert served == []
        assert changed == [], "\n".join(changed[:40])
