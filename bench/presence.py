"""Presence: one account watching many buddies through Kamailio (reg event).

Kamailio runs from the interop harness (`tests/interop/harness.py`) with
alice and the buddies `b0000`... provisioned in db_text. SIPp registers
30% of the buddies first (`bench/sipp/uac_register_many.xml`, digest), so
the states are mixed. Then:

- ours: one `Presence` (alice, digest) watches every buddy at once, with
  the garbage collector settled as the app settles it once started; the
  time is from the first `watch()` to every buddy's state known
  (`Presence.synced`), the NOTIFY rate is NOTIFYs handled ÷ the time our
  NOTIFY handler ran (its own work once the agent has parsed the request,
  not the wait for Kamailio), and the arrival rate NOTIFYs ÷ the time
  between the first and the last one;
- SIPp: `bench/sipp/uac_subscribe_many.xml`, one call per buddy (SUBSCRIBE,
  407, SUBSCRIBE with digest, 2xx, NOTIFY, 200) started at 1,000 calls/s;
  the time is from starting SIPp to its exit.

Each run of ours unsubscribes at the end; SIPp's subscriptions expire
after a minute, so Kamailio is restarted between the two subjects.
"""

from __future__ import annotations

import asyncio
import gc
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.table import Row
from softphone import collector
from softphone.account import Account
from softphone.agent import IncomingRequest, UserAgent
from softphone.services.presence import BuddyState, BuddyStatus, NotifyReceived, Presence
from softphone.sip.auth import DigestClient
from softphone.transport.base import Address, Target, TransportKind
from tests.interop import harness

HERE = Path(__file__).resolve().parent
REGISTER_XML = HERE / "sipp" / "uac_register_many.xml"
SUBSCRIBE_XML = HERE / "sipp" / "uac_subscribe_many.xml"
PASSWORD = "bench-secret"
WATCHER = "alice"
#: Share of the buddies SIPp registers before the watch starts.
ONLINE_SHARE = 0.3
#: Kamailio's shared memory in MB (the harness uses 32; see `_kamailio`).
SHM_MB = 256
KAMAILIO_START_TIMEOUT = 30.0


@dataclass(frozen=True)
class Plan:
    """How much to measure."""

    buddies: int
    runs: int
    timeout: float


FULL = Plan(buddies=1000, runs=3, timeout=120.0)
SMOKE = Plan(buddies=20, runs=1, timeout=20.0)


@dataclass(frozen=True)
class Watched:
    """One run of ours."""

    all_known_s: float
    #: NOTIFYs answered while the states were being learnt.
    notifies: int
    #: Calls of our NOTIFY handler over the same span (retransmissions too).
    handled: int
    handler_s: float
    notify_window_s: float
    online: int
    statuses: dict[str, int]
    #: CPU seconds of this process (user + system) until every state was known.
    cpu_s: float = 0.0


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def buddy_names(count: int) -> list[str]:
    """The buddies' user names."""
    return [f"b{n:04d}" for n in range(count)]


def _csv(path: Path, lines: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("SEQUENTIAL\n" + "".join(f"{line}\n" for line in lines))
    return path


def register_some(kam: harness.KamailioProcess, workdir: Path, names: list[str]) -> int:
    """Register *names* (SIPp, digest); returns how many got 200.

    Raises:
        harness.HarnessError: SIPp did not finish in time.
    """
    users = _csv(
        workdir / "register.csv",
        [f"{name};[authentication username={name} password={PASSWORD}]" for name in names],
    )
    sipp = harness.start_sipp(
        REGISTER_XML,
        workdir,
        "-inf",
        str(users),
        "-r",
        "500",
        remote=kam.hostport,
        calls=len(names),
        keys={"contact_port": "5999", "expires": "3600"},
        timeout=60.0,
    )
    return sipp.wait(timeout=65.0).successful_calls


async def watch_all(kam: harness.KamailioProcess, names: list[str], timeout: float) -> Watched:
    """Our `Presence` watches every buddy until each state is known.

    The collector is settled first, as `softphone listen` and the window do
    once started (`softphone.collector`), and put back afterwards for the
    other benchmarks of the process.

    Raises:
        TimeoutError: not every state was known within *timeout* seconds.
    """
    threshold = gc.get_threshold()
    collector.settle()
    try:
        return await _watch_all(kam, names, timeout)
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


async def _watch_all(kam: harness.KamailioProcess, names: list[str], timeout: float) -> Watched:
    agent = UserAgent()
    await agent.listen(TransportKind.UDP, "127.0.0.1", 0)
    target = Target(Address(kam.host, kam.port), TransportKind.UDP)

    async def locate() -> Target:
        return target

    account = Account(aor=f"sip:{WATCHER}@{harness.DOMAIN}")
    presence = Presence(agent, account, DigestClient(WATCHER, PASSWORD), locate)
    aors = [f"sip:{name}@{harness.DOMAIN}" for name in names]
    notify_times: list[float] = []
    # Seconds spent in our NOTIFY handler, and how many NOTIFYs it took.
    handler = [0.0, 0.0]
    progress = asyncio.Event()
    # Buddies heard of since the last check: checking all of them after
    # every NOTIFY would cost the bench O(n²) and be measured as ours.
    touched: set[str] = set()

    def on_notify(notify: NotifyReceived) -> None:
        notify_times.append(time.perf_counter())
        touched.add(notify.aor)
        progress.set()

    def on_changes(states: tuple[BuddyState, ...]) -> None:
        # Once per loop turn, as the window takes them.
        touched.update(state.aor for state in states)
        progress.set()

    presence.on_notify(on_notify)
    presence.on_changes(on_changes)
    presence.start()
    # Time only our NOTIFY handling: wrap what handles one NOTIFY (called by
    # the handler Presence registered, at once or after an answer read with it).
    inner: Callable[[IncomingRequest], None] = presence._handle_notify

    def timed(incoming: IncomingRequest) -> None:
        begin = time.perf_counter()
        try:
            inner(incoming)
        finally:
            handler[0] += time.perf_counter() - begin
            handler[1] += 1

    presence._handle_notify = timed  # type: ignore[method-assign]
    try:
        cpu = _cpu()
        start = time.perf_counter()
        for aor in aors:
            presence.watch(aor)
        pending = set(aors)
        async with asyncio.timeout(timeout):
            while pending:
                progress.clear()
                await progress.wait()
                # The handler has finished by now, so synced() is up to date.
                pending -= {aor for aor in touched if presence.synced(aor)}
                touched.clear()
        known = time.perf_counter() - start
        cpu = _cpu() - cpu
        states = [presence.state(aor) for aor in aors]
        # Up to here only: the final NOTIFYs after unsubscribing are not counted.
        handler_s, handled = handler
    finally:
        await presence.stop(timeout=10.0)
        agent.close()
    statuses: dict[str, int] = {}
    for state in states:
        statuses[state.status.value] = statuses.get(state.status.value, 0) + 1
    window = notify_times[-1] - notify_times[0] if len(notify_times) > 1 else 0.0
    return Watched(
        all_known_s=known,
        notifies=len(notify_times),
        handled=int(handled),
        handler_s=handler_s,
        notify_window_s=window,
        online=statuses.get(BuddyStatus.ONLINE.value, 0),
        statuses=statuses,
        cpu_s=cpu,
    )


def sipp_subscribe_all(
    kam: harness.KamailioProcess, workdir: Path, names: list[str], timeout: float
) -> tuple[float, int, int]:
    """SIPp subscribes to every buddy; (seconds, successful, failed).

    Raises:
        harness.HarnessError: SIPp did not finish in time.
    """
    buddies = _csv(workdir / "subscribe.csv", names)
    start = time.perf_counter()
    sipp = harness.start_sipp(
        SUBSCRIBE_XML,
        workdir,
        "-inf",
        str(buddies),
        "-r",
        "1000",
        remote=kam.hostport,
        calls=len(names),
        auth=(WATCHER, PASSWORD),
        keys={"expires": "60"},
        timeout=timeout,
    )
    try:
        sipp.process.wait(timeout + 5.0)
    except Exception:
        sipp.stop()
        raise
    elapsed = time.perf_counter() - start
    result = sipp.result()
    return elapsed, result.successful_calls, result.failed_calls


def _kamailio(workdir: Path, names: list[str]) -> harness.KamailioProcess:
    """Kamailio with the watcher and every buddy as users.

    1,000 SUBSCRIBE transactions at once exhaust the tests' 32 MB of shared
    memory ("could not allocate shared memory from shm pool", then 500s), so
    this one gets `SHM_MB`.

    Raises:
        harness.HarnessError: Kamailio did not answer OPTIONS in time.
    """
    users = {WATCHER: PASSWORD} | {name: PASSWORD for name in names}
    return harness.start_kamailio(
        workdir,
        users,
        fr_timer_ms=5000,
        startup_timeout=KAMAILIO_START_TIMEOUT,
        shm_mb=SHM_MB,
    )


def run(*, smoke: bool) -> list[Row]:
    """Measure ours and SIPp; the rows."""
    plan = SMOKE if smoke else FULL
    bench = f"presence: {plan.buddies:,} buddies, all states known"
    rate_bench = "presence: NOTIFY processing"
    for binary in ("kamailio", "sipp"):
        if shutil.which(binary) is None:
            return [Row(bench, "softphone Presence", None, "ms", note=f"{binary} not installed")]
    names = buddy_names(plan.buddies)
    online = names[: round(plan.buddies * ONLINE_SHARE)]
    ours: list[Watched] = []
    errors: list[str] = []
    sipp_runs: list[tuple[float, int, int]] = []
    with tempfile.TemporaryDirectory(prefix="bench-presence-") as tmp:
        root = Path(tmp)
        registered = 0
        kam = _kamailio(root / "ours", names)
        try:
            registered = register_some(kam, root / "ours" / "sipp", online)
            # pua_reginfo publishes each binding to the notifier after the 200.
            time.sleep(0.5)
            for _ in range(plan.runs):
                ours.append(asyncio.run(watch_all(kam, names, plan.timeout)))
        except (TimeoutError, harness.HarnessError) as exc:
            errors.append(f"ours: {type(exc).__name__} {exc}".strip())
        finally:
            kam.stop()
        kam = _kamailio(root / "sipp", names)
        try:
            for n in range(plan.runs):
                workdir = root / "sipp" / f"run{n}"
                sipp_runs.append(sipp_subscribe_all(kam, workdir, names, plan.timeout))
        except harness.HarnessError as exc:
            errors.append(f"sipp: {exc}")
        finally:
            kam.stop()
    for error in errors:
        print(f"presence: {error[:300]}", file=sys.stderr)
    rows: list[Row] = []
    sipp_ms = statistics.median(s[0] for s in sipp_runs) * 1e3 if sipp_runs else None
    if ours:
        known_ms = statistics.median(w.all_known_s for w in ours) * 1e3
        cpu_ms = statistics.median(w.cpu_s for w in ours) * 1e3
        last = ours[-1]
        mix = ", ".join(f"{count} {status}" for status, count in sorted(last.statuses.items()))
        if sipp_ms is None:
            verdict = "target: at most SIPp's time"
        elif known_ms <= sipp_ms:
            verdict = "meets target ≤ 1.0x SIPp's time"
        else:
            verdict = "MISSES target ≤ 1.0x SIPp's time"
        rows.append(
            Row(
                bench,
                "softphone Presence (one account)",
                known_ms,
                "ms",
                f"median of {len(ours)}; {mix}; {registered} registered by SIPp;"
                f" CPU {cpu_ms:,.0f} ms of this process",
                None,
                verdict,
            )
        )
    else:
        rows.append(Row(bench, "softphone Presence (one account)", None, "ms", note="run failed"))
    if sipp_ms is not None:
        ok = sipp_runs[-1][1]
        failed = sipp_runs[-1][2]
        rows.append(
            Row(
                bench,
                "SIPp UAC, -r 1000",
                sipp_ms,
                "ms",
                f"median of {len(sipp_runs)}; {ok} subscribed, {failed} failed; message trace on",
                sipp_ms / known_ms if ours else None,
                "to its first NOTIFY each; no state kept",
            )
        )
    else:
        rows.append(Row(bench, "SIPp UAC, -r 1000", None, "ms", note="run failed"))
    if ours:
        per_cpu = statistics.median(w.handled / w.handler_s for w in ours if w.handler_s > 0)
        wall = [w.notifies / w.notify_window_s for w in ours if w.notify_window_s > 0]
        per_notify_us = statistics.median(w.handler_s / max(w.handled, 1) for w in ours) * 1e6
        rows.append(
            Row(
                rate_bench,
                "softphone Presence (handler time)",
                per_cpu,
                "NOTIFY/s",
                f"{per_notify_us:,.0f} µs per NOTIFY; {last.notifies} NOTIFYs/run"
                f" ({last.handled} handled);"
                f" arrival rate {statistics.median(wall) if wall else 0:,.0f}/s",
                None,
                "no peer",
            )
        )
    return rows
