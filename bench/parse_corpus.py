"""The parse benchmark's corpus and our full parse of one message.

`REALISTIC` is the messenger's everyday traffic (the peer comparison runs on
it); `rfc4475_valid()` is every valid RFC 4475 torture message (ours only:
the peers reject many of them). `full_parse()` parses a message and touches
every typed view, so lazily parsed header bodies are parsed too.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import random
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path

from softphone.sip import ParseError, Request, Response, parse

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus" / "rfc4475"

_COMMON = (
    "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK{branch};rport\r\n"
    "Max-Forwards: 70\r\n"
    'From: "Alice" <sip:alice@example.com>;tag={from_tag}\r\n'
    "To: <sip:bob@example.com>{to_tag}\r\n"
    "Call-ID: {call_id}@192.0.2.10\r\n"
    "CSeq: {cseq}\r\n"
)


@dataclass(frozen=True)
class Fresh:
    """The values each request, dialog or challenge makes new (RFC 3261 8.1.1, RFC 7616)."""

    branch: str = "776asdhds"
    from_tag: str = "1928301774"
    to_tag: str = "a6c85cf"
    challenge_tag: str = "37GkEhwl6"
    notifier_tag: str = "xyz"
    call_id: str = "a84b4c76e66710"
    cseq: int = 1
    nonce: str = "ea9c8e88df84f1cec4341ae6cbe5a359"
    cnonce: str = "0a4f113b"
    response: str = "dfe56131d1958046689d83306477ecc"
    expires_left: int = 599


def _msg(
    fresh: Fresh, start: str, method: str, extra: str = "", body: str = "", to_tag: str = ""
) -> bytes:
    common = _COMMON.format(
        branch=fresh.branch,
        from_tag=fresh.from_tag,
        to_tag=to_tag,
        call_id=fresh.call_id,
        cseq=f"{fresh.cseq} {method}",
    )
    raw = body.encode()
    head = start + "\r\n" + common + extra
    return (head + f"Content-Length: {len(raw)}\r\n\r\n").encode() + raw


REGINFO = (
    '<?xml version="1.0"?>\n<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="1" '
    'state="full"><registration aor="sip:bob@example.com" id="a7" state="active">'
    '<contact id="76" state="active" event="registered" expires="3600">'
    "<uri>sip:bob@192.0.2.20</uri></contact></registration></reginfo>\n"
)


def traffic(fresh: Fresh) -> list[bytes]:
    """MESSAGE (Korean text), its 200, REGISTER with credentials, 401 with two
    challenges, SUBSCRIBE Event: reg, NOTIFY with a reginfo document."""
    cseq = fresh.cseq
    return [
        _msg(
            fresh,
            "MESSAGE sip:bob@example.com SIP/2.0",
            "MESSAGE",
            "Content-Type: text/plain;charset=UTF-8\r\n",
            "안녕하세요! 밥",
        ),
        _msg(fresh, "SIP/2.0 200 OK", "MESSAGE", to_tag=f";tag={fresh.to_tag}"),
        _msg(
            dataclasses.replace(fresh, cseq=cseq + 1),
            "REGISTER sip:example.com SIP/2.0",
            "REGISTER",
            "Contact: <sip:alice@192.0.2.10:5060;transport=udp>;expires=3600\r\n"
            "Expires: 3600\r\n"
            'Authorization: Digest username="alice", realm="example.com", '
            f'nonce="{fresh.nonce}", uri="sip:example.com", '
            f'response="{fresh.response}", algorithm=MD5, qop=auth, nc=00000001, '
            f'cnonce="{fresh.cnonce}"\r\n'
            "Allow: INVITE, ACK, CANCEL, OPTIONS, BYE, MESSAGE, SUBSCRIBE, NOTIFY\r\n"
            "Supported: path, gruu\r\n",
        ),
        _msg(
            dataclasses.replace(fresh, cseq=cseq + 1),
            "SIP/2.0 401 Unauthorized",
            "REGISTER",
            f'WWW-Authenticate: Digest realm="example.com", nonce="{fresh.nonce}", '
            'opaque="", stale=FALSE, algorithm=SHA-256, qop="auth"\r\n'
            f'WWW-Authenticate: Digest realm="example.com", nonce="{fresh.nonce}", '
            'opaque="", stale=FALSE, algorithm=MD5, qop="auth"\r\n',
            to_tag=f";tag={fresh.challenge_tag}",
        ),
        _msg(
            dataclasses.replace(fresh, cseq=cseq + 2),
            "SUBSCRIBE sip:bob@example.com SIP/2.0",
            "SUBSCRIBE",
            "Contact: <sip:alice@192.0.2.10:5060>\r\nEvent: reg\r\n"
            "Accept: application/reginfo+xml\r\nExpires: 600\r\n",
        ),
        _msg(
            dataclasses.replace(fresh, cseq=cseq + 3),
            "NOTIFY sip:alice@192.0.2.10:5060 SIP/2.0",
            "NOTIFY",
            "Contact: <sip:bob@example.com>\r\nEvent: reg\r\n"
            f"Subscription-State: active;expires={fresh.expires_left}\r\n"
            "Content-Type: application/reginfo+xml\r\n",
            REGINFO,
            to_tag=f";tag={fresh.notifier_tag}",
        ),
    ]


#: The six messages of traffic(), every fresh value the same in each.
REALISTIC = traffic(Fresh())


def fresh_traffic(rounds: int, seed: int = 3261) -> list[bytes]:
    """`rounds` times the six messages of REALISTIC, each round with its own
    branch, tags, Call-ID, CSeq, nonce, cnonce, digest response and expiry,
    as a live account sends and receives them; what stays the same (URIs,
    Contact, Content-Type, Event, Allow ...) stays the same, as it does."""
    rng = random.Random(seed)
    out: list[bytes] = []
    for _ in range(rounds):
        fresh = Fresh(
            branch=rng.randbytes(8).hex(),
            from_tag=str(rng.randrange(10**9, 10**10)),
            to_tag=rng.randbytes(4).hex(),
            challenge_tag=rng.randbytes(5).hex(),
            notifier_tag=rng.randbytes(3).hex(),
            call_id=rng.randbytes(7).hex(),
            cseq=rng.randrange(1, 2**31 - 4),
            nonce=rng.randbytes(16).hex(),
            cnonce=rng.randbytes(4).hex(),
            response=rng.randbytes(16).hex(),
            expires_left=rng.randrange(1, 3601),
        )
        out.extend(traffic(fresh))
    return out


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


# Reads every view in one call, as attribute reads in the stack's code do:
# the same reads as a loop over getattr(), without the interpreter's loop
# (about a microsecond per message, which no peer's adapter pays).
_READ_EVERY_VIEW = attrgetter(*VIEWS)


def full_parse(data: bytes) -> Request | Response:
    """Parse `data` and every typed view of it (Via, From/To URIs, Contact ...).

    Raises:
        ParseError: the message or one of the headers it carries is invalid.
    """
    message = parse(data)
    _READ_EVERY_VIEW(message)
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
