"""SIP over TLS between two real user agents, with certificate verification.

The server certificate is self-signed and made in the test with the openssl
command-line tool (valid for IP 127.0.0.1 and DNS localhost). Verification
is on by default, so a client that was not told to trust it must fail with a
transport error; one that trusts that file as its CA succeeds.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from softphone.agent import IncomingRequest, TransactionFailed, UserAgent
from softphone.transport.base import Target, TransportKind
from softphone.transport.stream import StreamTransport
from softphone.transport.tls import client_context, server_context
from tests.transport.test_agent import make_request

TLS = TransportKind.TLS


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.fail("the openssl command is needed to make a test certificate")
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )
    return cert, key


@pytest.fixture
async def bob(certificate: tuple[Path, Path]) -> AsyncIterator[UserAgent]:
    cert, key = certificate
    agent = UserAgent()
    await agent.listen(TLS, "127.0.0.1", 0, server_ssl=server_context(cert, key))
    yield agent
    agent.close()


async def start_alice(**options: object) -> UserAgent:
    agent = UserAgent()
    await agent.listen(TLS, "127.0.0.1", 0, **options)
    return agent


async def test_verification_fails_by_default_against_a_self_signed_server(
    bob: UserAgent,
) -> None:
    alice = await start_alice()  # no client context given: the default verifies
    destination = bob.local_address(TLS)
    try:
        with pytest.raises(TransactionFailed) as failure:
            await asyncio.wait_for(
                alice.request(make_request("OPTIONS", destination), Target(destination, TLS)),
                timeout=10,
            )
    finally:
        alice.close()
    # A transport error at once, not timer F, and the reason says why.
    assert not failure.value.timed_out
    assert "certificate verify failed" in failure.value.reason.lower()
    assert "self-signed" in failure.value.reason.lower()


async def test_host_name_is_checked_even_with_a_trusted_certificate(
    bob: UserAgent, certificate: tuple[Path, Path]
) -> None:
    alice = await start_alice(client_ssl=client_context(ca_file=certificate[0]))
    destination = bob.local_address(TLS)
    try:
        with pytest.raises(TransactionFailed) as failure:
            await asyncio.wait_for(
                alice.request(
                    make_request("OPTIONS", destination),
                    Target(destination, TLS, server_name="sip.example.org"),
                ),
                timeout=10,
            )
    finally:
        alice.close()
    assert not failure.value.timed_out
    assert "hostname mismatch" in failure.value.reason.lower()


@pytest.mark.parametrize("server_name", [None, "localhost"], ids=["ip", "dns-name"])
async def test_options_and_message_succeed_when_the_ca_file_is_trusted(
    bob: UserAgent, certificate: tuple[Path, Path], server_name: str | None
) -> None:
    received: list[tuple[str, TransportKind]] = []

    def on_message(incoming: IncomingRequest) -> None:
        received.append((incoming.request.body.decode(), incoming.transport.kind))
        incoming.respond(200)

    bob.handle("MESSAGE", on_message, accept=["text/plain"])
    alice = await start_alice(client_ssl=client_context(ca_file=certificate[0]))
    destination = bob.local_address(TLS)
    target = Target(destination, TLS, server_name=server_name)
    try:
        options = await alice.request(make_request("OPTIONS", destination), target)
        message = await alice.request(
            make_request("MESSAGE", destination, body=b"secret", content_type="text/plain"),
            target,
        )
        transport = alice.transport(TLS)
        assert isinstance(transport, StreamTransport)
        # Both requests went over one connection (RFC 3261 18.1: reuse).
        assert transport.connection_count == 1
        contact = str(alice.contact_uri("alice", TLS, destination))
    finally:
        alice.close()
    assert (options.status, message.status) == (200, 200)
    assert options.via[0].transport == "TLS"
    assert received == [("secret", TLS)]
    assert contact.startswith("sips:alice@127.0.0.1:")
    assert contact.endswith(";transport=tls")
