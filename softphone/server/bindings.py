"""The registrar's location service: AoR → contact bindings (RFC 3261 10.3).

Sans-I/O: every call takes `now: float`, and expiry is a `deadline` the
caller asks for and reports back with `expire(now)`. Each change comes back
as a `BindingChange` whose event names the RFC 3680 §5.1 contact event, so
the reg-event notifier can turn it into a partial document.
"""

from __future__ import annotations

import enum
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from softphone.sip import Contact, ParseError, SipUri

__all__ = [
    "Binding",
    "BindingChange",
    "BindingEvent",
    "LocationService",
    "RegisterRefused",
]


class BindingEvent(enum.Enum):
    """Why a binding changed, named as RFC 3680 §5.1 names contact events."""

    REGISTERED = "registered"
    REFRESHED = "refreshed"
    UNREGISTERED = "unregistered"
    EXPIRED = "expired"

    @property
    def active(self) -> bool:
        """True when the binding exists after the change."""
        return self in (BindingEvent.REGISTERED, BindingEvent.REFRESHED)


@dataclass(frozen=True, slots=True)
class Binding:
    """One contact bound to an address of record."""

    #: The address of record, `sip:user@domain`.
    aor: str
    #: The contact URI as the UA wrote it (without header parameters).
    uri: str
    #: A stable id for reginfo's `<contact id=...>` (RFC 3680 §5.3).
    id: str
    expires_at: float
    call_id: str
    cseq: int
    registered_at: float

    def remaining(self, now: float) -> int:
        """Whole seconds left, never negative."""
        return max(0, math.ceil(self.expires_at - now))


@dataclass(frozen=True, slots=True)
class BindingChange:
    """A binding appeared, was refreshed, or went away."""

    binding: Binding
    event: BindingEvent


class RegisterRefused(Exception):
    """A REGISTER cannot be applied; carries the response to answer with.

    `headers` holds extra response headers (Min-Expires for 423).
    """

    def __init__(self, status: int, reason: str, headers: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__(f"{status} {reason}")
        self.status = status
        self.reason = reason
        self.headers = tuple(headers)


def _binding_key(uri: SipUri) -> tuple[str, str | None, str, int | None, str]:
    # RFC 3261 10.3 step 7 compares contacts with the URI comparison rules of
    # 19.1.4; scheme, user, host, port and transport decide equality here.
    transport = (uri.param("transport") or "udp").lower()
    return (uri.scheme, uri.user, uri.host.lower(), uri.port, transport)


#: Contacts one address of record may bind at most, unless configured.
DEFAULT_MAX_BINDINGS = 10

#: The longest contact URI accepted. With the binding cap this bounds the
#: 200 to REGISTER, which lists every binding (10.3 step 8), well inside
#: one UDP datagram.
MAX_CONTACT_LENGTH = 512


class LocationService:
    """Bindings of every AoR, with RFC 3261 10.3's REGISTER processing.

    Args:
        min_expires: shorter non-zero lifetimes are refused with 423.
        max_expires: longer lifetimes are cut to this.
        default_expires: the lifetime when the REGISTER names none.
        max_bindings: contacts one AoR may have bound at once; a REGISTER
            that would bind more is refused whole with 403. Every MESSAGE is
            relayed to each binding, so this caps what one request can make
            the server send.
    """

    def __init__(
        self,
        *,
        min_expires: int = 60,
        max_expires: int = 3600,
        default_expires: int = 3600,
        max_bindings: int = DEFAULT_MAX_BINDINGS,
    ) -> None:
        if max_bindings < 1:
            raise ValueError("max_bindings must be at least 1")
        self.min_expires = min_expires
        self.max_expires = max_expires
        self.default_expires = default_expires
        self.max_bindings = max_bindings
        self._bindings: dict[str, dict[tuple[str, str | None, str, int | None, str], Binding]] = {}
        self._ids = itertools.count(1)

    def bindings(self, aor: str) -> list[Binding]:
        """The current bindings of *aor*, oldest first."""
        return sorted(self._bindings.get(aor, {}).values(), key=lambda b: b.registered_at)

    @property
    def binding_count(self) -> int:
        """Bindings of every AoR together."""
        return sum(len(table) for table in self._bindings.values())

    @property
    def deadline(self) -> float | None:
        """When the next binding expires, if any is bound."""
        times = [b.expires_at for table in self._bindings.values() for b in table.values()]
        return min(times) if times else None

    def register(
        self,
        aor: str,
        contacts: Sequence[Contact],
        *,
        expires: int | None,
        call_id: str,
        cseq: int,
        now: float,
    ) -> list[BindingChange]:
        """Apply one REGISTER's Contact list to *aor* (RFC 3261 10.3 steps 6-8).

        *expires* is the request's Expires header. No contact at all is a
        query and changes nothing.

        Raises:
            RegisterRefused: 400 for `*` with a non-zero Expires, 423 with
                Min-Expires for a too short lifetime, 500 for an old CSeq,
                403 when the AoR would have more than `max_bindings`
                contacts or a contact URI is longer than 512 characters.
        """
        if len(contacts) > self.max_bindings:
            # Refused before any parsing: more contacts than may ever be bound.
            raise self._too_many()
        table = self._bindings.setdefault(aor, {})
        if any(contact.address is None for contact in contacts):
            # 10.3 step 6: "*" is only valid with Expires 0 and alone.
            if expires != 0 or len(contacts) != 1:
                raise RegisterRefused(400, "Contact * needs Expires: 0")
            changes = []
            for key, binding in list(table.items()):
                if binding.call_id == call_id and cseq <= binding.cseq:
                    raise RegisterRefused(500, "Out of order REGISTER")
                del table[key]
                changes.append(BindingChange(binding, BindingEvent.UNREGISTERED))
            return changes
        planned: list[tuple[tuple[str, str | None, str, int | None, str], str, int]] = []
        for contact in contacts:
            assert contact.address is not None
            uri = contact.address.uri
            if not isinstance(uri, SipUri):
                raise RegisterRefused(400, "Contact must be a SIP URI")
            try:
                lifetime = contact.expires
            except ParseError as exc:
                raise RegisterRefused(400, exc.reason) from None
            if lifetime is None:
                lifetime = expires if expires is not None else self.default_expires
            if 0 < lifetime < self.min_expires:
                # 10.3 step 7: "the registrar MAY reject the request with a 423
                # (Interval Too Brief)" and say its minimum in Min-Expires.
                raise RegisterRefused(
                    423, "Interval Too Brief", [("Min-Expires", str(self.min_expires))]
                )
            text = str(replace(uri, headers=()))
            if len(text) > MAX_CONTACT_LENGTH:
                raise RegisterRefused(403, f"Contact longer than {MAX_CONTACT_LENGTH} characters")
            planned.append((_binding_key(uri), text, min(lifetime, self.max_expires)))
        for key, _, _ in planned:
            old = table.get(key)
            if old is not None and old.call_id == call_id and cseq <= old.cseq:
                # 10.3 step 7: same Call-ID with a CSeq not above the stored one.
                raise RegisterRefused(500, "Out of order REGISTER")
        after = set(table)
        for key, _, lifetime in planned:
            if lifetime == 0:
                after.discard(key)
            else:
                after.add(key)
        if len(after) > self.max_bindings:
            # No code in RFC 3261 fits exactly; 403 says "understood, and
            # refused by policy: do not retry". 503 would send RFC 3263
            # clients to another server, and 423/400 name other problems.
            raise self._too_many()
        changes = []
        for key, text, lifetime in planned:
            old = table.get(key)
            if lifetime == 0:
                if old is not None:
                    del table[key]
                    changes.append(BindingChange(old, BindingEvent.UNREGISTERED))
                continue
            if old is None:
                binding = Binding(
                    aor=aor,
                    uri=text,
                    id=f"c{next(self._ids)}",
                    expires_at=now + lifetime,
                    call_id=call_id,
                    cseq=cseq,
                    registered_at=now,
                )
                event = BindingEvent.REGISTERED
            else:
                binding = replace(
                    old, uri=text, expires_at=now + lifetime, call_id=call_id, cseq=cseq
                )
                event = BindingEvent.REFRESHED
            table[key] = binding
            changes.append(BindingChange(binding, event))
        return changes

    def restore(self, bindings: Sequence[Binding]) -> int:
        """Put back bindings saved before a restart; returns how many were kept.

        Their ids are kept (watchers know contacts by them) and new ids
        continue after the highest. A binding whose contact is not a SIP
        URI, or one past `max_bindings` for its AoR, is left out.
        """
        kept = 0
        highest = 0
        for binding in bindings:
            try:
                uri = SipUri.parse(binding.uri)
            except ParseError:
                continue
            table = self._bindings.setdefault(binding.aor, {})
            key = _binding_key(uri)
            if key not in table and len(table) >= self.max_bindings:
                continue
            kept += key not in table
            table[key] = binding
            if binding.id[1:].isdigit():
                highest = max(highest, int(binding.id[1:]))
        self._ids = itertools.count(highest + 1)
        return kept

    def _too_many(self) -> RegisterRefused:
        return RegisterRefused(403, f"Too many registered devices (limit {self.max_bindings})")

    def expire(self, now: float) -> list[BindingChange]:
        """Remove every binding whose lifetime is over; report them EXPIRED."""
        changes = []
        for table in self._bindings.values():
            for key, binding in list(table.items()):
                if binding.expires_at <= now:
                    del table[key]
                    changes.append(BindingChange(binding, BindingEvent.EXPIRED))
        return changes
