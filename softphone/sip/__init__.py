"""The sans-I/O SIP core: messages, parsing, URIs and header fields."""

from __future__ import annotations

from softphone.sip.errors import LocalProtocolError, ParseError, SipError
from softphone.sip.fields import (
    Contact,
    ContentType,
    CSeq,
    Event,
    RetryAfter,
    SubscriptionState,
    Via,
)
from softphone.sip.framing import StreamFramer
from softphone.sip.headers import Headers
from softphone.sip.message import (
    REASON_PHRASES,
    Request,
    Response,
    new_branch,
    new_call_id,
    new_tag,
    parse,
)
from softphone.sip.uri import AbsoluteUri, NameAddr, SipUri, TelUri, parse_uri

__all__ = [
    "REASON_PHRASES",
    "AbsoluteUri",
    "CSeq",
    "Contact",
    "ContentType",
    "Event",
    "Headers",
    "LocalProtocolError",
    "NameAddr",
    "ParseError",
    "Request",
    "Response",
    "RetryAfter",
    "SipError",
    "SipUri",
    "StreamFramer",
    "SubscriptionState",
    "TelUri",
    "Via",
    "new_branch",
    "new_call_id",
    "new_tag",
    "parse",
    "parse_uri",
]

# RFC 3680 reginfo documents and the RFC 6665 subscriber (reginfo's Contact is
# exported as ReginfoContact: Contact is the header field above).
from softphone.sip.reginfo import (
    ApplyResult,
    ApplyStatus,
    ChangeKind,
    ContactChange,
    ContactEvent,
    ContactState,
    DocState,
    ReginfoDocument,
    ReginfoView,
    Registration,
    RegistrationChange,
    RegistrationState,
    parse_reginfo,
)
from softphone.sip.reginfo import Contact as ReginfoContact
from softphone.sip.subscription import (
    NotifyBody,
    StateChanged,
    Subscription,
    SubscriptionEvent,
    SubState,
    Terminated,
    Termination,
    TerminationAction,
    TerminationReason,
)

__all__ += [
    "ApplyResult",
    "ApplyStatus",
    "ChangeKind",
    "ContactChange",
    "ContactEvent",
    "ContactState",
    "DocState",
    "NotifyBody",
    "ReginfoContact",
    "ReginfoDocument",
    "ReginfoView",
    "Registration",
    "RegistrationChange",
    "RegistrationState",
    "StateChanged",
    "SubState",
    "Subscription",
    "SubscriptionEvent",
    "Terminated",
    "Termination",
    "TerminationAction",
    "TerminationReason",
    "parse_reginfo",
]
