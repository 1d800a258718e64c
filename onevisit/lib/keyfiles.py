"""Secret keys kept as files (the data folder's keys/, or ONEVISIT_KEYS_DIR), created on first
use unless ONEVISIT_CREATE_KEYS=false (cluster nodes, which must all read the same keys)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection


def keys_dir() -> Path:
    return Path(settings.ONEVISIT_KEYS_DIR)


class KeyMissing(RuntimeError):
    """Data made with a key exists, but the key does not: a new key would silently make every
    code read as forged, or every sealed identity unreadable."""

    def __init__(self, path: Path, what: str) -> None:
        super().__init__(
            f"{path} is missing, but the database holds {what} made with it. Restore the key "
            f"from the backup that matches this database (onevisit restore), or point "
            f"ONEVISIT_DATA_DIR at the folder that has it. A new key is not made while such "
            f"data exists."
        )
        self.path = path


class KeyNotProvided(RuntimeError):
    """ONEVISIT_CREATE_KEYS=false and the key is not there: a node of a cluster that would make
    a key of its own would sign codes the other nodes cannot verify."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"{path} is missing and this node does not create keys (ONEVISIT_CREATE_KEYS=false). "
            f"Make the keys once with `onevisit keys --create` and give every node the same "
            f"folder (ONEVISIT_KEYS_DIR)."
        )
        self.path = path


def read_or_create(
    path: Path,
    make: Callable[[], bytes],
    in_use: Callable[[], str] | None = None,
    *,
    create: bool | None = None,
) -> bytes:
    """The key at `path`; if there is none, `make()` one and keep it (mode 0600). Two processes
    racing to create it end up with the same key: the first link wins. `in_use` names the data
    that needs an existing key ("" when there is none); a missing key for it is KeyMissing.
    `create` overrides ONEVISIT_CREATE_KEYS (`onevisit keys --create`)."""
    if not path.exists() and in_use is not None and (what := _data_made_with(in_use)):
        raise KeyMissing(path, what)
    allowed = settings.ONEVISIT_CREATE_KEYS if create is None else create
    if not path.exists() and not allowed:
        raise KeyNotProvided(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        draft = path.with_suffix(f".{os.getpid()}.tmp")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(make())
        try:
            os.link(draft, path)  # atomic, and refuses to replace a key already there
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_bytes()


def _data_made_with(in_use: Callable[[], str]) -> str:
    """What `in_use` names; nothing when the database has no tables yet (keys are made before
    the first `migrate` of a new deployment)."""
    try:
        return in_use()
    except DatabaseError:
        if _unmigrated():
            return ""
        raise


def _unmigrated() -> bool:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))
