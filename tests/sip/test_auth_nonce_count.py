"""Digest nonce counts of 10 and more, against an implementation written here.

RFC 7616 3.4.1 (and RFC 2617 3.2.2) hash the nonce count exactly as it is
written on the wire: "nc-value" is 8LHEX, so the 10th use of a nonce is
``0000000a`` in both the header and the hash. With nc 1 to 9 the decimal and
hexadecimal spellings agree, so only counts of 10 and more catch a count
hashed as decimal. The reference below is the RFC's formula written with
hashlib alone, sharing no code with ``softphone.sip.auth``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest

from softphone.sip.auth import (
    DigestClient,
    authorization,
    digest_response,
    make_challenge,
    parse_challenges,
    parse_credentials,
    verify,
)

# RFC 7616 3.9.1 example: request, credentials and its own nc (00000001).
RFC7616 = {
    "username": "Mufasa",
    "realm": "http-auth@example.org",
    "password": "Circle of Life",
    "method": "GET",
    "uri": "/dir/index.html",
    "nonce": "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
    "cnonce": "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
}
RFC7616_OPAQUE = "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"
RFC7616_EXPECTED = {
    "MD5": "8ca523f5e9506fed4657c9700eebdbec",
    "SHA-256": "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
}

_HASH: dict[str, Callable[[bytes], str]] = {
    "MD5": lambda data: hashlib.md5(data).hexdigest(),
    "SHA-256": lambda data: hashlib.sha256(data).hexdigest(),
}


def reference_response(
    *,
    algorithm: str,
    username: str,
    realm: str,
    password: str,
    method: str,
    uri: str,
    nonce: str,
    cnonce: str,
    nc_value: str,
) -> str:
    """RFC 7616 3.4.1 with qop=auth, nc given as the 8LHEX string of the header.

    response = KD(H(A1), nonce ":" nc ":" cnonce ":" qop ":" H(A2)),
    A1 = username ":" realm ":" passwd, A2 = Method ":" request-uri.
    """
    h = _HASH[algorithm]
    ha1 = h(":".join((username, realm, password)).encode())
    ha2 = h(":".join((method, uri)).encode())
    return h(":".join((ha1, nonce, nc_value, cnonce, "auth", ha2)).encode())


def test_reference_matches_rfc7616_own_example() -> None:
    # The reference is trusted only because it reproduces the RFC's numbers.
    for algorithm, expected in RFC7616_EXPECTED.items():
        assert reference_response(algorithm=algorithm, nc_value="00000001", **RFC7616) == expected


@pytest.mark.parametrize("algorithm", ["MD5", "SHA-256"])
@pytest.mark.parametrize(
    ("nc", "nc_value"),
    [(1, "00000001"), (10, "0000000a"), (16, "00000010"), (255, "000000ff"), (4096, "00001000")],
)
def test_nonce_count_is_hashed_as_written_in_hex(algorithm: str, nc: int, nc_value: str) -> None:
    # RFC 7616 3.9.1's request, answered for the nc-th time.
    expected = reference_response(algorithm=algorithm, nc_value=nc_value, **RFC7616)
    assert digest_response(algorithm=algorithm, qop="auth", nc=nc, **RFC7616) == expected
    challenge = parse_challenges(
        f'Digest realm="{RFC7616["realm"]}", qop="auth", algorithm={algorithm}, '
        f'nonce="{RFC7616["nonce"]}", opaque="{RFC7616_OPAQUE}"'
    )[0]
    value = authorization(
        challenge,
        method="GET",
        uri="/dir/index.html",
        username="Mufasa",
        password="Circle of Life",
        cnonce=RFC7616["cnonce"],
        nc=nc,
    )
    creds = parse_credentials(value)
    assert (creds.param("nc"), creds.response) == (nc_value, expected)
    assert f"nc={nc_value}," in value


@pytest.mark.parametrize("nc_value", ["0000000a", "00000010", "000000ff"])
def test_server_verifies_a_count_written_in_hex(nc_value: str) -> None:
    # A peer's credentials with nc >= 10, computed by the reference only.
    response = reference_response(algorithm="MD5", nc_value=nc_value, **RFC7616)
    creds = parse_credentials(
        f'Digest username="Mufasa", realm="{RFC7616["realm"]}", nonce="{RFC7616["nonce"]}", '
        f'uri="/dir/index.html", response="{response}", qop=auth, nc={nc_value}, '
        f'cnonce="{RFC7616["cnonce"]}"'
    )
    assert creds.nc == int(nc_value, 16)
    assert verify(creds, method="GET", password="Circle of Life")
    wrong = reference_response(algorithm="MD5", nc_value=f"{int(nc_value, 16):08d}", **RFC7616)
    assert not verify(
        parse_credentials(str(creds).replace(response, wrong)),
        method="GET",
        password="Circle of Life",
    )


def test_client_reusing_one_nonce_past_nine_matches_the_reference() -> None:
    # DigestClient answers the challenge (nc 1), then reuses the nonce 299
    # times: every header must be what the RFC formula gives for that count.
    cnonces = iter(range(1000))
    client = DigestClient(
        "alice", "secret", random_bytes=lambda n: next(cnonces).to_bytes(n, "big")
    )
    challenge = make_challenge(realm="example.com", nonce="n-42", algorithm="SHA-256")
    client.answer_challenges(401, [str(challenge)], method="REGISTER", uri="sip:example.com")
    seen: list[str] = []
    for _ in range(299):
        [(_name, value)] = client.authorize(method="REGISTER", uri="sip:example.com")
        creds = parse_credentials(value)
        assert creds.nc is not None and creds.cnonce is not None
        nc_value = creds.param("nc") or ""
        seen.append(nc_value)
        assert creds.response == reference_response(
            algorithm="SHA-256",
            username="alice",
            realm="example.com",
            password="secret",
            method="REGISTER",
            uri="sip:example.com",
            nonce="n-42",
            cnonce=creds.cnonce,
            nc_value=nc_value,
        )
    assert seen == [f"{n:08x}" for n in range(2, 301)]
    assert seen[8:10] == ["0000000a", "0000000b"]
