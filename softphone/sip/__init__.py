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

# Digest authentication and transactions (RFC 3261 17, 22; RFC 7616, 8760).
from softphone.sip.auth import (
    AuthenticationFailed,
    Challenge,
    Credentials,
    DigestClient,
    authorization,
    choose_challenge,
    make_challenge,
    parse_challenges,
    parse_credentials,
    verify,
)
from softphone.sip.events import (
    ResponseReceived,
    TransactionTerminated,
    TransactionTimedOut,
    TransportFailed,
)

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
from softphone.sip.timers import TimerConfig, TimerName
from softphone.sip.transaction import (
    ClientState,
    ClientTransaction,
    InviteServerTransaction,
    ServerState,
    ServerTransaction,
    transaction_key,
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

__all__ += [
    "AuthenticationFailed",
    "Challenge",
    "ClientState",
    "ClientTransaction",
    "Credentials",
    "DigestClient",
    "InviteServerTransaction",
    "ResponseReceived",
    "ServerState",
    "ServerTransaction",
    "TimerConfig",
    "TimerName",
    "TransactionTerminated",
    "TransactionTimedOut",
    "TransportFailed",
    "authorization",
    "choose_challenge",
    "make_challenge",
    "parse_challenges",
    "parse_credentials",
    "transaction_key",
    "verify",
]
