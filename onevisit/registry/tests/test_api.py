"""The registry API: token authentication, validation messages, and the OpenAPI snapshot."""

from __future__ import annotations

import json
import os
from pathlib import Path

from django.test import Client

from onevisit.accounts.actions import do_create_api_token
from onevisit.accounts.models import ApiToken, hash_token
from onevisit.audit.models import AuditEntry
from onevisit.registry.models import Enterprise
from onevisit.testing import PersonaTestCase, uscc

SNAPSHOT = Path(__file__).resolve().parents[2] / "tests_snapshots" / "openapi.json"


class ApiTest(PersonaTestCase):
    def bearer(self, user: object) -> Client:
        _, raw = do_create_api_token(user=user, name="script")  # type: ignore[arg-type]
        return Client(headers={"Authorization": f"Bearer {raw}"})

    def test_it_authenticates_with_a_token_stored_only_as_a_hash(self) -> None:
        token, raw = do_create_api_token(user=self.alice, name="excel macro")
        assert raw.startswith("ovt_")
        stored = ApiToken.objects.get(pk=token.pk)
        assert stored.key_hash == hash_token(raw) and raw not in stored.key_hash
        client = Client(headers={"Authorization": f"Bearer {raw}"})
        assert client.get("/api/enterprises/").status_code == 200
        assert (
            Client(headers={"Authorization": "Bearer ovt_wrong"})
            .get("/api/enterprises/")
            .status_code
            == 401
        )

    def test_it_searches_with_a_capped_count(self) -> None:
        response = self.bearer(self.ivan).get("/api/enterprises/", {"q": "电缆"})
        body = response.json()
        assert body["count"] == 1 and body["count_is_exact"] is True
        assert body["results"][0]["uscc"] == self.cable.uscc
        assert body["results"][0]["district"] == {"code": "371521", "name": "阳谷县"}

    def test_it_creates_an_enterprise_and_logs_it(self) -> None:
        payload = {
            "uscc": uscc(201),
            "name": "茌平信发铝业有限公司",
            "district": "371503",
            "industry": "C3216",
            "former_names": ["茌平铝厂"],
        }
        response = self.bearer(self.supervisor).post(
            "/api/enterprises/", json.dumps(payload), content_type="application/json"
        )
        assert response.status_code == 201, response.content
        created = Enterprise.objects.get(uscc=uscc(201))
        assert created.industry_code == "3216" and created.former_name_list == ["茌平铝厂"]
        entry = AuditEntry.objects.get(object_type="registry.enterprise", object_id=str(created.pk))
        assert entry.actor_name == "sujian" and entry.action == "create"

    def test_it_explains_what_is_wrong_with_a_payload(self) -> None:
        client = self.bearer(self.supervisor)
        cases = [
            ({"uscc": "362322198709086409"}, "uscc", "GB 11714"),
            ({"district": "110101"}, "district", "unknown district"),
            ({"industry": "99"}, "industry", "unknown industry"),
            ({"uscc": self.bearing.uscc}, "uscc", ""),
        ]
        for change, field, words in cases:
            payload = {
                "uscc": uscc(202),
                "name": "某公司",
                "district": "371503",
                "industry": "32",
                **change,
            }
            response = client.post(
                "/api/enterprises/", json.dumps(payload), content_type="application/json"
            )
            assert response.status_code == 422, (change, response.content)
            detail = response.json()["detail"]
            assert field in detail and words in " ".join(detail[field])
        assert not Enterprise.objects.filter(uscc=uscc(202)).exists()

    def test_it_refuses_an_inspector_whose_certificate_ends_before_it_starts(self) -> None:
        payload = {
            "name": "新人",
            "body_id": self.market.pk,
            "certificate_number": "X1",
            "certificate_valid_from": "2026-01-01",
            "certificate_valid_until": "2025-01-01",
            "districts": ["371581"],
        }
        response = self.bearer(self.alice).post(
            "/api/inspectors/", json.dumps(payload), content_type="application/json"
        )
        assert response.status_code == 422

    def test_it_matches_the_committed_openapi_snapshot(self) -> None:
        current = Client().get("/api/openapi.json").json()
        if os.environ.get("UPDATE_SNAPSHOTS") == "1":
            SNAPSHOT.parent.mkdir(exist_ok=True)
            SNAPSHOT.write_text(
                json.dumps(current, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
            )
        assert SNAPSHOT.exists(), "run with UPDATE_SNAPSHOTS=1 once to create the snapshot"
        assert current == json.loads(SNAPSHOT.read_text()), (
            "The API changed: review the difference, then run `UPDATE_SNAPSHOTS=1 make test`."
        )
