"""Self-tests of the interop harness: Kamailio driven by SIPp alone.

These prove the peers the product is tested against behave as the product's
tests assume: digest-protected registrar, MESSAGE proxying, msilo store and
forward (202), 404 for unknown users, and reg-event NOTIFYs (RFC 3680).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from lxml import etree

from tests.interop import harness
from tests.interop.conftest import USERS
from tests.interop.harness import KamailioProcess, SippProcess, SippResult, run_sipp

pytestmark = [pytest.mark.interop, harness.requires_kamailio, harness.requires_sipp]

NS = {"r": "urn:ietf:params:xml:ns:reginfo"}


def register(
    kam: KamailioProcess, tmp_path: Path, user: str, contact_port: int, expires: int = 3600
) -> SippResult:
    """REGISTER `user` with a Contact at 127.0.0.1:`contact_port` through SIPp."""
    return run_sipp(
        "uac_register_auth.xml",
        tmp_path / "sipp",
        remote=kam.hostport,
        service=user,
        auth=(user, USERS[user]),
        keys={"contact_port": str(contact_port), "expires": str(expires)},
        wait=10,
    )


def send_message(kam: KamailioProcess, tmp_path: Path, to: str, text: str) -> SippResult:
    """alice sends one MESSAGE to `to`@example.test; any final response ends it."""
    return run_sipp(
        "uac_message_any.xml",
        tmp_path / "sipp",
        remote=kam.hostport,
        service=to,
        auth=("alice", USERS["alice"]),
        keys={"from_user": "alice", "text": text},
        wait=15,
    )


def test_kamailio_answers_options(kamailio: KamailioProcess, tmp_path: Path) -> None:
    assert kamailio.options().startswith("SIP/2.0 200 ")
    result = run_sipp(
        "uac_options.xml",
        tmp_path / "sipp",
        remote=kamailio.hostport,
        keys={"to_domain": kamailio.hostport},
        wait=10,
    )
    assert result.returncode == 0, result.describe()
    assert result.final_statuses() == [200]
    assert kamailio.domain == "example.test"
    assert "REQ OPTIONS" in kamailio.log_text()


def test_stop_ends_every_kamailio_process(tmp_path: Path) -> None:
    kam = harness.start_kamailio(tmp_path, {"alice": "x"})
    kam.stop()
    assert not kam.running()
    with pytest.raises(harness.HarnessError):
        harness.options_ping(kam.host, kam.port, timeout=0.5)
    with pytest.raises(ProcessLookupError):
        os.killpg(kam.process.pid, 0)


def test_register_with_digest(kamailio: KamailioProcess, tmp_path: Path) -> None:
    result = register(kamailio, tmp_path, "alice", 40000)
    assert result.returncode == 0, result.describe()
    assert result.final_statuses() == [401, 200]
    challenge = result.messages[1].header("WWW-Authenticate") or ""
    assert 'realm="example.test"' in challenge
    assert 'qop="auth"' in challenge
    ok = result.messages[-1]
    assert "127.0.0.1:40000" in (ok.header("Contact") or "")


def test_register_with_wrong_password_is_forbidden(
    kamailio: KamailioProcess, tmp_path: Path
) -> None:
    result = run_sipp(
        "uac_register_auth.xml",
        tmp_path / "sipp",
        remote=kamailio.hostport,
        service="alice",
        auth=("alice", "wrong"),
        wait=10,
    )
    assert result.returncode == 1
    assert result.final_statuses() == [401, 403]


def test_register_below_min_expires_gets_423(kamailio: KamailioProcess, tmp_path: Path) -> None:
    result = register(kamailio, tmp_path, "alice", 40000, expires=3)
    assert result.final_statuses() == [401, 423]
    assert result.messages[-1].header("Min-Expires") == "10"


@pytest.fixture
def sipp_procs() -> Iterator[list[SippProcess]]:
    procs: list[SippProcess] = []
    yield procs
    for proc in procs:
        proc.stop()


def start_uas(tmp_path: Path, procs: list[SippProcess], status: int = 200) -> SippProcess:
    scenario = "uas_message.xml" if status == 200 else f"uas_message_{status}.xml"
    uas = harness.start_sipp_uas(scenario, tmp_path / "sipp", timeout=30)
    procs.append(uas)
    return uas


def test_message_reaches_registered_uas(
    kamailio: KamailioProcess, tmp_path: Path, sipp_procs: list[SippProcess]
) -> None:
    uas = start_uas(tmp_path, sipp_procs)
    assert register(kamailio, tmp_path, "bob", uas.port).final_statuses() == [401, 200]

    result = run_sipp(
        "uac_message.xml",
        tmp_path / "sipp",
        remote=kamailio.hostport,
        service="bob",
        auth=("alice", USERS["alice"]),
        keys={"text": "hi bob"},
        wait=15,
    )
    assert result.returncode == 0, result.describe()
    # RFC 3261 22.3: a proxy challenges with 407, then relays the 200.
    assert result.final_statuses() == [407, 200]
    received = uas.wait_for("MESSAGE", timeout=5)
    assert received[0].body.strip() == "hi bob #1"
    assert "sip:alice@example.test" in (received[0].header("From") or "")
    assert uas.wait(timeout=5).successful_calls == 1


def test_uas_status_is_relayed(
    kamailio: KamailioProcess, tmp_path: Path, sipp_procs: list[SippProcess]
) -> None:
    uas = start_uas(tmp_path, sipp_procs, 603)
    register(kamailio, tmp_path, "bob", uas.port)
    result = send_message(kamailio, tmp_path, "bob", "go away")
    assert result.final_statuses() == [407, 603]


def test_message_without_credentials_is_challenged(
    kamailio: KamailioProcess, tmp_path: Path
) -> None:
    # The default -ap password is not alice's: the retry is refused.
    result = run_sipp(
        "uac_message_any.xml", tmp_path / "sipp", remote=kamailio.hostport, service="bob", wait=10
    )
    assert result.final_statuses() == [407, 403]


def test_message_to_unknown_user_is_404(kamailio: KamailioProcess, tmp_path: Path) -> None:
    result = send_message(kamailio, tmp_path, "nobody", "anyone?")
    assert result.final_statuses() == [407, 404]


def test_message_to_offline_user_is_stored_then_delivered(
    kamailio: KamailioProcess, tmp_path: Path, sipp_procs: list[SippProcess]
) -> None:
    result = send_message(kamailio, tmp_path, "carol", "while you were out")
    assert result.final_statuses() == [407, 202]

    uas = start_uas(tmp_path, sipp_procs)
    assert register(kamailio, tmp_path, "carol", uas.port).final_statuses() == [401, 200]
    # msilo dumps the stored message to the new contact (m_dump).
    dumped = uas.wait_for("MESSAGE", timeout=10)[0]
    assert "while you were out #1" in dumped.body
    assert "sip:carol@" in dumped.start_line


def test_subscribe_reg_gets_notify_with_reginfo(kamailio: KamailioProcess, tmp_path: Path) -> None:
    assert register(kamailio, tmp_path, "alice", 40010).final_statuses() == [401, 200]
    result = run_sipp(
        "uac_subscribe_reg.xml",
        tmp_path / "sipp",
        remote=kamailio.hostport,
        service="alice",
        auth=("joe", USERS["joe"]),
        keys={"from_user": "joe"},
        wait=15,
    )
    assert result.returncode == 0, result.describe()
    assert result.final_statuses() == [407, 200]
    notify = result.received("NOTIFY")[0]
    assert notify.header("Event") == "reg"
    assert notify.header("Content-Type") == "application/reginfo+xml"
    doc = etree.fromstring(notify.body.encode())
    registration = doc.find("r:registration", NS)
    assert registration is not None
    assert registration.get("aor") == "sip:alice@example.test"
    assert registration.get("state") == "active"
    uris = [u.text for u in doc.iterfind(".//r:contact/r:uri", NS)]
    assert uris == ["sip:alice@127.0.0.1:40010;transport=UDP"]


def test_subscribe_reg_for_unknown_user_is_404(kamailio: KamailioProcess, tmp_path: Path) -> None:
    result = run_sipp(
        "uac_subscribe_reg.xml",
        tmp_path / "sipp",
        remote=kamailio.hostport,
        service="nobody",
        auth=("joe", USERS["joe"]),
        keys={"from_user": "joe"},
        wait=10,
    )
    assert result.final_statuses() == [407, 404]


def _contacts(body: str) -> dict[str, tuple[str | None, str | None]]:
    """Contact URI -> (state, event) of one reginfo document."""
    doc = etree.fromstring(body.encode())
    return {
        c.findtext("r:uri", namespaces=NS) or "": (c.get("state"), c.get("event"))
        for c in doc.iterfind(".//r:contact", NS)
    }


def test_reg_event_notifies_every_registration_change(tmp_path: Path) -> None:
    """Record the NOTIFYs Kamailio 5.6 sends; findings in docs/kamailio.md."""
    kam = harness.start_kamailio(tmp_path, USERS, min_expires=2)
    watcher: SippProcess | None = None
    try:
        watcher = harness.start_sipp(
            "uac_subscribe_reg_watch.xml",
            tmp_path / "sipp",
            remote=kam.hostport,
            service="alice",
            auth=("joe", USERS["joe"]),
            keys={"from_user": "joe"},
            timeout=60,
        )
        steps: list[tuple[str, Callable[[], object]]] = [
            ("subscribe while offline", lambda: None),
            ("register", lambda: register(kam, tmp_path, "alice", 40001)),
            ("second contact", lambda: register(kam, tmp_path, "alice", 40002)),
            ("unregister first", lambda: register(kam, tmp_path, "alice", 40001, 0)),
            ("third contact, expires 2", lambda: register(kam, tmp_path, "alice", 40003, 2)),
            ("expiry", lambda: None),
            ("unregister last", lambda: register(kam, tmp_path, "alice", 40002, 0)),
        ]
        bodies: list[tuple[str, str | None, str]] = []
        for number, (label, action) in enumerate(steps, start=1):
            action()
            notify = watcher.wait_for("NOTIFY", number, timeout=10)[-1]
            bodies.append((label, notify.header("Subscription-State"), notify.body))
        (tmp_path / "notify-bodies.txt").write_text(
            "\n".join(f"== {label} [{state}]\n{body}" for label, state, body in bodies)
        )
    finally:
        if watcher is not None:
            watcher.stop()
        kam.stop()

    offline = bodies[0]
    assert offline[1] is not None and offline[1].startswith("active")
    # Kamailio sends no body at all while nothing was published (see docs).
    assert offline[2].strip() == ""

    c1, c2, c3 = (f"sip:alice@127.0.0.1:{p};transport=UDP" for p in (40001, 40002, 40003))
    assert _contacts(bodies[1][2]) == {c1: ("active", "created")}
    assert _contacts(bodies[2][2]) == {c1: ("active", "registered"), c2: ("active", "created")}
    assert _contacts(bodies[3][2]) == {
        c1: ("terminated", "unregistered"),
        c2: ("active", "registered"),
    }
    assert _contacts(bodies[4][2])[c3] == ("active", "created")
    # The expired contact simply disappears (no state="terminated" event="expired").
    assert _contacts(bodies[5][2]) == {c2: ("active", "registered")}
    last = etree.fromstring(bodies[6][2].encode())
    assert _contacts(bodies[6][2]) == {c2: ("terminated", "unregistered")}
    # Every document is "full" and carries version 0 (RFC 3680 5.2 wants +1).
    versions = {etree.fromstring(b.encode()).get("version") for _, _, b in bodies[1:]}
    assert versions == {"0"}
    registration = last.find("r:registration", NS)
    assert registration is not None and registration.get("state") == "terminated"


def test_ipv6_variant_listens_on_both_loopbacks(tmp_path: Path) -> None:
    kam = harness.start_kamailio(tmp_path, {"alice": "x"}, ipv6=True)
    try:
        assert harness.options_ping("127.0.0.1", kam.port).startswith("SIP/2.0 200 ")
        assert harness.options_ping("::1", kam.port).startswith("SIP/2.0 200 ")
    finally:
        kam.stop()


def test_missing_binary_skips_only_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    local = harness._requires("no-such-sip-binary")
    assert local.args == (True,)
    assert "no-such-sip-binary is not installed" in local.kwargs["reason"]
    monkeypatch.setenv("CI", "true")
    assert harness._requires("no-such-sip-binary").args == (False,)
    with pytest.raises(harness.HarnessError):
        harness.find_binary("no-such-sip-binary")
