"""Test support: the named personas every test speaks about.

- Su Jian (supervisor): the justice bureau's enforcement supervisor.
- Alice (body admin) of 市场监督管理局; Bob (body admin) of 生态环境局.
- Ivan (inspector) of 市场监督管理局, certified.
- Erin (enterprise user) of 聊城鑫源轴承有限公司; Frank of another enterprise.
- Stranger: logged in, no role. Anonymous: not logged in.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path
from typing import Any

from django.test import Client, SimpleTestCase, TestCase, override_settings

from onevisit.accounts.models import Role, User
from onevisit.lib.keyfiles import keys_dir
from onevisit.registry.identifiers import make_uscc
from onevisit.registry.models import Body, District, Enterprise, Industry, Inspector

PASSWORD = "correct horse battery staple"
TODAY = dt.date(2026, 11, 27)


def uscc(serial: int, district: str = "371581") -> str:
    return make_uscc("91", district, f"MA{serial:06d}")


class PersonaTestCase(TestCase):
    supervisor: User
    alice: User
    bob: User
    ivan: User
    erin: User
    frank: User
    stranger: User
    market: Body
    ecology: Body
    bearing: Enterprise
    cable: Enterprise
    ivan_inspector: Inspector

    @classmethod
    def setUpTestData(cls) -> None:
        linqing = District.objects.get(code="371581")
        yanggu = District.objects.get(code="371521")
        city = District.objects.get(code="371500")
        cls.market = Body.objects.create(
            name="聊城市市场监督管理局",
            code="LC-SCJG",
            kind="administrative",
            level="city",
            district=city,
            published=True,
        )
        cls.ecology = Body.objects.create(
            name="聊城市生态环境局",
            code="LC-STHJ",
            kind="administrative",
            level="city",
            district=city,
            published=True,
        )
        cls.bearing = make_enterprise(
            "聊城鑫源轴承有限公司", serial=1, district="371581", industry="34"
        )
        cls.cable = make_enterprise(
            "阳谷华通电缆有限公司", serial=2, district="371521", industry="38"
        )
        cls.supervisor = make_user("sujian", role=Role.SUPERVISOR, full_name="苏健")
        cls.alice = make_user("alice", role=Role.BODY_ADMIN, body=cls.market)
        cls.bob = make_user("bob", role=Role.BODY_ADMIN, body=cls.ecology)
        cls.ivan = make_user("ivan", role=Role.INSPECTOR, body=cls.market)
        cls.erin = make_user("erin", role=Role.ENTERPRISE, enterprise=cls.bearing)
        cls.frank = make_user("frank", role=Role.ENTERPRISE, enterprise=cls.cable)
        cls.stranger = make_user("stranger")
        cls.ivan_inspector = Inspector.objects.create(
            user=cls.ivan,
            name="伊万",
            body=cls.market,
            certificate_number="37152023000001",
            certificate_valid_from=TODAY - dt.timedelta(days=365),
            certificate_valid_until=TODAY + dt.timedelta(days=365),
        )
        cls.ivan_inspector.districts.set([linqing, yanggu])
        Inspector.objects.create(
            name="柏文",
            body=cls.ecology,
            certificate_number="37152023000002",
            certificate_valid_from=TODAY - dt.timedelta(days=365),
            certificate_valid_until=TODAY + dt.timedelta(days=365),
        ).districts.set([yanggu])

    def client_for(self, user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client


def make_user(username: str, **fields: Any) -> User:
    user = User(username=username, **fields)
    user.set_password(PASSWORD)
    user.save()
    return user


def other_city_district() -> District:
    """历下区 of 济南, a second city of the province, for tests that a city keeps to its own."""
    jinan, _ = District.objects.get_or_create(
        code="370100", defaults={"name": "济南市", "kind": District.Kind.CITY}
    )
    lixia, _ = District.objects.get_or_create(
        code="370102", defaults={"name": "历下区", "parent": jinan, "kind": District.Kind.DISTRICT}
    )
    return lixia


def make_enterprise(
    name: str, *, serial: int, district: str = "371581", industry: str = "34", **fields: Any
) -> Enterprise:
    from onevisit.audit.actions import Actor
    from onevisit.registry.actions import do_create_enterprise

    return do_create_enterprise(
        actor=Actor.system("test"),
        fields={
            "uscc": uscc(serial, district if district[4] != "7" else "371500"),
            "name": name,
            "district": District.objects.get(code=district),
            "industry": Industry.objects.get(code=industry),
            "industry_code": industry,
            **fields,
        },
    )


def fresh_keys(case: SimpleTestCase, prefix: str) -> Path:
    """A keys folder of its own for one test: the installation's keys copied, except those whose
    names start with `prefix`, which the test makes afresh."""
    folder = Path(tempfile.mkdtemp())
    case.addCleanup(shutil.rmtree, folder, True)
    for key in keys_dir().glob("*"):
        if key.is_file() and not key.name.startswith(prefix):
            shutil.copy(key, folder / key.name)
    keys = override_settings(ONEVISIT_KEYS_DIR=folder)
    keys.enable()
    case.addCleanup(keys.disable)
    return folder
