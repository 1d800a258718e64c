"""`onevisit listen-mqtt`: electricity monitors' JSON messages from an MQTT broker into the
same store as the HJ 212 receiver.

Nothing is lost between broker and database: the listener subscribes at QoS 1 in a persistent
session (fixed client id, clean_session off) with manual acknowledgement, and acknowledges a
message only after its readings are committed (or after it was counted as a reject). Messages
that arrive while the listener is down wait in the broker; a message received but not yet
committed when the listener dies is delivered again. On SIGTERM it stores and acknowledges what
it holds and disconnects, leaving its subscription in the broker.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import paho.mqtt.client as mqtt
from django.db import DatabaseError
from django.utils import timezone
from paho.mqtt.enums import CallbackAPIVersion

from onevisit.monitoring.power import Messages, Outcome
from onevisit.monitoring.store import add_rejects, device_table, in_thread, store_rows

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 1883
    topic: str = "onevisit/power/#"
    client_id: str = "onevisit-listener"
    batch: int = 500
    interval: float = 0.2
    refresh_devices: float = 60.0
    username: str = ""
    password: str = ""


@dataclass(frozen=True)
class _Message:
    mid: int
    qos: int
    payload: bytes


class Listener:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.inbox: queue.Queue[_Message] = queue.Queue()
        self.stopping = threading.Event()
        self.subscribed = threading.Event()
        self.stored = 0
        self.rejected: Counter[str] = Counter()
        self.messages = Messages({})
        self.devices_at = 0.0
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=settings.client_id,
            clean_session=False,
            manual_ack=True,
        )
        if settings.username:
            self.client.username_pw_set(settings.username, settings.password)
        self.client.on_connect = self._on_connect
        self.client.on_subscribe = self._on_subscribe
        self.client.on_message = self._on_message

    def _on_connect(
        self,
        client: mqtt.Client,
        _userdata: object,
        _flags: object,
        reason: object,
        _props: object = None,
    ) -> None:
        log.info("connected to %s:%s (%s)", self.settings.host, self.settings.port, reason)
        client.subscribe(self.settings.topic, qos=1)

    def _on_subscribe(self, *_args: object) -> None:
        self.subscribed.set()

    def _on_message(
        self, _client: mqtt.Client, _userdata: object, message: mqtt.MQTTMessage
    ) -> None:
        self.inbox.put(_Message(message.mid, message.qos, bytes(message.payload)))

    def start(self) -> None:
        self.client.connect(self.settings.host, self.settings.port, keepalive=30)
        self.client.loop_start()

    def run(self) -> None:
        """Store batches until `stop()`; then store what is left and disconnect."""
        while not self.stopping.is_set():
            self.flush(wait=self.settings.interval)
        # The subscription stays in the broker's session: what arrives from now on waits there,
        # and a message taken but not acknowledged below is delivered again next time.
        self.flush(wait=0.0)
        self.client.disconnect()
        self.client.loop_stop()

    def stop(self) -> None:
        self.stopping.set()

    def _batch(self, wait: float) -> list[_Message]:
        batch: list[_Message] = []
        deadline = time.monotonic() + wait
        while len(batch) < self.settings.batch:
            timeout = max(0.0, deadline - time.monotonic())
            try:
                batch.append(
                    self.inbox.get(timeout=timeout) if timeout else self.inbox.get_nowait()
                )
            except queue.Empty:
                break
        return batch

    def _refresh(self) -> None:
        if time.monotonic() - self.devices_at > self.settings.refresh_devices:
            try:
                self.messages = Messages(in_thread(device_table))
            except DatabaseError:  # keep the table it has; the write below will wait
                log.exception("could not read the device table")
                return
            self.devices_at = time.monotonic()

    def _until_done(self, work: Callable[..., object], *args: object) -> bool:
        """Run a write until it succeeds, waiting longer after each database error (the database
        restarting, a locked SQLite table); False when told to stop first. Nothing is
        acknowledged before this returns True, so the broker still holds what was not written."""
        pause = 0.05
        while True:
            try:
                in_thread(work, *args)
                return True
            except DatabaseError:
                log.exception("could not write; trying again in %.2f s", pause)
            if self.stopping.wait(pause):
                return False
            pause = min(pause * 2, 5.0)

    def flush(self, wait: float) -> int:
        """Store one batch, then acknowledge it; returns how many messages it held."""
        batch = self._batch(wait)
        if not batch:
            return 0
        self._refresh()
        now = timezone.now()
        total = Outcome()
        for message in batch:
            outcome = self.messages.feed(message.payload, now)
            total.rows.extend(outcome.rows)
            total.devices |= outcome.devices
            total.rejects.update(outcome.rejects)
        if total.rows and not self._until_done(store_rows, total.rows, total.devices):
            return 0
        if total.rejects and not self._until_done(add_rejects, total.rejects):
            return 0
        for message in batch:  # only now: the readings are committed
            if message.qos:
                self.client.ack(message.mid, message.qos)
        self.stored += len(batch) - sum(total.rejects.values())
        self.rejected.update(total.rejects)
        return len(batch)
