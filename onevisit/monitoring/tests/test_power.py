"""Electricity monitors over MQTT: the message parser that survives any bytes, and the listener
against the local Mosquitto broker — acknowledged only after commit, nothing lost on restart."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import threading
import time
import uuid
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from django.db import OperationalError
from hypothesis import given, settings
from hypothesis import strategies as st
from paho.mqtt.enums import CallbackAPIVersion

from onevisit.monitoring import mqtt as mqtt_listener
from onevisit.monitoring.models import Device, Reading, RejectTally, password_digest
from onevisit.monitoring.mqtt import Listener, Settings
from onevisit.monitoring.power import Messages
from onevisit.monitoring.session import KnownDevice
from onevisit.monitoring.store import store_rows
from onevisit.testing import make_enterprise

NOW = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)
DEVICES = {"PWR0001": KnownDevice(7, password_digest("secret"))}
BROKER = ("127.0.0.1", 1883)


def message(**fields: Any) -> bytes:
    base: dict[str, Any] = {
        "mn": "PWR0001",
        "pw": "secret",
        "time": "2026-11-27T10:00:00+08:00",
        "values": {"P": 12.5, "Ia": 20},
        "running": True,
    }
    base.update(fields)
    return json.dumps(base).encode()


def test_it_turns_a_message_into_readings_and_a_running_state() -> None:
    outcome = Messages(DEVICES).feed(message(), NOW)
    assert outcome.devices == {7}
    assert sorted((r.factor, r.kind, r.value) for r in outcome.rows) == [
        ("Ia", "Rtd", 20.0),
        ("P", "Rtd", 12.5),
        ("run", "RS", 1.0),
    ]
    assert outcome.rows[0].data_time == dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)


def test_it_reads_beijing_time_and_unix_seconds() -> None:
    local = Messages(DEVICES).feed(message(time="2026-11-27 10:00:00"), NOW).rows[0]
    unix = Messages(DEVICES).feed(message(time=NOW.timestamp()), NOW).rows[0]
    assert local.data_time == unix.data_time == NOW


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"\xff\xfe", "not_json"),
        (b"[1, 2]", "not_an_object"),
        (message(mn="PWR9999"), "unknown_device"),
        (message(pw="guess"), "wrong_password"),
        (message(time="yesterday"), "bad_time"),
        (message(time="2031-01-01T00:00:00+08:00"), "time_out_of_range"),
        (message(values={"P": "high"}), "bad_values"),
        (message(values={"P; DROP": 1}), "bad_values"),
        (message(values={}, running=None), "no_values"),
        (message(running="yes"), "bad_running"),
        (b" " * 9000, "too_long"),
    ],
)
def test_it_counts_bad_messages_by_reason(payload: bytes, reason: str) -> None:
    outcome = Messages(DEVICES).feed(payload, NOW)
    assert not outcome.rows and outcome.rejects == {reason: 1}


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=300),
        st.recursive(
            st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=20),
            lambda children: (
                st.lists(children, max_size=4)
                | st.dictionaries(st.text(max_size=8), children, max_size=4)
            ),
            max_leaves=12,
        ).map(lambda value: json.dumps(value).encode()),
    )
)
def test_it_survives_any_payload(payload: bytes) -> None:
    outcome = Messages(DEVICES).feed(payload, NOW)
    assert outcome.rows or sum(outcome.rejects.values()) == 1


def _broker_up() -> bool:
    try:
        with socket.create_connection(BROKER, timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def broker() -> None:
    if not _broker_up():
        if os.environ.get("CI"):
            pytest.fail("Mosquitto must answer on 127.0.0.1:1883 in CI (.ci/run starts it)")
        pytest.skip("no MQTT broker on 127.0.0.1:1883: apt-get install mosquitto")


def publish(topic: str, payloads: list[bytes]) -> None:
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"test-{uuid.uuid4().hex[:8]}")
    client.connect(*BROKER)
    client.loop_start()
    for payload in payloads:
        client.publish(topic, payload, qos=1).wait_for_publish(timeout=5)
    client.disconnect()
    client.loop_stop()


def run_listener(listener: Listener) -> threading.Thread:
    listener.start()
    assert listener.subscribed.wait(5), "no subscription"
    thread = threading.Thread(target=listener.run, daemon=True)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_stores_what_arrives_and_loses_nothing_across_a_restart(broker: None) -> None:
    enterprise = make_enterprise("聊城华鲁水泥有限公司", serial=14, industry="30")
    Device.objects.create(
        mn="PWR0001", password_sha256=password_digest("secret"), enterprise=enterprise
    )
    run_id = uuid.uuid4().hex[:8]
    topic = f"onevisit-test/{run_id}/power/PWR0001"
    conf = Settings(
        topic=f"onevisit-test/{run_id}/power/#", client_id=f"listener-{run_id}", interval=0.05
    )
    stamp = int(time.time()) - 600

    def batch(start: int, count: int) -> list[bytes]:
        return [
            message(time=stamp + n, values={"P": float(n)}) for n in range(start, start + count)
        ]

    first = Listener(conf)
    thread = run_listener(first)
    publish(topic, [*batch(0, 50), b"garbage", message(pw="guess")])
    wait_for(lambda: Reading.objects.filter(factor="P").count() == 50)
    first.stop()
    thread.join(10)
    publish(topic, batch(50, 30))  # while the listener is down: the broker keeps them
    second = Listener(conf)
    thread = run_listener(second)
    wait_for(lambda: Reading.objects.filter(factor="P").count() == 80)
    second.stop()
    thread.join(10)
    assert Reading.objects.filter(factor="P").values("data_time").distinct().count() == 80
    assert Reading.objects.filter(factor="run", kind="RS").count() == 80
    tallies = dict(RejectTally.objects.values_list("reason", "count"))
    assert tallies.get("not_json") == 1 and tallies.get("wrong_password") == 1
    assert Device.objects.get().last_seen is not None
    cleanup = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=conf.client_id, clean_session=True)
    cleanup.connect(*BROKER)
    cleanup.disconnect()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_waits_out_a_database_error_and_then_stores_the_batch(
    broker: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    enterprise = make_enterprise("聊城华鲁水泥有限公司", serial=14, industry="30")
    Device.objects.create(
        mn="PWR0002", password_sha256=password_digest("secret"), enterprise=enterprise
    )
    failures = iter([OperationalError("database is locked"), OperationalError("server closed")])
    real_store = store_rows

    def store_after_two_failures(*args: Any) -> None:
        error = next(failures, None)
        if error is not None:
            raise error
        real_store(*args)

    monkeypatch.setattr(mqtt_listener, "store_rows", store_after_two_failures)
    run_id = uuid.uuid4().hex[:8]
    conf = Settings(
        topic=f"onevisit-test/{run_id}/power/#", client_id=f"listener-{run_id}", interval=0.05
    )
    listener = Listener(conf)
    thread = run_listener(listener)
    stamp = int(time.time()) - 600
    publish(
        f"onevisit-test/{run_id}/power/PWR0002",
        [message(mn="PWR0002", time=stamp + n, values={"P": float(n)}) for n in range(5)],
    )
    wait_for(lambda: Reading.objects.filter(factor="P").count() == 5)
    listener.stop()
    thread.join(10)
    assert not thread.is_alive() and listener.stored == 5
    cleanup = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=conf.client_id, clean_session=True)
    cleanup.connect(*BROKER)
    cleanup.disconnect()


def wait_for(condition: Any, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except OperationalError as error:  # the listener's thread holds the table: look again
            if "locked" not in str(error):
                raise
        time.sleep(0.05)
    raise AssertionError("timed out")
