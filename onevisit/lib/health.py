"""Health and readiness for a load balancer.

- `/healthz`: the process answers (liveness); it touches nothing else.
- `/readyz`: this node can serve: the database answers, every migration is applied, the keys
  (code signing, tip sealing) load, and the cache answers. 200 with each check, or 503 naming
  the ones that failed, so the balancer takes the node out until they pass.

Both are plain JSON, never cached, open to anyone (they reveal no data), and exempt from the HTTPS
redirect so a balancer may probe over plain HTTP on the private network.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

_migrated = False  # once true for a process it stays so: migrations are not rolled back live


def database() -> None:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")


def migrations() -> None:
    global _migrated
    if _migrated:
        return
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        raise RuntimeError(f"{len(pending)} migrations not applied")
    _migrated = True


def keys() -> None:
    from onevisit.inspections.keyring import signer
    from onevisit.tips.sealing import ensure_key

    signer()
    ensure_key()


def shared_cache() -> None:
    cache.set("onevisit:readyz", "1", 10)
    if cache.get("onevisit:readyz") != "1":
        raise RuntimeError("the cache does not keep what it is given")


def file_storage() -> None:
    """The uploads' storage answers (a HEAD request when it is an S3 bucket)."""
    default_storage.exists("readyz-probe")


CHECKS: dict[str, Callable[[], None]] = {
    "database": database,
    "migrations": migrations,
    "keys": keys,
    "cache": shared_cache,
    "files": file_storage,
}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as error:
            results[name] = f"failed: {type(error).__name__}: {error}"[:300]
        else:
            results[name] = "ok"
    ready = all(result == "ok" for result in results.values())
    return JsonResponse(
        {"status": "ready" if ready else "not ready", "checks": results},
        status=200 if ready else 503,
    )
