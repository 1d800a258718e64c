"""`onevisit listen-hj212`: an asyncio TCP server for many HJ 212 devices at once.

Each connection feeds a `Session`; readings go to one writer that commits them in batches (in a
worker thread, through the ORM); a packet's answer is sent only once its readings are
committed. Idle connections are closed; SIGTERM stops accepting, flushes what is queued and
exits.

It cannot be starved by idle sockets: each address may hold `max_per_address` connections and
the whole server `max_connections` (kept below the open-file limit, which it raises to the hard
limit at start, by enough to accept and refuse a full listen backlog); a connection that has not
sent one accepted packet by `hello_timeout` seconds after it opened is closed, however slowly it
trickles bytes in meanwhile, and one that has, `idle_timeout` seconds after its last accepted
packet. When the server is full, a newcomer takes the place of the connection that has been
silent longest; when an address has all its connections, a newcomer from it takes the place of
that address's longest silent one. So idle sockets, from many addresses or from the address a
real device shares with them (a plant's NAT), cannot keep a device out: once one of its packets
is accepted, a device's connection is never taken.
Reject counts are written every `tally_seconds`, not only on a clean stop. It listens on
127.0.0.1 unless given a --host.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import resource
import signal
from collections import Counter
from dataclasses import dataclass, field

from onevisit.monitoring.session import KnownDevice, Outcome, Report, Row, Session
from onevisit.monitoring.store import add_rejects, device_table, in_thread, store_rows

log = logging.getLogger("onevisit.monitoring.receiver")
# asyncio accepts up to a backlog's worth of sockets in one go before it can refuse any of them
BACKLOG = 100
RESERVED_FILES = 64 + BACKLOG


@dataclass
class Settings:
    host: str = "127.0.0.1"  # --host 0.0.0.0 to take devices from the plant networks
    port: int = 8212
    max_length: int = 9999
    strict: bool = False  # --strict: refuse every packet that breaks HJ 212 to the letter
    idle_timeout: float = 300.0
    hello_timeout: float = 30.0
    max_per_address: int = 32
    max_connections: int = 4000
    tally_seconds: float = 60.0
    batch_rows: int = 2000
    batch_seconds: float = 0.05
    device_refresh_seconds: float = 30.0


@dataclass
class _Batch:
    rows: list[Row] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)
    devices: set[int] = field(default_factory=set)
    waiters: list[asyncio.Future[None]] = field(default_factory=list)


class Receiver:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.devices: dict[str, KnownDevice] = {}
        self.batch = _Batch()
        self.rejects: Counter[str] = Counter()  # since the last write of the tally
        self.reject_totals: Counter[str] = Counter()
        self.violations: Counter[str] = Counter()  # since the last write of the tally
        self.stored = 0
        self.wake = asyncio.Event()
        self.stopping = asyncio.Event()
        self.server: asyncio.Server | None = None
        self.connections: dict[asyncio.Task[None], asyncio.StreamWriter] = {}
        # connections with no accepted packet yet, oldest first, with their address
        self.silent: dict[asyncio.Task[None], tuple[asyncio.StreamWriter, str]] = {}
        self.per_address: Counter[str] = Counter()
        # evicted connections whose place at their address was given to a newcomer already
        self.released: set[asyncio.Task[None]] = set()
        self.last_seen_written: dict[int, float] = {}
        self.capacity = settings.max_connections

    async def start(self) -> int:
        self.capacity = min(
            self.settings.max_connections, _raise_open_file_limit() - RESERVED_FILES
        )
        self.devices = await asyncio.to_thread(in_thread, device_table)
        self.server = await asyncio.start_server(
            self._connection, self.settings.host, self.settings.port, limit=2**16, backlog=BACKLOG
        )
        sockets = self.server.sockets or ()
        self._tasks = [
            asyncio.create_task(self._writer()),
            asyncio.create_task(self._refresh_devices()),
            asyncio.create_task(self._write_tally()),
        ]
        return int(sockets[0].getsockname()[1]) if sockets else self.settings.port

    async def serve(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            # Not available on Windows event loops (NotImplementedError) nor outside the main
            # thread (RuntimeError); there the receiver stops when its caller calls stop().
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, self.stopping.set)
        await self.start()
        await self.stopping.wait()
        await self.stop()

    async def stop(self) -> None:
        """Stop accepting, store and answer what was received, close the connections, record
        the rejects."""
        if self.server is not None:
            self.server.close()
        self.stopping.set()
        self.wake.set()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._flush()
        await asyncio.sleep(0)  # let the connections send the answers of the last batch
        for writer in list(self.connections.values()):
            writer.close()
        if self.connections:
            await asyncio.wait(list(self.connections), timeout=5)
        if self.server is not None:
            await self.server.wait_closed()
        if self.rejects or self.violations:
            await asyncio.to_thread(in_thread, add_rejects, self.rejects, self.violations)
            self.rejects, self.violations = Counter(), Counter()

    async def _refresh_devices(self) -> None:
        while not self.stopping.is_set():
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), self.settings.device_refresh_seconds)
            if not self.stopping.is_set():
                self.devices = await asyncio.to_thread(in_thread, device_table)

    async def _write_tally(self) -> None:
        while not self.stopping.is_set():
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), self.settings.tally_seconds)
            if (self.rejects or self.violations) and not self.stopping.is_set():
                counted, self.rejects = self.rejects, Counter()
                broken, self.violations = self.violations, Counter()
                try:
                    await asyncio.to_thread(in_thread, add_rejects, counted, broken)
                except Exception:
                    log.exception("could not write the reject tally")
                    self.rejects.update(counted)
                    self.violations.update(broken)

    def _reject(self, reason: str) -> None:
        self.rejects[reason] += 1
        self.reject_totals[reason] += 1

    async def _writer(self) -> None:
        while not self.stopping.is_set():
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.wake.wait(), self.settings.batch_seconds)
            self.wake.clear()
            await self._flush()

    def _due_for_last_seen(self, devices: set[int]) -> set[int]:
        """Devices whose last-seen time is older than a minute in the database (writing it for
        every batch would cost more than the readings)."""
        now = asyncio.get_running_loop().time()
        due = {d for d in devices if now - self.last_seen_written.get(d, -1e9) >= 60}
        for device in due:
            self.last_seen_written[device] = now
        return due

    async def _flush(self) -> None:
        batch, self.batch = self.batch, _Batch()
        if not batch.waiters:
            return
        try:
            seen = self._due_for_last_seen(batch.devices)
            if batch.rows or batch.reports or seen:
                await asyncio.to_thread(in_thread, store_rows, batch.rows, seen, batch.reports)
            self.stored += len(batch.rows)
        except Exception as error:  # the database is down: the devices get no answer
            log.exception("could not store %d readings", len(batch.rows))
            for waiter in batch.waiters:
                if not waiter.done():
                    waiter.set_exception(error)
            return
        for waiter in batch.waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def _commit(self, outcome: Outcome) -> None:
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.batch.rows.extend(outcome.rows)
        self.batch.reports.extend(outcome.reports)
        self.batch.devices |= outcome.devices
        self.batch.waiters.append(waiter)
        if len(self.batch.rows) >= self.settings.batch_rows:
            self.wake.set()
        await waiter

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        address = str(peer[0]) if peer else ""
        if len(self.connections) >= self.capacity and not self._evict_silent():
            self._reject("too_many_connections")
            await _close(writer)
            return
        full = self.per_address[address] >= self.settings.max_per_address
        if full and not self._evict_silent(address):
            self._reject("too_many_from_address")
            await _close(writer)
            return
        self.per_address[address] += 1
        task = asyncio.current_task()
        if task is not None:
            self.connections[task] = writer
            self.silent[task] = (writer, address)
        try:
            await self._talk(reader, writer)
        finally:
            if task in self.released:
                self.released.discard(task)
            else:
                self.per_address[address] -= 1
            if self.per_address[address] <= 0:
                del self.per_address[address]
            if task is not None:
                self.connections.pop(task, None)
                self.silent.pop(task, None)
            await _close(writer)

    def _evict_silent(self, address: str | None = None) -> bool:
        """Make room by closing the connection that has been silent longest (of `address`, if
        given), if there is one."""
        oldest = next(
            (task for task, (_w, held) in self.silent.items() if address in (None, held)), None
        )
        if oldest is None:
            return False
        writer, held = self.silent.pop(oldest)
        self.connections.pop(oldest, None)
        writer.close()  # its read ends; its task then releases the address's count
        self.per_address[held] -= 1  # at once: the newcomer takes its place now
        self.released.add(oldest)
        self._reject("evicted_silent")
        return True

    async def _talk(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        session = Session(self.devices, self.settings.max_length, self.settings.strict)
        heard = False  # a device is heard once one of its packets is accepted
        clock = asyncio.get_running_loop().time
        # The time by which a packet must be accepted: bytes trickled in without one do not
        # move it (a sender of one byte every 5 s is closed at the hello timeout all the same).
        deadline = clock() + self.settings.hello_timeout
        try:
            while not self.stopping.is_set():
                try:
                    chunk = await asyncio.wait_for(reader.read(65536), max(0, deadline - clock()))
                except TimeoutError:
                    self._reject("idle_timeout" if heard else "silent_connection")
                    break
                if not chunk:
                    break
                session.devices = self.devices
                outcome = session.feed(chunk)
                self.rejects.update(outcome.rejects)
                self.reject_totals.update(outcome.rejects)
                self.violations.update(outcome.violations)
                if outcome.rows or outcome.reports or outcome.answers or outcome.devices:
                    if not heard:
                        self.silent.pop(asyncio.current_task(), None)  # type: ignore[arg-type]
                    heard = True
                    deadline = clock() + self.settings.idle_timeout
                    await self._commit(outcome)
                if outcome.answers:
                    writer.write(b"".join(outcome.answers))
                    await writer.drain()
        except (ConnectionError, OSError):
            self._reject("connection_lost")
        except Exception:  # a storage failure: close this connection, keep serving the others
            log.exception("connection closed after an error")


async def _close(writer: asyncio.StreamWriter) -> None:
    writer.close()
    with contextlib.suppress(Exception, asyncio.CancelledError):
        await writer.wait_closed()


def _raise_open_file_limit() -> int:
    """Raise the soft limit on open files to the hard limit; the limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        wanted = 65536 if hard == resource.RLIM_INFINITY else hard
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
    return int(soft)
