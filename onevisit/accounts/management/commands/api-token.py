"""`onevisit api-token USER`: issue an API token for a user and print it once (for scripts)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onevisit.accounts.actions import do_create_api_token
from onevisit.accounts.models import User


class Command(BaseCommand):
    help = "Issue an API token for a user; the token is printed once and stored only hashed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="command line", help="what the token is for")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {options['username']!r}")
        _token, raw = do_create_api_token(user=user, name=options["name"])
        self.stdout.write(raw)
