"""One nonce reused with a rising nonce count, answered by a real Kamailio.

RFC 7616 3.4 lets a client reuse a nonce, each time with the next nonce
count. Counts 1 to 9 read the same in decimal and hexadecimal, so the
REGISTERs below go on to count 13 (``0000000d``): Kamailio hashes the count
exactly as written in the header, so a count hashed as decimal gets 403.
(Debian's Kamailio is built without nonce-count tracking, ``nc_enabled``, so
it does not refuse a replayed count; the embedded registrar does, in
softphone/server/digest.py.)
"""

from __future__ import annotations

import os
import socket
from collections.abc import Sequence

import pytest

from softphone.sip import Response, parse
from softphone.sip.auth import DigestClient, parse_credentials
from tests.interop import harness
from tests.interop.conftest import USERS
from tests.interop.harness import KamailioProcess

pytestmark = [pytest.mark.interop, harness.requires_kamailio]


class RawRegistrar:
    """REGISTERs for alice written by hand on one UDP socket (one Call-ID)."""

    def __init__(self, kam: KamailioProcess) -> None:
        self.kam = kam
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(5)
        self.port = self.sock.getsockname()[1]
        self.call_id = f"{os.urandom(8).hex()}@nc.test"
        self.tag = os.urandom(4).hex()
        self.cseq = 0

    def register(self, credentials: Sequence[tuple[str, str]] = ()) -> Response:
        self.cseq += 1
        branch = f"z9hG4bK{os.urandom(6).hex()}"
        auth = "".join(f"{name}: {value}\r\n" for name, value in credentials)
        data = (
            f"REGISTER sip:{self.kam.domain} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP 127.0.0.1:{self.port};branch={branch};rport\r\n"
            f"From: <sip:alice@{self.kam.domain}>;tag={self.tag}\r\n"
            f"To: <sip:alice@{self.kam.domain}>\r\n"
            f"Call-ID: {self.call_id}\r\nCSeq: {self.cseq} REGISTER\r\n"
            f"Contact: <sip:alice@127.0.0.1:{self.port}>\r\nExpires: 60\r\n"
            f"Max-Forwards: 70\r\n{auth}Content-Length: 0\r\n\r\n"
        ).encode()
        self.sock.sendto(data, self.kam.address)
        while True:
            answer = parse(self.sock.recv(65535))
            if isinstance(answer, Response) and answer.status >= 200 and branch in str(answer):
                return answer

    def close(self) -> None:
        self.sock.close()


def test_one_nonce_reused_thirteen_times_is_accepted_each_time(
    kamailio: KamailioProcess,
) -> None:
    raw = RawRegistrar(kamailio)
    client = DigestClient("alice", USERS["alice"])
    try:
        challenge = raw.register()
        assert challenge.status == 401
        answers = client.answer_challenges(
            401,
            challenge.headers.get_all("WWW-Authenticate"),
            method="REGISTER",
            uri=f"sip:{kamailio.domain}",
        )
        history = [(parse_credentials(answers[0][1]).param("nc"), raw.register(answers).status)]
        nonces = {parse_credentials(answers[0][1]).nonce}
        for _ in range(12):
            # DigestClient.authorize: the next request on the known nonce.
            headers = client.authorize(method="REGISTER", uri=f"sip:{kamailio.domain}")
            creds = parse_credentials(headers[0][1])
            nonces.add(creds.nonce)
            history.append((creds.param("nc"), raw.register(headers).status))
        assert history == [(f"{n:08x}", 200) for n in range(1, 14)]
        assert len(nonces) == 1
    finally:
        raw.close()
