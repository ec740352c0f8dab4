"""Instant messages (RFC 3428): the outbox, delivery states, and the inbox.

Outgoing: the text is on disk (QUEUED) before anything goes on the wire;
it is sent when the account is ready, and every response moves it through
the one delivery-state table (`softphone.sip.delivery`), keeping the code
and reason phrase. Incoming: stored first, then answered 200 OK; a
retransmission or a retry with the same identity never becomes a second
message.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Awaitable, Callable, Sequence
from functools import partial

from softphone.account import Account
from softphone.agent import IncomingRequest, TransactionFailed, UserAgent
from softphone.groupcommit import GroupCommit
from softphone.listeners import Listeners
from softphone.location import LocationError
from softphone.resend_policy import HELD, ResendPolicy
from softphone.services import content
from softphone.services.formats import REFUSES_FORMAT, OutgoingFormats, Wire
from softphone.services.outbound import Outbound
from softphone.sip import Headers, NameAddr, Request, SipUri, new_call_id, new_tag
from softphone.sip.aor import aor_key
from softphone.sip.auth import AuthenticationFailed, DigestClient
from softphone.sip.delivery import DeliveryState, FailureKind, failure_reason, from_response
from softphone.sip.errors import ParseError
from softphone.store import (
    Direction,
    MessageId,
    MessageRecord,
    NotFound,
    ResendSchedule,
    Store,
)
from softphone.transport.base import Target, TransportKind

log = logging.getLogger(__name__)

#: RFC 3428 5: a MESSAGE outside a session MUST NOT exceed 1300 bytes
#: unless the path is congestion controlled; over UDP we never send more.
UDP_BODY_LIMIT = 1300

CONTENT_TYPE = "text/plain;charset=UTF-8"

#: MIME types a received MESSAGE may carry; others get 415 with Accept.
ACCEPTED_TYPES = content.ACCEPTED_TYPES


class MessageRefused(Exception):
    """The message cannot be sent at all; the text says why, for people."""


MessageCallback = Callable[[MessageRecord], None]
#: Told of a receipt or typing indication from a peer (never stored as chat).
SignalCallback = Callable[[str, "content.Receipt | content.Composing"], None]
#: Finds the next hop for a peer: the servers to try, in order (or just one).
LocateNextHop = Callable[[str], Awaitable[Target | Sequence[Target]]]


#: The address of record of a URI (`softphone.sip.aor`): the store's key for a peer.
peer_of = aor_key


class Messaging:
    """Send and receive SIP MESSAGE for one account."""

    def __init__(
        self,
        agent: UserAgent,
        account: Account,
        store: Store,
        digest: DigestClient | None,
        locate_next_hop: LocateNextHop,
        *,
        is_ready: Callable[[], bool] = lambda: True,
        clock: Callable[[], float] = time.time,
        outbound: Outbound | None = None,
        formats: OutgoingFormats | None = None,
        resend: ResendPolicy | None = None,
    ) -> None:
        """*outbound* is the account's way out (one is made from *digest*
        when none is given); *resend* the automatic resend's back-off and
        window (`softphone.resend_policy`)."""
        self._agent = agent
        self._account = account
        self._store = store
        self._outbound = outbound or Outbound(agent, digest)
        # Incoming rows and the states of messages on their way are committed
        # in groups: a burst pays for one sync of the disk, not one per row.
        self._writes = GroupCommit(store)
        self._locate = locate_next_hop
        self._is_ready = is_ready
        self._clock = clock
        #: CPIM with IMDN and the plain-text fallback; None sends text/plain.
        self._formats = formats
        #: Which failures are sent again on their own, and when.
        self.resend_policy = resend or ResendPolicy()
        self._added: Listeners[[MessageRecord]] = Listeners("message added", log)
        self._changed: Listeners[[MessageRecord]] = Listeners("message state", log)
        self._store_problems: Listeners[[str]] = Listeners("store problem", log)
        #: The sentence last reported about storing, until a store succeeds.
        self._store_problem: str | None = None
        self._signals: Listeners[[str, content.Receipt | content.Composing]] = Listeners(
            "signal", log
        )
        self._tasks: set[asyncio.Task[None]] = set()
        self._in_flight: set[MessageId] = set()
        # Messages asked to go again while their last attempt was still
        # winding down (its final state already shown, so Retry was offered).
        self._again: set[MessageId] = set()
        # Call-ID -> message on its way: a request is named before the group
        # holding its wire identity is committed.
        self._on_the_wire: dict[str, MessageId] = {}
        # Messages with a state written but not yet announced, and how many.
        self._settling: dict[MessageId, int] = {}
        # Messages to one peer leave in the order they were written: one at
        # a time, and none while one written before it waits for its
        # automatic resend (`_held`).
        self._peer_locks: dict[str, asyncio.Lock] = {}
        # Peers with a message kept back in this run: only their attempts'
        # ends look for what to send next (a burst to a peer scans nothing).
        self._holding: set[str] = set()
        #: Set by `stop()`: the app is quitting, nothing more is sent.
        self._stopped = False

    # -- wiring -----------------------------------------------------------------

    def on_message_added(self, callback: MessageCallback) -> None:
        """Call *callback* with every new message, sent or received."""
        self._added.add(callback)

    def on_message_state(self, callback: MessageCallback) -> None:
        """Call *callback* whenever an outgoing message changes state."""
        self._changed.add(callback)

    def on_store_problem(self, callback: Callable[[str], None]) -> None:
        """Call *callback* with a sentence when received messages cannot be saved.

        Once per problem: again only after a message was saved in between.
        """
        self._store_problems.add(callback)

    def _report_store_problem(self, sentence: str) -> None:
        if self._store_problem == sentence:
            return
        self._store_problem = sentence
        self._store_problems(sentence)

    def on_signal(self, callback: SignalCallback) -> None:
        """Call *callback* (peer, value) with every receipt and typing indication."""
        self._signals.add(callback)

    def start(self) -> list[MessageRecord]:
        """Take MESSAGE requests from the agent and recover the outbox.

        Messages left SENDING by a previous run are marked failed ("closed
        before the server answered"), given an automatic resend (with the
        same identity, so the recipient keeps one copy) and returned;
        queued ones go out when `flush()` runs.
        """
        self._agent.handle("MESSAGE", self._on_request, accept=ACCEPTED_TYPES)
        recovered = []
        for record in self._store.recover_after_restart(self._clock()):
            plan = self._plan(record, retry_after=None)
            record = self._store.reschedule(record.id, plan)
            recovered.append(record)
            self._changed(record)
        return recovered

    # -- sending ----------------------------------------------------------------

    def send(self, peer: str, text: str) -> MessageRecord:
        """Store *text* for *peer* and send it as soon as the account is ready.

        Returns the stored record (state QUEUED, or FAILED when it can never
        go out). Synchronous: only the database write happens before return.

        Raises:
            MessageRefused: *peer* is not a SIP address.
        """
        try:
            peer_uri = SipUri.parse(peer if ":" in peer else f"sip:{peer}")
        except ParseError as exc:
            raise MessageRefused(f"{peer!r} is not a SIP address: {exc.reason}") from exc
        record = self._store.insert_outgoing(peer_of(peer_uri), text, now=self._clock())
        self._added(record)
        if self._is_ready():
            self._schedule(record)
        return record

    def retry(self, message_id: MessageId) -> MessageRecord:
        """Send a failed or declined message again now (the user asked).

        Its id, Call-ID and Message-ID stay the same, so the recipient
        never keeps two copies; the automatic resends start over.

        Raises:
            softphone.store.NotFound: no message has that id.
            softphone.store.InvalidTransition: it is not failed or declined.
        """
        record = self._update(message_id, DeliveryState.QUEUED, resend=ResendSchedule.fresh())
        if self._is_ready():
            self._schedule(record)
        return record

    def resend(self, message_id: MessageId) -> MessageRecord:
        """Send a message planned for an automatic resend now (the resend timer's call).

        The failure count and the first attempt's time are kept. A message
        that is no longer waiting for a resend (the user retried it, or it
        was deleted) is left as it is.

        Raises:
            softphone.store.NotFound: no message has that id.
        """
        record = self._store.message(message_id)
        if record.state is not DeliveryState.FAILED or record.resend_at is None:
            return record
        record = self._update(message_id, DeliveryState.QUEUED)
        if self._is_ready():
            self._schedule(record)
        return record

    def postpone(self, message_id: MessageId) -> MessageRecord:
        """A planned resend is due but the account is not connected: plan the next.

        Counted as a failure, so the pause grows and the day still ends;
        the connection coming back sends it at once (`Resender`).

        Raises:
            softphone.store.NotFound: no message has that id.
        """
        record = self._store.message(message_id)
        if record.state is not DeliveryState.FAILED or record.resend_at is None:
            return record
        record = self._store.reschedule(message_id, self._plan(record, retry_after=None))
        self._changed(record)
        return record

    def _plan(self, record: MessageRecord, *, retry_after: float | None) -> ResendSchedule:
        """The schedule after a failure of *record* that is not the recipient's answer."""
        plan = self.resend_policy.plan(
            now=self._clock(),
            attempts=record.attempts,
            first_attempt=record.first_attempt,
            retry_after=retry_after,
        )
        return ResendSchedule(plan.attempts, plan.resend_at, gave_up=plan.gave_up)

    def advance(self, message_id: MessageId, state: DeliveryState, reason: str) -> MessageRecord:
        """Move a message forward after a receipt and tell the state listeners.

        Raises:
            softphone.store.InvalidTransition: a receipt cannot make that move.
        """
        record = self._store.advance_state(message_id, state, reason=reason, now=self._clock())
        self._changed(record)
        return record

    def sending(self, call_id: str) -> MessageId | None:
        """The message being sent under *call_id* now, if any.

        Its wire identity reaches the store with the next group commit; this
        names it before that (and while its requests are on the wire).
        """
        return self._on_the_wire.get(call_id)

    def settling(self, message_id: MessageId) -> bool:
        """True while a state of the message is on its way to the disk, not yet announced.

        Its group is committed on another thread, so the store may already
        hold the new state a moment before the state listeners hear of it;
        whoever decides from the stored state (a receipt) waits for them.
        """
        return message_id in self._settling

    def give_up(self, message_id: MessageId, reason: str) -> MessageRecord:
        """Mark a message that is still QUEUED as failed here, with *reason*.

        For a caller that cannot wait any longer (the command line when the
        account never registers); a message already on its way is left to
        its transaction and returned as it is.

        Raises:
            softphone.store.NotFound: no message has that id.
        """
        record = self._store.message(message_id)
        if record.state is not DeliveryState.QUEUED or message_id in self._in_flight:
            return record
        return self._update(message_id, DeliveryState.FAILED, reason=reason, local_failure=True)

    def flush(self) -> None:
        """Send every queued message (call when registration succeeds).

        One that waits behind an earlier message to its peer stays queued.
        """
        for record in self._store.pending_outgoing():
            self._schedule(record)

    def release(self, peer: str) -> None:
        """Send the messages to *peer* that waited behind one that is gone.

        Call when a message was deleted: those written after it no longer
        wait for its resend. Sending and resending call it themselves.
        """
        if not self._is_ready():
            return  # `flush` sends them when the account is ready
        waiting = self._store.resend_waiting(peer)
        if waiting is None:
            self._holding.discard(peer)  # whatever was kept back goes now
        for record in self._store.pending_outgoing(peer):
            if waiting is not None and record.id > waiting.id:
                break  # still behind it (the rest too: oldest first)
            if record.id not in self._in_flight:
                self._schedule(record)

    async def drain(self) -> None:
        """Wait until nothing is on its way, then commit what is still queued."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        self._writes.flush()

    async def stop(self) -> None:
        """Stop sending (the app is quitting), before the transports close.

        A delivery under way is cancelled where it is, its states written so
        far committed. A message already on the wire is failed as "closed
        before the server answered", with an automatic resend (the same
        identity, so the recipient keeps one copy) when the policy resends;
        one not yet sent stays QUEUED for the next start. Sending on after
        the transports are gone would fail every message as the network's
        fault. Without automatic resends (`softphone send`, one attempt)
        nothing cut off is left to be sent later unasked.
        """
        self._stopped = True
        cut = sorted(self._in_flight)
        for task in list(self._tasks):
            task.cancel()
        await self.drain()
        for message_id in cut:
            self._cut_off(message_id)

    def _cut_off(self, message_id: MessageId) -> None:
        try:
            record = self._store.message(message_id)
        except NotFound:
            return  # deleted meanwhile
        automatic = self.resend_policy.automatic
        if record.state is not DeliveryState.SENDING and (
            automatic or record.state is not DeliveryState.QUEUED
        ):
            return
        kind = FailureKind.CLOSED_BEFORE_ANSWER
        resend = None
        if automatic and self.resend_policy.resendable(failure=kind):
            resend = self._plan(record, retry_after=None)
        self._update(
            message_id,
            DeliveryState.FAILED,
            reason=failure_reason(kind),
            local_failure=True,
            resend=resend,
        )

    def _schedule(self, record: MessageRecord) -> None:
        if self._stopped:
            return  # stored QUEUED: the next start sends it
        if record.id in self._in_flight:
            # The attempt before ends after its final state is announced:
            # a Retry clicked in between is sent when it has ended.
            self._again.add(record.id)
            return
        self._in_flight.add(record.id)
        task = asyncio.get_running_loop().create_task(self._deliver(record))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, record: MessageRecord) -> None:
        lock = self._peer_locks.setdefault(record.peer, asyncio.Lock())
        held = False
        try:
            async with lock:
                # Decided once the messages before it to this peer have had
                # their answers: one of them may now wait for a resend.
                held = await self._held(record)
                if not held:
                    await self._deliver_now(record)
        except Exception:  # a bug must not leave the message SENDING forever
            log.exception("sending message %s failed", record.id)
            await self._fail_locally(record, FailureKind.TRANSPORT_ERROR)
        finally:
            self._in_flight.discard(record.id)
            for call_id in [c for c, m in self._on_the_wire.items() if m == record.id]:
                del self._on_the_wire[call_id]
            if record.id in self._again:
                self._again.discard(record.id)
                self._schedule_if_queued(record.id)
            if not held and record.peer in self._holding:
                # Its attempt has ended: what waited behind it goes now,
                # unless it waits for a resend itself.
                self.release(record.peer)

    async def _held(self, record: MessageRecord) -> bool:
        """Keep *record* queued while a message written before it waits for a resend.

        Stored with the reason (`resend_policy.HELD`), so the window says
        why and a restart keeps it waiting; `release` sends it after.
        """
        if not self.resend_policy.automatic:
            return False  # nothing here sends the earlier one again
        if self._store.resend_waiting(record.peer, before=record.id) is None:
            return False
        self._holding.add(record.peer)
        current = self._store.message(record.id)
        if current.reason != HELD:
            await self._update_grouped(record.id, DeliveryState.QUEUED, reason=HELD)
        return True

    def _schedule_if_queued(self, message_id: MessageId) -> None:
        try:
            record = self._store.message(message_id)
        except NotFound:
            return  # deleted meanwhile
        if record.state is DeliveryState.QUEUED and self._is_ready():
            self._schedule(record)

    async def _deliver_now(self, record: MessageRecord) -> None:
        wires = (
            self._formats.choices(record)
            if self._formats is not None
            else [Wire(CONTENT_TYPE, record.body.encode("utf-8"))]
        )
        wire = wires[0]
        body = wire.body
        try:
            found = await self._locate(record.peer)
        except LocationError as exc:
            await self._fail_locally(record, FailureKind.NO_ROUTE, str(exc))
            return
        targets = [found] if isinstance(found, Target) else list(found)
        if not targets:
            await self._fail_locally(record, FailureKind.NO_ROUTE)
            return
        if len(body) > UDP_BODY_LIMIT and any(t.kind is TransportKind.UDP for t in targets):
            # RFC 3428 5: too big for UDP; TCP to the same hops if we have it.
            if self._agent.transport(TransportKind.TCP) is None:
                await self._fail_locally(record, FailureKind.TOO_LARGE)
                return
            targets = list(
                dict.fromkeys(Target(t.address, TransportKind.TCP, t.server_name) for t in targets)
            )
        # A resend is the same request to the recipient: the Call-ID, From
        # tag and CSeq it last went with (RFC 3261 8.2.2.2 dedupes on those
        # three; the CPIM Message-ID stays too, RFC 5438 6.3). A new Via
        # branch makes it a new transaction for every hop; the one before
        # has ended (it failed). A challenge still moves the CSeq on
        # (RFC 3261 22.2), and a challenged request was never relayed.
        call_id = record.call_id or new_call_id(self._account.domain)
        from_tag = record.from_tag or new_tag()
        cseq = record.cseq - 1 if record.cseq else 0
        # The CSeq the stored identity names (None: none stored yet).
        stored = record.cseq if record.call_id and record.from_tag else None
        if stored is None:
            # The first attempt's identity is committed with SENDING (in the
            # same group or one before it): a crash once the request has
            # left resends this request, never one the recipient cannot
            # tell is the same.
            self._writes.submit(
                self._store.wire_identity_write(record.id, call_id, cseq + 1, from_tag),
                _log_failure,
            )
            stored = cseq + 1
        # SENDING is on disk before the request is on the wire: after a crash
        # the message is reported as not answered, never sent twice unasked.
        record = await self._update_grouped(record.id, DeliveryState.SENDING)
        self._on_the_wire[call_id] = record.id

        def build(_target: Target) -> Request:
            nonlocal cseq, stored
            cseq += 1
            if cseq != stored:
                # Committed with the next group, before the final state (writes
                # are committed in the order they are submitted).
                self._writes.submit(
                    self._store.wire_identity_write(record.id, call_id, cseq, from_tag),
                    _log_failure,
                )
                stored = cseq
            return self._build(record.peer, wire.body, call_id, from_tag, cseq, wire.content_type)

        try:
            while True:
                # RFC 3263 4.3: a transport error, a timeout or a 503 moves the
                # message to the next server in a new transaction; a challenge
                # is answered by the server that sent it.
                response = (await self._outbound.send(build, targets=targets)).response
                if response.status not in REFUSES_FORMAT or wire is wires[-1]:
                    break
                # 415/488 to CPIM: the same message again at once as text/plain.
                assert self._formats is not None
                self._formats.refused(record.peer)
                wire = wires[-1]
        except AuthenticationFailed:
            await self._fail_locally(record, FailureKind.AUTH_FAILED)
            return
        except ParseError as exc:
            # A challenge we cannot read: the server's fault, but no
            # response code of ours to show for it.
            await self._fail_locally(record, FailureKind.AUTH_FAILED, exc.reason)
            return
        except TransactionFailed as exc:
            kind = FailureKind.TIMEOUT if exc.timed_out else FailureKind.TRANSPORT_ERROR
            await self._fail_locally(record, kind, None if exc.timed_out else exc.reason)
            return
        if self._formats is not None and 200 <= response.status < 300:
            self._formats.accepted(record.peer, wire)
        state = from_response(response.status)
        if state is DeliveryState.SENDING:
            # A 401/407 left unanswered (no password): that is a failure.
            state = DeliveryState.FAILED
        resend = None
        if (
            state is DeliveryState.FAILED
            and self.resend_policy.automatic
            and self.resend_policy.resendable(code=response.status)
        ):
            # Not the recipient's answer (408, 503, 504): sent again later,
            # never sooner than a Retry-After says (RFC 3261 21.5.4).
            after = response.retry_after
            resend = self._plan(record, retry_after=None if after is None else after.seconds)
        await self._update_grouped(
            record.id, state, code=response.status, reason=response.reason, resend=resend
        )

    def _build(
        self,
        peer: str,
        body: bytes,
        call_id: str,
        from_tag: str,
        cseq: int,
        content_type: str = CONTENT_TYPE,
    ) -> Request:
        account = self._account
        to_uri = SipUri.parse(peer)
        headers = Headers()
        headers.add(
            "From", str(NameAddr(account.uri, account.display_name or None).with_tag(from_tag))
        )
        headers.add("To", str(NameAddr(to_uri)))
        headers.add("Call-ID", call_id)
        headers.add("CSeq", f"{cseq} MESSAGE")
        if account.outbound_proxy:
            headers.add("Route", f"<sip:{account.outbound_proxy};lr>")
        headers.add("Content-Type", content_type)
        return Request(method="MESSAGE", uri=to_uri, headers=headers, body=body)

    async def _fail_locally(
        self, record: MessageRecord, kind: FailureKind, detail: str | None = None
    ) -> None:
        # The timer F sentence states the real length with this agent's T1.
        sentence = failure_reason(kind, timeout=self._agent.timers.timeout)
        if detail is None and kind is FailureKind.TRANSPORT_ERROR:
            # The transport said nothing more precise ("connection refused").
            detail = "connection error"
        reason = sentence if detail is None else f"{sentence} ({detail})"
        resend = None
        if self.resend_policy.automatic and self.resend_policy.resendable(failure=kind):
            # Nobody answered: sent again when the connection is back.
            resend = self._plan(record, retry_after=None)
        await self._update_grouped(
            record.id, DeliveryState.FAILED, reason=reason, local_failure=True, resend=resend
        )

    async def _update_grouped(
        self,
        message_id: MessageId,
        state: DeliveryState,
        *,
        code: int | None = None,
        reason: str = "",
        local_failure: bool = False,
        resend: ResendSchedule | None = None,
    ) -> MessageRecord:
        # A state change from the network: committed with the others of its
        # group, announced once it is on disk.
        write = self._store.state_write(
            message_id,
            state,
            code=code,
            reason=reason,
            local_failure=local_failure,
            now=self._clock(),
            resend=resend,
        )
        committed: asyncio.Future[MessageRecord] = asyncio.get_running_loop().create_future()
        self._settling[message_id] = self._settling.get(message_id, 0) + 1

        def done(record: MessageRecord, error: BaseException | None) -> None:
            # Announced as soon as the loop hears of its commit; until then
            # `settling` says the store may be ahead of the listeners.
            left = self._settling.pop(message_id, 1) - 1
            if left:
                self._settling[message_id] = left
            if error is not None:
                if not committed.done():  # its delivery was cancelled by `stop()`
                    committed.set_exception(error)
                return
            self._changed(record)
            if not committed.done():
                committed.set_result(record)

        self._writes.submit(write, done)
        return await committed

    def _update(
        self,
        message_id: MessageId,
        state: DeliveryState,
        *,
        code: int | None = None,
        reason: str = "",
        local_failure: bool = False,
        resend: ResendSchedule | None = None,
    ) -> MessageRecord:
        record = self._store.update_state(
            message_id,
            state,
            code=code,
            reason=reason,
            local_failure=local_failure,
            now=self._clock(),
            resend=resend,
        )
        self._changed(record)
        return record

    # -- receiving --------------------------------------------------------------

    def _on_request(self, incoming: IncomingRequest) -> None:
        request = incoming.request
        sender = request.from_
        uri = sender.uri
        peer = peer_of(uri) if isinstance(uri, SipUri) else str(uri)
        try:
            decoded = content.decode_incoming(request)
        except ParseError as exc:
            if self._refused_as_blocked(incoming, peer):
                return
            # RFC 3261 21.4.13: a 415 lists what we take.
            refusal = [("Accept", ", ".join(ACCEPTED_TYPES))] if exc.status == 415 else []
            if exc.status == 415:
                refusal.append(("Accept-Encoding", ", ".join(content.ACCEPTED_ENCODINGS)))
            incoming.respond(exc.status, exc.reason, headers=refusal)
            return
        if not isinstance(decoded, content.Chat):
            if self._refused_as_blocked(incoming, peer):
                return
            # Receipts and typing are signalling, never chat: answered, then told.
            incoming.respond(200)
            self._signals(peer, decoded)
            return
        # Header text as it came (ASCII: the usual case) is storable as it is.
        content_type = decoded.content_type
        call_id = request.call_id
        from_tag = sender.tag or ""
        display_name = sender.display_name or ""
        try:
            write = self._store.incoming_write(
                peer,
                decoded.text,
                content_type=content_type if content_type.isascii() else _storable(content_type),
                call_id=call_id if call_id.isascii() else _storable(call_id),
                cseq=request.cseq.seq,
                from_tag=from_tag if from_tag.isascii() else _storable(from_tag),
                now=self._clock(),
                display_name=display_name if display_name.isascii() else _storable(display_name),
                imdn_id=_storable(decoded.message_id) if decoded.message_id else None,
                disposition=",".join(sorted(decoded.disposition)) if decoded.disposition else "",
                # A blocked sender is found where the row would be written:
                # once per group, as the group's transaction sees the
                # contacts (a `softphone block` a moment ago included).
                unless_blocked=True,
            )
        except Exception as exc:
            # Never 200 for a message that is not on disk (disk full, locked).
            log.exception("cannot store an incoming message")
            incoming.respond(500, "Cannot store the message")
            self._report_store_problem(store_problem(exc))
            return
        # The 200 goes out when the group holding this row is committed.
        self._writes.submit(write, partial(self._stored, incoming))

    def _refused_as_blocked(self, incoming: IncomingRequest, peer: str) -> bool:
        """Answer 603 when *peer* is blocked (what is not chat: no row to write)."""
        if not self._store.is_blocked(peer):
            return False
        incoming.respond(603, "Decline")
        return True

    def _stored(
        self, incoming: IncomingRequest, result: object, error: BaseException | None
    ) -> None:
        if incoming.responded:
            return
        if error is not None:
            # Never 200 for a message that is not on disk (disk full, locked).
            log.error("cannot store an incoming message: %s", error)
            incoming.respond(500, "Cannot store the message")
            self._report_store_problem(store_problem(error))
            return
        if result is None:
            incoming.respond(603, "Decline")  # the sender is blocked; nothing stored
            return
        record, created = result  # type: ignore[misc]
        self._store_problem = None
        try:
            incoming.answer(200)
        except Exception:  # the agent closed while the row was being committed
            log.exception("cannot answer a stored message")
        if created:
            self._added(record)


#: What the window and `softphone listen` say when the disk is full.
DISK_FULL = "Your disk is full: messages cannot be saved"


def store_problem(exc: BaseException) -> str:
    """A sentence for a person about why a message could not be saved."""
    if isinstance(exc, sqlite3.OperationalError):
        code = getattr(exc, "sqlite_errorcode", None)
        # SQLITE_FULL, and SQLITE_IOERR (with its extended codes in the high
        # bytes) for a write the file system refused (ENOSPC, EFBIG).
        if code is not None and code & 0xFF in (sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR):
            return DISK_FULL
        if "disk" in str(exc) or "full" in str(exc):
            return DISK_FULL
    return "Messages cannot be saved: the message database refused them"


def _log_failure(_result: object, error: BaseException | None) -> None:
    if error is not None:
        log.error("cannot store a message's state: %s", error)


def _storable(text: str) -> str:
    """*text* with undecodable bytes (lone surrogates) as U+FFFD.

    Header text that was not UTF-8 on the wire reaches us with surrogate
    escapes; SQLite refuses those, and a message must never be refused for
    its sender's display name.
    """
    if text.isascii():
        return text  # no surrogate in it: the usual header value
    try:
        raw = text.encode("utf-8", "surrogateescape")  # the bytes as they came
    except UnicodeEncodeError:  # a lone surrogate of another origin
        raw = text.encode("utf-8", "surrogatepass")
    return raw.decode("utf-8", "replace")


__all__ = [
    "ACCEPTED_TYPES",
    "CONTENT_TYPE",
    "DISK_FULL",
    "UDP_BODY_LIMIT",
    "Direction",
    "MessageRefused",
    "Messaging",
    "peer_of",
    "store_problem",
]
