"""Every RFC 4475 torture message, read as bytes, with its expected outcome."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from softphone.sip import AbsoluteUri, ParseError, Request, Response, SipUri, parse

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "rfc4475"

# file -> "ok" (must parse and round-trip) or (status, reason, partial?)
EXPECTED: dict[str, str | tuple[int, str, bool]] = {
    # 3.1.1 valid messages
    "wsinv.dat": "ok",
    "intmeth.dat": "ok",
    "esc01.dat": "ok",
    "escnull.dat": "ok",
    "esc02.dat": "ok",
    "lwsdisp.dat": "ok",
    "longreq.dat": "ok",
    "dblreq.dat": "ok",
    "semiuri.dat": "ok",
    "transports.dat": "ok",
    "mpart01.dat": "ok",
    "unreason.dat": "ok",
    "noreason.dat": "ok",
    # 3.1.2 invalid messages
    "badinv01.dat": (400, "Bad Via header: Empty element in a header list", True),
    "clerr.dat": (400, "Content-Length larger than message", True),
    "ncl.dat": (400, "Negative Content-Length", True),
    "scalar02.dat": (400, "CSeq number out of range", True),
    "scalarlg.dat": (400, "CSeq number out of range", False),
    "quotbal.dat": (400, "Bad To header: Unterminated quoted string in display name", True),
    "ltgtruri.dat": (400, "Request-URI enclosed in <>", False),
    "lwsruri.dat": (400, "Whitespace inside the Request-URI", False),
    "lwsstart.dat": (400, "Request-Line elements not separated by single spaces", False),
    "trws.dat": (400, "Whitespace around the Request-Line", False),
    "escruri.dat": (400, "Request-URI must not contain headers", False),
    "baddate.dat": (400, "Date is not an RFC 1123 date in GMT", True),
    "regbadct.dat": (400, "Bad Contact header: URI with ? or , must be enclosed in <>", True),
    "badaspec.dat": (400, "Bad To header: Whitespace inside <> around the URI", True),
    "baddn.dat": (400, "Bad From header: Display name with characters that need quoting", True),
    "badvers.dat": (505, "SIP version not supported", False),
    "mismatch01.dat": (400, "CSeq method does not match the request method", True),
    "mismatch02.dat": (400, "CSeq method does not match the request method", True),
    "bigcode.dat": (400, "Status code out of range", False),
    # 3.2 transaction layer: a branch without the magic cookie is RFC 2543 style
    "badbranch.dat": "ok",
    # 3.3 application layer: parse, the agent decides (415, 416, 420, 483 ...)
    "insuf.dat": (400, "Missing From header", True),
    "unkscm.dat": "ok",
    "novelsc.dat": "ok",
    "unksm2.dat": "ok",
    "bext01.dat": "ok",
    "invut.dat": "ok",
    "regaut01.dat": "ok",
    "multi01.dat": (400, "Multiple From headers", True),
    "mcl01.dat": (400, "Multiple Content-Length headers", True),
    "bcast.dat": "ok",
    "zeromf.dat": "ok",
    "cparam01.dat": "ok",
    "cparam02.dat": "ok",
    "regescrt.dat": "ok",
    "sdp01.dat": "ok",
    # 3.4 backward compatibility
    "inv2543.dat": "ok",
}


def _manifest() -> dict[str, str]:
    with (CORPUS / "MANIFEST.tsv").open(newline="") as fh:
        return {row["file"]: row["class"] for row in csv.DictReader(fh, delimiter="\t")}


def test_table_covers_the_whole_manifest() -> None:
    manifest = _manifest()
    assert set(EXPECTED) == set(manifest)
    assert {f for f, c in manifest.items() if c == "valid"} <= {
        f for f, e in EXPECTED.items() if e == "ok"
    }
    assert all(EXPECTED[f] != "ok" for f, c in manifest.items() if c == "invalid")


@pytest.mark.parametrize("name", sorted(f for f, e in EXPECTED.items() if e == "ok"))
def test_accepted_messages_round_trip(name: str) -> None:
    data = (CORPUS / name).read_bytes()
    message = parse(data)
    assert parse(bytes(message)) == message
    # Every view the stack reads works on an accepted message.
    assert message.call_id
    assert message.cseq.seq >= 0
    assert message.via
    message.from_, message.to, message.contact  # noqa: B018
    if isinstance(message, Request):
        assert message.cseq.method == message.method


@pytest.mark.parametrize(
    ("name", "expected"), sorted((f, e) for f, e in EXPECTED.items() if e != "ok")
)
def test_rejected_messages(name: str, expected: tuple[int, str, bool]) -> None:
    status, reason, has_partial = expected
    with pytest.raises(ParseError) as info:
        parse((CORPUS / name).read_bytes())
    assert (info.value.status, info.value.reason) == (status, reason)
    assert "\r" not in info.value.reason and "\n" not in info.value.reason
    assert (info.value.partial is not None) == has_partial
    if has_partial:
        partial = info.value.partial
        assert isinstance(partial, Request)
        # The agent can answer from the raw headers.
        answer = Response.for_request(partial, info.value.status, info.value.reason)
        assert answer.headers.get_all("Via") == partial.headers.get_all("Via")
        assert b"400 " + reason.encode() in bytes(answer)


def test_dblreq_ignores_octets_after_content_length() -> None:
    message = parse((CORPUS / "dblreq.dat").read_bytes())
    assert message.method == "REGISTER"  # type: ignore[union-attr]
    assert message.body == b""


def test_unknown_schemes_parse_as_absolute_uri() -> None:
    message = parse((CORPUS / "unkscm.dat").read_bytes())
    assert isinstance(message, Request)
    assert message.uri == AbsoluteUri("nobodyKnowsThisScheme", "totallyopaquecontent")
    message = parse((CORPUS / "unksm2.dat").read_bytes())
    assert isinstance(message.to.uri, AbsoluteUri)
    assert message.to.uri.scheme == "isbn"


def test_escaped_user_and_null() -> None:
    esc01 = parse((CORPUS / "esc01.dat").read_bytes())
    assert isinstance(esc01, Request) and isinstance(esc01.uri, SipUri)
    assert esc01.uri.user == "sips:user@example.com"
    escnull = parse((CORPUS / "escnull.dat").read_bytes())
    to = escnull.to.uri
    assert isinstance(to, SipUri) and to.user == "null-\x00-null"
    assert str(to) == "sip:null-%00-null@example.com"


def test_wsinv_folded_values() -> None:
    message = parse((CORPUS / "wsinv.dat").read_bytes())
    assert isinstance(message, Request)
    assert message.max_forwards == 68
    assert message.cseq.seq == 9 and message.cseq.method == "INVITE"
    assert message.from_.display_name == 'J Rosenberg \\"'
    assert message.from_.tag == "98asjd8"
    assert message.to.tag == "1918181833n"
    assert [v.branch for v in message.via] == ["390skdjuw", "z9hG4bK9ikj8", "z9hG4bK30239"]
    assert [v.transport for v in message.via] == ["UDP", "TCP", "UDP"]
    (contact,) = message.contact
    assert contact.q == 0.33
    assert contact.address is not None and contact.address.display_name == 'Quoted string ""'
    assert message.headers.get("NewFangledHeader") == "newfangled value continued newfangled value"


def test_noreason_and_unreason() -> None:
    noreason = parse((CORPUS / "noreason.dat").read_bytes())
    assert isinstance(noreason, Response) and (noreason.status, noreason.reason) == (100, "")
    unreason = parse((CORPUS / "unreason.dat").read_bytes())
    assert isinstance(unreason, Response) and unreason.status == 200
    assert "\u2019" in unreason.reason or len(unreason.reason) > 20
