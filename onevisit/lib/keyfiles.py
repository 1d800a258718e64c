"""Secret keys kept as files in the data folder, created on first use."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def read_or_create(path: Path, make: Callable[[], bytes]) -> bytes:
    """The key at `path`; if there is none, `make()` one and keep it (mode 0600). Two processes
    racing to create it end up with the same key: the first link wins."""
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
