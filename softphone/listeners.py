"""Callbacks told of one kind of event, each shielded from the others.

Every service tells the window, the command line and its other services of
what happened through callbacks. A bug in one of them must not keep the
others uninformed, nor break the protocol work that called them: each call
is made on its own and an exception is logged, never raised.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Generic, ParamSpec

__all__ = ["Listeners"]

P = ParamSpec("P")

log = logging.getLogger(__name__)


class Listeners(Generic[P]):
    """The callbacks for one event, called in the order they were added.

    ``Listeners[[str, bool]]`` holds callables taking ``(str, bool)``;
    calling the object calls each with the same arguments. A callback added
    or removed while they are being called takes effect on the next call.

    Args:
        what: names the event in the log line of a failing callback.
        logger: where that line goes (the owning module's logger).
    """

    __slots__ = ("_callbacks", "_logger", "_what")

    def __init__(self, what: str, logger: logging.Logger | None = None) -> None:
        # Replaced, never changed in place: a call iterates the list it
        # started with, without copying it each time.
        self._callbacks: list[Callable[P, object]] = []
        self._what = what
        self._logger = logger or log

    def add(self, callback: Callable[P, object]) -> None:
        """Call *callback* on every later event."""
        self._callbacks = [*self._callbacks, callback]

    def remove(self, callback: Callable[P, object]) -> None:
        """Stop calling *callback*; nothing happens when it was not added."""
        if callback in self._callbacks:
            callbacks = list(self._callbacks)
            callbacks.remove(callback)
            self._callbacks = callbacks

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> None:
        """Call every callback; one that raises is logged and the rest still run."""
        for callback in self._callbacks:
            try:
                callback(*args, **kwargs)
            except Exception:
                self._logger.exception("%s callback failed", self._what)

    def __len__(self) -> int:
        return len(self._callbacks)

    def __bool__(self) -> bool:
        return bool(self._callbacks)

    def __iter__(self) -> Iterator[Callable[P, object]]:
        return iter(self._callbacks)

    def __contains__(self, callback: object) -> bool:
        return callback in self._callbacks
