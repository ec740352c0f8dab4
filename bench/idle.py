"""Idle cost: the app core registered with 100 buddies, doing nothing.

Kamailio (the presence bench's set-up, `bench.presence._kamailio`) holds
alice and the buddies. The core (`softphone.app.Application`: registration,
keep-alive, messaging, presence watching every buddy) starts, waits until
it is registered and every buddy's state is known, and (full run) until
the transactions of the start have ended, then idles for the measured
span. Counted over that span only:

- CPU seconds (`resource.getrusage`, user + system) of this process, which
  runs nothing else meanwhile;
- wake-ups: returns from the event loop's `select()` (each one is the
  process woken by a timer or a socket);
- timer callbacks run, by callback name, to show which timers fire (a
  `softphone.wakeups` timer by the callback it runs;
  `_set_result_unless_cancelled` is an `asyncio.sleep` ending), and the
  other callbacks the loop ran (`call_soon`: task steps, socket reads), by
  name, which are the loop turns between wake-ups;
- of the wake-ups, those that ended a sleep (the rest are the loop going
  round again for callbacks already due).

These are reported per minute. The full run adds the desktop window's row
(`bench/idle_window.py`, in a process of its own, offscreen): the same
app with its window shown and its caret at rest, counted as the Qt event
dispatcher's wake-ups, Qt timer events and asyncio callbacks.

Timers rarer than the span (registration
and subscription refreshes) are shown by what is armed at its end: the
distinct times due within the next hour, and how many of the presence
service's per-buddy timers there are and at how many distinct times.
"""

from __future__ import annotations

import asyncio
import collections
import json
import os
import resource
import selectors
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.presence import PASSWORD, WATCHER, _kamailio, buddy_names
from bench.table import Row
from softphone.account import Account
from softphone.app import Application, AppOptions
from softphone.store import Store
from tests.interop import harness


class _CountingSelector(selectors.DefaultSelector):  # type: ignore[misc, valid-type]
    """A selector that counts how often `select()` returns (the loop wakes).

    `sleeps` counts only the returns from a wait (a timeout above zero or
    none): the process was asleep and a timer or a socket woke it. The other
    returns are the loop going round again for callbacks already due.
    """

    wakeups = 0
    sleeps = 0

    def select(self, timeout: float | None = None) -> list[Any]:
        ready = super().select(timeout)
        _CountingSelector.wakeups += 1
        if timeout is None or timeout > 0:
            _CountingSelector.sleeps += 1
        return ready  # type: ignore[no-any-return]


#: Timers due within this many seconds are counted as the hour ahead.
HOUR = 3600.0


def _armed(loop: asyncio.AbstractEventLoop) -> tuple[int, int, int]:
    """One-off wake-ups armed for the next hour: (distinct times, presence timers, their times).

    Timers due at the same instant run on one loop turn, so they cost one
    wake-up; the presence service aligns its buddies' refresh timers.
    """
    now = loop.time()
    scheduled = [
        handle
        for handle in getattr(loop, "_scheduled", ())
        if not handle.cancelled() and handle.when() - now < HOUR
    ]
    presence = [handle for handle in scheduled if _name(handle) == "Presence._on_timer"]
    return (
        len({round(handle.when(), 3) for handle in scheduled}),
        len(presence),
        len({round(handle.when(), 3) for handle in presence}),
    )


def _name(handle: asyncio.Handle) -> str:
    """What a loop callback runs, by qualified name (through a `Wakeup`)."""
    callback = getattr(handle, "_callback", None)
    args = getattr(handle, "_args", None) or ()
    if getattr(callback, "__qualname__", "") == "Wakeup._fire" and args:
        callback = args[0]
    name = getattr(callback, "__qualname__", None)
    if name is None:
        return type(callback).__name__
    owner = getattr(callback, "__self__", None)
    if name == "Task.task_wakeup" and isinstance(owner, asyncio.Task):
        return f"task wake-up: {getattr(owner.get_coro(), '__qualname__', '?')}"
    return str(name)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _idle(
    kam: harness.KamailioProcess, names: list[str], seconds: float, settle: float
) -> dict[str, Any]:
    account = Account(
        aor=f"sip:{WATCHER}@{harness.DOMAIN}",
        registrar=kam.hostport,
        local_port=0,
    )
    with tempfile.TemporaryDirectory(prefix="bench-idle-") as tmp:
        store = Store.open(Path(tmp) / "alice.sqlite3")
        app = Application(account, PASSWORD, store, AppOptions(listen_host="127.0.0.1"))
        await app.start()
        try:
            aors = [f"sip:{name}@{harness.DOMAIN}" for name in names]
            for aor in aors:
                app.presence.watch(aor)
            async with asyncio.timeout(60):
                while not (app.is_ready() and all(app.presence.synced(a) for a in aors)):
                    await asyncio.sleep(0.1)
            # The transactions of the start (timers K and J keep them up to
            # 32 s) end first: what is left is the idle app.
            async with asyncio.timeout(settle + 1):
                while settle and app.agent.pending_transactions:
                    await asyncio.sleep(0.5)
            loop = asyncio.get_running_loop()
            fired: collections.Counter[str] = collections.Counter()
            soon: collections.Counter[str] = collections.Counter()
            original = asyncio.Handle._run

            def counting(handle: asyncio.Handle) -> None:
                name = _name(handle)
                (fired if isinstance(handle, asyncio.TimerHandle) else soon)[name] += 1
                original(handle)

            asyncio.Handle._run = counting  # type: ignore[method-assign]
            try:
                wakeups = _CountingSelector.wakeups
                sleeps = _CountingSelector.sleeps
                cpu = _cpu()
                start = loop.time()
                await asyncio.sleep(seconds)
                span = loop.time() - start
                cpu = _cpu() - cpu
                wakeups = _CountingSelector.wakeups - wakeups
                sleeps = _CountingSelector.sleeps - sleeps
                armed = _armed(loop)
            finally:
                asyncio.Handle._run = original  # type: ignore[method-assign]
            # The measuring sleep's own wake-up is not the app's, nor the
            # loop turn that resumes this coroutine after it.
            fired["_set_result_unless_cancelled"] -= 1
            soon[f"task wake-up: {_idle.__qualname__}"] -= 1
            return {
                "span": span,
                "cpu": cpu,
                "wakeups": wakeups - 2,
                "sleeps": sleeps - 1,
                "armed": armed,
                "fired": {k: v for k, v in fired.most_common() if v},
                "soon": {k: v for k, v in soon.most_common() if v},
                "registered": app.is_ready(),
            }
        finally:
            await app.stop()
            store.close()


def run(*, smoke: bool) -> list[Row]:
    """The idle row (Kamailio missing: the row says so)."""
    buddies = 10 if smoke else 100
    seconds = 3.0 if smoke else 60.0
    name = f"idle: registered, {buddies} buddies"
    subject = "softphone core (Application)"
    if shutil.which("kamailio") is None:
        return [Row(name, subject, None, "wake-ups/min", note="kamailio not installed")]
    names = buddy_names(buddies)
    with tempfile.TemporaryDirectory(prefix="bench-idle-") as tmp:
        kam = _kamailio(Path(tmp), names)
        try:
            loop = asyncio.SelectorEventLoop(_CountingSelector())
            try:
                settle = 0.0 if smoke else 45.0
                result = loop.run_until_complete(_idle(kam, names, seconds, settle))
            finally:
                loop.close()
        finally:
            kam.stop()
    per_minute = 60.0 / result["span"]
    timers = ", ".join(f"{k} {v}" for k, v in result["fired"].items()) or "none"
    others = ", ".join(f"{k} {v}" for k, v in result["soon"].items()) or "none"
    distinct, buddy_timers, buddy_times = result["armed"]
    rows = [
        Row(
            name,
            subject,
            result["wakeups"] * per_minute,
            "wake-ups/min",
            f"CPU {result['cpu'] * per_minute:.3f} s/min over {result['span']:.0f} s;"
            f" {result['sleeps'] * per_minute:.0f}/min from sleep, the rest loop turns;"
            f" timers run: {timers}; other callbacks: {others};"
            f" armed for the next hour: {distinct} wake-up times"
            f" ({buddy_timers} buddy timers at {buddy_times})",
        )
    ]
    if not smoke:
        rows.append(_window_row(buddies, seconds))
    return rows


def _window_row(buddies: int, seconds: float) -> Row:
    """The desktop window idling, measured by `bench.idle_window` in its own process."""
    name = f"idle: window, registered, {buddies} buddies"
    subject = "desktop window (MainWindow, offscreen)"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-m", "bench.idle_window", str(buddies), str(seconds)],
        capture_output=True,
        text=True,
        env=env,
        timeout=seconds + 240,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return Row(name, subject, None, "wake-ups/min", note=f"failed: {tail}")
    result = json.loads(lines[-1])
    per_minute = 60.0 / result["span"]
    qt = ", ".join(f"{k} {v}" for k, v in result["qt_timer_events"].items()) or "none"
    callbacks = ", ".join(f"{k} {v}" for k, v in result["asyncio_callbacks"].items()) or "none"
    return Row(
        name,
        subject,
        result["awake"] * per_minute,
        "wake-ups/min",
        f"CPU {result['cpu'] * per_minute:.3f} s/min over {result['span']:.0f} s;"
        f" Qt event dispatcher wake-ups; Qt timer events by receiver: {qt};"
        f" asyncio callbacks: {callbacks}; focus in {result['focus']},"
        f" window active: {result['active']}, caret resting: {result['caret_resting']}",
    )


if __name__ == "__main__":  # pragma: no cover - by hand: python3 -m bench.idle
    for row in run(smoke=False):
        print(row.cells())
