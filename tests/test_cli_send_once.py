"""`softphone send` is one attempt: a message it reports as failed is not sent later unasked.

The command prints the outcome and exits 1; whoever ran it decides what
next (and may send it again as a new message). A resend planned by that
run and carried out by the next one, on the same message database, would
reach the recipient as a second copy.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from softphone.sip import Request, Response
from tests.helpers import cli_env
from tests.services.scripted import ScriptedPeer, answer


def registrar(messages: list[str], answering: list[bool]) -> ScriptedPeer:
    """REGISTER gets 200; a MESSAGE is answered 200 only while *answering*[0].

    The text of each MESSAGE transaction that arrives is added to *messages*.
    """

    branches: list[str] = []

    def script(request: Request) -> list[Response]:
        if request.method == "REGISTER":
            contact = (request.headers.get("Contact") or "").split(",")[0]
            return [answer(request, 200, ("Contact", f"{contact};expires={request.expires}"))]
        if request.method != "MESSAGE":
            return [answer(request, 200)]
        # The text is the end of the (CPIM-wrapped) body; one entry per
        # transaction, retransmissions merged.
        text = request.body.decode().rsplit("\r\n\r\n", 1)[-1]
        branch = request.via[0].branch or ""
        if branch not in branches:
            branches.append(branch)
            messages.append(text)
        return [answer(request, 200)] if answering[0] else []

    return ScriptedPeer(script)


@pytest.fixture
async def server() -> AsyncIterator[tuple[ScriptedPeer, list[str], list[bool]]]:
    messages: list[str] = []
    answering = [False]
    peer = registrar(messages, answering)
    await asyncio.get_running_loop().create_datagram_endpoint(
        lambda: peer, local_addr=("127.0.0.1", 0)
    )
    yield peer, messages, answering
    peer.close()


async def send(
    tmp_path: Path, peer: ScriptedPeer, text: str, *extra: str
) -> tuple[int, dict[str, object]]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "softphone",
        "send",
        "--aor",
        "sip:alice@example.test",
        "--password-env",
        "SOFTPHONE_TEST_PW",
        "--registrar",
        f"127.0.0.1:{peer.address.port}",
        "--listen-host",
        "127.0.0.1",
        "--db",
        str(tmp_path / "h.db"),
        *extra,
        "sip:bob@example.test",
        text,
        env=cli_env(tmp_path, SOFTPHONE_TEST_PW="secret"),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(120):
        out, err = await process.communicate()
    assert b"Traceback" not in err, err.decode()
    [line] = out.decode().splitlines()
    assert process.returncode is not None
    return process.returncode, json.loads(line)


async def test_a_send_that_timed_out_is_not_sent_again_by_the_next_run(
    tmp_path: Path, server: tuple[ScriptedPeer, list[str], list[bool]]
) -> None:
    peer, messages, answering = server
    code, result = await send(tmp_path, peer, "first", "--timeout", "1")
    assert (code, result["state"], result["reason"]) == (1, "sending", "no final answer in time")
    assert messages == ["first"]
    answering[0] = True
    code, result = await send(tmp_path, peer, "second")
    assert (code, result["state"]) == (0, "delivered")
    # The recipient got "first" once (its try) and "second": the failed
    # one did not follow the next run out.
    assert messages == ["first", "second"]
