"""A TLS account listens on TLS or not at all.

Before, `--transport tls` bound a plain TCP listener and took cleartext
MESSAGEs on it, shown as from whoever the From said. Now, without a server
certificate, the TLS port is bound (our Contact names it) but accepts no
connection: requests reach the client on the TLS connections it opens.
"""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import pytest

from softphone.account import Account
from softphone.app import Application, AppOptions
from softphone.store import Store
from softphone.transport.base import TransportKind

CLEARTEXT_MESSAGE = (
    b"MESSAGE sip:bob@example.test SIP/2.0\r\n"
    b"Via: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bKclear1\r\n"
    b"Max-Forwards: 70\r\nFrom: <sip:alice@example.test>;tag=c1\r\n"
    b"To: <sip:bob@example.test>\r\nCall-ID: clear-1\r\nCSeq: 1 MESSAGE\r\n"
    b"Content-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello"
)


async def test_tls_account_takes_no_cleartext_connection(tmp_path: Path) -> None:
    app = Application(
        Account("sip:bob@example.test", transport=TransportKind.TLS),
        None,
        Store.open(tmp_path / "bob.db"),
        AppOptions(listen_host="127.0.0.1", register=False),
    )
    await app.start()
    try:
        assert set(app.agent.transports) == {TransportKind.TLS}
        where = app.agent.local_address(TransportKind.TLS)
        assert where.port != 0
        with pytest.raises(ConnectionRefusedError):
            _, writer = await asyncio.open_connection(where.host, where.port)
            writer.write(CLEARTEXT_MESSAGE)
            await writer.drain()
        # The port is held, so no one else can take it while we run.
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as other, pytest.raises(OSError):
            other.bind((where.host, where.port))
        assert app.store.conversations() == []
    finally:
        await app.stop()
