"""Server-side digest checks and the reginfo documents the notifier writes."""

from __future__ import annotations

from softphone.server.bindings import BindingEvent, LocationService
from softphone.server.digest import AuthOutcome, DigestAuthenticator
from softphone.server.notifier import RegSubscription
from softphone.sip import Contact, Headers, NameAddr, Request, SipUri, parse
from softphone.sip.auth import DigestClient
from softphone.sip.reginfo import (
    ContactEvent,
    ContactState,
    DocState,
    RegistrationState,
    parse_reginfo,
)


def register_request(*extra: tuple[str, str]) -> Request:
    headers = Headers(
        [
            ("Via", "SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1"),
            ("From", "<sip:bob@example.com>;tag=1"),
            ("To", "<sip:bob@example.com>"),
            ("Call-ID", "c1"),
            ("CSeq", "1 REGISTER"),
            *extra,
        ]
    )
    return Request(method="REGISTER", uri=SipUri.parse("sip:example.com"), headers=headers)


def answer(auth: DigestAuthenticator, client: DigestClient, now: float) -> Request:
    request = register_request()
    challenge = auth.challenges("example.com", now)[0]
    response = parse(
        b"SIP/2.0 401 Unauthorized\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1\r\n"
        b"From: <sip:bob@example.com>;tag=1\r\nTo: <sip:bob@example.com>;tag=2\r\n"
        b"Call-ID: c1\r\nCSeq: 1 REGISTER\r\nWWW-Authenticate: "
        + str(challenge).encode()
        + b"\r\nContent-Length: 0\r\n\r\n"
    )
    return register_request(*client.answer(request, response))  # type: ignore[arg-type]


def test_right_password_passes_wrong_one_fails_replay_is_stale() -> None:
    auth = DigestAuthenticator({("bob", "example.com"): "secret"}, nonce_lifetime=30.0)
    realms = {"example.com"}
    missing = auth.check(register_request(), "Authorization", 0.0, realms=realms)
    assert missing.outcome is AuthOutcome.MISSING
    good = answer(auth, DigestClient("bob", "secret"), 0.0)
    result = auth.check(good, "Authorization", 1.0, realms=realms)
    assert (result.outcome, result.username, result.realm) == (AuthOutcome.OK, "bob", "example.com")
    # The same nonce count again is a replay: refused as stale (a new nonce).
    assert auth.check(good, "Authorization", 2.0, realms=realms).outcome is AuthOutcome.STALE
    bad = answer(auth, DigestClient("bob", "wrong"), 0.0)
    assert auth.check(bad, "Authorization", 1.0, realms=realms).outcome is AuthOutcome.FAILED
    stranger = answer(auth, DigestClient("mallory", "secret"), 0.0)
    assert auth.check(stranger, "Authorization", 1.0, realms=realms).outcome is AuthOutcome.FAILED


def test_expired_nonce_with_right_password_is_stale() -> None:
    auth = DigestAuthenticator({("bob", "example.com"): "secret"}, nonce_lifetime=30.0)
    good = answer(auth, DigestClient("bob", "secret"), 0.0)
    late = auth.check(good, "Authorization", 31.0, realms={"example.com"})
    assert late.outcome is AuthOutcome.STALE


def test_notifier_documents_count_versions_from_zero() -> None:
    loc = LocationService()
    sub = RegSubscription(
        aor="sip:joe@example.com",
        reg_id="r1",
        call_id="9987@app.example.com",
        local=NameAddr(SipUri.parse("sip:joe@example.com")).with_tag("xyz"),
        remote=NameAddr(SipUri.parse("sip:app.example.com")).with_tag("123"),
        remote_target=SipUri.parse("sip:app.example.com"),
        event_id=None,
        expires_at=3600.0,
        watcher="app.example.com",
    )
    full = parse_reginfo(sub.full_document(loc.bindings(sub.aor), 0.0))
    assert (full.version, full.state) == (0, DocState.FULL)
    assert full.registrations[0].state is RegistrationState.INIT
    assert full.registrations[0].contacts == ()

    changes = loc.register(
        sub.aor,
        Contact.parse_list(["<sip:joe@pc34.example.com>"]),
        expires=3600,
        call_id="a",
        cseq=1,
        now=10.0,
    )
    partial = parse_reginfo(sub.partial_document(changes, 1, 10.0))
    assert (partial.version, partial.state) == (1, DocState.PARTIAL)
    reg = partial.registrations[0]
    assert (reg.aor, reg.id, reg.state) == ("sip:joe@example.com", "r1", RegistrationState.ACTIVE)
    contact = reg.contacts[0]
    assert (contact.state, contact.event, contact.uri, contact.expires) == (
        ContactState.ACTIVE,
        ContactEvent.REGISTERED,
        "sip:joe@pc34.example.com",
        3600,
    )

    gone = loc.expire(4000.0)
    assert [c.event for c in gone] == [BindingEvent.EXPIRED]
    last = parse_reginfo(sub.partial_document(gone, 0, 4000.0))
    assert last.version == 2
    assert last.registrations[0].state is RegistrationState.TERMINATED
    assert last.registrations[0].contacts[0].event is ContactEvent.EXPIRED

    notify = sub.notify(b"<x/>", contact=SipUri.parse("sip:127.0.0.1:5060"), now=100.0)
    notify.headers.insert_first("Via", "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKn1")
    again = parse(bytes(notify))
    assert isinstance(again, Request) and again.body == b"<x/>"
    assert notify.headers.get("Subscription-State") == "active;expires=3500"
    assert notify.from_.tag == "xyz" and notify.to.tag == "123"
    assert notify.cseq.seq == 1 and notify.event is not None and notify.event.package == "reg"
    assert again.call_id == "9987@app.example.com"
    end = sub.notify(
        b"<x/>", contact=SipUri.parse("sip:127.0.0.1:5060"), now=100.0, terminated_reason="timeout"
    )
    assert end.cseq.seq == 2
    assert end.headers.get("Subscription-State") == "terminated;reason=timeout"
    assert sub.terminated
