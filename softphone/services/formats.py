"""How an outgoing chat message goes on the wire: CPIM with IMDN, or plain text.

Text goes as `message/cpim` (RFC 3862) carrying ``imdn.Message-ID``,
``DateTime`` and ``imdn.Disposition-Notification: positive-delivery,
display`` (RFC 5438 6.4; ``display`` only while the user wants read
receipts). A peer that answers 415 or 488 gets the same message again at
once as ``text/plain`` and is remembered as plain-only; after
`PLAIN_RECHECK` seconds we try CPIM with it again (it may have been updated).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from softphone.account import Account
from softphone.services.content import PLAIN_CONTENT_TYPE, encode_cpim
from softphone.sip.cpim import cpim_address
from softphone.store import MessageRecord, Store

__all__ = ["PLAIN_RECHECK", "REFUSES_FORMAT", "OutgoingFormats", "Wire", "new_message_id"]

#: How long a peer stays plain-only before CPIM is tried again (7 days).
PLAIN_RECHECK = 7 * 24 * 3600.0
#: RFC 3261 21.4.13 Unsupported Media Type, 21.4.26 Not Acceptable Here:
#: the peer does not take CPIM; plain text may still get through.
REFUSES_FORMAT = (415, 488)


@dataclass(frozen=True, slots=True)
class Wire:
    """One way to send a message: its Content-Type and body."""

    content_type: str
    body: bytes

    @property
    def is_plain(self) -> bool:
        """True for ``text/plain``: nothing to fall back to."""
        return self.content_type == PLAIN_CONTENT_TYPE


def new_message_id() -> str:
    """A fresh RFC 5438 Message-ID: 96 random bits, URL-safe (6.3: globally unique)."""
    return secrets.token_urlsafe(12)


class OutgoingFormats:
    """Chooses the wire format per peer and remembers who refused CPIM."""

    def __init__(
        self,
        store: Store,
        account: Account,
        *,
        request_display: Callable[[], bool] = lambda: True,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._account = account
        self._request_display = request_display
        self._clock = clock

    def plain_only(self, peer: str) -> bool:
        """True while *peer* is remembered as taking text/plain only."""
        since = self._store.plain_only_since(peer)
        return since is not None and self._clock() - since < PLAIN_RECHECK

    def choices(self, record: MessageRecord) -> list[Wire]:
        """The formats to try for *record*, in order (the last is text/plain).

        Gives the message its Message-ID the first time (kept on retries, so
        the recipient recognises a resend).
        """
        plain = Wire(PLAIN_CONTENT_TYPE, record.body.encode("utf-8"))
        if self.plain_only(record.peer):
            return [plain]
        message_id = record.imdn_id
        if message_id is None:
            message_id = self._store.set_imdn_id(record.id, new_message_id()).imdn_id
            assert message_id is not None
        wanted = (
            ("positive-delivery", "display") if self._request_display() else ("positive-delivery",)
        )
        account = self._account
        content_type, body = encode_cpim(
            # No formal name: liblinphone 5.1 mis-reads a CPIM From with one
            # (quoted: "Message is invalid"; tokens: the Message-ID is lost,
            # so its receipts name something else). The SIP From has it.
            from_=cpim_address(account.aor),
            to=cpim_address(record.peer),
            now=self._clock(),
            content_type=PLAIN_CONTENT_TYPE,
            body=plain.body,
            message_id=message_id,
            disposition=wanted,
        )
        return [Wire(content_type, body), plain]

    def refused(self, peer: str) -> None:
        """*peer* answered 415/488 to CPIM: send it plain text from now on."""
        self._store.set_plain_only(peer, self._clock())

    def accepted(self, peer: str, wire: Wire) -> None:
        """*peer* took *wire*; CPIM taken again forgets an old plain-only mark."""
        if not wire.is_plain and self._store.plain_only_since(peer) is not None:
            self._store.set_plain_only(peer, None)
