"""The one way out: every request sent on the account's behalf goes here.

`Outbound.send()` takes a builder (a new request for each attempt) and
owns three things the services used to do each their own way:

* the server order (RFC 3263 4.3): the servers `locate` finds, tried in
  order, moving on after a transport error, no answer (timer F) or a 503;
* digest answers (RFC 3261 22.2): a 401/407 is answered with a new request
  (new CSeq) carrying credentials, by the server that sent it;
* pre-emptive credentials (RFC 3261 22.3, RFC 7616 3.4): once a method was
  challenged, the next request of that method carries credentials for the
  nonce already known, with the next nonce count, so it costs one round
  trip instead of two. A server that no longer takes that nonce says
  `stale=true` or challenges again, and the request is answered normally.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from softphone.agent import ProvisionalCallback, TransactionFailed, UserAgent
from softphone.listeners import Listeners
from softphone.location import LocationError
from softphone.phrase import say
from softphone.sip import Request, Response
from softphone.sip.auth import AuthenticationFailed, DigestClient
from softphone.transport.base import Target

log = logging.getLogger(__name__)

__all__ = [
    "FAILOVER_ERRORS",
    "MAX_CHALLENGES",
    "Outbound",
    "RequestBuilder",
    "Sent",
]

#: How many challenges one request may meet before we give up: one for the
#: proxy (407), one for the registrar or callee (401), one stale nonce.
MAX_CHALLENGES = 3

#: Failures after which the next server is tried (RFC 3263 4.3): the
#: transaction failed (transport error, timer F) or the socket refused.
FAILOVER_ERRORS = (TransactionFailed, OSError)

#: The credentials headers of RFC 3261 22 (answering 401 and 407).
_CREDENTIALS = ("Authorization", "Proxy-Authorization")

#: Builds one attempt of a request for a server. Each call must return a new
#: request (new CSeq, RFC 3261 22.2); Outbound adds the credentials.
RequestBuilder = Callable[[Target], Request]

#: Finds the account's servers, in the order to try them.
LocateServers = Callable[[], Awaitable[Target | Sequence[Target]]]


@dataclass(frozen=True, slots=True)
class Sent:
    """The final answer to a request and the server that gave it."""

    response: Response
    target: Target
    #: Every final status seen on the way, in order (401, 407, 503 ... then
    #: the last one): what it cost to get the answer.
    statuses: tuple[int, ...] = ()


class Outbound:
    """Sends requests for one account: server order, failover, digest."""

    def __init__(
        self,
        agent: UserAgent,
        digest: DigestClient | None,
        locate: LocateServers | None = None,
    ) -> None:
        """*locate* finds the servers when `send()` is given none."""
        self._agent = agent
        self._digest = digest
        self._locate = locate
        #: Method -> the credentials headers its last challenge asked for,
        #: so the next request of that method carries them at once.
        self._wanted: dict[str, frozenset[str]] = {}
        self._attempt_listeners: Listeners[[Request, Target]] = Listeners("attempt", log)

    @property
    def digest(self) -> DigestClient | None:
        """The account's credentials, or None (no password)."""
        return self._digest

    def on_attempt(self, callback: Callable[[Request, Target], None]) -> None:
        """Call *callback* with every request just before it is sent (tests, traces)."""
        self._attempt_listeners.add(callback)

    async def servers(self) -> list[Target]:
        """The servers to try, in order.

        Raises:
            LocationError: none can be found, or there is no *locate*.
        """
        if self._locate is None:
            raise LocationError(say("No server to send the request to"), host="")
        found = await self._locate()
        return [found] if isinstance(found, Target) else list(found)

    async def send(
        self,
        build: RequestBuilder,
        *,
        targets: Target | Sequence[Target] | None = None,
        on_provisional: ProvisionalCallback | None = None,
        in_order: bool = True,
    ) -> Sent:
        """Send the request *build* makes to the first server that answers.

        *targets* (one or several, in order) overrides the located servers:
        an in-dialog request goes where its dialog is. *in_order* False lets
        the messages read with an answer be handled before the caller takes
        it in (`UserAgent.request`). A transport error,
        no answer (timer F) or a 503 moves on to the next server (RFC 3263
        4.3); any other final response is returned at once, 401/407 only
        when there is no password to answer with. When the last server also
        fails, its 503 is returned or its error raised.

        Raises:
            softphone.sip.auth.AuthenticationFailed: the credentials were
                refused (a second challenge that is not stale).
            softphone.sip.ParseError: a challenge cannot be read.
            TransactionFailed | OSError: the last server failed.
            LookupError: no transport of the last server's kind is bound.
            LocationError: there is no server, or the servers cannot be found.
        """
        if targets is None:
            order = await self.servers()
        elif isinstance(targets, Target):
            order = [targets]
        else:
            order = list(targets)
        if not order:
            raise LocationError(say("No server to send the request to"), host="")
        statuses: list[int] = []
        last = len(order) - 1
        for index, target in enumerate(order):
            try:
                response = await self._challenged(build, target, on_provisional, statuses, in_order)
            except Exception as exc:
                if index == last or not _moves_on(exc):
                    raise
                log.info("%s failed (%s); trying the next server", target.address, exc)
                continue
            if response.status == 503 and index != last:
                log.info("%s answered 503; trying the next server", target.address)
                continue
            return Sent(response, target, tuple(statuses))
        raise AssertionError("unreachable: the loop returns or raises on the last target")

    async def _challenged(
        self,
        build: RequestBuilder,
        target: Target,
        on_provisional: ProvisionalCallback | None,
        statuses: list[int],
        in_order: bool = True,
    ) -> Response:
        """One server: send, answering 401/407 with a new request each time."""
        digest = self._digest
        answered: list[tuple[str, str]] = []
        guessed = False
        for attempt in range(MAX_CHALLENGES + 1):
            request = build(target)
            wanted = self._wanted.get(request.method)
            if attempt == 0 and digest is not None and wanted:
                answered = digest.authorize(
                    method=request.method, uri=str(request.uri), body=request.body, headers=wanted
                )
                guessed = bool(answered)
            for name, value in answered:
                request.headers.add(name, value)
            self._attempt_listeners(request, target)
            response = await self._agent.request(
                request, target, on_provisional=on_provisional, in_order=in_order
            )
            statuses.append(response.status)
            if response.status not in (401, 407) or digest is None:
                if answered and response.status != 403:
                    # These headers were taken: the next one carries them too.
                    self._wanted[request.method] = frozenset(name for name, _ in answered)
                return response
            # A challenge to our pre-emptive guess (a nonce the server no
            # longer takes, a realm we did not know) is a fresh challenge,
            # not a refusal of the password (RFC 3261 22.2 applies only to
            # credentials given in answer to a challenge).
            judged = _without_credentials(request) if guessed else request
            guessed = False
            # The answer replaces credentials for the same header; a 407
            # then a 401 needs both Proxy-Authorization and Authorization.
            try:
                new = digest.answer(judged, response)
            except AuthenticationFailed as exc:
                # Keep the server's words for the user ("401 Unauthorized").
                exc.status, exc.phrase = response.status, response.reason
                raise
            names = {name.lower() for name, _ in new}
            answered = [(n, v) for n, v in answered if n.lower() not in names] + new
        return response


def _without_credentials(request: Request) -> Request:
    """*request* as if it had carried no credentials (for judging a challenge)."""
    headers = request.headers.copy()
    for name in _CREDENTIALS:
        headers.remove(name)
    return Request(request.method, request.uri, headers, request.body, request.version)


def _moves_on(exc: BaseException) -> bool:
    # The agent raises a plain LookupError when no transport of the target's
    # kind is bound; its subclasses (KeyError, IndexError) are bugs to surface.
    return isinstance(exc, FAILOVER_ERRORS) or type(exc) is LookupError
