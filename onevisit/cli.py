"""The `onevisit` console script: Django's management commands under one short name."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onevisit.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    execute_from_command_line(["onevisit", *args[1:]])


if __name__ == "__main__":
    main()
