"""Blocking senders: the address a user types, as the store keys it.

A blocked sender's MESSAGEs are answered 603 Decline and never stored
(`services.messaging`). The window and the `softphone block` / `unblock` /
`blocked` commands both come through here, so they agree on what an address
is: ``bob@example.com`` and ``sip:Bob@EXAMPLE.com;transport=tcp`` block the
same sender.
"""

from __future__ import annotations

from softphone.phrase import say
from softphone.sip.aor import aor_key, parse_aor
from softphone.sip.errors import ParseError
from softphone.store import Store


def normalize_address(text: str) -> str:
    """A typed address as the store keys it: "bob@example.com" → "sip:bob@example.com".

    Raises:
        ValueError: *text* is not a SIP address with a user part (said in words).
    """
    text = text.strip()
    if not text:
        raise ValueError(str(say("Type an address like bob@example.com")))
    try:
        uri = parse_aor(text)
    except ParseError as exc:
        raise ValueError(
            str(say("{text} is not a SIP address: {reason}", text=repr(text), reason=exc.reason))
        ) from None
    if not uri.user:
        raise ValueError(
            str(
                say(
                    "{text} has no user part; type an address like bob@example.com", text=repr(text)
                )
            )
        )
    return aor_key(uri)


def set_blocked(store: Store, address: str, blocked: bool, *, now: float) -> str:
    """Block or unblock the sender *address*; returns the address as stored.

    Raises:
        ValueError: *address* is not a SIP address with a user part.
    """
    peer = normalize_address(address)
    store.set_blocked(peer, blocked, now=now)
    return peer


def blocked_addresses(store: Store) -> list[str]:
    """Every blocked address, sorted."""
    return sorted(contact.aor for contact in store.contacts() if contact.blocked)


__all__ = ["blocked_addresses", "normalize_address", "set_blocked"]
