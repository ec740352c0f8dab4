"""`Wakeups`: flexible timers share a time another timer already fires at."""

from __future__ import annotations

import asyncio

from softphone.wakeups import Wakeups, for_loop


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
