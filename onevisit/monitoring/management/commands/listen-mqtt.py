"""`onevisit listen-mqtt`: electricity monitors' JSON messages from an MQTT broker."""

from __future__ import annotations

import os
import signal
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from onevisit.monitoring.mqtt import Listener, Settings


class Command(BaseCommand):
    help = (
        "Subscribe to electricity monitors' messages (QoS 1, persistent session); store the "
        "readings; acknowledge each message only once it is committed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        defaults = Settings()
        parser.add_argument("--host", default=defaults.host)
        parser.add_argument("--port", type=int, default=defaults.port)
        parser.add_argument("--topic", default=defaults.topic)
        parser.add_argument("--client-id", default=defaults.client_id)
        parser.add_argument("--batch", type=int, default=defaults.batch)
        parser.add_argument(
            "--username", default="", help="broker user; the password from MQTT_PASSWORD"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        listener = Listener(
            Settings(
                host=options["host"],
                port=options["port"],
                topic=options["topic"],
                client_id=options["client_id"],
                batch=options["batch"],
                username=options["username"],
                password=os.environ.get("MQTT_PASSWORD", ""),
            )
        )
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: listener.stop())
        listener.start()
        self.stdout.write(
            f"Listening on mqtt://{options['host']}:{options['port']} {options['topic']}"
        )
        listener.run()
        self.stdout.write(
            f"Stopped: {listener.stored:,} messages stored; rejects {dict(listener.rejected)}"
        )
