"""What a buddy shows: the one table from subscription and server state.

Pure values and functions, as `softphone.sip.delivery` is for messages:
the presence service computes a `BuddyState` with them and the window
draws it, so the window never imports the asyncio service.

| the account's server         | the buddy's subscription         | shows                          |
|------------------------------|----------------------------------|--------------------------------|
| unreachable (flow lost,      | any                              | unknown (server unreachable),  |
| registration failing)        |                                  | last seen 14:02                |
| back, subscribing again      | new dialog, no NOTIFY yet        | unknown (reconnecting), last   |
|                              |                                  | seen 14:02                     |
| reachable                    | active, a device registered      | online on N devices            |
| reachable                    | active, nothing registered       | offline, last seen 14:02       |
| reachable                    | pending (RFC 6665 4.1.3)         | waiting for authorization      |
| reachable                    | 403/603, reason=rejected         | not allowed (...)              |
| reachable                    | 404, reason=noresource           | unknown user (...)             |
| reachable                    | subscribing, failed, ended       | unknown: ...                   |

An "online" is shown only while a subscription the server still holds
says so: when the server cannot be reached the last state is history
("last seen"), never current (RFC 3680 is about what the registrar knows
now).
"""

from __future__ import annotations

import enum
import time
from dataclasses import dataclass

from softphone.phrase import Phrase, say

__all__ = [
    "BuddyState",
    "BuddyStatus",
    "Device",
    "described",
    "format_time",
    "reconnecting",
    "unreachable",
]


class BuddyStatus(enum.Enum):
    """What the buddy list shows for one buddy."""

    #: At least one device is registered.
    ONLINE = "online"
    #: The registrar holds no device for the buddy.
    OFFLINE = "offline"
    #: Nothing known now: not yet, the subscription failed for a reason that
    #: says nothing about the buddy, or the server cannot be reached.
    UNKNOWN = "unknown"
    #: The notifier accepted the subscription but has not authorized it
    #: (``Subscription-State: pending``, RFC 6665 §4.1.3).
    WAITING = "waiting"
    #: Refused: 403/603 or ``terminated;reason=rejected``.
    NOT_ALLOWED = "not-allowed"
    #: 404 or ``terminated;reason=noresource``.
    NO_SUCH_USER = "no-such-user"


@dataclass(frozen=True)
class Device:
    """One registered contact of a buddy (an RFC 3680 ``<contact>``)."""

    uri: str
    display_name: str | None
    #: Seconds the binding had left when the notifier last reported it.
    expires: int | None
    #: Epoch seconds since when it is registered, when known.
    registered_since: float | None


@dataclass(frozen=True)
class BuddyState:
    """A buddy's registration state, as the UI shows it."""

    aor: str
    status: BuddyStatus
    devices: tuple[Device, ...]
    #: Epoch seconds when the buddy was last known online (None: never seen).
    last_seen: float | None
    #: Words for people: "online on 2 devices", "offline, last seen 14:02".
    detail: str
    #: *detail* as a template and values, for a window to translate.
    phrase: Phrase | None = None


def described(
    aor: str,
    status: BuddyStatus,
    devices: tuple[Device, ...],
    last_seen: float | None,
    phrase: Phrase,
) -> BuddyState:
    """A `BuddyState` whose detail is *phrase* (in English)."""
    return BuddyState(aor, status, devices, last_seen, str(phrase), phrase)


def format_time(when: float, now: float) -> str:
    """HH:MM for today, the date too for older times (local time)."""
    then, today = time.localtime(when), time.localtime(now)
    if then[:3] == today[:3]:
        return time.strftime("%H:%M", then)
    return time.strftime("%Y-%m-%d %H:%M", then)


def unreachable(aor: str, last_seen: float | None, now: float) -> BuddyState:
    """The account's server cannot be reached: the buddy's state is unknown."""
    if last_seen is None:
        detail = say("unknown (server unreachable)")
    else:
        when = format_time(last_seen, now)
        detail = say("unknown (server unreachable), last seen {when}", when=when)
    return described(aor, BuddyStatus.UNKNOWN, (), last_seen, detail)


def reconnecting(aor: str, last_seen: float | None, now: float) -> BuddyState:
    """The server is back and a new subscription waits for its first NOTIFY."""
    if last_seen is None:
        detail = say("unknown (reconnecting)")
    else:
        when = format_time(last_seen, now)
        detail = say("unknown (reconnecting), last seen {when}", when=when)
    return described(aor, BuddyStatus.UNKNOWN, (), last_seen, detail)
