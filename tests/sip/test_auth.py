"""Digest authentication: RFC test vectors, parsing, challenge choice, client state."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from softphone.sip.auth import (
    AuthenticationFailed,
    Challenge,
    Credentials,
    DigestClient,
    authorization,
    choose_challenge,
    digest_response,
    make_challenge,
    parse_challenges,
    parse_credentials,
    verify,
)
from softphone.sip.errors import ParseError
from softphone.sip.message import Request, Response, parse
from tests.helpers import make_request

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "rfc4475"

# RFC 7616 3.9.1 example values.
RFC7616_NONCE = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"
RFC7616_CNONCE = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"
RFC7616_OPAQUE = "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"


def counter_bytes() -> Callable[[int], bytes]:
    """A deterministic random source: 00..07, 08..0f, ..."""
    state = {"next": 0}

    def random_bytes(n: int) -> bytes:
        start = state["next"]
        state["next"] += n
        return bytes((start + i) % 256 for i in range(n))

    return random_bytes


# --- test vectors ---------------------------------------------------------------


def test_rfc2617_md5_qop_auth_vector() -> None:
    # RFC 2617 3.5: the response for Mufasa's GET of /dir/index.html.
    challenge = parse_challenges(
        'Digest realm="testrealm@host.com", qop="auth,auth-int", '
        'nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", '
        'opaque="5ccc069c403ebaf9f0171e9517f40e41"'
    )[0]
    value = authorization(
        challenge,
        method="GET",
        uri="/dir/index.html",
        username="Mufasa",
        password="Circle Of Life",
        cnonce="0a4f113b",
        nc=1,
    )
    creds = parse_credentials(value)
    assert creds.response == "6629fae49393a05397450978507c4ef1"
    assert creds.qop == "auth"
    assert creds.param("nc") == "00000001"
    assert creds.cnonce == "0a4f113b"
    assert creds.opaque == "5ccc069c403ebaf9f0171e9517f40e41"
    assert 'uri="/dir/index.html"' in value
    assert "qop=auth," in value and "nc=00000001," in value  # tokens, not quoted


@pytest.mark.parametrize(
    ("algorithm", "expected"),
    [
        ("MD5", "8ca523f5e9506fed4657c9700eebdbec"),
        ("SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"),
    ],
)
def test_rfc7616_vectors(algorithm: str, expected: str) -> None:
    # RFC 7616 3.9.1: the same request answered with SHA-256 and with MD5.
    challenge = parse_challenges(
        f'Digest realm="http-auth@example.org", qop="auth, auth-int", '
        f'algorithm={algorithm}, nonce="{RFC7616_NONCE}", opaque="{RFC7616_OPAQUE}"'
    )[0]
    creds = parse_credentials(
        authorization(
            challenge,
            method="GET",
            uri="/dir/index.html",
            username="Mufasa",
            password="Circle of Life",
            cnonce=RFC7616_CNONCE,
        )
    )
    assert creds.response == expected
    assert creds.algorithm == algorithm
    assert creds.opaque == RFC7616_OPAQUE


# The SIP REGISTER example below was computed by hand with md5sum/sha256sum:
#   HA1 = MD5("alice:example.com:secret") = b1726872c344b6dc8365b774f8fd6412
#   HA2 = MD5("REGISTER:sip:example.com")  = 0264b00abe5b31d87fb22979689b883f
#   response = MD5(HA1 ":a1b2c3:00000001:0123456789abcdef:auth:" HA2)
REGISTER = {
    "username": "alice",
    "realm": "example.com",
    "password": "secret",
    "method": "REGISTER",
    "uri": "sip:example.com",
    "nonce": "a1b2c3",
    "cnonce": "0123456789abcdef",
}


@pytest.mark.parametrize(
    ("algorithm", "qop", "nc", "expected"),
    [
        ("MD5", "auth", 1, "12943745df30503505904b618fdd57f3"),
        # MD5-sess: HA1' = MD5(HA1 ":a1b2c3:0123456789abcdef")
        ("MD5-sess", "auth", 1, "4eac2985c631fe573c50adacecc62636"),
        # RFC 2069: response = MD5(HA1 ":a1b2c3:" HA2)
        ("MD5", None, 1, "bc9e1f50b5c5959b27866370b4a41f86"),
        (
            "SHA-256",
            "auth",
            2,
            "ebb0c988d5c8d80430c1a3bfbeaecaf5a92feca8d8fe8f50b0545320d394deec",
        ),
    ],
)
def test_sip_register_computed_by_hand(
    algorithm: str, qop: str | None, nc: int, expected: str
) -> None:
    assert digest_response(algorithm=algorithm, qop=qop, nc=nc, **REGISTER) == expected


def test_auth_int_hashes_the_body() -> None:
    # HA2 = MD5("MESSAGE:sip:bob@example.com:" MD5("hello")), by hand.
    args = {**REGISTER, "method": "MESSAGE", "uri": "sip:bob@example.com"}
    result = digest_response(algorithm="MD5", qop="auth-int", body=b"hello", **args)
    assert result == "a7db759b31bddea8c4e3a145634983bf"
    other = digest_response(algorithm="MD5", qop="auth-int", body=b"hellO", **args)
    assert other != result


def test_unknown_algorithm_and_qop_are_refused() -> None:
    with pytest.raises(ValueError, match="algorithm"):
        digest_response(algorithm="SHA-512-256", **REGISTER)
    with pytest.raises(ValueError, match="qop"):
        digest_response(algorithm="MD5", qop="auth-conf", **REGISTER)


# --- parsing --------------------------------------------------------------------


def test_parse_challenge_properties() -> None:
    [challenge] = parse_challenges(
        'Digest realm="example.com", domain="sip:example.com", nonce="n1", '
        'opaque="op", stale=TRUE, algorithm=md5-sess, qop="auth,auth-int"'
    )
    assert challenge.scheme == "Digest"
    assert challenge.is_digest
    assert (challenge.realm, challenge.nonce, challenge.opaque) == ("example.com", "n1", "op")
    assert challenge.algorithm == "MD5-SESS"
    assert challenge.qop_options == ("auth", "auth-int")
    assert challenge.stale is True
    assert challenge.param("DOMAIN") == "sip:example.com"


def test_parse_challenge_defaults() -> None:
    [challenge] = parse_challenges('Digest realm="r", nonce="n"')
    assert challenge.algorithm == "MD5"
    assert challenge.qop_options == ()
    assert challenge.stale is False
    assert challenge.opaque is None


def test_parse_challenges_several_lines_and_several_per_line() -> None:
    challenges = parse_challenges(
        [
            'Digest realm="a", nonce="1", algorithm=SHA-256',
            'Digest realm="a", nonce="2", Basic realm="b"',
            "NewScheme foo=bar",
        ]
    )
    assert [(c.scheme, c.realm, c.nonce) for c in challenges] == [
        ("Digest", "a", "1"),
        ("Digest", "a", "2"),
        ("Basic", "b", None),
        ("NewScheme", None, None),
    ]


def test_parse_quoted_values_keep_commas_and_escapes() -> None:
    [challenge] = parse_challenges(r'Digest realm="a, \"b\"", nonce="x,y"')
    assert challenge.realm == 'a, "b"'
    assert challenge.nonce == "x,y"


@pytest.mark.parametrize("count", [1, 11, 12, 13, 20])
def test_parse_reads_every_param_of_a_long_usual_value(count: int) -> None:
    # The usual value is read by one regex for up to 12 params and by a
    # second scan beyond; both give every param in order, quotes dropped.
    # Even params are tokens, odd ones quoted (some empty, some with blanks).
    expected = tuple(
        (f"p{i}", f"b{i}" if i % 2 == 0 else ("" if i % 3 == 0 else f"q {i}")) for i in range(count)
    )
    text = "Digest " + ", ".join(
        f"{name}={value}" if i % 2 == 0 else f'{name}="{value}"'
        for i, (name, value) in enumerate(expected)
    )
    assert parse_credentials(text).params == expected
    [challenge] = parse_challenges(text)
    assert challenge.params == expected


def test_parse_allows_folded_whitespace() -> None:
    [challenge] = parse_challenges('Digest realm = "a" ,\r\n nonce="n"')
    assert (challenge.realm, challenge.nonce) == ("a", "n")


def test_parse_credentials_of_unknown_scheme_regaut01() -> None:
    # RFC 4475 3.1.2.12: an unknown scheme in Authorization must parse.
    creds = parse_credentials("NoOneKnowsThisScheme opaque-data=here")
    assert creds == Credentials(scheme="NoOneKnowsThisScheme", params=(("opaque-data", "here"),))
    assert not creds.is_digest
    message = parse((CORPUS / "regaut01.dat").read_bytes())
    assert isinstance(message, Request)
    assert message.authorization == creds


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "Digest",
        "Digest ",
        'Digest realm="unterminated',
        "Digest realm",
        "Digest realm=",
        'Digest realm="a" nonce="b"',
        "Digest ,realm=a",
        "Digest realm=a,",
        '"quoted" realm=a',
        "Digest realm=a,,nonce=b",
    ],
)
def test_garbage_raises_parse_error(value: str) -> None:
    with pytest.raises(ParseError):
        parse_challenges(value)
    with pytest.raises(ParseError):
        parse_credentials(value)


def test_credentials_round_trip() -> None:
    value = authorization(
        make_challenge(realm="example.com", nonce="abc", opaque="o p"),
        method="MESSAGE",
        uri="sip:bob@example.com",
        username="alice",
        password="secret",
        cnonce="cafe",
        nc=3,
    )
    creds = parse_credentials(value)
    assert parse_credentials(str(creds)) == creds
    assert creds.nc == 3
    assert (creds.username, creds.realm, creds.uri) == (
        "alice",
        "example.com",
        "sip:bob@example.com",
    )


def test_credentials_accessors_handle_absence() -> None:
    creds = parse_credentials('Digest username="a", nc=zz')
    assert creds.nc is None
    assert creds.qop is None
    assert creds.algorithm == "MD5"
    assert parse_credentials('Digest username="a"').nc is None


def test_one_authorization_holds_one_credentials() -> None:
    with pytest.raises(ParseError):
        parse_credentials('Digest username="a", Digest username="b"')


# --- choosing a challenge ------------------------------------------------------


def _digest(algorithm: str | None = None, qop: str | None = "auth", realm: str = "r") -> Challenge:
    params = [("realm", realm), ("nonce", f"n-{algorithm}")]
    if algorithm:
        params.append(("algorithm", algorithm))
    if qop:
        params.append(("qop", qop))
    return Challenge(scheme="Digest", params=tuple(params))


@pytest.mark.parametrize("order", [1, -1])
def test_sha256_is_preferred_over_md5(order: int) -> None:
    md5, sha = _digest("MD5"), _digest("SHA-256")
    assert choose_challenge([md5, sha][::order]) is sha


def test_unknown_schemes_algorithms_and_qops_are_ignored() -> None:
    basic = Challenge(scheme="Basic", params=(("realm", "r"),))
    odd_algorithm = _digest("SHA-512-256")
    odd_qop = _digest("SHA-256", qop="auth-conf")
    md5 = _digest()
    assert choose_challenge([basic, odd_algorithm, odd_qop, md5]) is md5
    assert choose_challenge([basic, odd_algorithm, odd_qop]) is None
    assert choose_challenge([]) is None
    # Without realm or nonce a Digest challenge cannot be answered.
    assert choose_challenge([Challenge(scheme="Digest", params=(("realm", "r"),))]) is None


def test_auth_int_only_is_answered_with_the_body() -> None:
    challenge = _digest("MD5", qop="auth-int")
    assert choose_challenge([challenge]) is challenge
    value = authorization(
        challenge,
        method="MESSAGE",
        uri="sip:bob@example.com",
        username="alice",
        password="secret",
        cnonce="c",
        body=b"hi",
    )
    creds = parse_credentials(value)
    assert creds.qop == "auth-int"
    assert verify(creds, method="MESSAGE", password="secret", body=b"hi")
    assert not verify(creds, method="MESSAGE", password="secret", body=b"tampered")


def test_authorization_refuses_unsupported_challenge() -> None:
    with pytest.raises(ValueError):
        authorization(
            Challenge(scheme="Basic", params=(("realm", "r"),)),
            method="REGISTER",
            uri="sip:r",
            username="a",
            password="b",
            cnonce="c",
        )


def test_rfc2069_server_gets_no_qop_nc_or_cnonce() -> None:
    value = authorization(
        _digest(qop=None),
        method="REGISTER",
        uri="sip:r",
        username="a",
        password="b",
        cnonce="c",
    )
    creds = parse_credentials(value)
    assert (creds.qop, creds.param("nc"), creds.cnonce) == (None, None, None)
    assert verify(creds, method="REGISTER", password="b")


# --- server side -------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["MD5", "MD5-sess", "SHA-256", "SHA-256-sess"])
def test_verify_round_trip(algorithm: str) -> None:
    challenge = make_challenge(realm="example.com", nonce="srvnonce", algorithm=algorithm)
    creds = parse_credentials(
        authorization(
            challenge,
            method="REGISTER",
            uri="sip:example.com",
            username="alice",
            password="secret",
            cnonce="abcd",
            nc=7,
        )
    )
    assert creds.algorithm == algorithm.upper()
    common = {"method": "REGISTER", "username": "alice", "realm": "example.com"}
    assert verify(creds, password="secret", nonce="srvnonce", **common)
    assert not verify(creds, password="wrong", nonce="srvnonce", **common)
    assert not verify(creds, password="secret", nonce="other", **common)
    assert not verify(creds, password="secret", **{**common, "realm": "other.com"})
    assert not verify(creds, password="secret", **{**common, "username": "bob"})
    assert not verify(creds, password="secret", **{**common, "method": "MESSAGE"})
    tampered = Credentials(
        scheme="Digest",
        params=tuple((k, "sip:evil.com" if k == "uri" else v) for k, v in creds.params),
    )
    assert not verify(tampered, password="secret", **common)


def test_verify_rejects_incomplete_or_foreign_credentials() -> None:
    assert not verify(parse_credentials("Other a=b"), method="REGISTER", password="x")
    assert not verify(parse_credentials('Digest username="a"'), method="REGISTER", password="x")
    odd = parse_credentials(
        'Digest username="a", realm="r", nonce="n", uri="sip:r", response="00", algorithm=XYZ'
    )
    assert not verify(odd, method="REGISTER", password="x")
    bad_qop = parse_credentials(
        'Digest username="a", realm="r", nonce="n", uri="sip:r", response="00", qop=auth-conf, '
        "nc=00000001"
    )
    assert not verify(bad_qop, method="REGISTER", password="x")


def test_verify_survives_a_non_ascii_response() -> None:
    creds = parse_credentials(
        'Digest username="a", realm="r", nonce="n", uri="sip:r", response="\u00e9\udcff"'
    )
    assert not verify(creds, method="REGISTER", password="x")


def test_make_challenge_refuses_unknown_algorithm() -> None:
    with pytest.raises(ValueError):
        make_challenge(realm="r", nonce="n", algorithm="SHA-1")


def test_userhash() -> None:
    # RFC 7616 3.4.4: username = H(user ":" realm), computed by hand with sha256sum.
    challenge = make_challenge(realm="example.com", nonce="n", algorithm="SHA-256")
    challenge = Challenge(scheme="Digest", params=(*challenge.params, ("userhash", "true")))
    creds = parse_credentials(
        authorization(
            challenge,
            method="REGISTER",
            uri="sip:example.com",
            username="alice",
            password="secret",
            cnonce="c",
        )
    )
    assert creds.username == "182821e63518db2dd774c82f8142291d0376025311d4a5988d61e5a5dfafbbde"
    assert creds.param("userhash") == "true"
    assert verify(creds, method="REGISTER", password="secret", username="alice")
    assert not verify(creds, method="REGISTER", password="secret", username="bob")
    assert not verify(creds, method="REGISTER", password="secret")


# --- the client: nonce counts, stale, wrong password --------------------------


def challenge_response(request: Request, status: int, *challenges: Challenge) -> Response:
    response = Response.for_request(request, status, to_tag="reg1")
    name = "WWW-Authenticate" if status == 401 else "Proxy-Authenticate"
    for challenge in challenges:
        response.headers.add(name, str(challenge))
    return response


def with_headers(request: Request, headers: list[tuple[str, str]]) -> Request:
    request = parse(bytes(request))  # type: ignore[assignment]
    for name, value in headers:
        request.headers.add(name, value)
    return request


def test_client_answers_401_with_authorization() -> None:
    client = DigestClient("alice", "secret", random_bytes=counter_bytes())
    register = make_request("REGISTER", uri="sip:example.com", body=b"")
    challenge = make_challenge(realm="example.com", nonce="a1b2c3")
    [(name, value)] = client.answer(register, challenge_response(register, 401, challenge))
    assert name == "Authorization"
    creds = parse_credentials(value)
    assert creds.cnonce == "0001020304050607"  # from the injected random source
    assert creds.nc == 1
    assert creds.uri == "sip:example.com"
    assert verify(creds, method="REGISTER", password="secret", nonce="a1b2c3")


def test_client_answers_407_with_proxy_authorization() -> None:
    client = DigestClient("alice", "secret", random_bytes=counter_bytes())
    message = make_request()
    challenge = make_challenge(realm="proxy.example.com", nonce="p1")
    [(name, value)] = client.answer(message, challenge_response(message, 407, challenge))
    assert name == "Proxy-Authorization"
    creds = parse_credentials(value)
    assert verify(creds, method="MESSAGE", password="secret", realm="proxy.example.com")


def test_client_picks_strongest_of_several_challenges() -> None:
    client = DigestClient("alice", "secret")
    register = make_request("REGISTER", uri="sip:example.com", body=b"")
    md5 = make_challenge(realm="example.com", nonce="m")
    sha = make_challenge(realm="example.com", nonce="s", algorithm="SHA-256")
    [(_, value)] = client.answer(register, challenge_response(register, 401, md5, sha))
    assert parse_credentials(value).algorithm == "SHA-256"
    assert parse_credentials(value).nonce == "s"


def test_reused_nonce_increments_nc() -> None:
    client = DigestClient("alice", "secret", random_bytes=counter_bytes())
    assert client.authorize(method="REGISTER", uri="sip:example.com") == []
    register = make_request("REGISTER", uri="sip:example.com", body=b"")
    challenge = make_challenge(realm="example.com", nonce="a1b2c3")
    client.answer(register, challenge_response(register, 401, challenge))
    counts = []
    for _ in range(2):
        [(name, value)] = client.authorize(method="REGISTER", uri="sip:example.com")
        assert name == "Authorization"
        creds = parse_credentials(value)
        assert verify(creds, method="REGISTER", password="secret")
        counts.append((creds.param("nc"), creds.cnonce))
    assert counts == [("00000002", "08090a0b0c0d0e0f"), ("00000003", "1011121314151617")]
    client.forget()
    assert client.authorize(method="REGISTER", uri="sip:example.com") == []


def test_stale_nonce_is_retried_without_asking_and_resets_nc() -> None:
    client = DigestClient("alice", "secret")
    register = make_request("REGISTER", uri="sip:example.com", body=b"")
    first = make_challenge(realm="example.com", nonce="old")
    sent = with_headers(register, client.answer(register, challenge_response(register, 401, first)))
    client.authorize(method="REGISTER", uri="sip:example.com")  # nc 2 on the old nonce
    stale = make_challenge(realm="example.com", nonce="new", stale=True)
    [(_, value)] = client.answer(sent, challenge_response(sent, 401, stale))
    creds = parse_credentials(value)
    assert (creds.nonce, creds.nc) == ("new", 1)


def test_second_challenge_without_stale_means_wrong_password() -> None:
    client = DigestClient("alice", "wrong")
    register = make_request("REGISTER", uri="sip:example.com", body=b"")
    first = make_challenge(realm="example.com", nonce="n1")
    sent = with_headers(register, client.answer(register, challenge_response(register, 401, first)))
    again = make_challenge(realm="example.com", nonce="n2")
    with pytest.raises(AuthenticationFailed) as info:
        client.answer(sent, challenge_response(sent, 401, again))
    assert info.value.realm == "example.com"
    # The rejected nonce is forgotten: no pre-emptive credentials for it.
    assert client.authorize(method="REGISTER", uri="sip:example.com") == []


def test_no_supported_challenge_fails() -> None:
    client = DigestClient("alice", "secret")
    register = make_request("REGISTER", uri="sip:example.com", body=b"")
    response = challenge_response(
        register, 401, Challenge(scheme="Basic", params=(("realm", "example.com"),))
    )
    with pytest.raises(AuthenticationFailed, match="no supported"):
        client.answer(register, response)


def test_answer_refuses_non_challenge_status() -> None:
    client = DigestClient("alice", "secret")
    register = make_request("REGISTER", uri="sip:example.com", body=b"")
    with pytest.raises(ValueError):
        client.answer(register, Response.for_request(register, 403))
    with pytest.raises(ValueError):
        client.answer_challenges(403, [], method="REGISTER", uri="sip:example.com")


def test_unparsable_sent_credentials_do_not_count_as_tried() -> None:
    client = DigestClient("alice", "secret")
    answers = client.answer_challenges(
        401,
        [str(make_challenge(realm="r", nonce="n"))],
        method="REGISTER",
        uri="sip:r",
        sent_credentials=["garbage", "Other x=y"],
    )
    assert [name for name, _ in answers] == ["Authorization"]
