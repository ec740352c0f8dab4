"""Every RFC 4475 torture message as a real datagram to a running UserAgent.

The agent plays the UAS of this messaging client: it takes MESSAGE (text/plain
only, like the messaging service) and answers OPTIONS itself. It is no
registrar and makes no calls, so REGISTER and INVITE are unknown methods.

Ordering decision (RFC 3261 8.2): the checks run in the order 8.2 lists them:
8.2.1 method inspection (405 with Allow), then 8.2.2.1 Request-URI scheme
(416), then 8.2.2.3 Require (420 with Unsupported), then 8.2.3 content (415
with Accept). So an INVITE-based case (invut, sdp01, ...) gets 405 here even
where RFC 4475 section 3.3 describes the answer of a UAS that accepts
INVITE; `test_checks_after_405_with_message_variants` replays those files as
MESSAGE/OPTIONS so that 416, 420 and 415 are shown too.

The corpus' top Via points at documentation addresses; the test replaces its
sent-by (host and port, nothing else) with the test socket's address so that
the answer routed by RFC 3261 18.2.2 comes back to the test. After each file
an OPTIONS probe is sent from the same socket: everything that arrives before
the probe's 200 is the agent's answer to the file, and the 200 shows the agent
still works. A file that gets no answer was dropped.
"""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from softphone.agent import IncomingRequest, UserAgent
from softphone.transport.base import TransportKind

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "rfc4475"
MANIFEST = [
    line.split("\t")
    for line in (CORPUS / "MANIFEST.tsv").read_text().splitlines()[1:]
    if line.strip()
]

_TOP_VIA = re.compile(
    rb"^((?:via|v)[ \t]*:[ \t\r\n]*SIP[ \t\r\n]*/[ \t\r\n]*[0-9.]+[ \t\r\n]*/"
    rb"[ \t\r\n]*[A-Za-z]+[ \t\r\n]+)([^;,\s]+)",
    re.IGNORECASE | re.MULTILINE,
)
_STATUS_LINE = re.compile(rb"^SIP/2\.0 ([0-9]{3}) ([^\r\n]*)\r\n")


@dataclass(frozen=True)
class Expected:
    """The answer a file must get: None for dropped, else status and checks."""

    status: int | None
    #: A text the reason phrase must contain (the ParseError's reason).
    reason: str = ""
    #: Header name -> items its value must list.
    headers: tuple[tuple[str, frozenset[str]], ...] = ()


ALLOW = ("Allow", frozenset({"MESSAGE", "OPTIONS"}))
R405 = Expected(405, "Method Not Allowed", (ALLOW,))
OK = Expected(200)
DROPPED = Expected(None)

EXPECTED: dict[str, Expected] = {
    # 3.1.1 valid messages: answered by method (405 for INVITE and REGISTER).
    "wsinv.dat": R405,
    "intmeth.dat": R405,
    "esc01.dat": R405,
    "escnull.dat": R405,
    "esc02.dat": R405,  # RE%47IST%45R is a method of its own, not REGISTER
    "lwsdisp.dat": OK,
    "longreq.dat": R405,
    "dblreq.dat": R405,  # the second message in the datagram is ignored
    "semiuri.dat": OK,
    "transports.dat": OK,
    # multipart/mixed is not text/plain: 8.2.3 answers 415 with Accept.
    "mpart01.dat": Expected(
        415, "Unsupported Media Type", (("Accept", frozenset({"text/plain"})),)
    ),
    "unreason.dat": DROPPED,  # responses matching no transaction (18.1.2)
    "noreason.dat": DROPPED,
    # 3.1.2 invalid messages: 400 (505 for the version) with the reason.
    "badinv01.dat": Expected(400, "Via"),
    "clerr.dat": Expected(400, "Content-Length larger"),
    "ncl.dat": Expected(400, "Negative Content-Length"),
    "scalar02.dat": Expected(400, "CSeq number out of range"),
    "scalarlg.dat": DROPPED,  # a response
    "quotbal.dat": Expected(400, "quoted string"),
    "ltgtruri.dat": Expected(400, "Request-URI enclosed in <>"),
    "lwsruri.dat": Expected(400, "Whitespace inside the Request-URI"),
    "lwsstart.dat": Expected(400, "single spaces"),
    "trws.dat": Expected(400, "Whitespace around the Request-Line"),
    "escruri.dat": Expected(400, "must not contain headers"),
    "baddate.dat": Expected(400, "Date"),
    "regbadct.dat": Expected(400, "Contact"),
    "badaspec.dat": Expected(400, "To"),
    "baddn.dat": Expected(400, "Display name"),
    "badvers.dat": Expected(505, "SIP version not supported"),
    "mismatch01.dat": Expected(400, "CSeq method does not match"),
    "mismatch02.dat": Expected(400, "CSeq method does not match"),
    "bigcode.dat": DROPPED,  # a response
    # 3.2.1: a branch that is only the magic cookie is still a branch.
    "badbranch.dat": OK,
    # 3.3 application-layer cases.
    "insuf.dat": Expected(400, "Missing From"),
    "unkscm.dat": Expected(416),
    "novelsc.dat": Expected(416),
    "unksm2.dat": R405,  # REGISTER; a UA that is no registrar
    "bext01.dat": Expected(
        420,
        "Bad Extension",
        (("Unsupported", frozenset({"nothingSupportsThis", "nothingSupportsThisEither"})),),
    ),
    "invut.dat": R405,  # INVITE: 405 before 415 (see the MESSAGE variant)
    "regaut01.dat": R405,
    "multi01.dat": Expected(400, "Multiple From"),
    "mcl01.dat": Expected(400, "Multiple Content-Length"),
    "bcast.dat": DROPPED,
    "zeromf.dat": OK,  # Max-Forwards 0 only matters to a proxy (RFC 3261 16.3)
    "cparam01.dat": R405,
    "cparam02.dat": R405,
    "regescrt.dat": R405,
    "sdp01.dat": R405,  # INVITE: 405 before any body check
    # 3.4.1: an RFC 2543 INVITE (no branch) is still answered by method.
    "inv2543.dat": R405,
}


def test_every_corpus_file_has_an_expectation() -> None:
    assert sorted(EXPECTED) == sorted(row[0] for row in MANIFEST)


@pytest.fixture
async def agent() -> AsyncIterator[UserAgent]:
    ua = UserAgent()
    await ua.listen(TransportKind.UDP, "127.0.0.1", 0)

    def on_message(incoming: IncomingRequest) -> None:
        incoming.respond(200)

    ua.handle("MESSAGE", on_message, accept=["text/plain"])
    yield ua
    ua.close()


def with_via_to(data: bytes, port: int) -> bytes:
    """*data* with the sent-by of its first Via replaced by 127.0.0.1:*port*."""
    return _TOP_VIA.sub(lambda m: m.group(1) + b"127.0.0.1:%d" % port, data, count=1)


def probe(port: int, number: int) -> bytes:
    return (
        f"OPTIONS sip:probe@127.0.0.1 SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bKprobe{number}\r\n"
        f"From: <sip:probe@example.test>;tag=p{number}\r\n"
        f"To: <sip:probe@example.test>\r\n"
        f"Call-ID: probe-{number}\r\n"
        f"CSeq: 1 OPTIONS\r\n"
        f"Max-Forwards: 70\r\n"
        f"Content-Length: 0\r\n\r\n"
    ).encode()


class RawPeer:
    """A UDP socket on a free port that sends raw bytes and reads answers."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.setblocking(False)
        self.port: int = self.sock.getsockname()[1]
        self._probes = 0

    async def exchange(self, data: bytes, agent: UserAgent) -> list[bytes]:
        """Send *data*, then a probe; return what came back before the probe's 200."""
        loop = asyncio.get_running_loop()
        address = agent.local_address(TransportKind.UDP)
        destination = (address.host, address.port)
        self._probes += 1
        call_id = f"probe-{self._probes}".encode()
        self.sock.sendto(data, destination)
        self.sock.sendto(probe(self.port, self._probes), destination)
        answers: list[bytes] = []
        while True:
            answer, _ = await asyncio.wait_for(loop.sock_recvfrom(self.sock, 65535), 5)
            if b"Call-ID: " + call_id + b"\r\n" in answer:
                assert answer.startswith(b"SIP/2.0 200 OK\r\n"), answer
                return answers
            answers.append(answer)

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def peer() -> AsyncIterator[RawPeer]:
    raw = RawPeer()
    yield raw
    raw.close()


def header_items(answer: bytes, name: str) -> set[str]:
    found: set[str] = set()
    for m in re.finditer(rb"^" + name.encode() + rb":[ \t]*([^\r\n]*)", answer, re.I | re.M):
        found.update(item.strip() for item in m.group(1).decode().split(","))
    return found


def check_answer(answers: list[bytes], expected: Expected, sent: bytes) -> None:
    if expected.status is None:
        assert answers == []
        return
    # One final answer (an INVITE's 405 may be retransmitted only later).
    assert len(answers) == 1, answers
    answer = answers[0]
    m = _STATUS_LINE.match(answer)
    assert m is not None, answer
    assert int(m.group(1)) == expected.status, answer
    assert expected.reason in m.group(2).decode(), answer
    for name, items in expected.headers:
        assert items <= header_items(answer, name), (name, answer)
    # RFC 3261 8.2.6.2: Call-ID copied, and a To tag on the final response.
    call_id = re.search(rb"^(?:call-id|i)[ \t]*:[ \t]*([^\r\n]+)", sent, re.I | re.M)
    if call_id is not None:
        assert b"Call-ID: " + call_id.group(1).strip() in answer
    if re.search(rb"^(?:to|t)[ \t]*:", sent, re.I | re.M):
        assert re.search(rb"^To:[^\r\n]*;[ \t]*tag[ \t]*=", answer, re.I | re.M), answer


@pytest.mark.parametrize("name", sorted(EXPECTED))
async def test_corpus_file_answered_as_rfc4475_says(
    agent: UserAgent, peer: RawPeer, name: str
) -> None:
    data = with_via_to((CORPUS / name).read_bytes(), peer.port)
    answers = await peer.exchange(data, agent)
    check_answer(answers, EXPECTED[name], data)


def as_method(data: bytes, old: bytes, new: bytes) -> bytes:
    """Rewrite the start-line method and the CSeq method from *old* to *new*."""
    data = data.replace(old + b" ", new + b" ", 1)
    cseq = rb"^(CSeq[ \t]*:[ \t]*[0-9]+[ \t]+)" + re.escape(old)
    return re.sub(cseq, rb"\g<1>" + new, data, count=1, flags=re.I | re.M)


VARIANTS = {
    # (file, method it had, method it is sent as): expected answer.
    ("unkscm.dat", b"OPTIONS", b"MESSAGE"): Expected(416),
    ("novelsc.dat", b"OPTIONS", b"MESSAGE"): Expected(416),
    ("bext01.dat", b"OPTIONS", b"MESSAGE"): Expected(
        420, headers=(("Unsupported", frozenset({"nothingSupportsThis"})),)
    ),
    ("invut.dat", b"INVITE", b"MESSAGE"): Expected(
        415, headers=(("Accept", frozenset({"text/plain"})),)
    ),
    ("invut.dat", b"INVITE", b"OPTIONS"): OK,  # the agent's own OPTIONS takes any body
    ("sdp01.dat", b"INVITE", b"MESSAGE"): Expected(
        415, headers=(("Accept", frozenset({"text/plain"})),)
    ),
    ("regaut01.dat", b"REGISTER", b"OPTIONS"): OK,  # an unknown auth scheme is no error
    ("zeromf.dat", b"OPTIONS", b"MESSAGE"): OK,
}


@pytest.mark.parametrize(
    ("name", "old", "new"),
    sorted(VARIANTS),
    ids=[f"{n}-{new.decode()}" for n, _, new in sorted(VARIANTS)],
)
async def test_checks_after_405_with_message_variants(
    agent: UserAgent, peer: RawPeer, name: str, old: bytes, new: bytes
) -> None:
    data = with_via_to(as_method((CORPUS / name).read_bytes(), old, new), peer.port)
    assert data.startswith(new + b" ")
    answers = await peer.exchange(data, agent)
    check_answer(answers, VARIANTS[(name, old, new)], data)


async def test_rfc3261_8_2_order_416_before_420_before_415(agent: UserAgent, peer: RawPeer) -> None:
    def build(method: str, uri: str, number: int) -> bytes:
        return (
            f"{method} {uri} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP 127.0.0.1:{peer.port};branch=z9hG4bKorder{number}\r\n"
            f"From: <sip:a@example.test>;tag=o{number}\r\n"
            f"To: <sip:b@example.test>\r\n"
            f"Call-ID: order-{number}\r\n"
            f"CSeq: 1 {method}\r\n"
            f"Max-Forwards: 70\r\n"
            f"Require: nothingSupportsThis\r\n"
            f"Content-Type: application/x-unknown\r\n"
            f"Content-Length: 2\r\n\r\nhi"
        ).encode()

    statuses = []
    for number, (method, uri) in enumerate(
        [
            ("INVITE", "nope:b@example.test"),  # 405 first
            ("MESSAGE", "nope:b@example.test"),  # then 416
            ("MESSAGE", "sip:b@example.test"),  # then 420
        ]
    ):
        answers = await peer.exchange(build(method, uri, number), agent)
        statuses.append(int(answers[0][8:11]))
    data = build("MESSAGE", "sip:b@example.test", 9)
    data = data.replace(b"Require: nothingSupportsThis\r\n", b"")
    statuses.append(int((await peer.exchange(data, agent))[0][8:11]))  # finally 415
    assert statuses == [405, 416, 420, 415]


async def test_whole_corpus_to_one_agent_then_options_and_message_work(
    agent: UserAgent, peer: RawPeer
) -> None:
    for name in sorted(EXPECTED):
        # A socket per file: many files share a branch, and from one sent-by
        # they would be one transaction (RFC 3261 17.2.3), rightly absorbed.
        sender = RawPeer()
        try:
            data = with_via_to((CORPUS / name).read_bytes(), sender.port)
            answers = await sender.exchange(data, agent)
        finally:
            sender.close()
        check_answer(answers, EXPECTED[name], data)
    message = (
        f"MESSAGE sip:b@127.0.0.1 SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP 127.0.0.1:{peer.port};branch=z9hG4bKafter\r\n"
        f"From: <sip:a@example.test>;tag=after\r\n"
        f"To: <sip:b@example.test>\r\n"
        f"Call-ID: after-corpus\r\n"
        f"CSeq: 1 MESSAGE\r\n"
        f"Max-Forwards: 70\r\n"
        f"Content-Type: text/plain\r\n"
        f"Content-Length: 5\r\n\r\nhello"
    ).encode()
    answers = await peer.exchange(message, agent)
    assert next(a for a in answers if b"after-corpus" in a).startswith(b"SIP/2.0 200 OK\r\n")
