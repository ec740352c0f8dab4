"""An in-process reg-event notifier for presence and welcome tests.

A real `UserAgent` on loopback plays the registrar's notifier (RFC 6665
§4.2, RFC 3680): it records every SUBSCRIBE, answers each with whatever the
test's policy says, and sends NOTIFYs in the subscription's dialog when the
test asks, so a test controls every Subscription-State and every document.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from softphone.agent import IncomingRequest, UserAgent
from softphone.sip import Headers, NameAddr, Request, Response, SipUri, new_call_id, new_tag
from softphone.transport.base import Address, Target, TransportKind

#: Decides the answer to one SUBSCRIBE: (status, extra headers).
Policy = Callable[[Request], tuple[int, list[tuple[str, str]]]]


def accept(expires: int = 600, status: int = 200) -> Policy:
    """A policy that grants every subscription for *expires* seconds."""

    def policy(request: Request) -> tuple[int, list[tuple[str, str]]]:
        granted = min(expires, request.expires if request.expires is not None else expires)
        return status, [("Expires", str(granted))]

    return policy


@dataclass
class Dialog:
    """The notifier's side of one subscription dialog."""

    call_id: str
    local_tag: str
    remote: NameAddr  # the watcher's From, with its tag
    local: NameAddr  # the watched AoR, our To
    target: SipUri  # the watcher's Contact
    cseq: int = 0


@dataclass
class Notifier:
    """A UserAgent answering SUBSCRIBE and sending NOTIFY on demand."""

    agent: UserAgent
    policy: Policy
    subscribes: list[Request] = field(default_factory=list)
    dialogs: dict[str, Dialog] = field(default_factory=dict)
    #: When False, SUBSCRIBEs are recorded but answered only by `answer_held()`.
    answer_at_once: bool = True
    held: list[IncomingRequest] = field(default_factory=list)
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)

    @classmethod
    async def start(cls, policy: Policy | None = None) -> Notifier:
        """Listen on a free UDP port of 127.0.0.1."""
        agent = UserAgent()
        await agent.listen(TransportKind.UDP, "127.0.0.1", 0)
        notifier = cls(agent, policy or accept())
        agent.handle("SUBSCRIBE", notifier._on_subscribe)
        return notifier

    @property
    def address(self) -> Address:
        """Where the notifier listens."""
        return self.agent.local_address(TransportKind.UDP)

    @property
    def target(self) -> Target:
        """The notifier as the watcher's server."""
        return Target(self.address, TransportKind.UDP)

    def close(self) -> None:
        """Close the socket."""
        self.agent.close()

    def _on_subscribe(self, incoming: IncomingRequest) -> None:
        request = incoming.request
        self.subscribes.append(request)
        self._arrived.set()
        if self.answer_at_once:
            self._answer(incoming)
        else:
            self.held.append(incoming)

    def answer_held(self) -> None:
        """Answer every SUBSCRIBE held so far, by the policy."""
        held, self.held = self.held, []
        for incoming in held:
            self._answer(incoming)

    def _answer(self, incoming: IncomingRequest) -> None:
        request = incoming.request
        status, headers = self.policy(request)
        contact = ("Contact", f"<sip:notifier@{self.address.sent_by}>")
        response = incoming.respond(status, headers=[*headers, contact])
        if 200 <= status < 300:
            self._dialog(request, response.to.tag)

    def _dialog(self, request: Request, tag: str | None) -> Dialog:
        dialog = self.dialogs.get(request.call_id)
        if dialog is None:
            contact = request.contact[0].address
            assert contact is not None and isinstance(contact.uri, SipUri)
            dialog = Dialog(
                call_id=request.call_id,
                local_tag=tag or new_tag(),
                remote=request.from_,
                local=NameAddr(request.to.uri),
                target=contact.uri,
            )
            self.dialogs[request.call_id] = dialog
        return dialog

    def dialog_of(self, request: Request) -> Dialog:
        """The dialog a SUBSCRIBE belongs to (created if it was not answered yet)."""
        return self._dialog(request, request.to.tag)

    async def wait_subscribes(self, count: int, *, timeout: float = 5.0) -> list[Request]:
        """Wait until *count* SUBSCRIBEs arrived; return them all.

        Raises:
            TimeoutError: fewer arrived in time.
        """
        async with asyncio.timeout(timeout):
            while len(self.subscribes) < count:
                self._arrived.clear()
                await self._arrived.wait()
        return list(self.subscribes)

    async def notify(
        self,
        dialog: Dialog,
        state: str = "active;expires=600",
        body: bytes | str = b"",
        *,
        content_type: str = "application/reginfo+xml",
        extra: Iterable[tuple[str, str]] = (),
        call_id: str | None = None,
    ) -> Response:
        """Send one NOTIFY in *dialog* and return the watcher's answer."""
        dialog.cseq += 1
        headers = Headers()
        headers.add("From", str(dialog.local.with_tag(dialog.local_tag)))
        headers.add("To", str(dialog.remote))
        headers.add("Call-ID", call_id or dialog.call_id)
        headers.add("CSeq", f"{dialog.cseq} NOTIFY")
        headers.add("Contact", f"<sip:notifier@{self.address.sent_by}>")
        headers.add("Event", "reg")
        headers.add("Subscription-State", state)
        for name, value in extra:
            headers.add(name, value)
        data = body.encode() if isinstance(body, str) else body
        if data:
            headers.add("Content-Type", content_type)
        request = Request("NOTIFY", dialog.target, headers, data)
        target = Target(Address(dialog.target.host, dialog.target.port or 5060), TransportKind.UDP)
        return await self.agent.request(request, target)


def stray_dialog(dialog: Dialog) -> Dialog:
    """A dialog the watcher never subscribed to (for the 481 rule)."""
    return Dialog(
        call_id=new_call_id("stray.invalid"),
        local_tag=new_tag(),
        remote=dialog.remote,
        local=dialog.local,
        target=dialog.target,
    )


def reginfo(
    aor: str,
    contacts: Iterable[tuple[str, str, str, str]] = (),
    *,
    version: int = 0,
    doc_state: str = "full",
    reg_state: str | None = None,
    expires: int = 3600,
) -> str:
    """A reginfo document; *contacts* are (id, state, event, uri) tuples."""
    rows = list(contacts)
    if reg_state is None:
        reg_state = "active" if any(s == "active" for _, s, _, _ in rows) else "terminated"
    body = "".join(
        f'<contact id="{cid}" state="{state}" event="{event}" expires="{expires}"'
        f' callid="{cid}-call" cseq="1"><uri>{uri}</uri></contact>'
        for cid, state, event, uri in rows
    )
    return (
        '<?xml version="1.0"?>\n'
        f'<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="{version}"'
        f' state="{doc_state}"><registration aor="{aor}" id="r1" state="{reg_state}">'
        f"{body}</registration></reginfo>"
    )
