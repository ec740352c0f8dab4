"""The subscriber side of RFC 6665 for the ``reg`` event package (RFC 3680).

A :class:`Subscription` is a sans-I/O state machine. It builds its own
SUBSCRIBE requests, consumes the responses to them and the NOTIFY requests of
its dialog, and says when it wants to run again through :attr:`deadline` and
:meth:`handle_timer`. Time is the ``now`` argument of every call.

Requests are built **without a Via header**: the UserAgent adds the top Via
(with a fresh branch) when it hands the request to a client transaction.
Content-Length is written by the message serializer.

Typical use by the presence service::

    sub = Subscription(watcher=me, target=buddy, contact=my_contact,
                       call_id_host="pc33.example.com")
    agent.send(sub.initial_request(now))
    ...
    sub.on_response(response, now)            # 1xx/2xx/4xx to our SUBSCRIBE
    status, reason = sub.on_notify(notify, now)  # answer the NOTIFY with it
    for event in sub.events(): ...            # StateChanged, NotifyBody, Terminated
    if (request := sub.handle_timer(now)) is not None:
        agent.send(request)                   # a refresh or a new subscription
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from softphone.sip.errors import LocalProtocolError, ParseError
from softphone.sip.headers import Headers
from softphone.sip.message import Request, Response, new_call_id, new_tag
from softphone.sip.reginfo import REGINFO_CONTENT_TYPE, ReginfoDocument, parse_reginfo
from softphone.sip.timers import T1
from softphone.sip.uri import NameAddr, SipUri, Uri

__all__ = [
    "DEFAULT_EXPIRES",
    "DEFAULT_RETRY_DELAY",
    "MAX_RETRY_DELAY",
    "SUBSCRIPTION_TRANSITIONS",
    "TIMER_N",
    "NotifyBody",
    "StateChanged",
    "SubInput",
    "SubState",
    "Subscription",
    "SubscriptionEvent",
    "Terminated",
    "Termination",
    "TerminationAction",
    "TerminationReason",
    "refresh_margin",
    "refresh_window",
]

#: RFC 3680 §4.1: the default duration of a reg subscription is 3761 s.
DEFAULT_EXPIRES = 3761
#: RFC 6665 §4.1.2.4 Timer N: wait this long for the first NOTIFY (64*T1).
TIMER_N = 64 * T1
#: Wait before resubscribing when the notifier asked for "later" without a
#: retry-after, and the first step of the back-off after repeated failures.
DEFAULT_RETRY_DELAY = 30.0
#: Cap of the back-off between automatic resubscriptions.
MAX_RETRY_DELAY = 600.0

# Final responses after which a refresh means the subscription is gone
# (RFC 6665 §4.1.2.2).
_REFRESH_FATAL = frozenset({404, 405, 410, 416, 480, 481, 482, 483, 484, 485, 489, 501, 604})
# Final responses to an initial SUBSCRIBE that are worth trying again later.
_RETRYABLE = frozenset({408, 480, 482, 483, 486, 500, 503, 504, 600})


def refresh_margin(expires: int) -> float:
    """How long before expiry a subscription is refreshed.

    A tenth of the duration, at least 5 s, never more than half of it, so a
    refresh has time for retransmissions and a digest round trip.
    """
    return min(max(expires * 0.1, 5.0), expires / 2)


def refresh_window(expires: int) -> float:
    """How much earlier than its due time a refresh may go.

    RFC 6665 4.1.2.2 lets a subscriber refresh at any time before expiry;
    going a little early lets the refreshes of many subscriptions share one
    wake-up. As much as the margin, at most a quarter of the time until the
    refresh is due, so a short subscription is not refreshed at once.
    """
    margin = refresh_margin(expires)
    return min(margin, (expires - margin) / 4)


class SubState(enum.Enum):
    """Where a subscription stands (RFC 6665 §4.1.2 and §4.1.3)."""

    #: Created; no SUBSCRIBE sent yet.
    INIT = "init"
    #: SUBSCRIBE sent; waiting for the first NOTIFY (Timer N running).
    NOTIFY_WAIT = "notify-wait"
    #: The notifier accepted the subscription but has not authorized it.
    PENDING = "pending"
    #: Notifications flow.
    ACTIVE = "active"
    #: Over; see :attr:`Subscription.termination` for why and what next.
    TERMINATED = "terminated"


class SubInput(enum.Enum):
    """What moves a subscription from one state to another."""

    #: The initial SUBSCRIBE is built (RFC 6665 4.1.2.1).
    SEND_INITIAL = "send-initial"
    #: A NOTIFY said Subscription-State: pending (RFC 6665 4.1.3).
    NOTIFY_PENDING = "notify-pending"
    #: A NOTIFY said Subscription-State: active.
    NOTIFY_ACTIVE = "notify-active"
    #: A terminated NOTIFY, a failure, our unsubscribe, Timer N, expiry.
    TERMINATE = "terminate"
    #: A terminated subscription starts again as a new dialog.
    RESTART = "restart"


_SS = SubState
_SI = SubInput

#: Every move a subscription may make (RFC 6665 4.1.2, 4.1.3); anything else
#: is a bug of the caller and raises LocalProtocolError.
SUBSCRIPTION_TRANSITIONS: Mapping[tuple[SubState, SubInput], SubState] = {
    (_SS.INIT, _SI.SEND_INITIAL): _SS.NOTIFY_WAIT,
    # A NOTIFY may come before the 2xx (4.1.2.4), and "pending" and "active"
    # may follow each other in either order (4.1.3).
    (_SS.NOTIFY_WAIT, _SI.NOTIFY_PENDING): _SS.PENDING,
    (_SS.NOTIFY_WAIT, _SI.NOTIFY_ACTIVE): _SS.ACTIVE,
    (_SS.PENDING, _SI.NOTIFY_PENDING): _SS.PENDING,
    (_SS.PENDING, _SI.NOTIFY_ACTIVE): _SS.ACTIVE,
    (_SS.ACTIVE, _SI.NOTIFY_PENDING): _SS.PENDING,
    (_SS.ACTIVE, _SI.NOTIFY_ACTIVE): _SS.ACTIVE,
    (_SS.NOTIFY_WAIT, _SI.TERMINATE): _SS.TERMINATED,
    (_SS.PENDING, _SI.TERMINATE): _SS.TERMINATED,
    (_SS.ACTIVE, _SI.TERMINATE): _SS.TERMINATED,
    # A new subscription is a new dialog (4.1.2.4, 4.1.3 "may attempt").
    (_SS.TERMINATED, _SI.RESTART): _SS.INIT,
}


class TerminationReason(enum.Enum):
    """Why a subscription ended.

    The first seven are the Subscription-State reasons of RFC 6665 §4.1.3;
    the others are local outcomes.
    """

    DEACTIVATED = "deactivated"
    PROBATION = "probation"
    REJECTED = "rejected"
    TIMEOUT = "timeout"
    GIVEUP = "giveup"
    NORESOURCE = "noresource"
    INVARIANT = "invariant"
    #: A terminated NOTIFY without a reason or with one RFC 6665 does not list.
    OTHER = "other"
    #: A non-2xx final response to the initial SUBSCRIBE (or a fatal one to a
    #: refresh); :attr:`Termination.status` holds the code.
    REQUEST_FAILED = "request-failed"
    #: Our SUBSCRIBE transaction failed locally (timeout, transport error).
    TRANSACTION_FAILED = "transaction-failed"
    #: No NOTIFY within Timer N after the SUBSCRIBE (RFC 6665 §4.1.2.4).
    NO_NOTIFY = "no-notify"
    #: The subscription ran out before a refresh succeeded.
    EXPIRED = "expired"
    #: We unsubscribed.
    UNSUBSCRIBED = "unsubscribed"


class TerminationAction(enum.Enum):
    """What the watcher should do after a termination."""

    RESUBSCRIBE_NOW = "resubscribe-now"
    RESUBSCRIBE_AFTER = "resubscribe-after"
    STOP = "stop"


@dataclass(frozen=True)
class Termination:
    """Why a subscription ended and what comes next.

    Attributes:
        reason: the reason.
        action: what RFC 6665 §4.1.3 says to do next.
        retry_after: the delay the notifier asked for (seconds), if any.
        delay: when ``action`` is not STOP, the seconds until
            :meth:`Subscription.handle_timer` starts a new subscription; it
            includes the back-off after repeated failures.
        status: the SIP status code for REQUEST_FAILED.
        detail: the raw reason token or the reason phrase, for display.
    """

    reason: TerminationReason
    action: TerminationAction
    retry_after: int | None = None
    delay: float | None = None
    status: int | None = None
    detail: str = ""


@dataclass(frozen=True)
class StateChanged:
    """The subscription moved from ``old`` to ``new``."""

    old: SubState
    new: SubState


@dataclass(frozen=True)
class NotifyBody:
    """An accepted NOTIFY carried a body.

    ``document`` is the parsed reginfo document when the body is
    ``application/reginfo+xml`` (it always is for an accepted body).
    """

    body: bytes
    content_type: str
    document: ReginfoDocument | None = None


@dataclass(frozen=True)
class Terminated:
    """The subscription ended; see ``termination``."""

    termination: Termination


SubscriptionEvent = StateChanged | NotifyBody | Terminated


# RFC 6665 §4.1.3, one entry per reason: the action and whether the
# notifier's retry-after applies.
_REASON_ACTIONS: dict[TerminationReason, TerminationAction] = {
    # "the subscriber SHOULD retry immediately with a new subscription"
    TerminationReason.DEACTIVATED: TerminationAction.RESUBSCRIBE_NOW,
    # "the subscriber SHOULD retry at some later time ... wait at least the
    # number of seconds specified by [retry-after]"
    TerminationReason.PROBATION: TerminationAction.RESUBSCRIBE_AFTER,
    # "Clients SHOULD NOT attempt to re-subscribe"
    TerminationReason.REJECTED: TerminationAction.STOP,
    # "not refreshed before it expired. Clients MAY re-subscribe immediately"
    TerminationReason.TIMEOUT: TerminationAction.RESUBSCRIBE_NOW,
    # "could not obtain authorization in a timely fashion"; honour retry-after
    TerminationReason.GIVEUP: TerminationAction.RESUBSCRIBE_AFTER,
    # "the resource state ... no longer exists. Clients SHOULD NOT attempt to
    # re-subscribe"
    TerminationReason.NORESOURCE: TerminationAction.STOP,
    # "the resource state is guaranteed not to change for the foreseeable
    # future. Clients SHOULD NOT attempt to re-subscribe"
    TerminationReason.INVARIANT: TerminationAction.STOP,
    # "If no reason code or an unknown reason code is present, the client MAY
    # attempt to re-subscribe at any time (unless a retry-after ...)"
    TerminationReason.OTHER: TerminationAction.RESUBSCRIBE_NOW,
}


class Subscription:
    """One reg-event subscription from ``watcher`` to ``target``.

    Args:
        watcher: our AoR (From).
        target: the watched AoR (To and the initial Request-URI).
        contact: our Contact URI, where NOTIFYs are sent.
        call_id_host: the host part of new Call-IDs.
        expires: the duration to ask for (RFC 3680 §4.1 default 3761 s).
        event_package: the Event package, ``reg`` for RFC 3680.
        accept: the body type we accept (``application/reginfo+xml``).
    """

    # Dialog state, (re)set by _new_dialog().
    _call_id: str
    _local_tag: str
    _remote_tag: str | None
    _route_set: tuple[NameAddr, ...]
    _remote_target: Uri
    _cseq: int
    _remote_cseq: int | None
    _expires_at: float | None
    _refresh_at: float | None
    _refresh_from: float | None
    _timer_n_at: float | None
    _refresh_outstanding: bool
    _send_now: bool
    _send_now_at: float
    _unsubscribed: bool
    _resubscribe_at: float | None
    _last_request_expires: int | None
    _last_was_initial: bool

    def __init__(
        self,
        *,
        watcher: NameAddr,
        target: NameAddr,
        contact: SipUri,
        call_id_host: str,
        expires: int = DEFAULT_EXPIRES,
        event_package: str = "reg",
        accept: str = REGINFO_CONTENT_TYPE,
    ) -> None:
        if expires <= 0:
            raise LocalProtocolError("a subscription must ask for a positive duration")
        self._watcher = watcher
        self._target = target
        self._contact = contact
        self._call_id_host = call_id_host
        self._expires = expires
        self._event_package = event_package
        self._accept = accept
        self._contact_line = f"<{contact}>"

        self._state = SubState.INIT
        self._termination: Termination | None = None
        self._events: list[SubscriptionEvent] = []
        #: The reginfo document of the last NOTIFY body accepted (parsed once,
        #: for whoever else wants to read it).
        self.last_document: ReginfoDocument | None = None
        self._failures = 0
        self._new_dialog()

    # ------------------------------------------------------------ properties

    @property
    def state(self) -> SubState:
        """The current :class:`SubState`."""
        return self._state

    @property
    def termination(self) -> Termination | None:
        """Why the subscription ended, while it is TERMINATED; else None."""
        return self._termination if self._state is SubState.TERMINATED else None

    @property
    def call_id(self) -> str:
        """The Call-ID of the current dialog."""
        return self._call_id

    @property
    def local_tag(self) -> str:
        """Our From tag in the current dialog."""
        return self._local_tag

    @property
    def remote_tag(self) -> str | None:
        """The notifier's tag, once a 2xx or NOTIFY told us."""
        return self._remote_tag

    @property
    def route_set(self) -> tuple[NameAddr, ...]:
        """The dialog's route set (RFC 3261 §12.1)."""
        return self._route_set

    @property
    def remote_target(self) -> Uri:
        """Where in-dialog requests go: the notifier's Contact, else the target AoR."""
        return self._remote_target

    @property
    def expires(self) -> int:
        """The duration asked for in the next SUBSCRIBE."""
        return self._expires

    @property
    def expires_at(self) -> float | None:
        """When the subscription runs out, once the notifier has said."""
        return self._expires_at

    @property
    def deadline(self) -> float | None:
        """When :meth:`handle_timer` should next run, or None."""
        if self._state is SubState.INIT:
            return None
        if self._state is SubState.TERMINATED:
            return self._resubscribe_at
        if self._send_now:
            return self._send_now_at
        if self._expires_at is None:
            # Neither a 2xx nor a NOTIFY yet: only Timer N is running.
            return self._timer_n_at
        due = self._expires_at if self._refresh_outstanding else self._refresh_at
        if self._state is SubState.NOTIFY_WAIT and self._timer_n_at is not None:
            # A 2xx came but no NOTIFY yet: Timer N still runs (§4.1.2.4).
            return min(self._timer_n_at, due) if due is not None else self._timer_n_at
        return due

    @property
    def due_from(self) -> float | None:
        """From when the work due at :attr:`deadline` may be done.

        The same as the deadline, except for a refresh, which may go up to
        :func:`refresh_window` early (:meth:`refresh_early`), so that a
        watcher can send the refreshes of many subscriptions on one wake-up.
        """
        deadline = self.deadline
        if (
            deadline is not None
            and self._refresh_from is not None
            and deadline == self._refresh_at
            and self._state in (SubState.ACTIVE, SubState.PENDING)
            and not (self._send_now or self._refresh_outstanding)
        ):
            return min(self._refresh_from, deadline)
        return deadline

    def events(self) -> list[SubscriptionEvent]:
        """Return and forget the events queued since the last call."""
        out, self._events = self._events, []
        return out

    # ------------------------------------------------------------- requests

    def initial_request(self, now: float) -> Request:
        """Build the initial SUBSCRIBE (RFC 6665 §4.1.2.1).

        Raises:
            LocalProtocolError: the subscription was already started.
        """
        if self._state is not SubState.INIT:
            raise LocalProtocolError("the initial SUBSCRIBE was already sent")
        self._move(SubInput.SEND_INITIAL)
        # RFC 6665 §4.1.2.4: Timer N starts when the SUBSCRIBE is sent.
        self._timer_n_at = now + TIMER_N
        return self._build(self._expires, initial=True)

    def refresh_request(self, now: float) -> Request:
        """Build a refreshing SUBSCRIBE in the dialog (RFC 6665 §4.1.2.2).

        Also the way to ask for full state again, e.g. after a reginfo
        version gap: every SUBSCRIBE makes the notifier send a full NOTIFY.

        Raises:
            LocalProtocolError: the subscription is not started or is over.
        """
        if self._state in (SubState.INIT, SubState.TERMINATED):
            raise LocalProtocolError(f"cannot refresh a subscription in state {self._state.name}")
        self._refresh_outstanding = True
        self._send_now = False
        return self._build(self._expires, initial=self._remote_tag is None)

    def refresh_early(self, now: float) -> Request | None:
        """The refresh, when *now* is in its window before it is due; else None.

        RFC 6665 4.1.2.2 lets a subscriber refresh at any time before the
        subscription expires. From :attr:`due_from` on this returns what
        :meth:`handle_timer` would return at the deadline.
        """
        due = self.due_from
        deadline = self.deadline
        if due is None or deadline is None or not due <= now < deadline:
            return None
        return self.refresh_request(now)

    def unsubscribe_request(self, now: float) -> Request:
        """Build the SUBSCRIBE with ``Expires: 0`` that ends the subscription.

        RFC 6665 §4.1.2.3: unsubscribing is a refresh with Expires 0; the
        notifier answers with a final NOTIFY, which is answered 200. The
        machine moves to TERMINATED with reason UNSUBSCRIBED at once.

        Raises:
            LocalProtocolError: nothing was subscribed, or it is already over.
        """
        if self._state in (SubState.INIT, SubState.TERMINATED):
            raise LocalProtocolError(f"cannot unsubscribe in state {self._state.name}")
        request = self._build(0, initial=self._remote_tag is None)
        self._unsubscribed = True
        self._terminate(Termination(TerminationReason.UNSUBSCRIBED, TerminationAction.STOP), now)
        return request

    def retry_request(self, now: float) -> Request:
        """Re-send the last SUBSCRIBE with the next CSeq, state unchanged.

        For the digest retry after a 401/407: the service adds the
        Authorization or Proxy-Authorization header to the returned request.

        Raises:
            LocalProtocolError: no SUBSCRIBE was sent yet.
        """
        if self._last_request_expires is None:
            raise LocalProtocolError("no SUBSCRIBE to retry")
        return self._build(self._last_request_expires, initial=self._last_was_initial)

    def _build(self, expires: int, *, initial: bool) -> Request:
        self._cseq += 1
        self._last_request_expires = expires
        self._last_was_initial = initial
        # Every line but CSeq and Expires is the same in each SUBSCRIBE of
        # a dialog until the notifier's tag or route set is learnt: those
        # lines are written and checked once, then copied per request.
        lines = self._lines
        if lines is None or lines[1] != self._remote_tag or lines[2] != self._route_set:
            lines = self._lines = (self._dialog_lines(), self._remote_tag, self._route_set)
        headers = lines[0].copy()
        headers.add("CSeq", f"{self._cseq} SUBSCRIBE")
        headers.add("Expires", str(expires))
        # Loose routing only (RFC 3261 §12.2.1.1 with an lr route set).
        return Request("SUBSCRIBE", self._remote_target, headers)

    def _dialog_lines(self) -> Headers:
        """The header lines of the dialog's SUBSCRIBEs but CSeq and Expires.

        Raises:
            LocalProtocolError: a value holds CR, LF or NUL.
        """
        watcher, tag = self._watcher, self._local_tag
        # A name-addr is always written with <>, so a tag appended to one
        # without parameters is its `with_tag` (RFC 3261 20.20), without a
        # new NameAddr per dialog.
        from_ = f"{watcher};tag={tag}" if not watcher.params else str(watcher.with_tag(tag))
        to = self._target if self._remote_tag is None else self._target.with_tag(self._remote_tag)
        return Headers(
            [
                *(("Route", str(route)) for route in self._route_set),
                ("Max-Forwards", "70"),
                ("From", from_),
                ("To", str(to)),
                ("Call-ID", self._call_id),
                ("Contact", self._contact_line),
                ("Event", self._event_package),
                ("Accept", self._accept),
            ]
        )

    # ------------------------------------------------------------ responses

    def on_response(self, response: Response, now: float) -> None:
        """Consume a response to our latest SUBSCRIBE.

        Responses to older requests (another CSeq or Call-ID) are ignored.
        401/407 change nothing: the service retries with :meth:`retry_request`.
        """
        try:
            call_id, cseq = response.call_id, response.cseq
        except ParseError:
            return
        if call_id != self._call_id or cseq.seq != self._cseq or cseq.method != "SUBSCRIBE":
            return
        status = response.status
        if status < 200 or status in (401, 407):
            return
        if self._state in (SubState.INIT, SubState.TERMINATED):
            # Late answers after a termination or our unsubscribe change nothing.
            return
        initial = self._last_was_initial
        self._refresh_outstanding = False

        if 200 <= status < 300:
            self._on_success(response, now, initial=initial)
        elif status == 423:
            # RFC 6665 §4.1.2.1 / RFC 3261 §10.2.8 style: a 423 carries
            # Min-Expires; ask again with at least that much.
            try:
                min_expires = response.min_expires
            except ParseError:
                min_expires = None
            if min_expires is None or min_expires <= self._expires:
                self._fail(response, now, initial=initial)
                return
            self._expires = min_expires
            self._send_now = True
            self._send_now_at = now
        elif initial:
            self._fail(response, now, initial=True)
        elif status in _REFRESH_FATAL:
            # RFC 6665 §4.1.2.2: "If a SUBSCRIBE request to refresh a
            # subscription receives a 404, 405, 410, 416, 480-485, 489, 501,
            # or 604 response, the subscriber MUST consider the subscription
            # terminated."
            self._fail(response, now, initial=False)
        else:
            # RFC 6665 §4.1.2.2: other failures to a refresh leave the original
            # subscription "valid for the duration of the most recently known
            # 'Expires' value"; no second refresh, it ends at expires_at.
            self._refresh_at = self._refresh_from = self._expires_at

    def on_transaction_failed(self, now: float) -> None:
        """Our SUBSCRIBE transaction failed locally (Timer F, transport error).

        An initial SUBSCRIBE that failed ends the subscription; a failed
        refresh leaves it valid until it expires (RFC 6665 §4.1.2.2).
        """
        if self._unsubscribed or self._state in (SubState.INIT, SubState.TERMINATED):
            return
        self._refresh_outstanding = False
        # A failed refresh: valid until it expires (RFC 6665 §4.1.2.2).
        self._refresh_at = self._refresh_from = self._expires_at
        if self._last_was_initial and self._remote_tag is None:
            self._terminate(
                self._retry_termination(
                    TerminationReason.TRANSACTION_FAILED, TerminationAction.RESUBSCRIBE_AFTER
                ),
                now,
            )

    def _on_success(self, response: Response, now: float, *, initial: bool) -> None:
        # RFC 6665 §4.1.2.1: "The 'Expires' header field in a 200-class
        # response to SUBSCRIBE indicates the actual duration"; it may be
        # shorter than asked for, never longer.
        try:
            granted = response.expires
        except ParseError:
            granted = None
        if granted is None or granted > self._expires:
            granted = self._expires
        self._set_expiry(granted, now)
        if not initial:
            # A refresh went through: the subscription survives, so the
            # back-off after earlier failures starts over.
            self._failures = 0
        if self._remote_tag is None:
            tag = response.to.tag
            if tag is not None:
                self._remote_tag = tag
                self._lines = None  # written without the tag: let them go
                # RFC 3261 §12.1.2: the UAC takes Record-Route in reverse order.
                self._route_set = tuple(reversed(_record_route(response)))
                self._update_target(response)

    def _fail(self, response: Response, now: float, *, initial: bool) -> None:
        status = response.status
        retry_after = None
        try:
            header = response.retry_after
            retry_after = header.seconds if header is not None else None
        except ParseError:
            pass
        if initial and (status in _RETRYABLE or retry_after is not None) and status != 481:
            termination = self._retry_termination(
                TerminationReason.REQUEST_FAILED,
                TerminationAction.RESUBSCRIBE_AFTER,
                retry_after=retry_after,
                status=status,
                detail=response.reason,
            )
        elif not initial:
            # The dialog is gone; a new subscription may work (RFC 6665 §4.1.2.2).
            termination = self._retry_termination(
                TerminationReason.REQUEST_FAILED,
                TerminationAction.RESUBSCRIBE_NOW,
                status=status,
                detail=response.reason,
            )
        else:
            # 3xx (not followed), 403, 404, 489 Bad Event, 603 ...: stop and say so.
            termination = Termination(
                TerminationReason.REQUEST_FAILED,
                TerminationAction.STOP,
                retry_after=retry_after,
                status=status,
                detail=response.reason,
            )
        self._terminate(termination, now)

    # --------------------------------------------------------------- NOTIFY

    def matches(self, request: Request) -> bool:
        """Whether a NOTIFY belongs to this subscription's dialog.

        RFC 6665 §4.1.3 / RFC 3261 §12.2.2: Call-ID, our tag in To, and the
        notifier's tag in From once known; the Event package must match.
        """
        try:
            if request.call_id != self._call_id or request.to.tag != self._local_tag:
                return False
            remote = request.from_.tag
            event = request.event
        except ParseError:
            return False
        if remote is None or (self._remote_tag is not None and remote != self._remote_tag):
            return False
        return event is not None and event.package.lower() == self._event_package.lower()

    def on_notify(self, request: Request, now: float, *, matched: bool = False) -> tuple[int, str]:
        """Consume a NOTIFY and return the status and reason to answer with.

        Returns (200, "OK") when accepted, (481, ...) when it matches no
        subscription of ours, (400, ...) when a header or the body is bad,
        (415, ...) for a body type we did not ask for, (500, ...) for an
        out-of-order CSeq. A rejected NOTIFY changes nothing. *matched*
        says the caller has just found that :meth:`matches` is true for it.
        """
        if request.method != "NOTIFY":
            raise LocalProtocolError("on_notify() takes NOTIFY requests")
        if not matched and not self.matches(request):
            # RFC 6665 §4.1.3: "If the NOTIFY request does not match a
            # subscription ... respond with a 481 (Subscription does not exist)."
            return 481, "Subscription does not exist"
        if self._state is SubState.INIT:
            # No SUBSCRIBE went out in this dialog: nothing to notify about.
            return 481, "Subscription does not exist"
        if self._state is SubState.TERMINATED and not self._unsubscribed:
            return 481, "Subscription does not exist"
        try:
            cseq = request.cseq.seq
            substate = request.subscription_state
            content_type = request.content_type
            # The notifier's Contact is the same in nearly every NOTIFY: read
            # it again only when its lines changed.
            contact_lines = request.headers.get_all("Contact")
            contacts = request.contact if contact_lines != self._contact_lines else None
        except ParseError as exc:
            return exc.status, exc.reason
        # RFC 3261 §12.2.2: a lower CSeq than the last one is out of order.
        if self._remote_cseq is not None and cseq < self._remote_cseq:
            return 500, "Out of order NOTIFY"
        if substate is None:
            # RFC 6665 §8.2.3: NOTIFY requests MUST contain Subscription-State.
            return 400, "Missing Subscription-State header"
        document = None
        mime = ""
        if request.body:
            mime = content_type.mime if content_type is not None else ""
            if mime != self._accept.lower():
                return 415, "Unsupported Media Type"
            if mime == REGINFO_CONTENT_TYPE:
                try:
                    document = parse_reginfo(request.body)
                except ParseError as exc:
                    return exc.status, exc.reason
        duplicate = self._remote_cseq == cseq
        self._remote_cseq = cseq
        if duplicate:
            # A retransmission that got past the transaction layer: the same
            # answer, no second effect.
            return 200, "OK"

        if self._remote_tag is None:
            # RFC 6665 §4.1.2.4: the NOTIFY may arrive before the 2xx and then
            # it creates the dialog; the UAS-side rule of RFC 3261 §12.1.1
            # takes Record-Route in order.
            self._remote_tag = request.from_.tag
            self._lines = None  # written without the tag: let them go
            self._route_set = tuple(_record_route(request))
        # RFC 6665 §4.3: NOTIFY is a target refresh request.
        if contacts is not None:
            self._contact_lines = contact_lines
            if contacts and contacts[0].address is not None:
                self._remote_target = contacts[0].address.uri
        if request.body:
            self.last_document = document
            self._events.append(NotifyBody(request.body, mime, document))
        if self._unsubscribed:
            # The final NOTIFY after our Expires: 0 (RFC 6665 §4.1.2.3).
            return 200, "OK"
        self._apply_substate(
            substate.state, substate.reason, substate.expires, substate.retry_after, now
        )
        return 200, "OK"

    def _apply_substate(
        self,
        state: str,
        reason: str | None,
        expires: int | None,
        retry_after: int | None,
        now: float,
    ) -> None:
        if state == "terminated":
            # RFC 6665 §4.1.3: "If the 'Subscription-State' header field value
            # is 'terminated', the subscriber MUST consider the subscription
            # terminated."
            try:
                why = TerminationReason(reason) if reason else TerminationReason.OTHER
            except ValueError:
                why = TerminationReason.OTHER
            if why not in _REASON_ACTIONS:  # a local reason spelled by the peer
                why = TerminationReason.OTHER
            self._terminate(self._termination_for(why, retry_after, reason or ""), now)
            return
        if expires is not None:
            # RFC 6665 §4.1.3: the "expires" parameter of an active or pending
            # NOTIFY may shorten the subscription; refresh accordingly.
            current = self._expires_at
            if current is None or now + expires < current:
                self._set_expiry(expires, now)
        # RFC 6665 §4.1.3: "active" means authorized; "pending" received but
        # not yet authorized. An unknown value is taken as pending: it
        # proves the subscription exists without claiming authorization.
        self._move(SubInput.NOTIFY_ACTIVE if state == "active" else SubInput.NOTIFY_PENDING)
        if self._expires_at is None:
            # A NOTIFY before the 2xx: keep Timer-N-like bookkeeping until the
            # 2xx or an expires parameter tells us the duration.
            self._set_expiry(self._expires, now)

    # ---------------------------------------------------------------- timer

    def handle_timer(self, now: float) -> Request | None:
        """Run whatever is due at ``now``; return a SUBSCRIBE to send, if any.

        Due work is, by state: the first NOTIFY not arriving within Timer N
        (terminate, NO_NOTIFY); a refresh coming due (return the refresh);
        the subscription running out while a refresh is unanswered
        (terminate, EXPIRED); a 423 asking for a longer Expires (return the
        re-sent SUBSCRIBE); a termination whose resubscribe delay has passed
        (return the initial SUBSCRIBE of a new dialog).
        """
        deadline = self.deadline
        if deadline is None or now < deadline:
            return None
        if self._state is SubState.TERMINATED:
            # A new subscription is a new dialog: new Call-ID, tag and CSeq.
            self._new_dialog()
            self._move(SubInput.RESTART)
            return self.initial_request(now)
        if self._send_now:
            self._send_now = False
            if self._remote_tag is None:
                return self._build(self._expires, initial=True)
            return self.refresh_request(now)
        if self._expires_at is None or self._state is SubState.NOTIFY_WAIT:
            if self._timer_n_at is not None and now >= self._timer_n_at:
                # RFC 6665 §4.1.2.4: when Timer N fires without a NOTIFY the
                # subscriber considers the subscription failed.
                self._terminate(
                    self._retry_termination(
                        TerminationReason.NO_NOTIFY, TerminationAction.RESUBSCRIBE_AFTER
                    ),
                    now,
                )
                return None
            if self._expires_at is None:
                return None
        if now >= self._expires_at:
            # Ran out without a successful refresh: like reason=timeout, a
            # new subscription may be tried at once.
            self._terminate(
                self._retry_termination(
                    TerminationReason.EXPIRED, TerminationAction.RESUBSCRIBE_NOW
                ),
                now,
            )
            return None
        if not self._refresh_outstanding:
            return self.refresh_request(now)
        return None

    # -------------------------------------------------------------- helpers

    def _new_dialog(self) -> None:
        self._call_id = new_call_id(self._call_id_host)
        self._local_tag = new_tag()
        self._remote_tag = None
        #: The lines every SUBSCRIBE of the dialog carries, with the remote
        #: tag and route set they were written for (see `_build`).
        self._lines: tuple[Headers, str | None, tuple[NameAddr, ...]] | None = None
        self._route_set = ()
        self._remote_target = self._target.uri
        #: The Contact lines the remote target was last taken from (the 2xx's
        #: or the last NOTIFY's).
        self._contact_lines: list[str] | None = None
        self._cseq = 0
        self._remote_cseq = None
        self._expires_at = None
        self._refresh_at = None
        self._refresh_from = None
        self._timer_n_at = None
        self._refresh_outstanding = False
        self._send_now = False
        self._send_now_at = 0.0
        self._unsubscribed = False
        self._resubscribe_at = None
        self._last_request_expires = None
        self._last_was_initial = True

    def _move(self, input_: SubInput) -> None:
        """Move by the table; a StateChanged event when the state changes.

        Raises:
            LocalProtocolError: *input_* is not allowed in the current state.
        """
        new = SUBSCRIPTION_TRANSITIONS.get((self._state, input_))
        if new is None:
            raise LocalProtocolError(
                f"subscription input {input_.name} is not allowed in state {self._state.name}"
            )
        if new is not self._state:
            self._events.append(StateChanged(self._state, new))
            self._state = new

    def _set_expiry(self, expires: int, now: float) -> None:
        self._expires_at = now + expires
        self._refresh_at = self._expires_at - refresh_margin(expires)
        self._refresh_from = self._refresh_at - refresh_window(expires)

    def _update_target(self, message: Response) -> None:
        try:
            contacts = message.contact
        except ParseError:
            return
        # A NOTIFY with the same Contact lines then leaves the target as it is.
        self._contact_lines = message.headers.get_all("Contact")
        if contacts and contacts[0].address is not None:
            self._remote_target = contacts[0].address.uri

    def _termination_for(
        self, reason: TerminationReason, retry_after: int | None, detail: str
    ) -> Termination:
        action = _REASON_ACTIONS[reason]
        if action is TerminationAction.STOP:
            return Termination(reason, action, retry_after=retry_after, detail=detail)
        if retry_after is not None:
            # RFC 6665 §4.1.3: with a retry-after the client "SHOULD NOT attempt
            # re-subscription until after the number of seconds specified".
            action = TerminationAction.RESUBSCRIBE_AFTER
        return self._retry_termination(reason, action, retry_after=retry_after, detail=detail)

    def _retry_termination(
        self,
        reason: TerminationReason,
        action: TerminationAction,
        *,
        retry_after: int | None = None,
        status: int | None = None,
        detail: str = "",
    ) -> Termination:
        self._failures += 1
        if action is TerminationAction.RESUBSCRIBE_NOW:
            base = 0.0
        elif retry_after is not None:
            base = float(retry_after)
        else:
            base = DEFAULT_RETRY_DELAY
        # Back off when subscriptions keep failing, so a notifier that ends
        # every subscription at once cannot drive a SUBSCRIBE storm.
        if self._failures > 1:
            backoff = min(DEFAULT_RETRY_DELAY * 2 ** (self._failures - 2), MAX_RETRY_DELAY)
            base = max(base, backoff)
        return Termination(
            reason, action, retry_after=retry_after, delay=base, status=status, detail=detail
        )

    def _terminate(self, termination: Termination, now: float) -> None:
        self._termination = termination
        self._resubscribe_at = (
            None
            if termination.action is TerminationAction.STOP or termination.delay is None
            else now + termination.delay
        )
        self._refresh_outstanding = False
        self._send_now = False
        self._move(SubInput.TERMINATE)
        self._events.append(Terminated(termination))


def _record_route(message: Request | Response) -> list[NameAddr]:
    routes = []
    for value in message.headers.values("Record-Route"):
        try:
            routes.append(NameAddr.parse(value))
        except ParseError:
            continue
    return routes
