"""MESSAGE requests that are not chat: receipts and typing indications.

Nothing is stored and nothing is retried later: a receipt or an "is typing"
that cannot be delivered now has no value later. Sent through the account's
`Outbound` (server order, failover, digest), like chat messages.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from softphone.account import Account
from softphone.agent import TransactionFailed
from softphone.location import LocationError
from softphone.services.outbound import Outbound
from softphone.sip import Headers, NameAddr, Request, SipUri, new_call_id, new_tag
from softphone.sip.auth import AuthenticationFailed
from softphone.sip.errors import ParseError
from softphone.transport.base import Target

log = logging.getLogger(__name__)

__all__ = ["Courier"]


class Courier:
    """Sends one-off MESSAGE requests for one account."""

    def __init__(self, account: Callable[[], Account], outbound: Outbound) -> None:
        self._account = account
        self._outbound = outbound

    async def send(self, peer: str, content_type: str, body: bytes) -> int | None:
        """Send *body* to *peer*; the final status, or None when none came.

        Never raises for network trouble: the failure is logged and None
        returned, since nobody waits for a receipt's own outcome.
        """
        call_id = new_call_id(self._account().domain)
        from_tag = new_tag()
        cseq = 0

        def build(_target: Target) -> Request:
            nonlocal cseq
            cseq += 1
            return self._build(peer, content_type, body, call_id, from_tag, cseq)

        try:
            sent = await self._outbound.send(build)
        except (
            LocationError,
            TransactionFailed,
            AuthenticationFailed,
            ParseError,
            OSError,
            LookupError,
        ) as exc:
            log.info("%s to %s not sent: %s", content_type, peer, exc)
            return None
        return sent.response.status

    def _build(
        self,
        peer: str,
        content_type: str,
        body: bytes,
        call_id: str,
        from_tag: str,
        cseq: int,
    ) -> Request:
        account = self._account()
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
