"""The balancer's probes: /healthz answers whenever the process does; /readyz says whether this
node can serve, and names what stops it."""

from __future__ import annotations

from unittest import mock

from django.core.files.storage import default_storage
from django.db.migrations.executor import MigrationExecutor
from django.db.utils import OperationalError
from django.test import Client, TestCase, override_settings

from onevisit.lib import health


class HealthTest(TestCase):
    def test_it_answers_liveness_without_touching_the_database(self) -> None:
        with self.assertNumQueries(0):
            response = Client().get("/healthz")
        assert response.status_code == 200 and response.json() == {"status": "ok"}
        assert "no-cache" in response["Cache-Control"]

    def test_it_is_ready_when_every_check_passes(self) -> None:
        response = Client().get("/readyz")
        assert response.status_code == 200, response.json()
        assert response.json()["checks"] == {
            "database": "ok",
            "migrations": "ok",
            "keys": "ok",
            "cache": "ok",
            "files": "ok",
        }

    def test_it_is_not_ready_when_the_database_fails_and_says_so(self) -> None:
        def down() -> None:
            raise OperationalError("connection refused")

        with mock.patch.dict(health.CHECKS, {"database": down}):
            response = Client().get("/readyz")
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "not ready"
        assert body["checks"]["database"].startswith("failed: OperationalError")
        assert body["checks"]["keys"] == "ok"

    def test_it_is_not_ready_when_the_object_storage_does_not_answer(self) -> None:
        with mock.patch.object(
            default_storage, "exists", side_effect=ConnectionError("bucket unreachable")
        ):
            response = Client().get("/readyz")
        assert response.status_code == 503
        assert response.json()["checks"]["files"] == "failed: ConnectionError: bucket unreachable"

    def test_it_is_not_ready_with_migrations_pending(self) -> None:
        with (
            mock.patch.object(health, "_migrated", False),
            mock.patch.object(MigrationExecutor, "migration_plan", return_value=[("x", False)]),
        ):
            response = Client().get("/readyz")
        assert response.status_code == 503
        assert "1 migrations not applied" in response.json()["checks"]["migrations"]

    @override_settings(SECURE_SSL_REDIRECT=True)
    def test_it_is_probed_over_plain_http_while_pages_redirect(self) -> None:
        assert Client().get("/readyz").status_code == 200
        assert Client().get("/healthz").status_code == 200
        assert Client().get("/").status_code == 301
