"""Which way a message went: one enum for the history and the wire trace."""

from __future__ import annotations

import enum

__all__ = ["Direction"]


class Direction(enum.Enum):
    """Which way a message went, seen from this account.

    The values are what the message database stores; never change them.
    """

    #: Received from the peer.
    IN = "in"
    #: Sent (or to be sent) by the user.
    OUT = "out"
