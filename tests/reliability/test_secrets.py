"""Passwords live only in the keyring or an environment variable.

`softphone send -v` runs against Kamailio through a wire tap (a relay that
disturbs nothing); the tap sees the real digest responses, and neither the
password nor any of those responses may appear on stdout, stderr or in the
database files, while the verbose trace shows Authorization redacted.
"""

from __future__ import annotations

import re
from pathlib import Path

from softphone.trace import REDACTED
from tests.interop import harness
from tests.interop.conftest import USERS, kamailio, kamailio_users  # noqa: F401
from tests.interop.harness import KamailioProcess
from tests.interop.test_cli import run_cli
from tests.reliability.relay import LossyRelay

_RESPONSE = re.compile(rb'response="?([0-9a-fA-F]{32,64})')


@harness.requires_kamailio
async def test_password_and_digest_never_leave_the_keyring_or_env(
    kamailio: KamailioProcess,  # noqa: F811
    tmp_path: Path,
) -> None:
    host, port = kamailio.address
    relay = await LossyRelay.start((host, port))
    db = tmp_path / "alice.sqlite3"
    try:
        code, out, err = await run_cli(
            tmp_path,
            "send",
            "-v",
            "--aor",
            f"sip:alice@{kamailio.domain}",
            "--registrar",
            "{}:{}".format(*relay.front),
            "--password-env",
            "PW_ALICE",
            "--listen-host",
            "127.0.0.1",
            "--db",
            str(db),
            f"sip:bob@{kamailio.domain}",
            "secret plans",
            timeout=60.0,
        )
    finally:
        relay.close()
    responses = {m for data in relay.upstream for m in _RESPONSE.findall(data)}
    # The exchange really was authenticated (REGISTER 401, MESSAGE 407).
    assert responses, f"no digest on the wire; exit {code}\n{err[-2000:]}"
    password = USERS["alice"].encode()
    files = [p for p in tmp_path.rglob("*") if p.is_file() and p.name.startswith(db.name)]
    assert files
    for name, blob in [("stdout", out.encode()), ("stderr", err.encode())] + [
        (str(p), p.read_bytes()) for p in files
    ]:
        assert password not in blob, f"the password is in {name}"
        for response in responses:
            assert response not in blob, f"a digest response is in {name}"
    # -v traces every message; the credentials lines show the redaction mark.
    auth_lines = [line for line in err.splitlines() if "Authorization:" in line]
    assert auth_lines
    assert all(REDACTED.decode().strip() in line for line in auth_lines)
