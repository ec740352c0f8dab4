"""Real messages the fuzzers start from: what the receive path sees in use."""

from __future__ import annotations

from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "rfc4475"

_VIA = "Via: SIP/2.0/UDP 192.0.2.9:5060;branch=z9hG4bK{n};rport\r\n"

REGINFO = (
    '<?xml version="1.0"?>\r\n'
    '<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="1" state="full">\r\n'
    ' <registration aor="sip:alice@example.test" id="a7" state="active">\r\n'
    '  <contact id="76" state="active" event="registered" expires="3600">\r\n'
    "   <uri>sip:alice@192.0.2.4</uri>\r\n"
    "  </contact>\r\n"
    " </registration>\r\n"
    "</reginfo>\r\n"
)


def _message(
    start: str, n: int, *, to_tag: str = "", extra: str = "", body: str = "", method: str = ""
) -> bytes:
    body_bytes = body.encode()
    to = "<sip:bob@example.test>" + (f";tag={to_tag}" if to_tag else "")
    text = (
        f"{start}\r\n"
        + _VIA.format(n=n)
        + "Max-Forwards: 70\r\n"
        + f'From: "Alice" <sip:alice@example.test>;tag=f{n}\r\n'
        + f"To: {to}\r\n"
        + f"Call-ID: seed{n}@192.0.2.9\r\n"
        + f"CSeq: {n} {method or start.split()[0]}\r\n"
        + extra
        + f"Content-Length: {len(body_bytes)}\r\n\r\n"
    )
    return text.encode() + body_bytes


def seeds() -> list[bytes]:
    """Valid requests and responses of every kind the stack handles, then RFC 4475."""
    uri = "sip:bob@example.test"
    found = [
        _message(
            f"MESSAGE {uri} SIP/2.0",
            1,
            extra="Content-Type: text/plain;charset=UTF-8\r\n",
            body="hello, 안녕",
        ),
        _message(
            f"MESSAGE {uri} SIP/2.0",
            2,
            extra="Content-Type: text/plain;charset=ISO-8859-1\r\n",
            body="caf\xe9",
        ),
        _message(
            f"NOTIFY {uri} SIP/2.0",
            3,
            to_tag="t3",
            extra=(
                "Event: reg\r\nSubscription-State: active;expires=3600\r\n"
                "Contact: <sip:notifier@192.0.2.9>\r\n"
                "Content-Type: application/reginfo+xml\r\n"
            ),
            body=REGINFO,
        ),
        _message(f"OPTIONS {uri} SIP/2.0", 4, extra="Accept: application/sdp\r\n"),
        _message(
            f"SUBSCRIBE {uri} SIP/2.0",
            5,
            extra="Event: reg\r\nExpires: 600\r\nContact: <sip:alice@192.0.2.9>\r\n",
        ),
        _message("SIP/2.0 200 OK", 6, to_tag="t6", method="MESSAGE"),
        _message(f"MESSAGE {uri} SIP/2.0", 7, to_tag="t7", body="in a dialog we never made"),
    ]
    for path in sorted(CORPUS.glob("*.dat")):
        found.append(path.read_bytes())
    return found
