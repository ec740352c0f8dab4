"""The parse benchmark's corpus and our full parse of one message.

`REALISTIC` is the messenger's everyday traffic (the peer comparison runs on
it); `rfc4475_valid()` is every valid RFC 4475 torture message (ours only:
the peers reject many of them). `full_parse()` parses a message and touches
every typed view, so lazily parsed header bodies are parsed too.
"""

from __future__ import annotations

import contextlib
import csv
from pathlib import Path

from softphone.sip import ParseError, Request, Response, parse

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus" / "rfc4475"

_COMMON = (
    "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport\r\n"
    "Max-Forwards: 70\r\n"
    'From: "Alice" <sip:alice@example.com>;tag=1928301774\r\n'
    "To: <sip:bob@example.com>{to_tag}\r\n"
    "Call-ID: a84b4c76e66710@192.0.2.10\r\n"
    "CSeq: {cseq}\r\n"
)


def _msg(start: str, cseq: str, extra: str = "", body: str = "", to_tag: str = "") -> bytes:
    head = start + "\r\n" + _COMMON.format(cseq=cseq, to_tag=to_tag) + extra
    raw = body.encode()
    return (head + f"Content-Length: {len(raw)}\r\n\r\n").encode() + raw


REGINFO = (
    '<?xml version="1.0"?>\n<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="1" '
    'state="full"><registration aor="sip:bob@example.com" id="a7" state="active">'
    '<contact id="76" state="active" event="registered" expires="3600">'
    "<uri>sip:bob@192.0.2.20</uri></contact></registration></reginfo>\n"
)

#: MESSAGE (Korean text), its 200, REGISTER with credentials, 401 with two
#: challenges, SUBSCRIBE Event: reg, NOTIFY with a reginfo document.
REALISTIC = [
    _msg(
        "MESSAGE sip:bob@example.com SIP/2.0",
        "1 MESSAGE",
        "Content-Type: text/plain;charset=UTF-8\r\n",
        "안녕하세요! 밥",
    ),
    _msg("SIP/2.0 200 OK", "1 MESSAGE", to_tag=";tag=a6c85cf"),
    _msg(
        "REGISTER sip:example.com SIP/2.0",
        "2 REGISTER",
        "Contact: <sip:alice@192.0.2.10:5060;transport=udp>;expires=3600\r\n"
        "Expires: 3600\r\n"
        'Authorization: Digest username="alice", realm="example.com", '
        'nonce="ea9c8e88df84f1cec4341ae6cbe5a359", uri="sip:example.com", '
        'response="dfe56131d1958046689d83306477ecc", algorithm=MD5, qop=auth, nc=00000001, '
        'cnonce="0a4f113b"\r\n'
        "Allow: INVITE, ACK, CANCEL, OPTIONS, BYE, MESSAGE, SUBSCRIBE, NOTIFY\r\n"
        "Supported: path, gruu\r\n",
    ),
    _msg(
        "SIP/2.0 401 Unauthorized",
        "2 REGISTER",
        'WWW-Authenticate: Digest realm="example.com", nonce="ea9c8e88df84f1cec4341ae6cbe5a359", '
        'opaque="", stale=FALSE, algorithm=SHA-256, qop="auth"\r\n'
        'WWW-Authenticate: Digest realm="example.com", nonce="ea9c8e88df84f1cec4341ae6cbe5a359", '
        'opaque="", stale=FALSE, algorithm=MD5, qop="auth"\r\n',
        to_tag=";tag=37GkEhwl6",
    ),
    _msg(
        "SUBSCRIBE sip:bob@example.com SIP/2.0",
        "3 SUBSCRIBE",
        "Contact: <sip:alice@192.0.2.10:5060>\r\nEvent: reg\r\n"
        "Accept: application/reginfo+xml\r\nExpires: 600\r\n",
    ),
    _msg(
        "NOTIFY sip:alice@192.0.2.10:5060 SIP/2.0",
        "4 NOTIFY",
        "Contact: <sip:bob@example.com>\r\nEvent: reg\r\n"
        "Subscription-State: active;expires=599\r\n"
        "Content-Type: application/reginfo+xml\r\n",
        REGINFO,
        to_tag=";tag=xyz",
    ),
]


def rfc4475_valid() -> list[bytes]:
    """Every message RFC 4475 says is valid, as bytes."""
    with (CORPUS / "MANIFEST.tsv").open(newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return [(CORPUS / r["file"]).read_bytes() for r in rows if r["class"] == "valid"]


VIEWS = [
    "via",
    "from_",
    "to",
    "call_id",
    "cseq",
    "contact",
    "max_forwards",
    "content_type",
    "expires",
    "min_expires",
    "event",
    "subscription_state",
    "allow",
    "supported",
    "require",
    "www_authenticate",
    "proxy_authenticate",
    "authorization",
    "proxy_authorization",
    "retry_after",
]


def full_parse(data: bytes) -> Request | Response:
    """Parse `data` and every typed view of it (Via, From/To URIs, Contact ...).

    Raises:
        ParseError: the message or one of the headers it carries is invalid.
    """
    message = parse(data)
    for view in VIEWS:
        getattr(message, view)
    return message


def lenient_parse(data: bytes) -> Request | Response:
    """`full_parse`, but an optional header a torture message writes oddly is skipped.

    Raises:
        ParseError: the start line or framing is invalid.
    """
    message = parse(data)
    for view in VIEWS:
        with contextlib.suppress(ParseError):
            getattr(message, view)
    return message
