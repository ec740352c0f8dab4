"""Send a request and answer digest challenges (RFC 3261 22.2, 22.3)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from softphone.agent import ProvisionalCallback, Target, UserAgent
from softphone.sip import Request, Response
from softphone.sip.auth import DigestClient

#: How many challenges one request may meet before we give up: one for the
#: proxy (407), one for the registrar or callee (401), one stale nonce.
MAX_CHALLENGES = 3

#: Builds the next attempt of a request with extra credentials headers. Each
#: call must return a new request (new CSeq, RFC 3261 22.2).
RequestBuilder = Callable[[Sequence[tuple[str, str]]], Request]


async def send_with_credentials(
    agent: UserAgent,
    build: RequestBuilder,
    target: Target,
    digest: DigestClient | None,
    *,
    on_provisional: ProvisionalCallback | None = None,
    on_attempt: Callable[[Request], None] | None = None,
) -> Response:
    """Send the request *build* makes; answer 401/407 with credentials.

    Returns the final response: a 401/407 comes back only when there are no
    credentials to answer it with.

    Raises:
        softphone.sip.auth.AuthenticationFailed: the credentials were refused
            (a second challenge that is not stale) or no scheme is supported.
        softphone.agent.TransactionFailed: no final response to an attempt.
    """
    credentials: list[tuple[str, str]] = []
    for _ in range(MAX_CHALLENGES + 1):
        request = build(credentials)
        if on_attempt is not None:
            on_attempt(request)
        response = await agent.request(request, target, on_provisional=on_provisional)
        if response.status not in (401, 407) or digest is None:
            return response
        # The answer replaces credentials for the same header; a 407 then a
        # 401 needs both Proxy-Authorization and Authorization.
        answered = digest.answer(request, response)
        names = {name.lower() for name, _ in answered}
        credentials = [(n, v) for n, v in credentials if n.lower() not in names] + answered
    return response
