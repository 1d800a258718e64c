"""The demo enterprise's wastewater station (HJ 212): thirty days of ten-minute readings, the
older ones folded into hourly rows as the retention job does, and one COD exceedance yesterday
afternoon that opened an off-site case for 生态环境局 (idempotent)."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from onevisit.accounts.models import User
from onevisit.hj212 import encode_frame
from onevisit.hj212.codec import BEIJING
from onevisit.monitoring.actions import do_aggregate_and_prune, do_check_alerts
from onevisit.monitoring.models import Device, Reading, Threshold, password_digest
from onevisit.monitoring.session import KnownDevice, Session
from onevisit.monitoring.store import store_rows
from onevisit.registry.models import Body

MN = "37150020260001"
DAYS = 30
RAW_DAYS = 7  # newer readings stay raw; older ones are folded into hours
STEP = dt.timedelta(minutes=10)
# factor -> (typical value, daily swing, upper limit or None)
FACTORS = {
    "w00000": (3.2, 1.1, None),  # 污水流量 L/s
    "w01001": (7.4, 0.3, None),  # pH
    "w01018": (38.0, 9.0, 60.0),  # 化学需氧量 mg/L
    "w21003": (3.1, 1.2, 8.0),  # 氨氮 mg/L
}


def load_station(say: Callable[[str], object]) -> None:
    company = User.objects.filter(username="enterprise").select_related("enterprise").first()
    ecology = Body.objects.filter(code="LC-STHJ").first()
    if company is None or company.enterprise is None or Device.objects.filter(mn=MN).exists():
        return
    now = timezone.now().replace(second=0, microsecond=0)
    rng = random.Random(371500)
    with transaction.atomic():
        device = Device.objects.create(
            mn=MN,
            password_sha256=password_digest("demo-station"),
            enterprise=company.enterprise,
            body=ecology,
            equipment_unit="废水总排口",
            last_seen=now,
        )
        for factor, (_typical, _swing, upper) in FACTORS.items():
            if upper is not None:
                Threshold.objects.create(device=device, factor=factor, upper=upper)
        Threshold.objects.create(
            device=device, factor="w01001", upper=9, lower=6, plausible_low=0, plausible_high=14
        )
        Reading.objects.bulk_create(_readings(device, now, rng), batch_size=5000)
        _reports(device, now)
    folded, pruned = do_aggregate_and_prune(now - dt.timedelta(days=RAW_DAYS))
    opened = do_check_alerts(
        since=now - dt.timedelta(days=2), now=now, silent_hours=24 * 365
    )  # no device falls silent here: only the station's own limits are judged
    say(
        f"Online monitoring: station MN {MN} at the demo enterprise, {DAYS} days of readings "
        f"({pruned:,} folded into {folded:,} hourly rows); off-site cases opened: {opened}."
    )


def _reports(device: Device, now: dt.datetime) -> None:
    """What the station's COD analyser said about itself, as HJ 212 packets through the
    receiver's own session: its serial number, its digestion parameters and sampling period,
    and two log lines."""
    head = f"ST=32;PW=demo-station;MN={MN};Flag=4"
    stamp = now.astimezone(BEIJING)

    def at(hours: float) -> str:
        return (stamp - dt.timedelta(hours=hours)).strftime("%Y%m%d%H%M%S")

    segments = [
        f"QN={at(30)}000;{head};CN=3019;CP=&&DataTime={at(30)};PolId=w01018;"
        "w01018-SN=010000A8900016F000169DC1&&",
        f"QN={at(30)}001;{head};CN=3017;CP=&&PolId=w01018;CstartTime=000000;CTime=2&&",
        f"QN={at(6)}000;{head};CN=3020;CP=&&DataTime={at(6)};PolId=w01018;"
        "i13004-Info=165.0;i13005-Info=30&&",
        f"QN={at(26)}000;{head};CN=3020;CP=&&DataTime={at(26)};PolId=w01018;"
        "i11001-Info=//清洗管路//&&",
        f"QN={at(2)}000;{head};CN=3020;CP=&&DataTime={at(2)};PolId=w01018;"
        "i11001-Info=//时间校准//&&",
    ]
    session = Session({MN: KnownDevice(device.pk, device.password_sha256)})
    outcome = session.feed(b"".join(encode_frame(segment) for segment in segments))
    store_rows(outcome.rows, outcome.devices, outcome.reports)


def _readings(device: Device, now: dt.datetime, rng: random.Random) -> list[Reading]:
    yesterday_afternoon = timezone.localtime(now - dt.timedelta(days=1)).replace(hour=14, minute=30)
    readings = []
    when = now - dt.timedelta(days=DAYS)
    while when <= now:
        hour = timezone.localtime(when).hour + timezone.localtime(when).minute / 60
        working = math.sin(math.pi * max(0.0, min(1.0, (hour - 7) / 12)))  # day shift
        for factor, (typical, swing, _upper) in FACTORS.items():
            value = typical + swing * (working - 0.5) + rng.gauss(0, swing / 6)
            if factor == "w01018" and abs(when - yesterday_afternoon) < dt.timedelta(minutes=25):
                value = 68.0 + rng.random() * 4  # a spill: beyond the 60 mg/L limit
            readings.append(
                Reading(
                    device=device,
                    factor=factor,
                    kind="Rtd",
                    data_time=when,
                    value=round(value, 2),
                    flag="N",
                    received=when,
                )
            )
        when += STEP
    return readings
