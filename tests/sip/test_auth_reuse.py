"""Credentials for a nonce used again: the same text, with less work per request.

`DigestClient` keeps what does not change while a nonce is reused (the hash,
the qop, H(username:realm:password), the fixed parameters) and builds each
value from that. Every value it writes must equal what the reference
function `authorization()` writes for the same challenge, nonce count and
client nonce, for every algorithm, qop and parameter combination; and the
kept hash must follow a change of password.
"""

from __future__ import annotations

import itertools

import pytest

from softphone.sip.auth import (
    DigestClient,
    authorization,
    make_challenge,
    parse_challenges,
    parse_credentials,
    verify,
)

ALGORITHMS = ("MD5", "MD5-sess", "SHA-256", "SHA-256-sess")
QOPS: tuple[tuple[str, ...] | None, ...] = (None, ("auth",), ("auth-int",), ("auth", "auth-int"))


def counting_random(size: int, _state: list[int] = [0]) -> bytes:  # noqa: B006 - a counter
    _state[0] += 1
    return _state[0].to_bytes(size, "big")


def cnonce_of(value: str) -> str:
    return parse_credentials(value).cnonce or ""


@pytest.mark.parametrize(
    ("algorithm", "qop", "opaque", "userhash"),
    list(itertools.product(ALGORITHMS, QOPS, (None, 'op\\aque "x"'), (False, True))),
)
def test_reused_nonce_is_written_as_authorization_writes_it(
    algorithm: str, qop: tuple[str, ...] | None, opaque: str | None, userhash: bool
) -> None:
    challenge = make_challenge(
        realm='exa"mple.test', nonce="n0nce/+=", algorithm=algorithm, qop=qop, opaque=opaque
    )
    text = str(challenge) + (", userhash=true" if userhash else "")
    client = DigestClient("alice", "s3cret:\u00e9", random_bytes=counting_random)
    first = client.answer_challenges(
        407, [text], method="SUBSCRIBE", uri="sip:b0001@example.test", body=b"x"
    )
    values = [first[0][1]]
    for n in range(2, 12):
        [(header, value)] = client.authorize(
            method="SUBSCRIBE" if n % 2 else "MESSAGE", uri=f"sip:b{n:04d}@example.test", body=b"y"
        )
        assert header == "Proxy-Authorization"
        values.append(value)
    [parsed] = parse_challenges(text)
    for nc, value in enumerate(values, start=1):
        if qop is None and algorithm.endswith("-sess"):
            # RFC 2069 style has no client nonce to send, yet -sess would
            # hash one: no server can check that; nothing to compare.
            continue
        method = "SUBSCRIBE" if nc == 1 or nc % 2 else "MESSAGE"
        uri = "sip:b0001@example.test" if nc == 1 else f"sip:b{nc:04d}@example.test"
        body = b"x" if nc == 1 else b"y"
        expected = authorization(
            parsed,
            method=method,
            uri=uri,
            username="alice",
            password="s3cret:\u00e9",
            cnonce=cnonce_of(value),
            nc=nc,
            body=body,
        )
        assert value == expected, nc
        creds = parse_credentials(value)
        assert verify(creds, method=method, password="s3cret:\u00e9", username="alice", body=body)


def test_a_new_password_is_used_at_once_for_a_known_nonce() -> None:
    challenge = str(make_challenge(realm="example.test", nonce="abc", algorithm="SHA-256"))
    client = DigestClient("alice", "old")
    client.answer_challenges(401, [challenge], method="REGISTER", uri="sip:example.test")
    [(_, before)] = client.authorize(method="REGISTER", uri="sip:example.test")
    assert verify(parse_credentials(before), method="REGISTER", password="old")
    client.password = "new"
    [(_, after)] = client.authorize(method="REGISTER", uri="sip:example.test")
    assert verify(parse_credentials(after), method="REGISTER", password="new")
    assert not verify(parse_credentials(after), method="REGISTER", password="old")


def test_a_uri_with_a_quote_or_backslash_is_escaped_as_authorization_escapes_it() -> None:
    challenge = make_challenge(realm="example.test", nonce="abc", qop=("auth",))
    client = DigestClient("alice", "pw", random_bytes=counting_random)
    client.answer_challenges(401, [str(challenge)], method="MESSAGE", uri="sip:a@example.test")
    for uri in ('sip:"odd"@example.test', "sip:back\\slash@example.test"):
        [(_, value)] = client.authorize(method="MESSAGE", uri=uri)
        creds = parse_credentials(value)
        assert creds.uri == uri
        assert value == authorization(
            challenge,
            method="MESSAGE",
            uri=uri,
            username="alice",
            password="pw",
            cnonce=creds.cnonce or "",
            nc=creds.nc or 0,
        )
