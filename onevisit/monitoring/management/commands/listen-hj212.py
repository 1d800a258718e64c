"""`onevisit listen-hj212 [--port 8212]`: receive HJ 212 packets from monitoring devices."""

from __future__ import annotations

import asyncio
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from onevisit.monitoring.receiver import Receiver, Settings


class Command(BaseCommand):
    help = "Receive HJ 212 packets over TCP; store readings; answer after they are committed."

    def add_arguments(self, parser: CommandParser) -> None:
        defaults = Settings()
        parser.add_argument("--host", default=defaults.host)
        parser.add_argument("--port", type=int, default=defaults.port)
        parser.add_argument("--max-length", type=int, default=defaults.max_length)
        parser.add_argument(
            "--strict",
            action="store_true",
            help="refuse packets that break HJ 212 to the letter (segments over 1,024 bytes, "
            "2005-style codes, missing QN, …), counted by violation; default: read and count",
        )
        parser.add_argument("--idle-timeout", type=float, default=defaults.idle_timeout)
        parser.add_argument(
            "--hello-timeout",
            type=float,
            default=defaults.hello_timeout,
            help="seconds a connection may stay open before its first accepted packet",
        )
        parser.add_argument("--max-per-address", type=int, default=defaults.max_per_address)
        parser.add_argument("--max-connections", type=int, default=defaults.max_connections)

    def handle(self, *args: Any, **options: Any) -> None:
        settings = Settings(
            host=options["host"],
            port=options["port"],
            max_length=options["max_length"],
            strict=options["strict"],
            idle_timeout=options["idle_timeout"],
            hello_timeout=options["hello_timeout"],
            max_per_address=options["max_per_address"],
            max_connections=options["max_connections"],
        )
        receiver = Receiver(settings)
        self.stdout.write(f"Listening for HJ 212 on {settings.host}:{settings.port}")
        asyncio.run(receiver.serve())
        self.stdout.write(
            f"Stopped: {receiver.stored:,} readings stored; rejects {dict(receiver.reject_totals)}"
        )
