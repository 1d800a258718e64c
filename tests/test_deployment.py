"""Deployment settings: a strict Content-Security-Policy on every page, private data files."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.test import Client
from django.urls import reverse

from onevisit.testing import PersonaTestCase


class DeploymentTest(PersonaTestCase):
    def test_it_sends_a_policy_that_allows_no_inline_script(self) -> None:
        for client, url in [
            (Client(), reverse("home")),
            (Client(), reverse("accounts:login")),
            (self.client_for(self.alice), reverse("registry:enterprise_list")),
        ]:
            policy = client.get(url)["Content-Security-Policy"]
            script = next(p for p in policy.split("; ") if p.startswith("script-src"))
            assert script == "script-src 'self'", policy
            assert "frame-ancestors 'none'" in policy

    def test_it_keeps_the_data_folder_private(self) -> None:
        folder = Path(self._tmp()) / "data"
        code = (
            "import django, os; django.setup(); "
            "from django.db import connection; connection.ensure_connection()"
        )
        env = {**os.environ, "ONEVISIT_DATA_DIR": str(folder)}
        env.pop("DATABASE_URL", None)
        env["DJANGO_SETTINGS_MODULE"] = "onevisit.settings"
        subprocess.run([sys.executable, "-c", code], env=env, check=True)
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        for path in folder.iterdir():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        assert settings.FILE_UPLOAD_PERMISSIONS == 0o600

    def _tmp(self) -> str:
        import tempfile

        path = tempfile.mkdtemp()
        self.addCleanup(lambda: subprocess.run(["rm", "-rf", path], check=False))
        return path


class SharedLimitTest(PersonaTestCase):
    def test_it_counts_limits_in_the_database_that_every_process_shares(self) -> None:
        from django.core.cache import caches
        from django.db import connection
        from django.test import RequestFactory, override_settings

        from onevisit.lib.ratelimit import too_many

        assert "DatabaseCache" in _default_cache_backend()
        shared = {
            "default": {
                "BACKEND": "django.core.cache.backends.db.DatabaseCache",
                "LOCATION": "onevisit_cache",
            }
        }
        request = RequestFactory().get("/", REMOTE_ADDR="10.1.1.1")
        with override_settings(CACHES=shared):
            caches["default"].clear()
            counted = [too_many(request, "test", 2) for _ in range(3)]
            with connection.cursor() as cursor:
                cursor.execute("SELECT COUNT(*) FROM onevisit_cache")
                rows = cursor.fetchone()[0]
        assert counted == [False, False, True] and rows == 1


def _default_cache_backend() -> str:
    """The cache the settings choose when nothing is configured (read in a fresh process)."""
    env = {k: v for k, v in os.environ.items() if k != "ONEVISIT_CACHE_URL"}
    code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    env["DJANGO_SETTINGS_MODULE"] = "onevisit.settings"
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


PRODUCTION = {
    "DEBUG": "false",
    "SECURE_COOKIES": "true",
    "ONEVISIT_HSTS_SECONDS": "31536000",
    "ONEVISIT_HSTS_INCLUDE_SUBDOMAINS": "true",
    "ONEVISIT_SSL_REDIRECT": "true",
    "ONEVISIT_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO",
    "ALLOWED_HOSTS": "onevisit.example.gov.cn",
}


def test_it_passes_the_deployment_check_with_the_documented_settings(tmp_path: Path) -> None:
    """docs/reference.md's production settings, on a migrated database whose holiday table has
    no notice for next year: no warning (the notice is information until its year comes)."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    env.update(ONEVISIT_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="onevisit.settings")

    def run(*args: str, extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "onevisit", *args]
        return subprocess.run(
            command, env={**env, **(extra or {})}, capture_output=True, text=True, timeout=180
        )

    assert run("migrate", "-v0").returncode == 0
    done = run(
        "check", "--deploy", "--database", "default", "--fail-level", "WARNING", extra=PRODUCTION
    )
    assert done.returncode == 0, done.stderr + done.stdout
