"""The Welcome Notice application server (RFC 3680 §6).

The server subscribes to the reg event of each watched AoR at the registrar
and, when one of the AoR's devices registers, sends that device a welcome
MESSAGE (RFC 3428). "A device registers" is decided by comparing contact
sets, never by the ``event`` attribute alone: Kamailio repeats
``event="registered"`` for contacts that did not change, so a contact is
greeted when it is new or newly active by (registration id, contact id),
or when its URI or Call-ID changed (a re-registration after a reboot), and
the event says it registered (``registered`` or ``created``). A refresh
(``refreshed``, or the same URI and Call-ID again) is never greeted, and
devices already registered when the server starts are not greeted.

The MESSAGE goes straight to the device's contact URI (Request-URI = the
contact, To = the AoR). Through the proxy with that Request-URI Kamailio
answers 403 (the contact is not in its domain), and with the AoR as
Request-URI it would fork to every device; sending directly reaches exactly
the new device. No credentials are sent: a device's challenge is not the
account's server's, and the password is never offered to it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

from softphone.account import SipIdentity
from softphone.agent import TransactionFailed, UserAgent
from softphone.listeners import Listeners
from softphone.services.outbound import Outbound
from softphone.services.presence import (
    NotifyReceived,
    Presence,
    SubscribeOutcome,
    normalize_aor,
)
from softphone.sip import Headers, NameAddr, ParseError, Request, SipUri, new_call_id, new_tag
from softphone.sip.reginfo import ChangeKind, ContactChange, ContactEvent, ContactState
from softphone.transport.base import Address, Target, TransportKind

log = logging.getLogger(__name__)

__all__ = ["WELCOME_EVENTS", "WelcomeServer", "WelcomeStep", "contact_target"]

#: Contact events that mean "this device registered" (RFC 3680 §3.2, plus
#: Kamailio's ``created`` for a new contact).
WELCOME_EVENTS = frozenset({ContactEvent.REGISTERED, ContactEvent.CREATED})

CONTENT_TYPE = "text/plain;charset=UTF-8"


@dataclass(frozen=True)
class WelcomeStep:
    """One logged step: subscribed, notify, contact-active, message-sent ..."""

    step: str
    aor: str
    contact: str | None = None
    version: int | None = None
    state: str | None = None
    code: int | None = None
    reason: str = ""
    time: float = 0.0

    def as_dict(self) -> dict[str, object]:
        """The step as a JSON-ready dict, without empty fields."""
        return {k: v for k, v in asdict(self).items() if v not in (None, "")}


StepCallback = Callable[[WelcomeStep], None]


def contact_target(contact: SipUri) -> Target:
    """Where a request for a device's *contact* URI goes (RFC 3263 for an IP host).

    Raises:
        ValueError: the transport parameter names no transport we have.
    """
    name = (contact.param("transport") or "").lower()
    if contact.scheme == "sips" or name == "tls":
        kind = TransportKind.TLS
    elif name in ("", "udp"):
        kind = TransportKind.UDP
    elif name == "tcp":
        kind = TransportKind.TCP
    else:
        raise ValueError(f"unsupported transport {name!r}")
    port = contact.port or kind.default_port
    return Target(Address(contact.host.strip("[]"), port), kind)


class WelcomeServer:
    """Greets each newly registered device of the watched AoRs once."""

    def __init__(
        self,
        presence: Presence,
        agent: UserAgent,
        account: SipIdentity,
        text: str,
        *,
        on_step: StepCallback | None = None,
        clock: Callable[[], float] = time.time,
        outbound: Outbound | None = None,
    ) -> None:
        """*outbound* is the app server's way out (by default one without
        credentials: a device's contact does not challenge)."""
        self._presence = presence
        self._agent = agent
        self._outbound = outbound or Outbound(agent, None)
        self._account = account
        self._text = text
        self._clock = clock
        self._steps: Listeners[[WelcomeStep]] = Listeners("welcome step", log)
        if on_step is not None:
            self._steps.add(on_step)
        # (aor, registration id, contact id) -> (uri, callid) of active contacts.
        self._active: dict[tuple[str, str, str], tuple[str, str | None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self.sent: list[tuple[str, str, int | None]] = []
        presence.on_contact_event(self._on_contact)
        presence.on_subscribe(self._on_subscribe)
        presence.on_notify(self._on_notify)

    def on_step(self, callback: StepCallback) -> None:
        """Call *callback* with every step (for logs and the command line)."""
        self._steps.add(callback)

    def watch(self, aor: str) -> None:
        """Subscribe to *aor* and greet its new devices.

        Raises:
            ValueError: *aor* is not a SIP address.
        """
        self._presence.watch(aor)

    async def drain(self, timeout: float = 10.0) -> None:
        """Wait (at most *timeout* s) until every welcome MESSAGE has its answer."""
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=timeout)

    async def stop(self) -> None:
        """Cancel welcome MESSAGEs still on their way."""
        for task in list(self._tasks):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    # -- presence events --------------------------------------------------------

    def _on_subscribe(self, outcome: SubscribeOutcome) -> None:
        if outcome.kind != "initial":
            return
        ok = outcome.status is not None and 200 <= outcome.status < 300
        challenged = outcome.status in (401, 407)
        if challenged:
            return  # answered with credentials; the retry's answer follows
        self._step(
            WelcomeStep(
                "subscribed" if ok else "subscribe-failed",
                outcome.aor,
                code=outcome.status,
                reason=outcome.reason,
            )
        )

    def _on_notify(self, notify: NotifyReceived) -> None:
        self._step(
            WelcomeStep(
                "notify",
                notify.aor,
                version=notify.version,
                state=notify.subscription_state,
                code=notify.status,
                reason=notify.reason or "",
            )
        )

    def _on_contact(self, aor: str, change: ContactChange) -> None:
        contact = change.contact
        key = (aor, change.registration_id, contact.id)
        if change.kind is ChangeKind.REMOVED or contact.state is not ContactState.ACTIVE:
            self._active.pop(key, None)
            return
        identity = (contact.uri, contact.callid)
        previous = self._active.get(key)
        self._active[key] = identity
        if not self._presence.synced(aor):
            # The first snapshot: these devices registered before we watched.
            return
        if previous == identity or contact.event not in WELCOME_EVENTS:
            # Same binding reported again (Kamailio repeats "registered"), or
            # a refresh: not a new registration.
            return
        self._step(
            WelcomeStep(
                "contact-active", aor, contact=contact.uri, state=str(_event_name(contact.event))
            )
        )
        task = asyncio.get_running_loop().create_task(self._greet(aor, contact.uri))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- the MESSAGE ------------------------------------------------------------

    async def _greet(self, aor: str, contact: str) -> None:
        try:
            uri = SipUri.parse(contact)
            target = contact_target(uri)
        except (ParseError, ValueError) as exc:
            self._finish(aor, contact, None, f"cannot reach the device: {exc}")
            return
        request = self._build(aor, uri)
        try:
            # The device's own contact, not the account's servers: the
            # MESSAGE must reach exactly that device (RFC 3428 4).
            response = (await self._outbound.send(lambda _t: request, targets=target)).response
        except TransactionFailed as exc:
            self._finish(aor, contact, None, exc.reason)
            return
        except LookupError as exc:
            self._finish(aor, contact, None, str(exc))
            return
        self._finish(aor, contact, response.status, response.reason)

    def _finish(self, aor: str, contact: str, code: int | None, reason: str) -> None:
        self.sent.append((aor, contact, code))
        step = "message-sent" if code is not None and 200 <= code < 300 else "message-failed"
        self._step(WelcomeStep(step, aor, contact=contact, code=code, reason=reason))

    def _build(self, aor: str, contact: SipUri) -> Request:
        account = self._account
        headers = Headers()
        sender = NameAddr(account.uri, account.display_name or None)
        headers.add("From", str(sender.with_tag(new_tag())))
        # RFC 3428 §4: To names the recipient (the AoR); the Request-URI is
        # the device's contact, so exactly that device gets it.
        headers.add("To", str(NameAddr(SipUri.parse(normalize_aor(aor)))))
        headers.add("Call-ID", new_call_id(account.domain))
        headers.add("CSeq", "1 MESSAGE")
        headers.add("Content-Type", CONTENT_TYPE)
        return Request("MESSAGE", contact, headers, self._text.encode("utf-8"))

    def _step(self, step: WelcomeStep) -> None:
        step = WelcomeStep(**{**asdict(step), "time": self._clock()})
        log.info("welcome: %s", step.as_dict())
        self._steps(step)


def _event_name(event: ContactEvent | str) -> str:
    return event.value if isinstance(event, ContactEvent) else event
