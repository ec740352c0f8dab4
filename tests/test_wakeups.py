"""`Wakeups`: flexible timers share a time another timer already fires at."""

from __future__ import annotations

import asyncio

from softphone.wakeups import Wakeup, Wakeups, for_loop


def test_shared_times_follow_every_arm_and_cancel() -> None:
    fired: list[str] = []
    loop = asyncio.new_event_loop()
    try:
        table = Wakeups(loop)
        now = loop.time()
        # Many distinct times, armed out of order (buddies waiting for their
        # first NOTIFY each arm their own).
        timers = {
            offset: table.call_at(now + offset, fired.append, f"t{offset}")
            for offset in (30.0, 10.0, 50.0, 20.0, 40.0)
        }
        assert table.times() == [now + o for o in (10.0, 20.0, 30.0, 40.0, 50.0)]
        # The latest armed time in the window, a bound included.
        assert table.shared(now + 15, now + 45) == now + 40
        assert table.shared(now + 10, now + 10) == now + 10
        assert table.shared(now + 41, now + 49) is None
        assert table.choose(now + 15, now + 45) == now + 40
        # A time only the timer being moved fires at is not shared.
        assert table.shared(now + 35, now + 45, moving=timers[40.0]) is None
        again = table.call_at(now + 40, fired.append, "again")
        assert table.shared(now + 35, now + 45, moving=timers[40.0]) == now + 40
        assert table.callbacks(now + 40) == [fired.append, fired.append]
        # Cancelling one of two leaves the time; the last one removes it.
        timers[40.0].cancel()
        assert table.shared(now + 35, now + 45) == now + 40
        again.cancel()
        assert table.shared(now + 35, now + 45) is None
        assert table.times() == [now + o for o in (10.0, 20.0, 30.0, 50.0)]
        # A timer not offered is never shared.
        table.call_at(now + 45, fired.append, "agent", offer=False)
        assert table.shared(now + 41, now + 49) is None
    finally:
        loop.close()


async def test_a_fired_timer_leaves_the_table() -> None:
    table = for_loop()
    loop = asyncio.get_running_loop()
    fired: list[str] = []
    when = loop.time() + 0.01
    table.call_at(when, fired.append, "first")
    later = table.call_at(when + 0.02, fired.append, "second")
    assert table.shared(when, when + 0.02) == when + 0.02
    await asyncio.sleep(0.015)
    assert fired == ["first"]
    assert table.shared(when - 1, when + 0.01) is None
    later.cancel()
    await asyncio.sleep(0.03)
    assert fired == ["first"]
    assert table.times() == []


def test_timers_due_together_share_one_loop_handle_and_all_run() -> None:
    # 1,000 buddies whose refreshes share a wake-up cost the loop one timer;
    # each still runs, in the order armed, whatever another one does.
    loop = asyncio.new_event_loop()
    errors: list[dict[str, object]] = []
    loop.set_exception_handler(lambda _loop, context: errors.append(context))
    fired: list[str] = []
    try:
        table = Wakeups(loop)
        when = loop.time() + 0.01
        before = len(loop._scheduled)  # type: ignore[attr-defined]

        def fail() -> None:
            fired.append("fails")
            raise RuntimeError("a broken callback")

        first = table.call_at(when, fired.append, "first")
        table.call_at(when, fail)
        later: list[Wakeup] = []
        table.call_at(when, lambda: later[0].cancel())
        later.append(table.call_at(when, fired.append, "cancelled by an earlier one"))
        table.call_at(when, fired.append, "last", offer=False)
        gone = table.call_at(when, fired.append, "cancelled before")
        gone.cancel()
        assert len(loop._scheduled) == before + 1  # type: ignore[attr-defined]
        assert table.times() == [when]
        loop.run_until_complete(asyncio.sleep(0.03))
        assert fired == ["first", "fails", "last"]
        assert [str(error["exception"]) for error in errors] == ["a broken callback"]
        assert not first.armed and table.times() == []
        # Cancelling every timer of a time cancels the loop's handle too.
        lone = table.call_at(loop.time() + 10, fired.append, "never")
        lone.cancel()
        assert all(h.cancelled() for h in loop._scheduled)  # type: ignore[attr-defined]
    finally:
        loop.close()
