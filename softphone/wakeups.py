"""Timers that may fire anywhere in a window share the loop's wake-ups.

An idle app should wake as rarely as it can: each wake-up costs a context
switch and keeps a laptop's CPU out of its deep sleep states. Many of its
timers have slack: a registration may be refreshed any time before it
expires (RFC 3261 10.2.4), a subscription too (RFC 6665 4.1.2.2), a
keep-alive anywhere in 80-100 % of its interval (RFC 5626 4.4.1), and a
transaction that only waits to be forgotten (timer K, RFC 3261 17.1.2.2)
may be forgotten later. `call_between(earliest, latest, ...)` picks, in
that window, a time another timer of the same loop already wakes at; when
there is none, the latest multiple of the largest power of two seconds that
fits the window, a time later timers are likely to pick too.

One `Wakeups` per event loop (`for_loop`), so every service shares it
without being wired to the others.
"""

from __future__ import annotations

import asyncio
import bisect
import math
import weakref
from collections.abc import Callable
from typing import Any

__all__ = ["Wakeup", "Wakeups", "aligned", "for_loop"]


def aligned(earliest: float, latest: float) -> float:
    """A time in [*earliest*, *latest*] that other timers are likely to share.

    The latest multiple of the largest power of two seconds that fits the
    span (the span itself when it is under a second: then *latest*).
    """
    span = latest - earliest
    if span < 1.0:
        return latest
    step = 2.0 ** math.floor(math.log2(span))
    return max(earliest, math.floor(latest / step) * step)


class Wakeup:
    """One armed timer of a `Wakeups`; `cancel()` it like a `TimerHandle`."""

    __slots__ = ("_args", "_armed", "_offered", "_owner", "_when", "callback")

    def __init__(
        self,
        owner: Wakeups,
        when: float,
        callback: Callable[..., object],
        args: tuple[Any, ...] = (),
        *,
        offered: bool = True,
    ) -> None:
        self._owner = owner
        self._when = when
        self._args = args
        self._armed = True
        self._offered = offered
        #: What it runs.
        self.callback = callback

    def when(self) -> float:
        """The loop time it fires at (as `asyncio.TimerHandle.when`)."""
        return self._when

    @property
    def armed(self) -> bool:
        """True until it fired or was cancelled."""
        return self._armed

    def cancel(self) -> None:
        """Do not fire (nothing happens if it already fired)."""
        if self._armed:
            self._armed = False
            self._owner._release(self)


class Wakeups:
    """The times one loop's flexible timers are armed at, to share them.

    Use `for_loop()` rather than creating one: sharing needs every timer of
    the loop in the same table. The timers due at the same time share one
    loop handle: 1,000 buddies whose refreshes share a wake-up cost the
    loop one timer, and moving one of them costs it nothing.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        #: Loop time -> the armed timers that fire then, and the loop handle
        #: that runs them.
        self._due: dict[float, tuple[dict[Wakeup, None], asyncio.TimerHandle]] = {}
        #: Loop time -> the armed timers offered for sharing that fire then.
        self._armed: dict[float, dict[Wakeup, None]] = {}
        #: The same times, sorted: `shared` looks at those in its window only
        #: (1,000 buddies waiting for their first NOTIFY arm 1,000 times, and
        #: a scan of all of them for every new timer is quadratic).
        self._sorted: list[float] = []

    def loop_time(self) -> float:
        """The loop's clock, which every time here is on."""
        return self._loop.time()

    def shared(
        self, earliest: float, latest: float, *, moving: Wakeup | None = None
    ) -> float | None:
        """The latest time in [*earliest*, *latest*] an armed timer fires at, if any.

        *moving* is a timer about to be moved: a time only it fires at is
        not shared.
        """
        times = self._sorted
        armed = self._armed
        index = bisect.bisect_right(times, latest)
        while index > 0:
            index -= 1
            when = times[index]
            if when < earliest:
                return None
            timers = armed[when]
            if len(timers) > 1 or moving not in timers:
                return when
        return None

    def choose(self, earliest: float, latest: float, *, moving: Wakeup | None = None) -> float:
        """The time in [*earliest*, *latest*] a timer should fire at (loop time).

        A time another armed timer already fires at (`shared`), if one is in
        the window; else `aligned(earliest, latest)`.
        """
        latest = max(latest, earliest)
        when = self.shared(earliest, latest, moving=moving)
        return aligned(earliest, latest) if when is None else when

    def times(self) -> list[float]:
        """Every time an armed timer fires at, soonest first."""
        return list(self._sorted)

    def callbacks(self, when: float) -> list[Callable[..., object]]:
        """What the armed timers that fire at *when* run."""
        return [wakeup.callback for wakeup in self._armed.get(when, ())]

    def call_at(
        self, when: float, callback: Callable[..., object], *args: Any, offer: bool = True
    ) -> Wakeup:
        """Run *callback(*args)* at loop time *when*.

        With *offer* (the default) later `choose` calls may pick *when*. A
        timer that is often moved (the agent's, which follows its earliest
        transaction) is not offered: a timer that picked its time would be
        left alone on it.
        """
        wakeup = Wakeup(self, when, callback, args, offered=offer)
        due = self._due.get(when)
        if due is None:
            handle = self._loop.call_at(when, self._fire, when)
            self._due[when] = ({wakeup: None}, handle)
        else:
            due[0][wakeup] = None
        if offer:
            same = self._armed.get(when)
            if same is None:
                same = self._armed[when] = {}
                bisect.insort(self._sorted, when)
            same[wakeup] = None
        return wakeup

    def call_between(
        self, earliest: float, latest: float, callback: Callable[..., object], *args: Any
    ) -> Wakeup:
        """Run *callback(*args)* once, at a time in [*earliest*, *latest*] (loop time)."""
        return self.call_at(self.choose(earliest, latest), callback, *args)

    def _fire(self, when: float) -> None:
        due = self._due.pop(when, None)
        if due is None:
            return
        for wakeup in due[0]:
            # One run by an earlier callback here may have cancelled it.
            if not wakeup._armed:
                continue
            wakeup._armed = False
            self._unoffer(wakeup)
            try:
                wakeup.callback(*wakeup._args)
            except (SystemExit, KeyboardInterrupt):
                raise
            except BaseException as exc:
                # As the loop does for a handle of its own: told, and the
                # other timers of this time still run.
                self._loop.call_exception_handler(
                    {
                        "message": f"Exception in callback {wakeup.callback!r}",
                        "exception": exc,
                    }
                )

    def _release(self, wakeup: Wakeup) -> None:
        when = wakeup.when()
        due = self._due.get(when)
        if due is not None:
            timers, handle = due
            timers.pop(wakeup, None)
            if not timers:
                # The last timer of that time: the loop need not wake for it.
                handle.cancel()
                del self._due[when]
        self._unoffer(wakeup)

    def _unoffer(self, wakeup: Wakeup) -> None:
        if not wakeup._offered:
            return
        when = wakeup.when()
        same = self._armed.get(when)
        if same is None:
            return
        same.pop(wakeup, None)
        if not same:
            del self._armed[when]
            times = self._sorted
            del times[bisect.bisect_left(times, when)]


_BY_LOOP: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Wakeups] = (
    weakref.WeakKeyDictionary()
)


def for_loop(loop: asyncio.AbstractEventLoop | None = None) -> Wakeups:
    """The `Wakeups` of *loop* (the running loop by default)."""
    loop = loop or asyncio.get_running_loop()
    wakeups = _BY_LOOP.get(loop)
    if wakeups is None:
        wakeups = _BY_LOOP[loop] = Wakeups(loop)
    return wakeups
