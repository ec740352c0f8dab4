"""`softphone registrar` killed and started again still knows the registered devices.

The commands a person runs: `softphone registrar` with a state file, Bob's
`softphone listen` registered with it, the registrar SIGKILLed and started
again on the same port and file, then Alice's `softphone send`. Bob's flow
looked alive all along, so he does not register again: only the state file
lets the new process relay Alice's MESSAGE to him. An expired binding is not
brought back, and a file that is not a state file stops the start with one
sentence saying what to do. In process: a watcher subscribing after the
restart is told of the same contact (same id), and the device's next
refresh is a refresh of it.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from softphone.account import Account
from softphone.agent import UserAgent
from softphone.server import BindingChange, LocalServer
from softphone.server.bindings import Binding
from softphone.server.state import BindingState
from softphone.services.presence import NotifyReceived, Presence
from softphone.sip.auth import DigestClient
from softphone.sip.reginfo import ContactChange
from softphone.transport.base import Target, TransportKind
from tests.commands import command as softphone_command
from tests.commands import read_json
from tests.helpers import ROOT, cli_env
from tests.interop.harness import free_port
from tests.server.test_local_server import PASSWORDS as USERS
from tests.server.test_local_server import RawClient, wait_for

DOMAIN = "example.com"
PASSWORDS = {"alice": "alice-secret", "bob": "bob-secret"}


def users_file(tmp_path: Path) -> Path:
    users = tmp_path / "users.toml"
    users.write_text(
        "[users]\n"
        + "".join(f'"sip:{user}@{DOMAIN}" = "{pw}"\n' for user, pw in PASSWORDS.items()),
        encoding="utf-8",
    )
    return users


@contextmanager
def command(tmp_path: Path, *args: str) -> Iterator[subprocess.Popen[bytes]]:
    """`softphone ARGS` as a person runs it, stopped (or killed) after the test."""
    with softphone_command(
        cli_env(tmp_path, PW_BOB=PASSWORDS["bob"], PW_ALICE=PASSWORDS["alice"]), *args
    ) as process:
        yield process


def registrar_args(users: Path, port: int, state: Path) -> tuple[str, ...]:
    return (
        *("registrar", "--users", str(users), "--domain", DOMAIN),
        *("--host", "127.0.0.1", "--port", str(port), "--state", str(state)),
    )


def stored(state: Path) -> list[tuple[str, str, int]]:
    """(AoR, Call-ID, CSeq) of each binding in the state file."""
    with sqlite3.connect(state) as db:
        return sorted(db.execute("SELECT aor, call_id, cseq FROM bindings"))


def test_a_restarted_registrar_relays_to_a_device_that_did_not_register_again(
    tmp_path: Path,
) -> None:
    users = users_file(tmp_path)
    state = tmp_path / "registrar.sqlite3"
    port = free_port()
    server = f"127.0.0.1:{port}"
    with command(tmp_path, *registrar_args(users, port, state)) as first:
        listening = read_json(first, lambda line: line.get("event") == "listening")
        assert listening["restored"] == 0
        with command(
            tmp_path,
            *("listen", "--aor", f"sip:bob@{DOMAIN}", "--registrar", server),
            *("--password-env", "PW_BOB", "--listen-host", "127.0.0.1"),
            *("--db", str(tmp_path / "bob.sqlite3")),
        ) as bob:
            read_json(bob, lambda line: line.get("state") == "registered")
            deadline = time.monotonic() + 5
            while not stored(state) and time.monotonic() < deadline:
                time.sleep(0.05)
            before = stored(state)
            assert [aor for aor, _, _ in before] == [f"sip:bob@{DOMAIN}"]
            first.kill()  # SIGKILL: no chance to write anything at the end
            first.wait()
            with command(tmp_path, *registrar_args(users, port, state)) as second:
                listening = read_json(second, lambda line: line.get("event") == "listening")
                sent = subprocess.run(
                    [
                        *(sys.executable, "-m", "softphone", "send"),
                        *("--aor", f"sip:alice@{DOMAIN}", "--registrar", server),
                        *("--password-env", "PW_ALICE", "--listen-host", "127.0.0.1"),
                        *("--db", str(tmp_path / "alice.sqlite3"), "--timeout", "20"),
                        *(f"sip:bob@{DOMAIN}", "written after the restart"),
                    ],
                    env=cli_env(tmp_path, PW_ALICE=PASSWORDS["alice"]),
                    cwd=ROOT,
                    capture_output=True,
                    text=True,
                    timeout=60,
                    check=False,
                )
                result = json.loads(sent.stdout.splitlines()[-1])
                assert (sent.returncode, result["code"]) == (0, 200), (result, sent.stderr)
                got = read_json(bob, lambda line: "body" in line)
                assert got["body"] == "written after the restart"
                assert got["from"] == f"sip:alice@{DOMAIN}"
                assert listening["restored"] == 1, listening
                # Bob's binding is the one he made before the restart (same
                # Call-ID and CSeq): he did not register again.
                assert stored(state) == before


def test_an_expired_binding_is_not_restored(tmp_path: Path) -> None:
    state_path = tmp_path / "registrar.sqlite3"
    state = BindingState.open(state_path)
    now = time.time()
    aor = f"sip:bob@{DOMAIN}"

    def binding(id_: str, port: int, expires_at: float) -> Binding:
        uri = f"sip:bob@127.0.0.1:{port}"
        return Binding(aor, uri, id_, expires_at, "call", 1, now - 100)

    state.save({aor: [binding("c1", 5091, now - 1), binding("c2", 5092, now + 600)]})
    state.close()
    port = free_port()
    with command(tmp_path, *registrar_args(users_file(tmp_path), port, state_path)) as registrar:
        listening = read_json(registrar, lambda line: line.get("event") == "listening")
        assert listening["restored"] == 1, listening
        with sqlite3.connect(state_path) as db:
            # The one that ran out while the server was down is gone from the file.
            assert [row[0] for row in db.execute("SELECT id FROM bindings")] == ["c2"]


def test_a_corrupt_state_file_stops_the_start_with_one_sentence(tmp_path: Path) -> None:
    state = tmp_path / "registrar.sqlite3"
    state.write_bytes(b"this is not a database, it is a note somebody left here\n" * 40)
    done = subprocess.run(
        [
            *(sys.executable, "-m", "softphone"),
            *registrar_args(users_file(tmp_path), free_port(), state),
        ],
        env=cli_env(tmp_path),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    assert str(state) in line
    assert "unreadable" in line and "--no-state" in line, line


def test_the_default_state_file_is_per_domain_in_the_data_directory(tmp_path: Path) -> None:
    port = free_port()
    with command(
        tmp_path,
        *("registrar", "--users", str(users_file(tmp_path)), "--domain", "Example.ORG"),
        *("--host", "127.0.0.1", "--port", str(port)),
    ) as registrar:
        listening = read_json(registrar, lambda line: line.get("event") == "listening")
    expected = tmp_path / "data" / "softphone" / "registrar" / "example.org.sqlite3"
    assert listening["state"] == str(expected)
    assert expected.is_file()
    # Where each person's devices are: the user's alone, whatever the umask.
    assert stat.S_IMODE(expected.stat().st_mode) == 0o600
    assert stat.S_IMODE(expected.parent.stat().st_mode) == 0o700
    with command(
        tmp_path,
        *("registrar", "--users", str(users_file(tmp_path)), "--no-state"),
        *("--host", "127.0.0.1", "--port", str(free_port())),
    ) as registrar:
        listening = read_json(registrar, lambda line: line.get("event") == "listening")
    assert listening["state"] is None


async def test_after_a_restart_watchers_see_the_restored_contact_and_refreshes_keep_order(
    tmp_path: Path,
) -> None:
    path = tmp_path / "registrar.sqlite3"
    first = LocalServer(
        USERS,
        watchers={"sip:joe@example.com": ["sip:alice@example.com"]},
        state=BindingState.open(path),
    )
    await first.start("127.0.0.1", 0)
    raw = RawClient(first)
    await raw.agent.listen(TransportKind.UDP, "127.0.0.1", 0)
    contact = [("Contact", "<sip:joe@127.0.0.1:7003>"), ("Expires", "600")]
    ok = await raw.send("REGISTER", "sip:example.com", "joe", contact, password="joe-pw")
    assert ok.status == 200
    [before] = first.bindings("sip:joe@example.com")
    await wait_for(lambda: bool(stored(path)))
    # Gone without a word (as if killed): its sockets closed, nothing more written.
    first.agent.close()

    second = LocalServer(
        USERS,
        watchers={"sip:joe@example.com": ["sip:alice@example.com"]},
        state=BindingState.open(path),
    )
    await second.start("127.0.0.1", 0)
    watcher_agent = UserAgent()
    await watcher_agent.listen(TransportKind.UDP, "127.0.0.1", 0)
    seen: list[tuple[str, str]] = []
    versions: list[int | None] = []
    changes: list[BindingChange] = []
    second.add_listener(lambda _aor, changed: changes.extend(changed))

    def on_contact(_aor: str, change: ContactChange) -> None:
        seen.append((change.contact.id, str(change.contact.uri)))

    def on_notify(notify: NotifyReceived) -> None:
        versions.append(notify.version)

    async def locate_server() -> Target:
        return Target(second.address, TransportKind.UDP)

    account = Account(aor="sip:alice@example.com", registrar=second.address.sent_by)
    presence = Presence(watcher_agent, account, DigestClient("alice", "alice-pw"), locate_server)
    presence.on_contact_event(on_contact)
    presence.on_notify(on_notify)
    presence.watch("sip:joe@example.com")
    presence.start()
    try:
        await wait_for(lambda: presence.synced("sip:joe@example.com"))
        # The first, full document names Joe's device as before the restart.
        assert versions == [0]
        assert seen == [(before.id, "sip:joe@127.0.0.1:7003")]
        [after] = second.bindings("sip:joe@example.com")
        assert (after.id, after.uri, after.call_id, after.cseq) == (
            before.id,
            before.uri,
            before.call_id,
            before.cseq,
        )
        assert 590 < after.expires_at - asyncio.get_running_loop().time() <= 600
        # Joe's next refresh is a refresh of the same contact, not a new one.
        raw.target = Target(second.address, TransportKind.UDP)
        ok = await raw.send("REGISTER", "sip:example.com", "joe", contact, password="joe-pw")
        assert ok.status == 200
        assert [(c.binding.id, c.event.value) for c in changes] == [(before.id, "refreshed")]
    finally:
        await presence.stop()
        watcher_agent.close()
        raw.agent.close()
        await second.stop()
        await first.stop()
