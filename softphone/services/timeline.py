"""Each outgoing message's whole story, stored for its details view.

Queued; each request that went on the wire (server, transport, CSeq); each
response (code and reason, from where); each state it reached; each receipt
(RFC 5438) with its time. Read from the services' callbacks and the agent's
trace, so the sending path itself carries no bookkeeping.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable

from softphone.agent import UserAgent
from softphone.services.messaging import Messaging
from softphone.services.receipts import ReceiptEvent, Receipts
from softphone.sip.delivery import DeliveryState
from softphone.store import Direction, MessageId, MessageRecord, Store
from softphone.trace import TraceEntry, Traffic

log = logging.getLogger(__name__)

__all__ = ["Timeline"]

_CALL_ID = re.compile(rb"^(?:Call-ID|i)[ \t]*:[ \t]*([^\r\n]+)", re.IGNORECASE | re.MULTILINE)
_CSEQ = re.compile(rb"^CSeq[ \t]*:[ \t]*(\d+)[ \t]+MESSAGE\b", re.IGNORECASE | re.MULTILINE)
_CONTENT_TYPE = re.compile(
    rb"^(?:Content-Type|c)[ \t]*:[ \t]*([^;\r\n]+)", re.IGNORECASE | re.MULTILINE
)
_STATUS = re.compile(rb"^SIP/2\.0 (\d{3}) ?([^\r\n]*)")
# Wire identities seen (retransmissions are not new steps); forgotten in bulk.
_SEEN_LIMIT = 4096


class Timeline:
    """Writes message events to the store."""

    def __init__(
        self,
        agent: UserAgent,
        messaging: Messaging,
        receipts: Receipts,
        store: Store,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._messaging = messaging
        self._clock = clock
        self._seen: set[tuple[bytes, ...]] = set()
        self._ours: dict[bytes, MessageId | None] = {}
        messaging.on_message_added(self._on_added)
        messaging.on_message_state(self._on_state)
        receipts.on_receipt(self._on_receipt)
        # Only what can be a step: our MESSAGEs going out, responses coming in.
        agent.add_observer(self._on_wire, Traffic.REQUESTS_OUT | Traffic.RESPONSES_IN)

    def _add(self, message_id: MessageId, kind: str, detail: str, code: int | None = None) -> None:
        try:
            self._store.add_event(message_id, kind, detail, code=code, now=self._clock())
        except Exception:  # the timeline must never break sending
            log.exception("cannot record a message event")

    def _on_added(self, record: MessageRecord) -> None:
        if record.direction is Direction.OUT:
            self._add(record.id, "queued", "written and stored, waiting to be sent")

    def _on_state(self, record: MessageRecord) -> None:
        if record.state is DeliveryState.QUEUED and record.call_id:
            # Going again under the same Call-ID and CSeq (a resend): its
            # requests and answers are new steps, not retransmissions.
            call_id = record.call_id.encode()
            self._seen = {key for key in self._seen if key[1] != call_id}
        detail = record.detail
        if record.resend_at is not None:
            # Not the recipient's answer: the automatic resend's plan.
            detail += time.strftime(
                "; will try again at %H:%M:%S", time.localtime(record.resend_at)
            )
        elif record.gave_up:
            detail += "; no more automatic resends (a day after the first attempt)"
        self._add(record.id, "state", detail, record.code)

    def _on_receipt(self, event: ReceiptEvent) -> None:
        imdn = event.imdn
        when = ""
        if imdn.timestamp is not None:
            when = time.strftime(" (sent %Y-%m-%d %H:%M:%S)", time.localtime(imdn.timestamp))
        effect = "" if event.applied else "; state unchanged"
        detail = f"receipt: {imdn.kind.value.split('-')[0]} {imdn.status.value}{when}{effect}"
        self._add(event.message.id, "receipt", detail)

    def _message_for(self, call_id: bytes) -> MessageId | None:
        sending = self._messaging.sending(call_id.decode("utf-8", "replace").strip())
        if sending is not None:
            return sending
        if call_id not in self._ours:
            if len(self._ours) > _SEEN_LIMIT:
                self._ours.clear()
            record = self._store.outgoing_by_call_id(call_id.decode("utf-8", "replace").strip())
            self._ours[call_id] = None if record is None else record.id
        return self._ours[call_id]

    def _on_wire(self, entry: TraceEntry) -> None:
        head = entry.data.split(b"\r\n\r\n", 1)[0]
        outgoing_request = entry.direction is Direction.OUT and head.startswith(b"MESSAGE ")
        response = entry.direction is Direction.IN and head.startswith(b"SIP/2.0 ")
        if not (outgoing_request or response):
            return
        cseq = _CSEQ.search(head)
        call_id = _CALL_ID.search(head)
        if cseq is None or call_id is None:
            return
        # The call-id and CSeq are known to the store only once the message
        # was built; a receipt or typing indication is not in it.
        message_id = self._message_for(call_id.group(1))
        if message_id is None:
            if not outgoing_request:
                return
            self._ours.pop(call_id.group(1), None)  # it may be stored a moment later
            return
        where = f"{entry.remote.host}:{entry.remote.port} over {entry.transport.name}"
        if outgoing_request:
            key = (b"out", call_id.group(1), cseq.group(1), where.encode())
            if key in self._seen:
                return
            self._remember(key)
            found = _CONTENT_TYPE.search(head)
            kind = found.group(1).decode("ascii", "replace").strip() if found else "no body"
            detail = f"MESSAGE as {kind} (CSeq {int(cseq.group(1))}) to {where}"
            self._add(message_id, "sent", detail)
            return
        status = _STATUS.match(head)
        if status is None:
            return
        key = (b"in", call_id.group(1), cseq.group(1), status.group(1))
        if key in self._seen:
            return
        self._remember(key)
        code = int(status.group(1))
        reason = status.group(2).decode("utf-8", "replace")
        self._add(message_id, "response", f"{code} {reason} from {where}".strip(), code)

    def _remember(self, key: tuple[bytes, ...]) -> None:
        if len(self._seen) > _SEEN_LIMIT:
            self._seen.clear()
        self._seen.add(key)
