"""Delivery and read receipts (RFC 5438 IMDN) for one account.

Sent: ``delivered`` for each received message that asks for
positive-delivery, once it is stored; ``displayed`` only when the window
says a person could have read it (`displayed()`), and only while the
account's "send read receipts" setting is on. The command line never calls
`displayed()`.

Received receipts move our outgoing messages forward through
`softphone.sip.delivery.after_receipt`: accepted only from the address the
message was sent to and only for a Message-ID we sent; a receipt that
arrives before the message's final response is kept and applied after it.
Receipts are never shown as chat and never answered with receipts.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from softphone.account import Account
from softphone.listeners import Listeners
from softphone.services.content import Composing, Receipt, encode_cpim
from softphone.services.courier import Courier
from softphone.services.formats import REFUSES_FORMAT, new_message_id
from softphone.services.messaging import Messaging
from softphone.sip.cpim import cpim_address
from softphone.sip.delivery import DeliveryState, after_receipt
from softphone.sip.imdn import IMDN_CONTENT_TYPE, Imdn, ImdnStatus, NotificationKind, build_imdn
from softphone.store import Direction, MessageId, MessageRecord, Store

log = logging.getLogger(__name__)

__all__ = ["ReceiptEvent", "Receipts"]


@dataclass(frozen=True, slots=True)
class ReceiptEvent:
    """A receipt that was accepted for one of our messages."""

    #: The message as it was when the receipt came.
    message: MessageRecord
    imdn: Imdn
    #: When it arrived here (POSIX time).
    received: float
    #: True when it moves the message's state (the state change follows).
    applied: bool


ReceiptCallback = Callable[[ReceiptEvent], None]


class Receipts:
    """Apply received IMDNs to our messages."""

    def __init__(
        self,
        messaging: Messaging,
        store: Store,
        *,
        courier: Courier | None = None,
        account: Callable[[], Account] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._messaging = messaging
        self._store = store
        self._courier = courier
        self._account = account
        self._clock = clock
        self._tasks: set[asyncio.Task[None]] = set()
        # Peers that answered 415/488 to a receipt get no more (RFC 5438 does
        # not oblige anyone to take them).
        self._refusing: set[str] = set()
        self._listeners: Listeners[[ReceiptEvent]] = Listeners("receipt", log)
        # Receipts that came before their message's final response.
        self._early: dict[MessageId, list[tuple[Imdn, float]]] = {}
        messaging.on_signal(self._on_signal)
        messaging.on_message_state(self._on_state)
        messaging.on_message_added(self._on_added)

    def on_receipt(self, callback: ReceiptCallback) -> None:
        """Call *callback* with every accepted receipt."""
        self._listeners.add(callback)

    def _on_signal(self, peer: str, value: Receipt | Composing) -> None:
        if isinstance(value, Receipt):
            self.receive(peer, value.imdn)

    def receive(self, peer: str, imdn: Imdn) -> None:
        """Take a receipt that *peer* sent (already answered 200)."""
        record = self._store.outgoing_by_imdn_id(imdn.message_id)
        if record is None or record.direction is not Direction.OUT:
            log.info("receipt from %s for unknown Message-ID %r: ignored", peer, imdn.message_id)
            return
        if record.peer != peer:
            # Only the address the message went to may say what became of it.
            log.info("receipt from %s for a message sent to %s: ignored", peer, record.peer)
            return
        now = self._clock()
        if record.state in (
            DeliveryState.QUEUED,
            DeliveryState.SENDING,
        ) or self._messaging.settling(record.id):
            # RFC 5438 does not order a receipt after the 200: keep it (also
            # while the 200's state is committed but not yet announced).
            self._early.setdefault(record.id, []).append((imdn, now))
            return
        self._apply(record, imdn, now)

    def _apply(self, record: MessageRecord, imdn: Imdn, received: float) -> None:
        outcome = after_receipt(record.state, imdn.kind, imdn.status)
        # Listeners hear of the receipt first, then of the state it gave.
        event = ReceiptEvent(record, imdn, received, outcome is not None)
        self._listeners(event)
        if outcome is not None:
            self._messaging.advance(record.id, *outcome)

    def _on_state(self, record: MessageRecord) -> None:
        if record.id not in self._early or not record.state.is_final:
            return
        early = self._early.pop(record.id)
        # Later, not inside this callback: every listener sees the final
        # response's state before the receipt's.
        asyncio.get_running_loop().call_soon(self._apply_early, record.id, early)

    def _apply_early(self, message_id: MessageId, early: list[tuple[Imdn, float]]) -> None:
        for imdn, received in early:
            self._apply(self._store.message(message_id), imdn, received)

    # -- sending ------------------------------------------------------------------

    def _on_added(self, record: MessageRecord) -> None:
        # Called once the message is stored (and answered): RFC 5438 7.1.1
        # "delivered" means it reached the recipient's device, which it has.
        if (
            record.direction is Direction.IN
            and record.disposition  # most messages ask for no receipt
            and "positive-delivery" in _wanted(record)
        ):
            self._send(record, NotificationKind.DELIVERY, ImdnStatus.DELIVERED)

    def displayed(self, message_ids: Iterable[MessageId]) -> int:
        """A person could have read these messages: send "displayed" for them.

        Only the window calls this, for messages of the open conversation in
        view while the window is active. Each message gets at most one
        receipt, only if its sender asked for display notifications, and
        none while the account's "send read receipts" setting is off.
        Returns how many receipts were sent.
        """
        if self._account is None or not self._account().send_read_receipts:
            return 0
        sent = 0
        for message_id in message_ids:
            record = self._store.message(message_id)
            if record.direction is not Direction.IN or "display" not in _wanted(record):
                continue
            if self._store.mark_display_reported(message_id):
                self._send(record, NotificationKind.DISPLAY, ImdnStatus.DISPLAYED)
                sent += 1
        return sent

    def _send(self, record: MessageRecord, kind: NotificationKind, status: ImdnStatus) -> None:
        if self._courier is None or self._account is None or record.imdn_id is None:
            return
        if record.peer in self._refusing:
            return
        account = self._account()
        document = build_imdn(
            message_id=record.imdn_id,
            kind=kind,
            status=status,
            sent_at=record.created,
            recipient_uri=account.aor,
        )
        # RFC 5438 7.1.1.1: the IMDN goes in CPIM with its own Message-ID and
        # no Disposition-Notification (a receipt is never answered).
        content_type, body = encode_cpim(
            # No formal name: liblinphone 5.1 mis-reads a CPIM From with one
            # (quoted: "Message is invalid"; tokens: the Message-ID is lost,
            # so its receipts name something else). The SIP From has it.
            from_=cpim_address(account.aor),
            to=cpim_address(record.peer),
            now=self._clock(),
            content_type=IMDN_CONTENT_TYPE,
            body=document,
            message_id=new_message_id(),
            content_headers=(("Content-Disposition", "notification"),),
        )
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop, no network: nothing can be sent
            return
        task = loop.create_task(self._deliver(record.peer, content_type, body))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, peer: str, content_type: str, body: bytes) -> None:
        assert self._courier is not None
        status = await self._courier.send(peer, content_type, body)
        if status in REFUSES_FORMAT:
            self._refusing.add(peer)

    async def drain(self) -> None:
        """Wait until every receipt on its way has its answer."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


def _wanted(record: MessageRecord) -> set[str]:
    return {t for t in record.disposition.split(",") if t}
