"""Every upload a device sends is answered as the standard prints it, and kept: readings (noise
among them, with table 4's own kinds), the device's record (serial numbers, parameters,
sampling period) and its log (logs, states, samples kept, alarms); a packet sent again is kept
once; what the real corpus holds is handled or counted by name."""

from __future__ import annotations

import datetime as dt
import tarfile
from collections import Counter
from pathlib import Path

import pytest

from onevisit.hj212 import answer_data, encode_frame, parse_segment
from onevisit.hj212.tests.appendix_c import EXAMPLES, MN, as_meant
from onevisit.monitoring.models import (
    Device,
    DeviceLog,
    DeviceSetting,
    Reading,
    password_digest,
)
from onevisit.monitoring.session import KnownDevice, Outcome, Session
from onevisit.monitoring.store import store_rows
from onevisit.testing import make_enterprise

DEVICE = KnownDevice(5, password_digest("123456"))
CORPUS = Path(__file__).resolve().parents[2] / "hj212" / "tests" / "data"
CORPUS_FILE = CORPUS / "realdata-2016-08-24.tar.xz"


# Notifications from the host (table 9: 上位向现场), answered by the device's 9013
HOST_NOTICES = ("CN=2012;", "CN=2022;")
# Uploads whose Flag asks for an answer that the table does not print (the device's 9012
# follows at once); C.48 prints the same exchange with the host's 9014, as §6 asks.
ANSWER_NOT_PRINTED = ("C.22", "C.34")


def device_uploads() -> list[tuple[str, str, str | None]]:
    """(table, upload, answer or None) for each segment a device sends on its own or inside a
    host's request: in appendix C a host's request is answered by the device's 9011, a
    device's upload by the host's 9013/9014 when its Flag asks, and by nothing otherwise."""
    found: list[tuple[str, str, str | None]] = []
    segments = [(t, as_meant(t, s)) for t, s in EXAMPLES]
    for n, (table, segment) in enumerate(segments):
        if ";ST=91;" in segment or any(notice in segment for notice in HOST_NOTICES):
            continue
        following = segments[n + 1][1] if n + 1 < len(segments) else ""
        if ";CN=9011;" in following:
            continue  # the host asks
        if table in ANSWER_NOT_PRINTED and ";Flag=5;" in segment:
            found.append((table, segment, answer_data(parse_segment(segment)).decode()[6:-6]))
            continue
        qn = segment[3:20]
        answered = following if f"QN={qn};ST=91;CN=901" in following else None
        if answered and (";CN=9013;" in answered or ";CN=9014;" in answered):
            found.append((table, segment, answered))
        else:
            found.append((table, segment, None))
    return found


UPLOADS = device_uploads()


def test_it_finds_the_device_uploads_of_appendix_c() -> None:
    tables = {table for table, _s, _a in UPLOADS}
    assert {"C.26", "C.27", "C.28", "C.39", "C.40", "C.42", "C.44"} <= tables
    # printed: 19 × 9014 and the 9013 to the time request 1013 (C.4); by §6: C.22 and C.34
    assert sum(1 for *_, answer in UPLOADS if answer) == 22


@pytest.mark.parametrize(("table", "upload", "answer"), UPLOADS, ids=[t for t, *_ in UPLOADS])
def test_it_answers_and_keeps_each_upload_of_appendix_c(
    table: str, upload: str, answer: str | None
) -> None:
    outcome = Session({MN: DEVICE}, strict=True).feed(encode_frame(upload))
    assert not outcome.rejects, outcome.rejects
    printed = [encode_frame(answer).decode()] if answer else []
    assert [a.decode() for a in outcome.answers] == printed
    assert outcome.rows or outcome.reports or outcome.devices == {5}


def feed(segment: str) -> Outcome:
    return Session({MN: DEVICE}).feed(encode_frame(segment))


def upload_of(table: str) -> str:
    return next(s for t, s, _a in UPLOADS if t == table and ";Flag=5;" in s)


def test_it_stores_noise_with_the_kinds_of_table_4() -> None:
    minute, day = feed(upload_of("C.26")), feed(upload_of("C.28"))
    assert {(r.factor, r.kind) for r in minute.rows} >= {("L5", "Data"), ("Leq", "Data")}
    assert len(minute.rows) == 8 and len(day.rows) == 24
    kinds = Counter(r.kind for r in day.rows)
    assert kinds == {"Data": 8, "DayData": 8, "NightData": 8}
    night = next(r for r in day.rows if (r.factor, r.kind) == ("LMn", "NightData"))
    assert night.value == 42.0 and night.data_time == dt.datetime(
        2016, 8, 1, tzinfo=dt.timezone(dt.timedelta(hours=8))
    )


def test_it_keeps_serial_numbers_and_parameters_on_the_record_and_logs_in_the_log() -> None:
    serial = feed(upload_of("C.39")).reports
    assert [(r.pol_id, r.name, r.text, r.setting) for r in serial] == [
        ("w01018", "SN", "010000A8900016F000169DC1", True)
    ]
    log = feed(upload_of("C.40")).reports
    assert [(r.name, r.text, r.setting) for r in log] == [("i11001", "清洗管路", False)]
    states = feed(upload_of("C.42")).reports
    assert [(r.name, r.text, r.setting) for r in states] == [
        ("i12001", "1", False),
        ("i12003", "0", False),
    ]
    parameters = feed(upload_of("C.44")).reports
    assert [(r.name, r.text, r.setting) for r in parameters] == [
        ("i13004", "168.0", True),
        ("i13005", "40", True),
    ]
    period = feed(next(s for t, s, _a in UPLOADS if t == "C.36")).reports
    assert [(r.name, r.text) for r in period] == [("CstartTime", "000000"), ("CTime", "2")]


@pytest.mark.django_db
def test_it_writes_reports_to_the_device_record_and_log_and_keeps_the_last_setting() -> None:
    enterprise = make_enterprise("聊城鲁西化工有限公司", serial=31, industry="26")
    device = Device.objects.create(
        mn=MN, password_sha256=password_digest("123456"), enterprise=enterprise
    )
    session = Session({MN: KnownDevice(device.pk, device.password_sha256)})
    for table in ("C.39", "C.40", "C.44", "C.26"):
        outcome = session.feed(encode_frame(upload_of(table)))
        store_rows(outcome.rows, outcome.devices, outcome.reports)
    changed = upload_of("C.44").replace("i13004-Info=168.0", "i13004-Info=170.5")
    outcome = session.feed(encode_frame(changed))
    store_rows(outcome.rows, outcome.devices, outcome.reports)
    record = dict(DeviceSetting.objects.filter(device=device).values_list("name", "value"))
    assert record == {"SN": "010000A8900016F000169DC1", "i13004": "170.5", "i13005": "40"}
    assert list(DeviceLog.objects.filter(device=device).values_list("name", "text")) == [
        ("i11001", "清洗管路")
    ]
    assert Reading.objects.filter(device=device, kind="Data").count() == 8


@pytest.mark.django_db
def test_it_keeps_a_packet_sent_again_once() -> None:
    enterprise = make_enterprise("聊城鲁西化工有限公司", serial=32, industry="26")
    device = Device.objects.create(
        mn=MN, password_sha256=password_digest("123456"), enterprise=enterprise, protocol_version=2
    )
    known = {MN: KnownDevice(device.pk, device.password_sha256, version=2)}
    first = (
        f"QN=20270601085857223;ST=32;CN=2011;PW=123456;MN={MN};Flag=9;"
        "CP=&&DataTime=20270601085800;a01001-Rtd=50.4,a01001-Flag=N&&"
    )
    again = first.replace("Flag=9;", "Flag=9;RF=1;").replace("857223", "859001")
    for segment in (first, again):
        outcome = Session(known, strict=True).feed(encode_frame(segment))
        assert len(outcome.answers) == 1 and not outcome.rejects  # each answered
        store_rows(outcome.rows, outcome.devices, outcome.reports)
    assert Reading.objects.filter(device=device).count() == 1


HEAD_2025 = f"QN=20270601085857223;ST=32;PW=123456;MN={MN};Flag=9"
UPLOADS_2025 = {  # as caoyiliang/HJ212 builds them (HJ212/Request/Upload*Req.cs)
    "2013": f"{HEAD_2025};CN=2013;CP=&&DataTime=20270601085800;w01018-SampleTime=20270601080000,"
    "w01018-CompleteTime=20270601083000,w01018-SampleType=1,w01018-Avg=40.1,w01018-Flag=N&&",
    "2052": f"{HEAD_2025};CN=2052;CP=&&DataTime=20270601085800;Leq-Data=52.5;LMx-Data=61.0&&",
    "2062": f"{HEAD_2025};CN=2062;CP=&&DataTime=20270601085800;w01018-SampleRd=20.3;"
    "w01018-StandardValue=20.0;w01018-ResultType=1&&",
    "3019": f"{HEAD_2025};CN=3019;CP=&&DataTime=20270601085800;PolId=w01018;"
    "w01018-SN=010000A8900016F000169DC1&&",
    "3020": f"{HEAD_2025};CN=3020;CP=&&DataTime=20270601085800;PolId=w01018;i13004-Info=168.0&&",
}


@pytest.mark.parametrize("command", sorted(UPLOADS_2025))
def test_it_answers_and_keeps_the_2025_uploads(command: str) -> None:
    known = {MN: KnownDevice(5, password_digest("123456"), version=2)}
    outcome = Session(known, strict=True).feed(encode_frame(UPLOADS_2025[command]))
    assert not outcome.rejects
    assert len(outcome.answers) == 1
    answer = parse_segment(outcome.answers[0][6:-6].decode())
    assert (answer.cn, answer.flag) == ("9014", 8)
    assert outcome.rows or outcome.reports


def test_it_counts_a_2025_standard_check_as_readings() -> None:
    known = {MN: KnownDevice(5, password_digest("123456"), version=2)}
    outcome = Session(known).feed(encode_frame(UPLOADS_2025["2062"]))
    checked = {(r.kind, r.value) for r in outcome.rows}
    assert checked == {("SampleRd", 20.3), ("StandardValue", 20.0)}


def corpus_by_command(per_command: int) -> dict[str, list[bytes]]:
    """Up to `per_command` frames of each command of the real-device corpus."""
    if not CORPUS_FILE.exists():
        pytest.fail(f"reference data missing: {CORPUS_FILE}")
    found: dict[str, list[bytes]] = {}
    with tarfile.open(CORPUS_FILE, "r:xz") as archive:
        for member in sorted(archive.getmembers(), key=lambda m: m.name):
            handle = archive.extractfile(member)
            for line in handle.read().split(b"\n") if handle else []:
                start = line.find(b";CN=")
                if not line.startswith(b"##") or start < 0:
                    continue
                command = line[start + 4 : start + 8].decode("ascii", "replace")
                kept = found.setdefault(command, [])
                if len(kept) < per_command:
                    kept.append(line.rstrip(b"\r") + b"\r\n")
    return found


def test_it_handles_or_counts_by_name_every_command_of_the_real_corpus() -> None:
    frames = corpus_by_command(per_command=50)
    assert set(frames) >= {"1013", "2011", "2021", "2031", "2051", "2061", "2072", "2073"}
    assert set(frames) >= {"8013", "9011", "9012", "9015"}
    outcomes: dict[str, Outcome] = {}
    for command, lines in frames.items():
        known = {}
        for line in lines:
            mn = parse_segment(line[6:-6].decode()).mn
            known[mn] = KnownDevice(1, password_digest("123456"), version=0)
        outcome = outcomes[command] = Outcome()
        session = Session(known)
        for line in lines:
            fed = session.feed(line)
            outcome.rows += fed.rows
            outcome.reports += fed.reports
            outcome.rejects.update(fed.rejects)
            outcome.violations.update(fed.violations)
            outcome.devices |= fed.devices
    for command, outcome in outcomes.items():
        assert not any(r.startswith("unsupported_command") for r in outcome.rejects), command
    for command in ("2011", "2021", "2031", "2051", "2061", "2072", "2073"):
        assert outcomes[command].rows, command
    alarms = outcomes["2072"]
    assert {r.kind for r in alarms.rows} == {"Ala"} and alarms.reports[0].name == "AlarmType"
    assert outcomes["8013"].devices and outcomes["8013"].violations["command_outside_standard"]
    assert outcomes["9011"].rejects == {"unasked_answer_9011": 50}
    assert outcomes["9012"].rejects == {"unasked_answer_9012": 50}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_its_migration_keeps_the_first_of_readings_stored_twice_before_the_constraint() -> None:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("monitoring", "0009_device_protocol_version")]
    after = [("monitoring", "0010_device_reports_and_readings_once")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    enterprise = make_enterprise("聊城鲁西化工有限公司", serial=33, industry="26")
    device = old.get_model("monitoring", "Device").objects.create(
        mn=MN, password_sha256="x", enterprise_id=enterprise.pk
    )
    when = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    old_reading = old.get_model("monitoring", "Reading")
    for kind, value in (("Rtd", 1.0), ("Rtd", 2.0), ("Rtd", 3.0), ("Avg", 9.0)):
        old_reading.objects.create(
            device=device, factor="w01018", kind=kind, data_time=when, value=value, received=when
        )
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    kept = Reading.objects.filter(device_id=device.pk).order_by("kind")
    assert list(kept.values_list("kind", "value")) == [("Avg", 9.0), ("Rtd", 1.0)]
