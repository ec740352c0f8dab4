"""The garbage collector of a long-running process, once it has started.

Nearly everything the stack allocates is freed by reference counting: only
garbage cycles need the collector. Python's default (a young collection
every 700 net allocations of tracked objects) makes a burst pay for many
collections that find nothing: handling one MESSAGE allocates and frees
more than 700 objects, and 1,000 buddies' SUBSCRIBE answers and NOTIFYs
read in runs of 32 keep a few thousand alive for a moment. `settle()` is
called once the app has started (`softphone listen`, the window).
"""

from __future__ import annotations

import gc

__all__ = ["YOUNG", "settle"]

#: Net allocations of tracked objects between young-generation collections.
#: A burst keeps only a few thousand objects alive at once.
YOUNG = 10_000


def settle() -> None:
    """Collect less often from now on: only garbage cycles need it.

    What start-up made (modules, the schema, the store) lives as long as the
    process, so it is moved out of the collector's sight (`gc.freeze`): full
    collections then walk what came since, not all of it again.
    """
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG, older, oldest)
