"""The notifier side of the reg event package (RFC 3680, RFC 6665).

Sans-I/O: a `RegSubscription` is one watcher's dialog. It numbers the
documents it sends (versions are scoped to the subscription, RFC 3680 §5.2:
0 for the first, +1 for each next one) and builds the NOTIFY requests; the
registrar sends them one at a time.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from softphone.server.bindings import Binding, BindingChange
from softphone.server.reginfo_writer import serialize_reginfo
from softphone.sip import Headers, NameAddr, Request, SipUri
from softphone.sip.reginfo import (
    REGINFO_CONTENT_TYPE,
    Contact,
    ContactEvent,
    ContactState,
    DocState,
    ReginfoDocument,
    Registration,
    RegistrationState,
)

__all__ = ["RegSubscription", "contact_entry"]


def contact_entry(binding: Binding, event: ContactEvent, now: float) -> Contact:
    """The `<contact>` element for *binding* after *event*."""
    active = event in (ContactEvent.REGISTERED, ContactEvent.REFRESHED, ContactEvent.CREATED)
    return Contact(
        id=binding.id,
        state=ContactState.ACTIVE if active else ContactState.TERMINATED,
        event=event,
        uri=binding.uri,
        # RFC 3680 §5.3: expires is the remaining lifetime of an active contact.
        expires=binding.remaining(now) if active else None,
        duration_registered=max(0, int(now - binding.registered_at)),
        callid=binding.call_id,
        cseq=binding.cseq,
    )


@dataclass(eq=False)
class RegSubscription:
    """One reg-event subscription: the dialog and its document counter."""

    #: The watched address of record.
    aor: str
    #: The `<registration id=...>` of that AoR (stable across documents).
    reg_id: str
    call_id: str
    #: Our side of the dialog (From of our NOTIFYs), tagged.
    local: NameAddr
    #: The subscriber (To of our NOTIFYs), tagged.
    remote: NameAddr
    #: The subscriber's Contact: the Request-URI of our NOTIFYs.
    remote_target: SipUri
    #: The Event header's id parameter, echoed in NOTIFY (RFC 6665 §8.2.1).
    event_id: str | None
    expires_at: float
    #: The authenticated user who subscribed.
    watcher: str
    #: The last version sent; -1 before the first document.
    version: int = -1
    cseq: int = 0
    terminated: bool = False

    @property
    def key(self) -> tuple[str, str, str]:
        """(Call-ID, our tag, their tag): the dialog id (RFC 3261 12)."""
        return (self.call_id, self.local.tag or "", self.remote.tag or "")

    def remaining(self, now: float) -> int:
        """Whole seconds until the subscription expires, never negative."""
        return max(0, math.ceil(self.expires_at - now))

    def full_document(self, bindings: Sequence[Binding], now: float) -> bytes:
        """The next document, with the whole state of the AoR (RFC 3680 §5.2).

        An AoR without contacts is in state `init` (RFC 3680 §3.1).
        """
        contacts = tuple(contact_entry(b, ContactEvent.REGISTERED, now) for b in bindings)
        state = RegistrationState.ACTIVE if contacts else RegistrationState.INIT
        return self._document(DocState.FULL, state, contacts)

    def partial_document(
        self, changes: Iterable[BindingChange], remaining: int, now: float
    ) -> bytes:
        """The next document, with only the contacts that *changes* touched.

        *remaining* is how many contacts are bound after the changes: none
        left means the registration moved to `terminated` (RFC 3680 §3.1).
        """
        contacts = tuple(
            contact_entry(change.binding, ContactEvent(change.event.value), now)
            for change in changes
        )
        state = RegistrationState.ACTIVE if remaining else RegistrationState.TERMINATED
        return self._document(DocState.PARTIAL, state, contacts)

    def _document(
        self, doc_state: DocState, state: RegistrationState, contacts: tuple[Contact, ...]
    ) -> bytes:
        self.version += 1
        registration = Registration(aor=self.aor, id=self.reg_id, state=state, contacts=contacts)
        return serialize_reginfo(ReginfoDocument(self.version, doc_state, (registration,)))

    def notify(
        self,
        body: bytes,
        *,
        contact: SipUri,
        now: float,
        terminated_reason: str | None = None,
    ) -> Request:
        """A NOTIFY in this dialog carrying *body*, with our next CSeq.

        Without *terminated_reason* the Subscription-State is
        `active;expires=N` (RFC 6665 §4.2.1); with it, `terminated` and the
        reason, and the subscription is marked terminated.
        """
        self.cseq += 1
        headers = Headers()
        headers.add("From", str(self.local))
        headers.add("To", str(self.remote))
        headers.add("Call-ID", self.call_id)
        headers.add("CSeq", f"{self.cseq} NOTIFY")
        headers.add("Contact", f"<{contact}>")
        event = "reg" if self.event_id is None else f"reg;id={self.event_id}"
        headers.add("Event", event)
        if terminated_reason is None:
            headers.add("Subscription-State", f"active;expires={self.remaining(now)}")
        else:
            self.terminated = True
            headers.add("Subscription-State", f"terminated;reason={terminated_reason}")
        headers.add("Content-Type", REGINFO_CONTENT_TYPE)
        return Request(method="NOTIFY", uri=self.remote_target, headers=headers, body=body)
