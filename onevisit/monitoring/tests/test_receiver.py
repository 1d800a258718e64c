"""The HJ 212 receiver: sessions that survive any bytes, and the server end to end."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from onevisit.hj212 import encode_frame
from onevisit.monitoring.actions import do_aggregate_and_prune
from onevisit.monitoring.models import (
    Device,
    HourlyReading,
    Reading,
    RejectTally,
    ViolationTally,
    password_digest,
)
from onevisit.monitoring.receiver import Receiver, Settings
from onevisit.monitoring.session import KnownDevice, Session
from onevisit.testing import PersonaTestCase, make_enterprise

MN = "88888880000001"
DEVICES = {MN: KnownDevice(7, password_digest("123456"))}


def packet(n: int, *, pw: str = "123456", mn: str = MN, flag: int = 5) -> bytes:
    segment = (
        f"QN=20271104153000{n:03d};ST=32;CN=2011;PW={pw};MN={mn};Flag={flag};"
        f"CP=&&DataTime=202711041530{n % 60:02d};w01018-Rtd={10 + n}.5,w01018-Flag=N;"
        f"SB1-RS=1&&"
    )
    return encode_frame(segment)


def test_it_turns_a_data_packet_into_readings_and_an_answer() -> None:
    outcome = Session(DEVICES).feed(packet(1))
    assert [(r.device_id, r.factor, r.kind, r.value, r.flag) for r in outcome.rows] == [
        (7, "w01018", "Rtd", 11.5, "N"),
        (7, "SB1", "RS", 1.0, ""),
    ]
    assert outcome.rows[0].data_time.isoformat() == "2027-11-04T15:30:01+08:00"
    assert len(outcome.answers) == 1 and b"CN=9014" in outcome.answers[0]


def test_it_stores_what_a_lenient_session_accepts_and_counts_each_violation_by_name() -> None:
    outcome = Session(DEVICES).feed(packet(1) + packet(2).replace(b"\r\n", b"\r\n"))
    # MN 88888880000001 is not the 24 characters §6 asks for: accepted, and counted
    assert len(outcome.rows) == 4 and outcome.violations == {"mn_format": 2}


def test_it_counts_unknown_devices_wrong_passwords_and_garbage() -> None:
    session = Session(DEVICES)
    outcome = session.feed(
        b"\x00\xffnoise" + packet(1, mn="99") + packet(2, pw="000000") + b"##9999junk\r\n"
    )
    assert outcome.rows == []
    assert outcome.rejects["unknown_device"] == 1 and outcome.rejects["bad_password"] == 1
    assert outcome.rejects["garbage"] >= 1


def test_it_reads_frames_across_any_segmentation() -> None:
    stream = b"".join(packet(n) for n in range(20))
    session = Session(DEVICES)
    rows = []
    rng = random.Random(3)
    position = 0
    while position < len(stream):
        step = rng.randint(1, 40)
        rows += session.feed(stream[position : position + step]).rows
        position += step
    assert len(rows) == 40


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400), st.binary(max_size=60))
def test_it_survives_any_bytes_and_still_reads_the_next_good_packet(
    noise: bytes, more: bytes
) -> None:
    session = Session(DEVICES, max_length=1024)
    session.feed(noise)
    session.feed(more)
    # after at most one line end, the stream is back in step
    outcome = session.feed(b"\r\n" + packet(1) + packet(2))
    assert len(outcome.rows) >= 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_answers_after_committing_and_flushes_on_stop() -> None:
    enterprise = make_enterprise("聊城华鲁化工有限公司", serial=11, industry="26")
    device = Device.objects.create(
        mn=MN, password_sha256=password_digest("123456"), enterprise=enterprise
    )

    async def scenario() -> list[bytes]:
        receiver = Receiver(Settings(host="127.0.0.1", port=0, idle_timeout=5))
        port = await receiver.start()

        async def device_sends(first: int) -> bytes:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            stream = b"".join(packet(n) for n in range(first, first + 5))
            for start in range(0, len(stream), 17):  # dribbled over many TCP segments
                writer.write(stream[start : start + 17])
                await writer.drain()
            answers = b""
            while answers.count(b"CN=9014") < 5:
                answers += await asyncio.wait_for(reader.read(4096), 5)
            writer.write(packet(99 - first, flag=4))  # no answer asked: stored at the flush on stop
            await writer.drain()
            await asyncio.sleep(0.01)
            writer.close()
            return answers

        answers = await asyncio.gather(device_sends(0), device_sends(10))
        await receiver.stop()
        return list(answers)

    answers = asyncio.run(scenario())
    assert all(a.count(b"CN=9014") == 5 for a in answers)
    assert Reading.objects.filter(device=device).count() == 2 * 6 * 2
    device.refresh_from_db()
    assert device.last_seen is not None
    assert not RejectTally.objects.filter(reason="unknown_device").exists()
    # 12 packets from an MN shorter than §6 asks: stored, and tallied by name at stop
    assert ViolationTally.objects.get(reason="mn_format").count == 12


@pytest.mark.django_db
def test_it_keeps_only_the_digest_of_a_device_password() -> None:
    from onevisit.monitoring.admin import DeviceForm

    enterprise = make_enterprise("聊城华鲁化工有限公司", serial=12, industry="26")
    data = {"mn": MN, "enterprise": enterprise.pk, "active": True, "password": "654321"}
    form = DeviceForm({**data, "protocol_version": 2})
    assert form.is_valid(), form.errors
    device = form.save()
    assert device.protocol_version == 2  # registered with the version it speaks (HJ 212-2025)
    assert device.password_sha256 == password_digest("654321") != "654321"
    assert device.check_password("654321") and not device.check_password("123456")
    assert not DeviceForm({"mn": "X1", "enterprise": enterprise.pk, "active": True}).is_valid()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_loses_no_packet_when_stopped_and_started_again_mid_stream() -> None:
    enterprise = make_enterprise("聊城华鲁化工有限公司", serial=13, industry="26")
    devices = [
        Device.objects.create(
            mn=f"8888888{n:07d}", password_sha256=password_digest("123456"), enterprise=enterprise
        )
        for n in range(20)
    ]

    async def scenario() -> int:
        first = Receiver(Settings(host="127.0.0.1", port=0, idle_timeout=5))
        port = await first.start()
        answered = 0
        stop_at = asyncio.get_running_loop().time() + 1.5

        async def device(mn: str) -> None:
            nonlocal answered
            seq, writer = 0, None
            while asyncio.get_running_loop().time() < stop_at:
                try:
                    if writer is None:
                        reader, writer = await asyncio.open_connection("127.0.0.1", port)
                    writer.write(encode_frame(_segment(mn, seq)))
                    await writer.drain()
                    await asyncio.wait_for(reader.readuntil(b"\r\n"), 2)
                    answered += 1
                    seq += 1
                except (OSError, asyncio.IncompleteReadError, TimeoutError):
                    writer = None  # the same packet goes again on a new connection
                    await asyncio.sleep(0.05)

        tasks = [asyncio.create_task(device(d.mn)) for d in devices]
        await asyncio.sleep(0.6)
        await first.stop()
        second = Receiver(Settings(host="127.0.0.1", port=port, idle_timeout=5))
        await second.start()
        await asyncio.gather(*tasks)
        await second.stop()
        return answered

    answered = asyncio.run(scenario())
    stored = Reading.objects.values("device", "data_time").distinct().count()
    assert answered > 40
    assert stored == answered  # every answered packet is stored, each (device, time) once


def _segment(mn: str, seq: int) -> str:
    stamp = f"20271104{seq // 3600 % 24:02d}{seq // 60 % 60:02d}{seq % 60:02d}"
    return (
        f"QN={stamp}000;ST=32;CN=2011;PW=123456;MN={mn};Flag=5;"
        f"CP=&&DataTime={stamp};w01018-Rtd=1.5&&"
    )


class RecordsTest(PersonaTestCase):
    def test_it_folds_old_readings_into_hourly_rows_and_keeps_recent_ones(self) -> None:
        device = Device.objects.create(
            mn=MN, password_sha256=password_digest("123456"), enterprise=self.bearing
        )
        now = timezone.now()
        old = now - dt.timedelta(days=40)
        hour = old.replace(minute=0, second=0, microsecond=0)

        def reading(when: dt.datetime, value: float) -> Reading:
            return Reading(
                device=device,
                factor="w01018",
                kind="Rtd",
                data_time=when,
                value=value,
                received=now,
            )

        Reading.objects.bulk_create(
            [
                reading(hour + dt.timedelta(minutes=5), 1.0),
                reading(hour + dt.timedelta(minutes=20), 3.0),
                reading(hour + dt.timedelta(minutes=70), 5.0),
                reading(now - dt.timedelta(hours=1), 9.0),
            ]
        )
        cutoff = now - dt.timedelta(days=30)
        assert do_aggregate_and_prune(cutoff) == (2, 3)
        Reading.objects.create(
            device=device,
            factor="w01018",
            kind="Rtd",
            data_time=hour + dt.timedelta(minutes=40),
            value=8.0,
            received=now,
        )
        assert do_aggregate_and_prune(cutoff) == (1, 1)
        first = HourlyReading.objects.get(hour=hour)
        assert (first.count, first.mean, first.low, first.high) == (3, 4.0, 1.0, 8.0)
        assert Reading.objects.get().value == 9.0

    def test_it_folds_many_hours_in_chunks_with_queries_that_do_not_grow_with_them(self) -> None:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        devices = [
            Device.objects.create(
                mn=f"8888888000010{n}", password_sha256=password_digest("123456"), enterprise=e
            )
            for n, e in enumerate((self.bearing, self.cable))
        ]
        now = timezone.now()
        start = (now - dt.timedelta(days=60)).replace(minute=0, second=0, microsecond=0)
        cutoff = now - dt.timedelta(days=30)

        def fill(hours: range) -> None:
            Reading.objects.bulk_create(
                Reading(
                    device=device,
                    factor="w01018",
                    kind="Rtd",
                    data_time=start + dt.timedelta(hours=h, minutes=minute),
                    value=float(h + minute),
                    received=now,
                )
                for device in devices
                for h in hours
                for minute in (10, 40)
            )

        def queries(hours: range) -> int:
            fill(hours)
            with CaptureQueriesContext(connection) as done:
                assert do_aggregate_and_prune(cutoff) == (2 * len(hours), 4 * len(hours))
            return len(done.captured_queries)

        with mock.patch("onevisit.monitoring.actions.RETENTION_CHUNK", 100):
            few, many = queries(range(0, 10)), queries(range(10, 60))
            assert many == few  # 100 hourly rows in one chunk cost what 20 do
            fill(range(5, 6))  # a late reading for an hour already folded merges into it
            do_aggregate_and_prune(cutoff)
        merged = HourlyReading.objects.get(device=devices[0], hour=start + dt.timedelta(hours=5))
        assert (merged.count, merged.mean, merged.low, merged.high) == (4, 30.0, 15.0, 45.0)
        assert HourlyReading.objects.count() == 120 and not Reading.objects.exists()

    def test_it_charts_an_enterprises_devices_for_officials_and_for_itself(self) -> None:
        device = Device.objects.create(
            mn=MN, password_sha256=password_digest("123456"), enterprise=self.bearing
        )
        now = timezone.now()
        Reading.objects.bulk_create(
            [
                Reading(
                    device=device,
                    factor="w01018",
                    kind="Rtd",
                    value=float(n),
                    data_time=now - dt.timedelta(minutes=10 * n),
                    received=now,
                )
                for n in range(6)
            ]
        )
        url = reverse("monitoring:enterprise_devices", args=[self.bearing.pk])
        page = self.client_for(self.erin).get(url).content.decode()
        assert MN in page and "<polyline" in page
        assert "化学需氧量 实时值（mg/L）" in page and "w01018-Rtd" not in page  # names, units
        assert "从未上报" not in page  # its readings say it reported, last_seen or not
        local = timezone.localtime(now - dt.timedelta(minutes=50))
        assert f"{local:%m-%d %H:%M}" in page  # the time axis starts at the first reading
        assert self.client_for(self.alice).get(url).status_code == 200
        assert self.client_for(self.frank).get(url).status_code == 404
        assert self.client_for(self.stranger).get(url).status_code == 403


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_answers_a_registered_device_while_idle_sockets_crowd_the_door() -> None:
    enterprise = make_enterprise("聊城华鲁化工有限公司", serial=17, industry="26")
    Device.objects.create(mn=MN, password_sha256=password_digest("123456"), enterprise=enterprise)

    async def scenario() -> tuple[bytes, int, int]:
        settings = Settings(
            port=0, max_per_address=5, hello_timeout=0.5, idle_timeout=5, tally_seconds=0.2
        )
        receiver = Receiver(settings)
        port = await receiver.start()
        # 40 idle connections from one address, more than its cap of 5.
        crowd = []
        for _ in range(40):
            reader, writer = await asyncio.open_connection(
                "127.0.0.1", port, local_addr=("127.0.0.2", 0)
            )
            crowd.append((reader, writer))
        await asyncio.sleep(0.1)
        held = len(receiver.connections)
        # A registered device from another address is still answered.
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(packet(1))
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(4096), 5)
        # The silent ones are closed after the hello timeout: each read ends.
        closed = 0
        for crowd_reader, _ in crowd:
            if await asyncio.wait_for(crowd_reader.read(1), 5) == b"":
                closed += 1
        await asyncio.sleep(0.5)  # a tally is written while the receiver runs
        tallied = await asyncio.to_thread(
            lambda: {t.reason: t.count for t in RejectTally.objects.all()}
        )
        writer.close()
        await receiver.stop()
        # each newcomer from the full address took the place of its longest silent socket
        assert tallied.get("evicted_silent") == 35
        assert tallied.get("silent_connection") == 5
        return answer, held, closed

    answer, held, closed = asyncio.run(scenario())
    assert b"CN=9014" in answer
    assert held == 5 and closed == 40


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_admits_a_device_that_shares_its_address_with_idle_sockets() -> None:
    """A plant's NAT: 32 idle sockets from the device's own address, the address's cap."""
    enterprise = make_enterprise("聊城华鲁化工有限公司", serial=17, industry="26")
    Device.objects.create(mn=MN, password_sha256=password_digest("123456"), enterprise=enterprise)

    async def scenario() -> tuple[bytes, int]:
        settings = Settings(port=0, max_per_address=32, hello_timeout=30)
        receiver = Receiver(settings)
        port = await receiver.start()
        crowd = [
            await asyncio.open_connection("127.0.0.1", port, local_addr=("127.0.0.5", 0))
            for _ in range(32)
        ]
        await asyncio.sleep(0.1)
        reader, writer = await asyncio.open_connection(
            "127.0.0.1", port, local_addr=("127.0.0.5", 0)
        )
        writer.write(packet(1))
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(4096), 5)
        # more idle sockets from the address never take the heard device's place
        crowd += [
            await asyncio.open_connection("127.0.0.1", port, local_addr=("127.0.0.5", 0))
            for _ in range(40)
        ]
        await asyncio.sleep(0.2)
        writer.write(packet(2))
        await writer.drain()
        second = await asyncio.wait_for(reader.read(4096), 5)
        held = receiver.per_address["127.0.0.5"]
        writer.close()
        for _, crowd_writer in crowd:
            crowd_writer.close()
        await receiver.stop()
        return answer + second, held

    answers, held = asyncio.run(scenario())
    assert answers.count(b"CN=9014") == 2 and held == 32


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_closes_a_sender_that_trickles_bytes_at_the_hello_timeout() -> None:
    """One byte every 0.1 s, never a packet: closed at the 0.5 s hello timeout, not kept open
    because every read brings something."""

    async def scenario() -> float:
        receiver = Receiver(Settings(port=0, hello_timeout=0.5, idle_timeout=60))
        port = await receiver.start()
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        started = asyncio.get_running_loop().time()
        closed_after = -1.0
        for _ in range(50):
            try:
                writer.write(b"#")
                await writer.drain()
            except ConnectionError:
                break
            try:
                if await asyncio.wait_for(reader.read(1), 0.1) == b"":
                    break
            except TimeoutError:
                continue
            except ConnectionError:  # closed with our bytes unread: the kernel resets
                break
        closed_after = asyncio.get_running_loop().time() - started
        writer.close()
        await receiver.stop()
        assert receiver.reject_totals["silent_connection"] == 1
        return closed_after

    assert asyncio.run(scenario()) < 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_lets_a_device_in_when_silent_sockets_from_many_addresses_fill_the_server() -> None:
    enterprise = make_enterprise("聊城华鲁化工有限公司", serial=17, industry="26")
    Device.objects.create(mn=MN, password_sha256=password_digest("123456"), enterprise=enterprise)

    async def scenario() -> tuple[bytes, float, int]:
        settings = Settings(port=0, max_per_address=5, max_connections=10, hello_timeout=30)
        receiver = Receiver(settings)
        port = await receiver.start()
        crowd = []
        for address in ("127.0.0.3", "127.0.0.4"):  # the server is full: 2 × 5 silent sockets
            for _ in range(5):
                crowd.append(
                    await asyncio.open_connection("127.0.0.1", port, local_addr=(address, 0))
                )
        await asyncio.sleep(0.1)
        started = asyncio.get_running_loop().time()
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(packet(1))
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(4096), 5)
        waited = asyncio.get_running_loop().time() - started
        # the longest-silent socket made room: its read ends at once
        first_closed = await asyncio.wait_for(crowd[0][0].read(1), 5)
        writer.close()
        await receiver.stop()
        return answer, waited, len(first_closed) + receiver.reject_totals["evicted_silent"]

    answer, waited, evicted = asyncio.run(scenario())
    assert b"CN=9014" in answer and waited < 1  # well before the 30 s hello timeout
    assert evicted == 1


def test_it_stores_and_answers_every_part_of_a_split_upload_as_table_c50_shows() -> None:
    from onevisit.hj212.tests.test_codec import C50_ANSWERS, C50_PARTS

    mn = "010000A8900016F000169DC0"
    session = Session({mn: KnownDevice(9, password_digest("123456")), **DEVICES})
    first = session.feed(encode_frame(C50_PARTS[0]))
    assert [a.decode() for a in first.answers] == [encode_frame(C50_ANSWERS[0]).decode()]
    assert {(r.factor, r.kind) for r in first.rows} >= {("w00000", "Cou"), ("w01001", "Avg")}
    second = session.feed(encode_frame(C50_PARTS[1]))
    assert [a.decode() for a in second.answers] == [encode_frame(C50_ANSWERS[1]).decode()]
    assert {r.factor for r in second.rows} == {"w01018"} and session.splits.pending == {}
    # a set whose second part never comes is given up, and counted
    session.feed(encode_frame(C50_PARTS[0]))
    session.clock = lambda: 10**9
    later = session.feed(packet(1))
    assert later.rejects["split_incomplete"] == 1 and len(later.rows) == 2


MN_2025 = "010000A8900016F000169DC0"
DEVICES_2025 = {MN_2025: KnownDevice(11, password_digest("123456"), version=2), **DEVICES}


def test_it_stores_and_answers_a_2025_device_in_its_own_version() -> None:
    session = Session(DEVICES_2025)
    data = session.feed(packet(3, mn=MN_2025, flag=9))
    assert [(r.device_id, r.factor, r.value) for r in data.rows[:1]] == [(11, "w01018", 13.5)]
    assert len(data.answers) == 1 and b"CN=9014" in data.answers[0]
    assert b";Flag=8;" in data.answers[0] and not data.violations
    head = f"QN=20271104153000001;ST=32;PW=123456;MN={MN_2025};Flag=9"
    beat = session.feed(encode_frame(f"{head};CN=9015;CP=&&&&"))
    assert (beat.rows, beat.devices, len(beat.answers)) == ([], {11}, 1)
    assert b"CN=9013" in beat.answers[0] and b";Flag=8;" in beat.answers[0]
    furnace = session.feed(
        encode_frame(f"{head};CN=2111;CP=&&DataTime=20271104153000;a01901-Avg=868&&")
    )
    assert [(r.factor, r.kind, r.value) for r in furnace.rows] == [("a01901", "Avg", 868.0)]


def test_it_counts_a_packet_in_another_version_than_the_device_is_registered_with() -> None:
    outcome = Session(DEVICES_2025).feed(packet(2, flag=9))  # MN registered with 2017
    assert outcome.violations["version_mismatch"] == 1 and len(outcome.rows) == 2
    assert b";Flag=8;" in outcome.answers[0]  # answered as it asked


def test_it_refuses_what_breaks_the_letter_of_the_standard_in_strict_mode() -> None:
    good = packet(1, mn=MN_2025, flag=9)
    old_style = encode_frame(
        f"ST=32;CN=2011;PW=123456;MN={MN_2025};Flag=9;CP=&&DataTime=20271104153000;011-Rtd=231.0&&"
    )
    long = encode_frame(
        f"QN=20271104153000001;ST=32;CN=2011;PW=123456;MN={MN_2025};Flag=9;"
        f"CP=&&DataTime=20271104153000;{';'.join(f'w{n:05d}-Rtd=1.5' for n in range(1, 80))}&&"
    )
    lenient = Session(DEVICES_2025).feed(good + old_style + long)
    assert (len(lenient.rows), sum(lenient.rejects.values())) == (2 + 1 + 79, 0)
    strict = Session(DEVICES_2025, strict=True).feed(good + old_style + long)
    assert len(strict.rows) == 2 and len(strict.answers) == 1
    assert strict.rejects == {"strict_factor_code_2005": 1, "length": 1, "garbage": 1}
