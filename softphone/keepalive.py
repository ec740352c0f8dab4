"""Keep-alives and dead-flow detection toward the registrar (RFC 5626 4.4).

A NAT forgets an idle UDP binding after as little as 30 s, and a registrar
that died leaves a client believing it is registered until the next
refresh, minutes later. `KeepAlive` watches the flow the registration runs
on:

- on TCP and TLS it sends a CRLFCRLF ping every interval and expects the
  CRLF pong within `pong_timeout` (RFC 5626 4.4.1); none, or a connection
  that closes or resets, means the flow is dead;
- on UDP it sends a CRLF every interval, enough to keep a NAT binding
  open. UDP has no pong, so when nothing came from the server during the
  last interval (and at the latest every `probe_every` intervals) an
  OPTIONS request goes too; no answer within `pong_timeout` means the
  server is gone. A lost server is thus noticed within one interval plus
  the probe's wait, not at the next refresh or after timer F (32 s). And
  sooner when the transport finds it first: a request to the server that
  goes unanswered has its destination probed (`UdpTransport.probe`), and
  an ICMP "port unreachable" there reports the flow dead at once.

When the flow dies it calls `on_dead(target, reason)` once and stops; the
owner re-registers (on the next server) and calls `watch()` again.

An idle app wakes for little else, so a keep-alive costs one timer and no
task: it is armed at the next tick, or, while a ping or a probe waits, at
its deadline; the answer moves it to the next tick. The tick goes at a time
another timer already wakes the loop at when one falls in the 80-100 %
window (`softphone.wakeups`), else at a random time in it.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable

from softphone import wakeups
from softphone.account import DEFAULT_KEEPALIVE_INTERVAL
from softphone.agent import TransactionFailed, UserAgent
from softphone.sip import Headers, NameAddr, Request, SipUri, new_call_id, new_tag
from softphone.transport.base import Address, Target
from softphone.transport.stream import StreamTransport
from softphone.transport.udp import UdpTransport
from softphone.wakeups import Wakeup

__all__ = [
    "DEFAULT_INTERVAL",
    "PING",
    "PONG_TIMEOUT",
    "UDP_KEEPALIVE",
    "KeepAlive",
    "options_probe",
]

log = logging.getLogger(__name__)

#: Seconds between keep-alives. RFC 5626 4.4.1 has UDP clients send every
#: 24-29 s because common NATs drop idle UDP bindings after 30 s; 25 s sits
#: in that range. The same value serves TCP and TLS: a 4-byte ping is cheap,
#: and a dead server is noticed within half a minute rather than the 95-120 s
#: RFC 5626 suggests for connection-oriented flows.
DEFAULT_INTERVAL = DEFAULT_KEEPALIVE_INTERVAL

#: RFC 5626 4.4.1: "If a pong is not received within 10 seconds, the UA
#: considers the flow failed".
PONG_TIMEOUT = 10.0

#: The stream ping (RFC 5626 3.5.1); the server answers with one CRLF.
PING = b"\r\n\r\n"

#: What goes on a UDP flow: one CRLF, which every SIP server ignores
#: (RFC 3261 7.5) but which refreshes the NAT binding on the way.
UDP_KEEPALIVE = b"\r\n"

#: Called once when the watched flow is dead: (the target, why in words).
FlowDead = Callable[[Target, str], None]

#: How a probe ends: None when any answer came, else why none did.
ProbeDone = Callable[[str | None], None]

#: Sends one request to the target and calls back once with how it ended.
Probe = Callable[[Target, ProbeDone], None]


class KeepAlive:
    """Keep one flow alive and report when it dies.

    Call `watch(target)` once registered there, `stop()` when the account
    stops.
    """

    def __init__(
        self,
        agent: UserAgent,
        *,
        interval: float = DEFAULT_INTERVAL,
        on_dead: FlowDead,
        pong_timeout: float = PONG_TIMEOUT,
        probe: Probe | None = None,
        probe_every: int = 4,
        rng: random.Random | None = None,
    ) -> None:
        """Prepare; nothing is sent before `watch()`.

        Each wait is drawn from 80 to 100 % of *interval* (RFC 5626 4.4.1),
        so clients behind one NAT do not ping in lock-step. *probe* (an
        OPTIONS, see `options_probe`) checks a UDP flow every *probe_every*
        intervals; without it a UDP flow is kept open but never judged.

        Raises:
            ValueError: *interval* or *pong_timeout* is not positive, or
                *probe_every* is below 1.
        """
        if interval <= 0 or pong_timeout <= 0 or probe_every < 1:
            raise ValueError("interval and pong_timeout must be positive, probe_every >= 1")
        self._agent = agent
        self._interval = interval
        self._on_dead = on_dead
        self._pong_timeout = pong_timeout
        self._probe = probe
        self._probe_every = probe_every
        self._rng = rng or random.Random()
        self._target: Target | None = None
        self._running = False
        #: The one timer: the next tick, or the deadline of a ping or probe.
        self._timer: Wakeup | None = None
        #: What the timer waits for when it is not the next tick: the
        #: reason the flow is dead if it fires first.
        self._waiting: str | None = None
        self._ticks = 0
        #: Bumped by every watch and stop: an answer to an older probe is ignored.
        self._generation = 0
        self._observed: StreamTransport | UdpTransport | None = None
        #: Something came from the watched server since the last tick.
        self._heard = False
        #: Keep-alives sent and (on streams) answered, since creation.
        self.pings = 0
        self.pongs = 0

    @property
    def target(self) -> Target | None:
        """The flow being watched, if any."""
        return self._target

    @property
    def running(self) -> bool:
        """True while a flow is watched."""
        return self._running

    @property
    def next_wakeup(self) -> float | None:
        """When the keep-alive's one timer fires (loop time), or None when stopped."""
        return self._timer.when() if self._timer is not None and self._timer.armed else None

    def watch(self, target: Target) -> None:
        """Keep the flow to *target* alive (switching from any other one)."""
        if self.running and self._target == target:
            return
        self.stop()
        self._target = target
        self._running = True
        self._ticks = 0
        transport = self._agent.transport(target.kind)
        self._heard = False
        if isinstance(transport, (StreamTransport, UdpTransport)):
            transport.activity_observers.add(self._on_activity)
            # A connection that failed, or a UDP probe that found nothing
            # listening there (any request's, not only ours): dead now.
            transport.loss_observers.add(self._on_loss)
            self._observed = transport
        self._next_tick()

    def stop(self) -> None:
        """Stop sending; a dead flow is no longer reported."""
        self._running = False
        self._generation += 1
        self._waiting = None
        self._cancel_timer()
        self._detach()

    # -- the timer -------------------------------------------------------------

    def _next_tick(self) -> None:
        """Arm the timer at the next tick: 80-100 % of the interval from now."""
        self._cancel_timer()
        self._waiting = None
        table = wakeups.for_loop()
        now = table.loop_time()
        earliest, latest = now + 0.8 * self._interval, now + self._interval
        # RFC 5626 4.4.1: a random time in the window, so that clients behind
        # one NAT do not ping in lock-step; a time the loop wakes at anyway
        # is as good (the other timers are no less random between clients).
        when = table.shared(earliest, latest)
        if when is None:
            when = now + self._interval * self._rng.uniform(0.8, 1.0)
        self._timer = table.call_at(when, self._on_timer)

    def _wait(self, seconds: float, reason: str) -> None:
        """Arm the timer at a ping's or probe's deadline; *reason* if it fires."""
        self._cancel_timer()
        self._waiting = reason
        table = wakeups.for_loop()
        self._timer = table.call_at(table.loop_time() + seconds, self._on_timer)

    def _cancel_timer(self) -> None:
        timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()

    def _on_timer(self) -> None:
        self._timer = None
        target = self._target
        if not self._running or target is None:
            return
        if self._waiting is not None:
            self._dead(target, self._waiting)
            return
        self._tick(target)

    def _tick(self, target: Target) -> None:
        transport = self._agent.transport(target.kind)
        if transport is None:
            self._dead(target, f"no {target.kind.value} transport")
            return
        self._ticks += 1
        if target.kind.reliable:
            transport.send(PING, target.address, server_name=target.server_name)
            self.pings += 1
            # RFC 5626 4.4.1: the pong is due within `pong_timeout`.
            self._wait(
                self._pong_timeout, f"no answer to a keep-alive within {self._pong_timeout:g} s"
            )
            return
        transport.send(UDP_KEEPALIVE, target.address)
        self.pings += 1
        silent, self._heard = not self._heard, False
        if self._probe is None or not (silent or self._ticks % self._probe_every == 0):
            self._next_tick()
            return
        self._wait(self._pong_timeout, f"no answer from the server within {self._pong_timeout:g} s")
        generation = self._generation

        def done(reason: str | None) -> None:
            if generation != self._generation or self._waiting is None or not self._running:
                return  # an answer to a flow no longer watched, or after the verdict
            if reason is not None:
                self._dead(target, reason)
            else:
                self._next_tick()

        self._probe(target, done)

    # -- transport observers ------------------------------------------------------

    def _on_activity(self, peer: Address) -> None:
        # Any bytes from the server answer the ping: a pong, or a request
        # that happened to cross it; either proves the flow alive.
        target = self._target
        if target is None or peer != target.address:
            return
        self._heard = True
        if self._running and target.kind.reliable and self._waiting is not None:
            self.pongs += 1
            self._next_tick()

    def _on_loss(self, peer: Address, reason: str) -> None:
        if self._target is not None and peer == self._target.address and self.running:
            self._dead(self._target, reason)

    def _dead(self, target: Target, reason: str) -> None:
        log.warning("the flow to %s is dead: %s", target.address, reason)
        self.stop()
        try:
            self._on_dead(target, reason)
        except Exception:
            log.exception("dead-flow callback failed")

    def _detach(self) -> None:
        if self._observed is not None:
            self._observed.activity_observers.remove(self._on_activity)
            self._observed.loss_observers.remove(self._on_loss)
            self._observed = None


def options_probe(agent: UserAgent, aor: SipUri) -> Probe:
    """A probe that sends OPTIONS to the target's address as *aor*.

    Any response (even 404 or 483) shows the server alive; only a
    transaction that fails (timer F, transport error) reports a reason.
    """

    def probe(target: Target, done: ProbeDone) -> None:
        host = f"[{target.address.host}]" if target.address.is_ipv6 else target.address.host
        uri = SipUri(
            scheme="sip",
            user=None,
            password=None,
            host=host,
            port=target.address.port,
            params=(),
            headers=(),
        )
        headers = Headers()
        headers.add("From", str(NameAddr(aor).with_tag(new_tag())))
        headers.add("To", str(NameAddr(uri)))
        headers.add("Call-ID", new_call_id(aor.host))
        headers.add("CSeq", "1 OPTIONS")
        answered = False

        def on_response(_response: object) -> None:
            nonlocal answered
            if not answered:
                answered = True
                done(None)

        def on_failure(failure: TransactionFailed) -> None:
            done(failure.reason)

        try:
            agent.send_request(
                Request(method="OPTIONS", uri=uri, headers=headers),
                target,
                on_response=on_response,
                on_failure=on_failure,
            )
        except LookupError as exc:
            done(str(exc))

    return probe
