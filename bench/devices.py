"""The HJ 212 receiver end to end: 1,000 simulated devices sending at once into SQLite and
PostgreSQL. Each device sends a packet, waits for its 9014 answer (sent only after the reading
is committed) and sends the next; a packet that is not answered is sent again on a new
connection. Halfway through, the receiver is stopped with SIGTERM and started again; at the
end every packet sent must be stored (counted by its DataTime per device).

    uv run python bench/devices.py [--devices 1000] [--seconds 20] [--db sqlite postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable

from _common import OUT, create_pg_database, database_env

from onevisit.hj212 import encode_frame

PASSWORD = "123456"  # noqa: S105 - the simulated devices' password


def mn(n: int) -> str:
    return f"8888888{n:07d}"


def frame(device: int, seq: int) -> bytes:
    """Packet `seq` of a device: one reading a second from 2027-01-01 00:00:00."""
    day, second = divmod(seq, 86400)
    data_time = (
        f"202701{1 + day % 28:02d}{second // 3600:02d}{second // 60 % 60:02d}{second % 60:02d}"
    )
    segment = (
        f"QN={data_time}000;ST=32;CN=2011;PW={PASSWORD};MN={mn(device)};Flag=5;"
        f"CP=&&DataTime={data_time};w01018-Rtd={seq % 97}.5,w01018-Flag=N&&"
    )
    return encode_frame(segment)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def prepare(db: str, devices: int) -> dict[str, str]:
    name = f"bench_devices_{devices}"
    env = database_env(db, name)
    if db == "postgres":
        create_pg_database(name, fresh=True)
    else:
        path = OUT / f"{name}-sqlite"
        subprocess.run(["rm", "-rf", str(path)], check=True)
    env["PYTHONPATH"] = str(OUT.parent.parent)
    run = [sys.executable, "-m", "onevisit"]
    subprocess.run([*run, "migrate", "-v0"], env=env, check=True)
    script = (
        "from onevisit.monitoring.models import Device, password_digest\n"
        "from onevisit.registry.models import Enterprise, District, Industry\n"
        "from onevisit.registry.identifiers import make_uscc\n"
        "e, _ = Enterprise.objects.get_or_create(uscc=make_uscc('91', '371500', 'MA0BENCH'),"
        " defaults=dict(name='基准测试企业', district=District.objects.get(code='371502'),"
        " industry=Industry.objects.get(code='26'), industry_code='2614'))\n"
        f"Device.objects.bulk_create([Device(mn='8888888%07d' % n, enterprise=e,"
        f" password_sha256=password_digest('{PASSWORD}')) for n in range({devices})])\n"
    )
    subprocess.run([*run, "shell", "-c", script], env=env, check=True)
    return env


def start_receiver(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "onevisit",
            "listen-hj212",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the receiver did not start")


async def device_loop(
    device: int, port: int, until: float, latencies: list[float], sent: list[int], window: int
) -> None:
    """Keep up to `window` packets in flight (1: send, wait for the answer, send the next, as
    the protocol has it); a packet counts once its answer is back. After a
    lost connection, every packet not yet answered is sent again."""
    seq = 0
    in_flight: deque[tuple[int, float]] = deque()
    reader = writer = None
    while time.perf_counter() < until or in_flight:
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                if in_flight:
                    now = time.perf_counter()
                    in_flight = deque((n, now) for n, _ in in_flight)
                    writer.write(b"".join(frame(device, n) for n, _ in in_flight))
            assert reader is not None
            fresh = []
            while len(in_flight) < window and time.perf_counter() < until:
                in_flight.append((seq, time.perf_counter()))
                fresh.append(frame(device, seq))
                seq += 1
            if fresh:
                writer.write(b"".join(fresh))
            await writer.drain()
            answer = await asyncio.wait_for(reader.readuntil(b"\r\n"), 10)
            if b"CN=9014" not in answer:
                raise ConnectionError("unexpected answer")
            _, started = in_flight.popleft()
            latencies.append(time.perf_counter() - started)
            sent[device] += 1
        except (OSError, asyncio.IncompleteReadError, TimeoutError, ConnectionError):
            if writer is not None:
                writer.close()
            reader = writer = None
            await asyncio.sleep(0.2)
    if writer is not None:
        writer.close()


async def run_devices(
    devices: int, port: int, seconds: float, restart: Callable[[], None], window: int
) -> tuple[list[float], list[int]]:
    latencies: list[float] = []
    sent = [0] * devices
    until = time.perf_counter() + seconds
    tasks = [
        asyncio.create_task(device_loop(n, port, until, latencies, sent, window))
        for n in range(devices)
    ]
    await asyncio.sleep(seconds / 2)
    await asyncio.to_thread(restart)
    await asyncio.gather(*tasks)
    return latencies, sent


def stored(env: dict[str, str]) -> int:
    script = (
        "from onevisit.monitoring.models import Reading\n"
        "print(Reading.objects.values('device', 'data_time').distinct().count())"
    )
    out = subprocess.run(
        [sys.executable, "-m", "onevisit", "shell", "-c", script],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return int(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument(
        "--windows",
        type=int,
        nargs="+",
        default=[1, 4],
        help="packets each device keeps in flight: 1 as the protocol has it, more to saturate",
    )
    args = parser.parse_args()
    for db, window in [(db, w) for db in args.db for w in args.windows]:
        env = prepare(db, args.devices)
        port = free_port()
        holder: dict[str, subprocess.Popen[bytes]] = {"process": start_receiver(env, port)}

        def restart(
            env: dict[str, str] = env,
            port: int = port,
            holder: dict[str, subprocess.Popen[bytes]] = holder,
        ) -> None:
            holder["process"].send_signal(signal.SIGTERM)
            holder["process"].wait(timeout=60)
            holder["process"] = start_receiver(env, port)

        latencies, sent = asyncio.run(
            run_devices(args.devices, port, args.seconds, restart, window)
        )
        holder["process"].send_signal(signal.SIGTERM)
        holder["process"].wait(timeout=60)
        total = sum(sent)
        kept = stored(env)
        ordered = sorted(latencies)
        p99 = ordered[int(0.99 * (len(ordered) - 1))] * 1000 if ordered else 0.0
        print(
            f"{db:9} {args.devices:,} devices x {window} in flight, "
            f"{args.seconds:.0f} s, one restart: "
            f"{total / args.seconds:,.0f} packets/s stored and answered (target ≥ 5,000), "
            f"p50 {statistics.median(ordered) * 1000:.0f} ms, p99 {p99:.0f} ms (target < 200), "
            f"sent {total:,}, stored {kept:,}, lost {max(0, total - kept):,}"
        )
    os.environ.pop("DATABASE_URL", None)


if __name__ == "__main__":
    main()
