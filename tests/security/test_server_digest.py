"""Finding 15: digest as RFC 7616 and RFC 3261 22.4 intend it.

Answers without qop used to be accepted (replayable for the nonce's whole
life) and the digest `uri` was never compared with the Request-URI. Now the
server offers SHA-256 first and MD5 second, each with qop="auth", and
accepts only an answer to what it offered: qop=auth, the nonce's own
algorithm, a `uri` equal to the Request-URI and a nonce count that grows.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

import pytest

from softphone.server import LocalServer
from softphone.sip import Headers, Request, Response, SipUri, new_tag
from softphone.sip.auth import Challenge, Credentials, credentials
from tests.security.server_peers import RawClient

pytestmark = pytest.mark.timeout(60)

URI = "sip:example.com"


@pytest.fixture
async def server() -> AsyncIterator[LocalServer]:
    srv = LocalServer({"sip:bob@example.com": "bob-pw"}, domain="example.com")
    await srv.start("127.0.0.1", 0)
    try:
        yield srv
    finally:
        await srv.stop()


@pytest.fixture
async def raw(server: LocalServer) -> AsyncIterator[RawClient]:
    client = await RawClient(server).start()
    yield client
    client.close()


async def register(raw: RawClient, authorization: Sequence[str] = ()) -> Response:
    raw.cseq += 1
    headers = Headers()
    headers.add("From", f"<sip:bob@example.com>;tag={new_tag()}")
    headers.add("To", "<sip:bob@example.com>")
    headers.add("Call-ID", raw.call_id)
    headers.add("CSeq", f"{raw.cseq} REGISTER")
    headers.add("Contact", raw.contact("bob"))
    headers.add("Expires", "60")
    for value in authorization:
        headers.add("Authorization", value)
    request = Request(method="REGISTER", uri=SipUri.parse(URI), headers=headers)
    return await raw.agent.request(request, raw.target)


def answer(challenge: Challenge, *, uri: str = URI, nc: int = 1, **changes: str | None) -> str:
    """Credentials for bob; *changes* replace (or with None, drop) parameters.

    `nc_` and `cnonce` in *changes* name the `nc` and `cnonce` parameters.
    """
    creds = credentials(
        challenge,
        method="REGISTER",
        uri=uri,
        username="bob",
        password="bob-pw",
        cnonce="0a4f113b",
        nc=nc,
    )
    params = dict(creds.params)
    for key, value in changes.items():
        name = key.rstrip("_")
        if value is None:
            params.pop(name, None)
        else:
            params[name] = value
    return str(Credentials(scheme="Digest", params=tuple(params.items())))


async def test_sha256_is_offered_first_then_md5_each_with_qop_auth(raw: RawClient) -> None:
    challenged = await register(raw)
    offered = [(c.algorithm, c.qop_options, c.realm) for c in challenged.www_authenticate]
    assert offered == [("SHA-256", ("auth",), "example.com"), ("MD5", ("auth",), "example.com")]
    sha, md5 = challenged.www_authenticate
    assert (await register(raw, [answer(sha)])).status == 200
    assert (await register(raw, [answer(md5)])).status == 200


async def test_only_what_was_offered_is_accepted(raw: RawClient) -> None:
    from softphone.sip.auth import digest_response

    sha, md5 = (await register(raw)).www_authenticate
    # RFC 2069 style (no qop, nc, cnonce): the response recomputed without qop.
    no_qop_response = digest_response(
        algorithm="MD5",
        username="bob",
        realm="example.com",
        password="bob-pw",
        method="REGISTER",
        uri=URI,
        nonce=md5.nonce or "",
    )
    no_qop = answer(md5, qop=None, nc_=None, cnonce=None, response=no_qop_response)
    wrong_uri = answer(md5, uri="sip:elsewhere.example.com")
    # The SHA-256 nonce answered with MD5: an algorithm it was not offered with.
    md5_for_sha_nonce = answer(
        Challenge(
            scheme="Digest",
            params=tuple((n, "MD5" if n == "algorithm" else v) for n, v in sha.params),
        )
    )
    auth_int = answer(md5, qop="auth-int")
    statuses = [
        (await register(raw, [value])).status
        for value in (no_qop, wrong_uri, md5_for_sha_nonce, auth_int)
    ]
    assert statuses == [401, 401, 401, 401]


async def test_a_replayed_nonce_count_is_refused(raw: RawClient) -> None:
    sha, _ = (await register(raw)).www_authenticate
    first = answer(sha, nc=1)
    assert (await register(raw, [first])).status == 200
    replayed = await register(raw, [first])
    assert replayed.status == 401
    assert (await register(raw, [answer(sha, nc=2)])).status == 200
