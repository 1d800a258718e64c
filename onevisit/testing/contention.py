"""Probe of the writers an import must not block, for the test of a large import.

Run `main()` in a process of its own, once Django is set up, against the folder database of
ONEVISIT_DATA_DIR, while another process imports. It sets up a supervisor with an API
token, an enterprise and a registered HJ 212 device, starts a receiver, prints "ready", then,
until the newest import run is done, times two writes again and again:

- a web write: PATCH /api/enterprises/{id} through the whole middleware stack (token, audit);
- a packet: an HJ 212 data packet sent to the receiver, answered once its readings are committed.

It prints one JSON line: each probe's seconds and whether the import was writing meanwhile.
"""

from __future__ import annotations

import asyncio
import json
import queue
import socket
import threading
import time
from typing import Any

DEADLINE_SECONDS = 180
MN = "88888880000077"


def main() -> None:
    from django.test import Client

    from onevisit.accounts.actions import do_create_api_token
    from onevisit.accounts.models import Role
    from onevisit.monitoring.models import Device, password_digest
    from onevisit.monitoring.receiver import Receiver, Settings
    from onevisit.testing import make_enterprise, make_user

    enterprise = make_enterprise("聊城华鲁化工有限公司", serial=990077, industry="26")
    Device.objects.create(mn=MN, password_sha256=password_digest("123456"), enterprise=enterprise)
    _token, raw = do_create_api_token(
        user=make_user("sam-probe", role=Role.SUPERVISOR), name="probe"
    )
    ports: queue.Queue[int] = queue.Queue()
    receiver = Receiver(Settings(host="127.0.0.1", port=0, idle_timeout=60))

    async def receive() -> None:
        ports.put(await receiver.start())
        await receiver.stopping.wait()
        await receiver.stop()

    thread = threading.Thread(target=asyncio.run, args=(receive(),), daemon=True)
    thread.start()
    port = ports.get(timeout=30)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    device = socket.create_connection(("127.0.0.1", port), timeout=30)
    print("ready", flush=True)

    probes: list[dict[str, Any]] = []
    started = time.monotonic()
    number = 0
    while time.monotonic() - started < DEADLINE_SECONDS:
        before = _import_state()
        number += 1
        web = _timed_patch(client, enterprise.pk, number)
        packet = _timed_packet(device, number)
        after = _import_state()
        probes.append({"web": web, "packet": packet, "writing": "committed" in (before, after)})
        if after in ("done", "rejected"):
            break
        time.sleep(0.2)
    receiver.stopping.set()
    thread.join(timeout=30)
    print(json.dumps(probes), flush=True)


def _import_state() -> str:
    from onevisit.imports.models import ImportRun

    return ImportRun.objects.order_by("-pk").values_list("state", flat=True).first() or ""


def _timed_patch(client: Any, enterprise_id: int, number: int) -> float:
    started = time.monotonic()
    response = client.patch(
        f"/api/enterprises/{enterprise_id}",
        {"address": f"聊城市东昌府区probe路{number}号"},
        content_type="application/json",
    )
    elapsed = time.monotonic() - started
    if response.status_code != 200:
        raise SystemExit(f"the web write failed: {response.status_code} {response.content!r}")
    return elapsed


def _timed_packet(device: socket.socket, number: int) -> float:
    from onevisit.hj212 import encode_frame

    segment = (
        f"QN=20271104153000{number % 1000:03d};ST=32;CN=2011;PW=123456;MN={MN};Flag=5;"
        f"CP=&&DataTime=20271104{number // 3600 % 24:02d}{number // 60 % 60:02d}"
        f"{number % 60:02d};w01018-Rtd={10 + number}.5,w01018-Flag=N&&"
    )
    started = time.monotonic()
    device.sendall(encode_frame(segment))
    answer = b""
    while b"CN=9014" not in answer:
        chunk = device.recv(4096)
        if not chunk:
            raise SystemExit("the receiver closed the connection")
        answer += chunk
    return time.monotonic() - started
