"""The role matrix: who may read and change what, on every page and endpoint of the registry."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from onevisit.registry.models import Body
from onevisit.testing import PersonaTestCase

ANON, STRANGER, SUPERVISOR, ALICE, BOB, IVAN, ERIN = (
    "anonymous",
    "stranger",
    "supervisor",
    "alice",
    "bob",
    "ivan",
    "erin",
)
ALL = [ANON, STRANGER, SUPERVISOR, ALICE, BOB, IVAN, ERIN]


class RoleMatrixTest(PersonaTestCase):
    hidden: Body

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.hidden = Body.objects.create(
            name="聊城市某未公开机构",
            code="LC-HIDDEN",
            kind="administrative",
            level="city",
            district_id="371500",
            published=False,
        )

    def persona(self, name: str):  # type: ignore[no-untyped-def]
        users = {
            ANON: None,
            STRANGER: self.stranger,
            SUPERVISOR: self.supervisor,
            ALICE: self.alice,
            BOB: self.bob,
            IVAN: self.ivan,
            ERIN: self.erin,
        }
        return self.client_for(users[name])

    def assert_matrix(
        self, url: str, allowed: dict[str, int], method: str = "get", data: object = None
    ) -> None:
        for name in ALL:
            client = self.persona(name)
            if method == "get":
                response = client.get(url)
            else:
                response = getattr(client, method)(
                    url, data=json.dumps(data), content_type="application/json"
                )
            expected = allowed.get(name, 403)
            assert response.status_code == expected, (
                f"{name} {method.upper()} {url}: {response.status_code}, expected {expected}"
            )

    def test_it_shows_the_enterprise_register_to_officials_only(self) -> None:
        url = reverse("registry:enterprise_list")
        for name in ALL:
            response = self.persona(name).get(url)
            if name in (SUPERVISOR, ALICE, BOB, IVAN):
                assert response.status_code == 200
                assert "阳谷华通电缆有限公司" in response.content.decode()
            elif name == ANON:
                assert response.status_code == 302 and "/accounts/login/" in response["Location"]
            elif name == ERIN:
                assert response.status_code == 200
                assert "阳谷华通电缆有限公司" not in response.content.decode()
            else:
                assert response.status_code == 403

    def test_it_shows_an_enterprise_to_officials_and_to_itself(self) -> None:
        self.assert_matrix(
            reverse("registry:enterprise_detail", args=[self.cable.pk]),
            {SUPERVISOR: 200, ALICE: 200, BOB: 200, IVAN: 200, ERIN: 404, ANON: 302},
        )
        self.assert_matrix(
            reverse("registry:enterprise_detail", args=[self.bearing.pk]),
            {SUPERVISOR: 200, ALICE: 200, BOB: 200, IVAN: 200, ERIN: 200, ANON: 302},
        )

    def test_it_lets_only_editors_open_the_enterprise_form(self) -> None:
        self.assert_matrix(
            reverse("registry:enterprise_edit", args=[self.bearing.pk]),
            {SUPERVISOR: 200, ALICE: 200, BOB: 200, ANON: 302},
        )

    def test_it_exports_only_what_the_user_may_see(self) -> None:
        self.assert_matrix(
            reverse("registry:enterprise_export"),
            {SUPERVISOR: 200, ALICE: 200, BOB: 200, IVAN: 200, ERIN: 200, ANON: 302},
        )

    def test_it_publishes_the_body_list_to_everyone_but_hides_unpublished_bodies(self) -> None:
        self.assert_matrix(reverse("registry:body_list"), dict.fromkeys(ALL, 200))
        self.assert_matrix(
            reverse("registry:body_detail", args=[self.hidden.pk]),
            {SUPERVISOR: 200, ANON: 404, STRANGER: 404, ALICE: 404, BOB: 404, IVAN: 404, ERIN: 404},
        )
        anonymous_html = self.persona(ANON).get(reverse("registry:body_list")).content.decode()
        assert "聊城市市场监督管理局" in anonymous_html and "某未公开机构" not in anonymous_html

    def test_it_shows_inspectors_to_their_own_body_only(self) -> None:
        url = reverse("registry:inspector_detail", args=[self.ivan_inspector.pk])
        self.assert_matrix(
            url,
            {SUPERVISOR: 200, ALICE: 200, BOB: 404, IVAN: 200, ERIN: 403, STRANGER: 403, ANON: 302},
        )
        html = self.persona(BOB).get(reverse("registry:inspector_list")).content.decode()
        assert "柏文" in html and "伊万" not in html

    def test_it_opens_the_import_page_to_supervisor_and_body_admins(self) -> None:
        self.assert_matrix(
            reverse("operations:import"), {SUPERVISOR: 200, ALICE: 200, BOB: 200, ANON: 302}
        )

    def test_it_keeps_the_api_closed_to_those_without_a_role(self) -> None:
        self.assert_matrix(
            "/api/enterprises/",
            {SUPERVISOR: 200, ALICE: 200, BOB: 200, IVAN: 200, ERIN: 200, ANON: 401},
        )
        self.assert_matrix(
            f"/api/enterprises/{self.cable.pk}",
            {SUPERVISOR: 200, ALICE: 200, BOB: 200, IVAN: 200, ERIN: 404, ANON: 401},
        )
        self.assert_matrix(
            f"/api/inspectors/{self.ivan_inspector.pk}",
            {SUPERVISOR: 200, ALICE: 200, BOB: 404, IVAN: 200, ERIN: 403, ANON: 401},
        )
        self.assert_matrix("/api/bodies/", dict.fromkeys(ALL, 200))
        self.assert_matrix(
            f"/api/bodies/{self.hidden.pk}",
            {SUPERVISOR: 200, ANON: 404, STRANGER: 404, ALICE: 404, BOB: 404, IVAN: 404, ERIN: 404},
        )

    def test_it_lets_only_the_right_roles_write_through_the_api(self) -> None:
        self.assert_matrix(
            f"/api/enterprises/{self.bearing.pk}",
            {SUPERVISOR: 200, ALICE: 200, BOB: 200, ANON: 401},
            "patch",
            {"address": "临清市新华路8号"},
        )
        body = {
            "name": "聊城市测试局",
            "code": "LC-TEST",
            "kind": "administrative",
            "level": "city",
            "district": "371500",
        }
        self.assert_matrix("/api/bodies/", {SUPERVISOR: 201, ANON: 401}, "post", body)
        self.assert_matrix(
            f"/api/inspectors/{self.ivan_inspector.pk}",
            {SUPERVISOR: 200, ALICE: 200, BOB: 404, IVAN: 403, ERIN: 403, STRANGER: 403, ANON: 401},
            "patch",
            {"phone": "13800000000"},
        )


@pytest.mark.django_db
def test_it_lets_the_public_read_the_api_docs() -> None:
    from django.test import Client

    client = Client()
    assert client.get("/api/openapi.json").status_code == 200
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    assert "cdn" not in docs.content.decode().lower()
