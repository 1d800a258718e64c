"""`onevisit serve`: the production server (gunicorn) over an existing database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from gunicorn.app.base import BaseApplication

from onevisit.audit.tasks import schedule_checkpoints
from onevisit.operations.importers import queue_resume_if_needed


class GunicornApp(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        # Imported here, after collectstatic: WhiteNoise lists the static files when the
        # application is built, and a fresh data folder has none before.
        from onevisit.wsgi import application

        return application


def _check_keys() -> None:
    """Refuse to start when the database holds codes or sealed identities whose key is gone."""
    from onevisit.inspections.keyring import signer
    from onevisit.lib.keyfiles import KeyMissing, KeyNotProvided
    from onevisit.tips.sealing import ensure_key

    try:
        signer()
        ensure_key()
    except (KeyMissing, KeyNotProvided) as error:
        raise CommandError(str(error)) from None


class Command(BaseCommand):
    help = "Serve onevisit with gunicorn; static files come from the installed packages."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) + 1)
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument(
            "--no-worker", action="store_true", help="do not start the background task workers"
        )
        parser.add_argument(
            "--task-workers",
            type=int,
            default=1,
            help="background task workers to start (a province's city plans run in parallel)",
        )
        parser.add_argument(
            "--no-access-log", action="store_true", help="do not log each request (benchmarks)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError("The database is not up to date: run `onevisit migrate` first.")
        _check_keys()
        if not options["no_worker"]:
            queue_resume_if_needed()
            schedule_checkpoints()
        call_command("collectstatic", interactive=False, verbosity=0)
        connections.close_all()
        workers: list[subprocess.Popen[bytes]] = []
        if not options["no_worker"]:
            # background tasks (planning runs, tier recomputation) in processes of their own;
            # each claims a task under a row lock, so none runs twice
            workers = [
                subprocess.Popen([sys.executable, "-m", "onevisit", "db_worker"])
                for _ in range(max(1, options["task_workers"]))
            ]
        self.stdout.write(f"Serving on http://{options['host']}:{options['port']}/ (Ctrl-C stops)")
        try:
            self._serve(options)
        finally:
            for worker in workers:
                worker.terminate()
            for worker in workers:
                worker.wait(timeout=30)

    def _serve(self, options: dict[str, Any]) -> None:
        GunicornApp(
            {
                "bind": f"{options['host']}:{options['port']}",
                "workers": options["workers"],
                "threads": options["threads"],
                "worker_class": "gthread",
                "accesslog": None if options["no_access_log"] else "-",
                "timeout": 120,
                # the longest request line gunicorn takes; longer ones get 414
                "limit_request_line": 8190,
                # one control socket per server: two servers on one machine must not share it
                "control_socket": str(Path(settings.DATA_DIR) / f"gunicorn-{options['port']}.ctl"),
                "control_socket_mode": 0o600,
            }
        ).run()
