"""The collector settled once the app has started (`softphone.collector`)."""

from __future__ import annotations

import gc

from softphone import collector


def test_settle_freezes_what_start_up_made_and_collects_the_young_less_often() -> None:
    before = gc.get_threshold()
    made_at_start = [object(), {"kept": "for the process"}]
    try:
        collector.settle()
        assert gc.get_threshold() == (collector.YOUNG, before[1], before[2])
        # Start-up's objects are out of the collector's sight: a full
        # collection walks only what came since.
        assert gc.get_freeze_count() >= len(made_at_start)
        seen = {id(o) for o in gc.get_objects()}
        assert id(made_at_start) not in seen and id(made_at_start[1]) not in seen
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
