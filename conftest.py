"""Project-wide test settings."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _plain_static_files(settings: Any) -> None:
    """Templates resolve static URLs without a collectstatic manifest."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_AUTOREFRESH = True


@pytest.fixture(autouse=True)
def _immediate_tasks(settings: Any) -> None:
    """Background tasks run at once in tests; a worker process is not part of a test run."""
    settings.TASKS = {"default": {"BACKEND": settings.TASK_BACKENDS["immediate"]}}


@pytest.fixture(autouse=True)
def _private_media(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Uploaded photos and generated PDFs of a test go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _fresh_cache(settings: Any) -> None:
    """Rate-limit counters start at zero in every test, in memory (a test of the shared
    database cache sets it itself)."""
    from django.core.cache import cache

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()


@pytest.fixture(autouse=True, scope="session")
def _own_audit_checkpoints(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The test run keeps its audit checkpoints apart, never in the data folder a demo uses
    (session-wide, so that a class's set-up that loads the demo writes there too)."""
    from django.conf import settings

    folder = tmp_path_factory.mktemp("audit")
    settings.ONEVISIT_AUDIT_CHECKPOINTS = str(folder / "audit-checkpoints.jsonl")
    settings.ONEVISIT_AUDIT_CHECKPOINT_COPIES = ""


@pytest.fixture(autouse=True)
def _fresh_audit_checkpoints(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Each test starts without checkpoints of its own."""
    folder = tmp_path_factory.mktemp("audit")
    settings.ONEVISIT_AUDIT_CHECKPOINTS = str(folder / "audit-checkpoints.jsonl")
