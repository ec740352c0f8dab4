"""One `Direction` for the history and the wire trace."""

from __future__ import annotations

import softphone.direction
import softphone.store
import softphone.trace
from softphone.direction import Direction


def test_history_and_trace_share_one_direction() -> None:
    assert softphone.store.Direction is softphone.direction.Direction
    assert softphone.trace.TraceEntry.__annotations__["direction"] in ("Direction", Direction)
    # The history stores these values: they never change.
    assert [(d.name, d.value) for d in Direction] == [("IN", "in"), ("OUT", "out")]
