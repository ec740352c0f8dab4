"""The parser's fast paths give what the full grammar gives, errors included.

Common shapes (``"Alice" <sip:a@host:port;p>;tag=x``, ``SIP/2.0/UDP
host;branch=...``, ``Digest a="b", c=d``, ``INVITE, ACK``) are read by one
regex each; anything else takes the general path. Each test here writes the
same value once in the common shape and once with the optional whitespace or
case that forces the general path, and checks both give the same result (or
the same ParseError).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from softphone.sip import (
    Headers,
    LocalProtocolError,
    NameAddr,
    ParseError,
    Request,
    SipUri,
    TelUri,
    parse,
    parse_challenges,
    parse_credentials,
)
from softphone.sip.fields import ContentType, CSeq, SubscriptionState, Via

SETTINGS = settings(max_examples=150, deadline=None)
TOKEN_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~"
tokens = st.text(TOKEN_CHARS, min_size=1, max_size=10)
labels = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8)
hosts = st.one_of(st.lists(labels, min_size=1, max_size=3).map(".".join), st.ip_addresses(v=4))


def _spaced(params: str) -> str:
    # The same parameters with LWS around ";" and "=" (RFC 3261 25.1 SEMI and
    # EQUAL allow it), which only the general parameter loop reads.
    return params.replace(";", " ; ").replace("=", " = ")


@pytest.mark.parametrize(
    ("text", "display", "uri", "params"),
    [
        (
            '"Alice" <sip:alice@example.com>;tag=1928301774',
            "Alice",
            SipUri(user="alice", host="example.com"),
            (("tag", "1928301774"),),
        ),
        (
            "Bob  Smith <sips:bob@192.0.2.4:5061;transport=tls;lr>;expires=60;q=0.5",
            "Bob  Smith",
            SipUri(
                "sips",
                "bob",
                host="192.0.2.4",
                port=5061,
                params=(("transport", "tls"), ("lr", None)),
            ),
            (("expires", "60"), ("q", "0.5")),
        ),
        ("<sip:example.com>", None, SipUri(host="example.com"), ()),
        ('""<sip:a@b.>;x', "", SipUri(user="a", host="b."), (("x", None),)),
        (
            "<tel:+358-555-1234567;phone-context=x>",
            None,
            TelUri("+358-555-1234567", (("phone-context", "x"),)),
            (),
        ),
    ],
)
def test_name_addr_common_shapes(
    text: str, display: str | None, uri: object, params: tuple[tuple[str, str | None], ...]
) -> None:
    addr = NameAddr.parse(text)
    assert (addr.display_name, addr.uri, addr.params) == (display, uri, params)
    gt = text.index(">") + 1
    assert NameAddr.parse(text[:gt] + _spaced(text[gt:])) == addr


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("<sip:alice@example.com:65536>", "Port out of range in SIP URI"),
        ("<sip:alice@-example-.com>", "Invalid host in SIP URI"),
        ("<sip:alice@example.com;;x>", "Empty parameter in SIP URI"),
        ("<sip:al%4@example.com>", "Invalid % escape in URI user"),
        ("< sip:alice@example.com>", "Whitespace inside <> around the URI"),
        ('"Alice <sip:alice@example.com>', "Unterminated quoted string in display name"),
        ("Alice@home <sip:alice@example.com>", "Display name with characters that need quoting"),
        ("<sip:alice@example.com>;tag=", "Malformed parameter in name-addr"),
    ],
)
def test_name_addr_errors_are_those_of_the_grammar(text: str, reason: str) -> None:
    with pytest.raises(ParseError) as info:
        NameAddr.parse(text)
    assert info.value.reason == reason


def test_sip_uri_shapes_outside_the_fast_path_parse_alike() -> None:
    fast = SipUri.parse("sip:alice@example.com:5060;transport=udp")
    assert fast == SipUri(
        user="alice", host="example.com", port=5060, params=(("transport", "udp"),)
    )
    assert SipUri.parse("SIP:alice@example.com:5060;transport=udp") == fast
    assert SipUri.parse("sip:%61lice@example.com:5060;transport=udp") == fast
    escaped = SipUri.parse("sip:a%3Bb@example.com;x=%41")
    assert (escaped.user, escaped.params) == ("a;b", (("x", "A"),))
    with_password = SipUri.parse("sip:alice:secret@example.com")
    assert (with_password.user, with_password.password) == ("alice", "secret")
    with pytest.raises(ParseError, match="Port out of range in SIP URI"):
        SipUri.parse("sip:alice@example.com:99999")


@SETTINGS
@given(
    display=st.one_of(st.none(), st.text("abc XYZ019", max_size=8)),
    user=st.one_of(st.none(), tokens.filter(lambda t: "%" not in t)),
    host=hosts,
    port=st.one_of(st.none(), st.integers(0, 65535)),
    uri_params=st.lists(st.tuples(labels, st.one_of(st.none(), labels)), max_size=2),
    params=st.lists(st.tuples(tokens, st.one_of(st.none(), tokens)), max_size=3),
)
def test_name_addr_fast_and_general_paths_agree(
    display: str | None,
    user: str | None,
    host: str,
    port: int | None,
    uri_params: list[tuple[str, str | None]],
    params: list[tuple[str, str | None]],
) -> None:
    uri = SipUri(user=user, host=str(host), port=port, params=tuple(uri_params))
    expected = NameAddr(uri, display, tuple(params))
    text = str(expected)
    assert NameAddr.parse(text) == expected
    gt = text.index(">") + 1
    assert NameAddr.parse(text[:gt] + _spaced(text[gt:])) == expected
    assert SipUri.parse(str(uri)) == uri


@pytest.mark.parametrize(
    "text",
    [
        "SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport",
        "SIP/2.0/tcp example.com;branch=z9hG4bKx;received=192.0.2.1;rport=5070",
        "sip/2.0/TLS [2001:db8::1]:5061;branch=z9hG4bKy",
    ],
)
def test_via_fast_and_general_paths_agree(text: str) -> None:
    semi = text.index(";")
    via = Via.parse(text)
    assert Via.parse(text[:semi] + _spaced(text[semi:])) == via
    assert via.branch is not None and via.branch.startswith("z9hG4bK")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("SIP/2.0/UDP host:65536;branch=z9hG4bKa", "Via port out of range"),
        ("SIP/2.0/UDP host;branch=z9hG4bKa;rport=70000", "Via rport is not a port number"),
        ("SIP/2.0/UDP host;rport=x1", "Via rport is not a port number"),
        ("SIP/2.0/UDP host;branch=z9hG4bKa;x;rport=70000", "Via rport is not a port number"),
        ("SIP/2.0/UDP host;RPort=70000", "Via rport is not a port number"),
        ("SIP/3.0/UDP host;branch=z9hG4bKa", "Via protocol is not SIP/2.0"),
        ("SIP/2.0/UDP host;branch=", "Malformed parameter in Via header"),
    ],
)
def test_via_errors_are_those_of_the_grammar(text: str, reason: str) -> None:
    with pytest.raises(ParseError) as info:
        Via.parse(text)
    assert info.value.reason == reason


def test_via_rport_flag_and_value() -> None:
    assert Via.parse("SIP/2.0/UDP h;rport").rport is True
    assert Via.parse("SIP/2.0/UDP h;rport=5070;rport=1").rport == 5070
    assert Via.parse("SIP/2.0/UDP h").rport is None


def test_cseq_and_content_type() -> None:
    assert CSeq.parse("1 MESSAGE") == CSeq(1, "MESSAGE")
    with pytest.raises(ParseError, match="CSeq number out of range"):
        CSeq.parse("2147483648 MESSAGE")
    fast = ContentType.parse("text/plain;charset=UTF-8")
    assert fast == ContentType("text", "plain", (("charset", "UTF-8"),))
    assert ContentType.parse("text/plain ; charset = UTF-8") == fast
    assert ContentType.parse('text/plain;charset="UTF-8"').charset == "UTF-8"


CREDENTIALS = (
    'Digest username="alice", realm="example.com", nonce="ea9c8e88", uri="sip:example.com", '
    'response="dfe56131", algorithm=MD5, qop=auth, nc=00000001, cnonce="0a4f113b"'
)


def test_credentials_common_and_folded_forms_agree() -> None:
    compact = parse_credentials(CREDENTIALS)
    assert compact.scheme == "Digest"
    assert compact.username == "alice" and compact.nc == 1 and compact.qop == "auth"
    assert compact.uri == "sip:example.com"
    folded = CREDENTIALS.replace(", ", " ,\r\n\t").replace("=", " = ")
    assert parse_credentials(folded) == compact


def test_challenges_escapes_and_several_on_one_line() -> None:
    (one,) = parse_challenges(r'Digest realm="a \"b\" c", nonce=n1, qop="auth,auth-int"')
    assert one.realm == 'a "b" c' and one.nonce == "n1"
    assert one.qop_options == ("auth", "auth-int")
    both = parse_challenges('Digest realm="r", nonce="n", Basic realm="r2"')
    assert [(c.scheme, c.params) for c in both] == [
        ("Digest", (("realm", "r"), ("nonce", "n"))),
        ("Basic", (("realm", "r2"),)),
    ]


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ('Digest realm="r",', "expected an auth-param name in 'Digest realm=\"r\",'"),
        (
            'Digest realm="r" nonce="n"',
            "expected a comma in authentication header at 'nonce=\"n\"'",
        ),
        ('Digest realm="r', "unterminated quoted-string in authentication header"),
        ("Digest", "authentication scheme 'Digest' without parameters"),
        ("Digest realm", "auth-param 'realm' without a value"),
    ],
)
def test_malformed_authentication_values(value: str, reason: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_challenges(value)
    assert info.value.reason == reason


def _register(*lines: str) -> bytes:
    head = [
        "REGISTER sip:example.com SIP/2.0",
        "Via: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bKa",
        "From: <sip:alice@example.com>;tag=1",
        "To: <sip:alice@example.com>",
        "Call-ID: c1@192.0.2.10",
        "CSeq: 2 REGISTER",
        *lines,
        "Content-Length: 0",
    ]
    return ("\r\n".join(head) + "\r\n\r\n").encode()


def test_token_lists() -> None:
    message = parse(_register("Allow: INVITE, ACK,MESSAGE", "Supported: path,,gruu"))
    assert message.allow == ["INVITE", "ACK", "MESSAGE"]
    assert message.supported == ["path", "gruu"]
    assert message.require == []
    with pytest.raises(ParseError, match="Bad Allow header"):
        _ = parse(_register("Allow: INVITE, A@B")).allow


def test_header_names_in_any_spelling_share_one_key() -> None:
    message = parse(_register("EXPIRES: 60", "m : <sip:alice@192.0.2.10>", "v: SIP/2.0/TCP h"))
    assert message.expires == 60
    assert [c.address.uri for c in message.contact if c.address] == [
        SipUri(user="alice", host="192.0.2.10")
    ]
    assert [v.transport for v in message.via] == ["UDP", "TCP"]
    assert [name for name, _ in message.headers][-4:] == [
        "Expires",
        "Contact",
        "Via",
        "Content-Length",
    ]


def test_lookups_follow_changes_after_parse() -> None:
    message = parse(_register())
    assert isinstance(message, Request)
    vias = message.headers.get_all("Via")
    vias.append("changed by the caller")
    assert message.headers.get_all("Via") == ["SIP/2.0/UDP 192.0.2.10;branch=z9hG4bKa"]
    message.headers.insert_first("Via", "SIP/2.0/UDP 192.0.2.99;branch=z9hG4bKtop")
    assert [v.host for v in message.via] == ["192.0.2.99", "192.0.2.10"]
    message.headers.set("Expires", "30")
    assert message.expires == 30 and "expires" in message.headers


@pytest.mark.parametrize("bad", ["Subject: a\rb", "Subject: a\nb", "Subject: a\r\r\nX: b"])
def test_bare_cr_or_lf_in_the_header_section(bad: str) -> None:
    with pytest.raises(ParseError) as info:
        parse(_register(bad))
    assert info.value.reason == "Bare CR or LF in the header section"


def test_nul_in_a_quoted_via_parameter_is_a_parse_error() -> None:
    with pytest.raises(ParseError):
        parse(_register('Via: SIP/2.0/UDP h;x="a\x00b"'))


def test_headers_built_by_code_read_like_parsed_ones() -> None:
    headers = Headers([("Allow", " INVITE , ACK "), ("Via", "SIP/2.0/UDP h;branch=z9hG4bKb")])
    request = Request("OPTIONS", "sip:example.com", headers)
    assert request.allow == ["INVITE", "ACK"]
    assert request.via[0].branch == "z9hG4bKb"


def _request_line_outcome(start_line: str) -> object:
    data = _register().replace(b"REGISTER sip:example.com SIP/2.0", start_line.encode(), 1)
    try:
        message = parse(data)
    except ParseError as exc:
        return exc.reason
    assert isinstance(message, Request)
    return message.method, message.uri


@pytest.mark.parametrize(
    ("usual", "general"),
    [
        # The usual Request-Line against one the general path reads (scheme
        # case, an escape): the same method and URI.
        (
            "REGISTER sip:alice@example.com:5070;transport=udp;lr SIP/2.0",
            "REGISTER SIP:%61lice@example.com:5070;transport=udp;lr SIP/2.0",
        ),
        ("REGISTER sips:example.com SIP/2.0", "REGISTER SIPS:example.com sip/2.0"),
        # Out of range or malformed in the usual shape: the general path's error.
        (
            "REGISTER sip:example.com:65536 SIP/2.0",
            "REGISTER SIP:example.com:65536 SIP/2.0",
        ),
        ("REGISTER sip:-bad-.com SIP/2.0", "REGISTER SIP:-bad-.com SIP/2.0"),
    ],
)
def test_request_line_usual_and_general_paths_agree(usual: str, general: str) -> None:
    assert _request_line_outcome(usual) == _request_line_outcome(general)


def test_request_line_errors_of_the_usual_shape() -> None:
    assert _request_line_outcome("REGISTER sip:example.com:65536 SIP/2.0") == (
        "Bad Request-URI: Port out of range in SIP URI"
    )
    assert _request_line_outcome("REGISTER sip:example.com SIP/2.1") == (
        "SIP version not supported"
    )


@pytest.mark.parametrize(
    ("contact", "expected"),
    [
        ("<sip:alice@192.0.2.10:5060;transport=udp>;expires=3600", (3600, None)),
        ("<sip:alice@192.0.2.10>;q=0.5;expires=60;expires=x", (60, 0.5)),
        ("<sip:alice@192.0.2.10>;EXPIRES=0", (0, None)),
        (
            "<sip:alice@192.0.2.10>;expires=x",
            "Bad Contact header: Contact expires is not a number of seconds",
        ),
        (
            "<sip:alice@192.0.2.10>;expires",
            "Bad Contact header: Contact expires is not a number of seconds",
        ),
        ("<sip:alice@192.0.2.10>;Q=2", "Bad Contact header: Contact q is not a q-value"),
        ("<sip:alice@192.0.2.10:99999>", "Bad Contact header: Port out of range in SIP URI"),
    ],
)
def test_one_usual_contact_checks_expires_and_q(contact: str, expected: object) -> None:
    gt = contact.index(">") + 1
    for value in (contact, contact[:gt] + contact[gt:].replace(";", " ; ")):
        # The spaced form takes the general path (element split, then parse).
        try:
            (parsed,) = parse(_register(f"Contact: {value}")).contact
        except ParseError as exc:
            assert exc.reason == expected
        else:
            assert (parsed.expires, parsed.q) == expected


@pytest.mark.parametrize(
    ("usual", "spaced"),
    [
        ("Event: reg;id=7;x", "Event:  reg ; id = 7 ; x "),
        ("Event: presence;ID=a", "Event: presence ; ID=a"),
        ("Subscription-State: active;expires=599", "Subscription-State: active ; expires = 599"),
        (
            "Subscription-State: terminated;reason=timeout;retry-after=30;x=1",
            "Subscription-State: TERMINATED ; reason = TIMEOUT ; retry-after=30 ; x = 1",
        ),
        ("Allow: INVITE, ACK, MESSAGE", "Allow: INVITE ,ACK,\tMESSAGE"),
        ("Content-Type: text/plain;charset=UTF-8", "Content-Type: text / plain ; charset=UTF-8"),
    ],
)
def test_other_views_usual_and_spaced_forms_agree(usual: str, spaced: str) -> None:
    one, other = parse(_register(usual)), parse(_register(spaced))
    for view in ("event", "subscription_state", "allow", "content_type"):
        assert getattr(one, view) == getattr(other, view)


def test_subscription_state_reason_outside_the_token_grammar_is_refused_as_before() -> None:
    # A reason with ":" fits a parameter value but not the token the view's
    # constructor requires: the same refusal on both paths.
    for value in ("terminated;reason=a:b", "terminated ; reason=a:b"):
        with pytest.raises(LocalProtocolError):
            _ = parse(_register(f"Subscription-State: {value}")).subscription_state


@pytest.mark.parametrize(
    ("line", "outcome"),
    [
        ("X-Custom  :  some value \t", ("X-Custom", "some value")),
        ("x-custom:v", ("x-custom", "v")),
        ("SUBJECT:\thi", ("Subject", "hi")),
        ("Subject:", ("Subject", "")),
        # The value is what follows the first colon, whatever ": " it holds.
        ("Subject:a: b", ("Subject", "a: b")),
        ("Subject: a: b", ("Subject", "a: b")),
        ("Subject:  a: b ", ("Subject", "a: b")),
        ("Subject :a: b", ("Subject", "a: b")),
        ("Subject:a:b: c", ("Subject", "a:b: c")),
        ("No colon here", "Header line without a colon"),
        # A compact form alone (f is From) is no header line either.
        ("f", "Header line without a colon"),
        ("F", "Header line without a colon"),
        ("Bad Name: x", "Header name is not a token"),
        (": x", "Header name is not a token"),
    ],
)
def test_header_lines_split_as_the_grammar_says(line: str, outcome: object) -> None:
    try:
        message = parse(_register(line))
    except ParseError as exc:
        assert exc.reason == outcome
    else:
        assert list(message.headers)[-2] == outcome


def test_new_header_names_are_remembered_within_a_bound() -> None:
    from softphone.sip import message as module

    for number in range(module._NAMES_MAX + 10):
        message = parse(_register(f"X-Name-{number}: {number}"))
        assert message.headers.get(f"x-name-{number}") == str(number)
    assert len(module._NAMES) <= module._NAMES_MAX
    long_name = "X-" + "a" * module._NAME_MAX_LENGTH
    assert parse(_register(f"{long_name}: v")).headers.get(long_name) == "v"
    assert long_name not in module._NAMES


@pytest.mark.parametrize(
    "value",
    [
        "1 MESSAGE",
        "0001 REGISTER",
        "999999999 BYE",
        "2147483647 NOTIFY",
        "2147483648 NOTIFY",
        "9999999999 NOTIFY",
        "00000000001 MESSAGE",
        "1  MESSAGE",
        "1\tMESSAGE",
        "1 message",
        "1 X-Custom",
        "1 MESSAGE x",
        "1 MESS AGE",
        "\u0663 MESSAGE",
        "x MESSAGE",
        "1",
    ],
)
def test_cseq_of_a_parsed_message_reads_as_cseq_parse(value: str) -> None:
    # parse() reads the usual "digits SP METHOD" by str methods; every other
    # value goes to CSeq.parse: both give the same CSeq or the same error.
    data = (
        "SIP/2.0 200 OK\r\n"
        "Via: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bKa\r\n"
        "From: <sip:alice@example.com>;tag=1\r\n"
        "To: <sip:bob@example.com>;tag=2\r\n"
        "Call-ID: c1@192.0.2.10\r\n"
        f"CSeq: {value}\r\n"
        "Content-Length: 0\r\n\r\n"
    ).encode()
    try:
        expected = CSeq.parse(value)
    except ParseError as exc:
        with pytest.raises(ParseError) as raised:
            parse(data)
        assert raised.value.reason == exc.reason
    else:
        assert parse(data).cseq == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("active;expires=600", SubscriptionState("active", None, 600)),
        ("pending;expires=0", SubscriptionState("pending", None, 0)),
        ("terminated;expires=30", SubscriptionState("terminated", None, 30)),
        ("active;expires=600;x", SubscriptionState("active", None, 600, None, (("x", None),))),
        ("Active;expires=600", SubscriptionState("active", None, 600)),
        ("active;expires=", "Malformed parameter in Subscription-State header"),
        ("active;expires=\u0663", "Malformed parameter in Subscription-State header"),
        ("active;expires=-1", "Subscription-State expires is not a number of seconds"),
    ],
)
def test_subscription_state_reads_the_same_on_either_path(
    text: str, expected: SubscriptionState | str
) -> None:
    if isinstance(expected, str):
        with pytest.raises(ParseError, match=expected):
            SubscriptionState.parse(text)
    else:
        assert SubscriptionState.parse(text) == expected
