"""RFC 6665 subscriber machine for the reg event package, driven by a fake clock."""

from __future__ import annotations

from pathlib import Path

import pytest

from softphone.sip.errors import LocalProtocolError
from softphone.sip.headers import Headers
from softphone.sip.message import Request, Response, parse
from softphone.sip.reginfo import ContactEvent, DocState
from softphone.sip.subscription import (
    DEFAULT_EXPIRES,
    DEFAULT_RETRY_DELAY,
    SUBSCRIPTION_TRANSITIONS,
    TIMER_N,
    NotifyBody,
    StateChanged,
    SubInput,
    Subscription,
    SubState,
    Terminated,
    TerminationAction,
    TerminationReason,
    refresh_margin,
    refresh_window,
)
from softphone.sip.uri import NameAddr, SipUri

DATA = Path(__file__).parent / "data" / "reginfo"
WATCHER = NameAddr(SipUri(user="app", host="example.com"))
TARGET = NameAddr(SipUri(user="joe", host="example.com"))
CONTACT = SipUri(user="app", host="192.0.2.10", port=5060)
NOTIFIER_CONTACT = "<sip:server19.example.com>"
REMOTE_TAG = "xyzygg"


def make_sub(expires: int = 3600) -> Subscription:
    return Subscription(
        watcher=WATCHER,
        target=TARGET,
        contact=CONTACT,
        call_id_host="app.example.com",
        expires=expires,
    )


def roundtrip(message: Request | Response) -> Request | Response:
    return parse(bytes(message))


def on_the_wire(request: Request) -> Request:
    """The request as the UserAgent sends it: top Via added, then serialized."""
    headers = Headers(
        [("Via", "SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKtest1"), *request.headers]
    )
    sent = roundtrip(Request(request.method, request.uri, headers, request.body))
    assert isinstance(sent, Request)
    return sent


def answer(
    request: Request,
    status: int,
    *,
    expires: int | None = None,
    extra: tuple[tuple[str, str], ...] = (),
    to_tag: str | None = REMOTE_TAG,
) -> Response:
    response = Response.for_request(
        on_the_wire(request), status, to_tag=to_tag if status >= 200 else None
    )
    if 200 <= status < 300:
        response.headers.add("Contact", NOTIFIER_CONTACT)
    if expires is not None:
        response.headers.add("Expires", str(expires))
    for name, value in extra:
        response.headers.add(name, value)
    result = roundtrip(response)
    assert isinstance(result, Response)
    return result


def notify(
    sub: Subscription,
    cseq: int,
    substate: str,
    body: bytes = b"",
    *,
    content_type: str = "application/reginfo+xml",
    call_id: str | None = None,
    to_tag: str | None = None,
    from_tag: str = REMOTE_TAG,
    event: str | None = "reg",
    extra: tuple[tuple[str, str], ...] = (),
    contact: str = NOTIFIER_CONTACT,
) -> Request:
    headers = Headers(
        [
            ("Via", "SIP/2.0/UDP server19.example.com;branch=z9hG4bKnasaii" + str(cseq)),
            ("Max-Forwards", "70"),
            ("From", f"<sip:joe@example.com>;tag={from_tag}"),
            ("To", f"<sip:app@example.com>;tag={to_tag or sub.local_tag}"),
            ("Call-ID", call_id or sub.call_id),
            ("CSeq", f"{cseq} NOTIFY"),
            ("Contact", contact),
            *extra,
        ]
    )
    if event is not None:
        headers.add("Event", event)
    if substate:
        headers.add("Subscription-State", substate)
    if body:
        headers.add("Content-Type", content_type)
    result = roundtrip(Request("NOTIFY", CONTACT, headers, body))
    assert isinstance(result, Request)
    return result


def states(events: list[object]) -> list[SubState]:
    return [e.new for e in events if isinstance(e, StateChanged)]


def full_v0() -> bytes:
    return (DATA / "rfc3680_s6_full_v0.xml").read_bytes()


def partial_v1() -> bytes:
    return (DATA / "rfc3680_s6_partial_v1.xml").read_bytes()


def established(now: float = 0.0, expires: int = 3600) -> tuple[Subscription, Request]:
    sub = make_sub(expires)
    request = sub.initial_request(now)
    sub.on_response(answer(request, 202, expires=expires), now)
    assert sub.on_notify(notify(sub, 1, f"active;expires={expires}", full_v0()), now) == (200, "OK")
    sub.events()
    return sub, request


# ------------------------------------------------------------------ requests


def test_initial_request_headers() -> None:
    sub = make_sub()
    request = sub.initial_request(0.0)
    assert request.method == "SUBSCRIBE"
    assert request.uri == TARGET.uri
    assert request.event is not None and request.event.package == "reg"
    assert request.headers.get("Accept") == "application/reginfo+xml"
    assert request.expires == 3600
    assert request.cseq.method == "SUBSCRIBE"
    assert request.from_.tag == sub.local_tag
    assert request.to.tag is None
    assert request.call_id == sub.call_id
    assert request.contact[0].address is not None
    assert request.contact[0].address.uri == CONTACT
    # The UserAgent adds the top Via when it sends the request.
    assert "Via" not in request.headers
    assert request.max_forwards == 70
    assert sub.state is SubState.NOTIFY_WAIT
    # With the Via the agent adds, the request survives serialization.
    sent = on_the_wire(request)
    skip = ("Via", "Content-Length")
    assert [h for h in sent.headers if h[0] not in skip] == list(request.headers)


def test_each_subscribe_has_the_lines_headers_add_writes() -> None:
    # The dialog's lines are written once and checked in one pass: every
    # SUBSCRIBE (initial, digest retry, refresh with the notifier's tag and
    # route set, unsubscribe) holds what adding each line would hold.
    watcher = NameAddr(SipUri(user="app", host="example.com"), 'App \\ "One"')
    sub = Subscription(
        watcher=watcher, target=TARGET, contact=CONTACT, call_id_host="app.example.com"
    )
    initial = sub.initial_request(0.0)
    retry = sub.retry_request(0.1)
    rr = ("Record-Route", "<sip:p2.example.com;lr>, <sip:p1.example.com;lr>")
    sub.on_response(answer(retry, 200, expires=3600, extra=(rr,)), 0.2)
    refresh = sub.refresh_request(10.0)
    bye = sub.unsubscribe_request(20.0)
    remote = TARGET.with_tag(REMOTE_TAG)
    routes = [("Route", "<sip:p1.example.com;lr>"), ("Route", "<sip:p2.example.com;lr>")]
    for request, to, route, cseq, expires in (
        (initial, TARGET, [], 1, DEFAULT_EXPIRES),
        (retry, TARGET, [], 2, DEFAULT_EXPIRES),
        (refresh, remote, routes, 3, DEFAULT_EXPIRES),
        (bye, remote, routes, 4, 0),
    ):
        expected = Headers(
            [
                *route,
                ("Max-Forwards", "70"),
                ("From", str(watcher.with_tag(sub.local_tag))),
                ("To", str(to)),
                ("Call-ID", sub.call_id),
                ("Contact", f"<{CONTACT}>"),
                ("Event", "reg"),
                ("Accept", "application/reginfo+xml"),
                ("CSeq", f"{cseq} SUBSCRIBE"),
                ("Expires", str(expires)),
            ]
        )
        assert list(request.headers) == list(expected)
        assert bytes(request) == bytes(Request("SUBSCRIBE", request.uri, expected))


@pytest.mark.parametrize("value", ["reg\r\nX-Injected: 1", "reg\n", "re\x00g"])
def test_a_line_break_in_a_subscribe_value_is_refused(value: str) -> None:
    sub = Subscription(
        watcher=WATCHER, target=TARGET, contact=CONTACT, call_id_host="h", event_package=value
    )
    with pytest.raises(LocalProtocolError):
        sub.initial_request(0.0)


def test_default_expires_is_rfc3680_default() -> None:
    sub = Subscription(watcher=WATCHER, target=TARGET, contact=CONTACT, call_id_host="h")
    assert sub.initial_request(0.0).expires == DEFAULT_EXPIRES == 3761


def test_misuse_raises_local_protocol_error() -> None:
    sub = make_sub()
    with pytest.raises(LocalProtocolError):
        sub.refresh_request(0.0)
    with pytest.raises(LocalProtocolError):
        sub.unsubscribe_request(0.0)
    with pytest.raises(LocalProtocolError):
        sub.retry_request(0.0)
    sub.initial_request(0.0)
    with pytest.raises(LocalProtocolError):
        sub.initial_request(0.0)
    with pytest.raises(LocalProtocolError):
        make_sub(expires=0)


# ------------------------------------------------------------ whole sequences


def test_full_sequence_with_fake_clock() -> None:
    sub = make_sub(expires=3600)
    now = 100.0
    subscribe = sub.initial_request(now)
    assert sub.deadline == now + TIMER_N

    sub.on_response(answer(subscribe, 202, expires=3600), now + 0.1)
    assert sub.state is SubState.NOTIFY_WAIT
    assert sub.remote_tag == REMOTE_TAG

    assert sub.on_notify(notify(sub, 1, "pending;expires=3600"), now + 0.2) == (200, "OK")
    assert sub.state is SubState.PENDING

    assert sub.on_notify(notify(sub, 2, "active;expires=3600", full_v0()), now + 5) == (200, "OK")
    assert sub.state is SubState.ACTIVE
    events = sub.events()
    assert states(events) == [SubState.NOTIFY_WAIT, SubState.PENDING, SubState.ACTIVE]
    (body,) = [e for e in events if isinstance(e, NotifyBody)]
    assert body.content_type == "application/reginfo+xml"
    assert body.document is not None and body.document.state is DocState.FULL

    # The refresh comes due at 2xx time + expires - margin, not before.
    refresh_at = now + 0.1 + 3600 - refresh_margin(3600)
    assert sub.deadline == pytest.approx(refresh_at)
    assert sub.handle_timer(refresh_at - 1) is None
    refresh = sub.handle_timer(refresh_at)
    assert refresh is not None
    assert refresh.cseq.seq == subscribe.cseq.seq + 1
    assert refresh.call_id == subscribe.call_id
    assert refresh.to.tag == REMOTE_TAG
    assert refresh.uri == SipUri(host="server19.example.com")  # the notifier's Contact
    assert refresh.expires == 3600
    # While the refresh is unanswered, the next deadline is the expiry.
    assert sub.deadline == pytest.approx(now + 0.1 + 3600)
    sub.on_response(answer(refresh, 200, expires=3600), refresh_at + 0.1)
    assert sub.deadline == pytest.approx(refresh_at + 0.1 + 3600 - refresh_margin(3600))

    # The notifier ends it with reason=timeout: resubscribe at once.
    t = refresh_at + 10
    result = sub.on_notify(notify(sub, 3, "terminated;reason=timeout"), t)
    assert result == (200, "OK")
    assert sub.state is SubState.TERMINATED
    assert sub.termination is not None
    assert sub.termination.reason is TerminationReason.TIMEOUT
    assert sub.termination.action is TerminationAction.RESUBSCRIBE_NOW
    assert sub.deadline == t
    events = sub.events()
    assert next(e for e in events if isinstance(e, Terminated)).termination == sub.termination

    old_call_id = sub.call_id
    resubscribe = sub.handle_timer(t)
    assert resubscribe is not None
    assert resubscribe.call_id != old_call_id
    assert resubscribe.to.tag is None
    assert resubscribe.uri == TARGET.uri
    assert sub.state is SubState.NOTIFY_WAIT
    assert sub.termination is None
    assert states(sub.events()) == [SubState.INIT, SubState.NOTIFY_WAIT]


def test_notify_before_2xx_creates_the_dialog() -> None:
    sub = make_sub()
    subscribe = sub.initial_request(0.0)
    rr = ("Record-Route", "<sip:p1.example.com;lr>, <sip:p2.example.com;lr>")
    request = notify(sub, 1, "active;expires=600", full_v0(), extra=(rr,))
    assert sub.on_notify(request, 0.05) == (200, "OK")
    assert sub.state is SubState.ACTIVE
    assert sub.remote_tag == REMOTE_TAG
    # UAS side of the dialog: Record-Route in order (RFC 3261 12.1.1).
    assert [str(r.uri) for r in sub.route_set] == ["sip:p1.example.com;lr", "sip:p2.example.com;lr"]
    # The late 2xx does not change the dialog.
    sub.on_response(answer(subscribe, 202, expires=600, to_tag=REMOTE_TAG), 0.1)
    assert sub.state is SubState.ACTIVE
    refresh = sub.refresh_request(1.0)
    assert refresh.headers.get_all("Route") == [
        "<sip:p1.example.com;lr>",
        "<sip:p2.example.com;lr>",
    ]
    assert refresh.to.tag == REMOTE_TAG


def test_route_set_from_2xx_is_reversed() -> None:
    sub = make_sub()
    subscribe = sub.initial_request(0.0)
    rr = ("Record-Route", "<sip:p2.example.com;lr>, <sip:p1.example.com;lr>")
    sub.on_response(answer(subscribe, 200, expires=3600, extra=(rr,)), 0.1)
    assert [str(r.uri) for r in sub.route_set] == ["sip:p1.example.com;lr", "sip:p2.example.com;lr"]


def test_expires_in_2xx_shortens_the_subscription() -> None:
    sub = make_sub(expires=3600)
    subscribe = sub.initial_request(0.0)
    sub.on_response(answer(subscribe, 200, expires=60), 0.0)
    assert sub.expires_at == 60.0
    assert sub.on_notify(notify(sub, 1, "active;expires=30"), 1.0) == (200, "OK")
    assert sub.expires_at == 31.0
    assert sub.deadline == 31.0 - refresh_margin(30)


def test_no_notify_within_timer_n_fails_the_subscription() -> None:
    sub = make_sub()
    subscribe = sub.initial_request(0.0)
    sub.on_response(answer(subscribe, 202, expires=3600), 0.1)
    assert sub.deadline == TIMER_N
    assert sub.handle_timer(TIMER_N - 0.01) is None
    assert sub.handle_timer(TIMER_N) is None
    assert sub.state is SubState.TERMINATED
    assert sub.termination is not None
    assert sub.termination.reason is TerminationReason.NO_NOTIFY
    assert sub.termination.action is TerminationAction.RESUBSCRIBE_AFTER


def test_refresh_unanswered_until_expiry_terminates() -> None:
    sub, _ = established(0.0, expires=100)
    refresh_at = sub.deadline
    assert refresh_at is not None
    assert sub.handle_timer(refresh_at) is not None
    sub.on_transaction_failed(refresh_at + 32)
    assert sub.state is SubState.ACTIVE  # still valid until it expires (RFC 6665 4.1.2.2)
    assert sub.deadline == 100.0
    assert sub.handle_timer(100.0) is None
    assert sub.termination is not None
    assert sub.termination.reason is TerminationReason.EXPIRED
    assert sub.termination.action is TerminationAction.RESUBSCRIBE_NOW


def test_refresh_answered_481_terminates_and_resubscribes() -> None:
    sub, _ = established()
    refresh = sub.refresh_request(10.0)
    sub.on_response(answer(refresh, 481), 10.1)
    assert sub.termination is not None
    assert (sub.termination.reason, sub.termination.status) == (
        TerminationReason.REQUEST_FAILED,
        481,
    )
    assert sub.termination.action is TerminationAction.RESUBSCRIBE_NOW


def test_refresh_answered_500_keeps_subscription() -> None:
    sub, _ = established(0.0, expires=3600)
    refresh = sub.refresh_request(10.0)
    sub.on_response(answer(refresh, 500), 10.1)
    assert sub.state is SubState.ACTIVE
    assert sub.deadline == sub.expires_at


# ---------------------------------------------------------- NOTIFY matching


@pytest.mark.parametrize(
    "kwargs",
    [
        {"call_id": "unknown@elsewhere"},
        {"to_tag": "not-our-tag"},
        {"from_tag": "another-fork"},
        {"event": "presence"},
    ],
)
def test_notify_for_unknown_dialog_is_481(kwargs: dict[str, str]) -> None:
    sub, _ = established()
    assert sub.on_notify(notify(sub, 2, "active", **kwargs), 1.0) == (
        481,
        "Subscription does not exist",
    )
    assert sub.state is SubState.ACTIVE


def test_notify_without_event_is_481_and_without_substate_is_400() -> None:
    sub, _ = established()
    assert sub.on_notify(notify(sub, 2, "active", event=None), 1.0)[0] == 481
    status, reason = sub.on_notify(notify(sub, 2, ""), 1.0)
    assert status == 400 and "Subscription-State" in reason


def test_notify_after_termination_is_481() -> None:
    sub, _ = established()
    sub.on_notify(notify(sub, 2, "terminated;reason=rejected"), 1.0)
    assert sub.on_notify(notify(sub, 3, "active"), 2.0)[0] == 481


def test_bad_bodies_are_refused_and_change_nothing() -> None:
    sub, _ = established()
    sub.events()
    assert sub.on_notify(notify(sub, 2, "active", b"hello", content_type="text/plain"), 1.0) == (
        415,
        "Unsupported Media Type",
    )
    status, _ = sub.on_notify(notify(sub, 3, "terminated;reason=rejected", b"<reginfo"), 1.0)
    assert status == 400
    assert sub.state is SubState.ACTIVE
    assert sub.events() == []


def test_out_of_order_and_duplicate_notify() -> None:
    sub, _ = established()
    assert sub.on_notify(notify(sub, 5, "active", partial_v1()), 1.0) == (200, "OK")
    assert len([e for e in sub.events() if isinstance(e, NotifyBody)]) == 1
    assert sub.on_notify(notify(sub, 4, "active"), 1.0)[0] == 500
    # The same CSeq again: answered 200, delivered once.
    assert sub.on_notify(notify(sub, 5, "active", partial_v1()), 1.0) == (200, "OK")
    assert sub.events() == []


def test_partial_body_reaches_the_caller() -> None:
    sub, _ = established()
    sub.on_notify(notify(sub, 2, "active", partial_v1()), 1.0)
    (body,) = [e for e in sub.events() if isinstance(e, NotifyBody)]
    assert body.document is not None
    contact = body.document.registrations[0].contacts[0]
    assert (contact.uri, contact.event) == ("sip:joe@pc34.example.com", ContactEvent.REGISTERED)


# ------------------------------------------------------- termination reasons


@pytest.mark.parametrize(
    ("substate", "reason", "action", "delay"),
    [
        ("terminated;reason=deactivated", TerminationReason.DEACTIVATED, "now", 0.0),
        ("terminated;reason=timeout", TerminationReason.TIMEOUT, "now", 0.0),
        ("terminated;reason=probation;retry-after=120", TerminationReason.PROBATION, "after", 120),
        ("terminated;reason=giveup;retry-after=90", TerminationReason.GIVEUP, "after", 90),
        ("terminated;reason=probation", TerminationReason.PROBATION, "after", DEFAULT_RETRY_DELAY),
        ("terminated;reason=rejected", TerminationReason.REJECTED, "stop", None),
        ("terminated;reason=noresource", TerminationReason.NORESOURCE, "stop", None),
        ("terminated;reason=invariant", TerminationReason.INVARIANT, "stop", None),
        ("terminated", TerminationReason.OTHER, "now", 0.0),
        ("terminated;reason=unheard-of", TerminationReason.OTHER, "now", 0.0),
        ("terminated;reason=unheard-of;retry-after=7", TerminationReason.OTHER, "after", 7),
        ("terminated;reason=expired", TerminationReason.OTHER, "now", 0.0),
    ],
)
def test_each_termination_reason(
    substate: str, reason: TerminationReason, action: str, delay: float | None
) -> None:
    sub, _ = established()
    assert sub.on_notify(notify(sub, 2, substate), 50.0) == (200, "OK")
    termination = sub.termination
    assert termination is not None
    assert termination.reason is reason
    expected_action = {
        "now": TerminationAction.RESUBSCRIBE_NOW,
        "after": TerminationAction.RESUBSCRIBE_AFTER,
        "stop": TerminationAction.STOP,
    }[action]
    assert termination.action is expected_action
    assert termination.delay == delay
    if delay is None:
        assert sub.deadline is None
        assert sub.handle_timer(1e9) is None
        assert sub.state is SubState.TERMINATED
    else:
        assert sub.deadline == 50.0 + delay
        assert sub.handle_timer(50.0 + delay) is not None
        assert sub.state is SubState.NOTIFY_WAIT


def test_repeated_immediate_terminations_back_off() -> None:
    sub = make_sub()
    delays = []
    now = 0.0
    for _ in range(5):
        request = sub.initial_request(now) if sub.state is SubState.INIT else sub.handle_timer(now)
        assert request is not None
        sub.on_response(answer(request, 202, expires=3600), now)
        sub.on_notify(notify(sub, 1, "terminated;reason=deactivated"), now)
        assert sub.termination is not None
        delays.append(sub.termination.delay)
        assert sub.deadline is not None
        now = sub.deadline
    assert delays == [0.0, 30.0, 60.0, 120.0, 240.0]


# ------------------------------------------------------ initial failures


def test_423_raises_expires_and_resends() -> None:
    sub = make_sub(expires=60)
    first = sub.initial_request(0.0)
    sub.on_response(answer(first, 423, extra=(("Min-Expires", "1800"),), to_tag=None), 0.1)
    assert sub.state is SubState.NOTIFY_WAIT
    assert sub.expires == 1800
    assert sub.deadline == 0.1
    again = sub.handle_timer(0.1)
    assert again is not None
    assert again.expires == 1800
    assert again.cseq.seq == first.cseq.seq + 1
    assert again.call_id == first.call_id
    sub.on_response(answer(again, 202, expires=1800), 0.2)
    assert sub.expires_at == pytest.approx(1800.2)


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (403, TerminationAction.STOP),
        (404, TerminationAction.STOP),
        (489, TerminationAction.STOP),
        (603, TerminationAction.STOP),
        (302, TerminationAction.STOP),
        (503, TerminationAction.RESUBSCRIBE_AFTER),
        (408, TerminationAction.RESUBSCRIBE_AFTER),
    ],
)
def test_final_failure_to_initial_subscribe(status: int, action: TerminationAction) -> None:
    sub = make_sub()
    request = sub.initial_request(0.0)
    sub.on_response(answer(request, status, to_tag="x"), 0.1)
    assert sub.state is SubState.TERMINATED
    termination = sub.termination
    assert termination is not None
    assert (termination.reason, termination.status, termination.action) == (
        TerminationReason.REQUEST_FAILED,
        status,
        action,
    )
    assert termination.detail  # the reason phrase, for the user


def test_retry_after_header_on_503_is_honoured() -> None:
    sub = make_sub()
    request = sub.initial_request(0.0)
    sub.on_response(answer(request, 503, extra=(("Retry-After", "300"),), to_tag="x"), 1.0)
    assert sub.termination is not None
    assert sub.termination.retry_after == 300
    assert sub.deadline == 301.0


def test_digest_challenge_keeps_state_and_retry_bumps_cseq() -> None:
    sub = make_sub()
    first = sub.initial_request(0.0)
    challenge = ("WWW-Authenticate", 'Digest realm="example.com", nonce="abc"')
    sub.on_response(answer(first, 401, extra=(challenge,), to_tag="x"), 0.1)
    assert sub.state is SubState.NOTIFY_WAIT
    assert sub.events() == [StateChanged(SubState.INIT, SubState.NOTIFY_WAIT)]
    retry = sub.retry_request(0.1)
    assert retry.cseq.seq == first.cseq.seq + 1
    assert (retry.call_id, retry.from_.tag, retry.expires) == (
        first.call_id,
        first.from_.tag,
        first.expires,
    )
    # A late answer to the first request is ignored; the retry's counts.
    sub.on_response(answer(first, 202, expires=3600), 0.2)
    assert sub.remote_tag is None
    sub.on_response(answer(retry, 202, expires=3600), 0.3)
    assert sub.remote_tag == REMOTE_TAG


def test_transaction_failure_of_initial_subscribe() -> None:
    sub = make_sub()
    sub.initial_request(0.0)
    sub.on_transaction_failed(32.0)
    assert sub.termination is not None
    assert sub.termination.reason is TerminationReason.TRANSACTION_FAILED
    assert sub.termination.action is TerminationAction.RESUBSCRIBE_AFTER


def test_provisional_response_changes_nothing() -> None:
    sub = make_sub()
    request = sub.initial_request(0.0)
    deadline = sub.deadline
    sub.on_response(answer(request, 100), 0.1)
    assert (sub.state, sub.deadline, sub.remote_tag) == (SubState.NOTIFY_WAIT, deadline, None)


# ------------------------------------------------------------- unsubscribe


def test_unsubscribe_has_expires_zero_and_final_notify_is_accepted() -> None:
    sub, subscribe = established()
    request = sub.unsubscribe_request(20.0)
    assert request.expires == 0
    assert request.method == "SUBSCRIBE"
    assert request.call_id == subscribe.call_id
    assert request.to.tag == REMOTE_TAG
    assert request.cseq.seq == subscribe.cseq.seq + 1
    assert sub.state is SubState.TERMINATED
    assert sub.termination is not None
    assert sub.termination.reason is TerminationReason.UNSUBSCRIBED
    assert sub.termination.action is TerminationAction.STOP
    assert sub.deadline is None
    # The notifier's final NOTIFY is answered 200, not 481.
    assert sub.on_notify(notify(sub, 2, "terminated;reason=timeout"), 20.1) == (200, "OK")
    sub.on_response(answer(request, 200, expires=0), 20.2)
    assert sub.state is SubState.TERMINATED
    assert sub.termination.reason is TerminationReason.UNSUBSCRIBED
    with pytest.raises(LocalProtocolError):
        sub.unsubscribe_request(21.0)


# ------------------------------------------------------------- edge cases


def test_2xx_expires_is_never_longer_than_asked_and_defaults_to_asked() -> None:
    sub = make_sub(expires=600)
    request = sub.initial_request(0.0)
    sub.on_response(answer(request, 202, expires=7200), 1.0)
    assert sub.expires_at == 601.0
    other = make_sub(expires=600)
    request = other.initial_request(0.0)
    other.on_response(answer(request, 200), 2.0)
    assert other.expires_at == 602.0


def test_notify_before_2xx_without_expires_uses_requested_duration() -> None:
    sub = make_sub(expires=900)
    sub.initial_request(0.0)
    assert sub.on_notify(notify(sub, 1, "pending"), 3.0) == (200, "OK")
    assert sub.state is SubState.PENDING
    assert sub.expires_at == 903.0


def test_423_without_usable_min_expires_fails() -> None:
    sub = make_sub(expires=600)
    request = sub.initial_request(0.0)
    sub.on_response(answer(request, 423, to_tag="x"), 0.1)
    assert sub.termination is not None
    assert (sub.termination.reason, sub.termination.status) == (
        TerminationReason.REQUEST_FAILED,
        423,
    )


def test_423_to_a_refresh_resends_in_the_dialog() -> None:
    sub, _ = established(0.0, expires=60)
    refresh = sub.refresh_request(30.0)
    sub.on_response(answer(refresh, 423, extra=(("Min-Expires", "120"),)), 30.1)
    again = sub.handle_timer(30.1)
    assert again is not None
    assert (again.expires, again.to.tag, again.cseq.seq) == (120, REMOTE_TAG, refresh.cseq.seq + 1)


def test_response_for_another_dialog_is_ignored() -> None:
    sub = make_sub()
    request = sub.initial_request(0.0)
    stranger = make_sub()
    foreign = stranger.initial_request(0.0)
    sub.on_response(answer(foreign, 403, to_tag="x"), 0.1)
    assert sub.state is SubState.NOTIFY_WAIT
    sub.on_response(answer(request, 202, expires=60), 0.2)
    assert sub.remote_tag == REMOTE_TAG


def test_on_notify_rejects_other_methods() -> None:
    sub, request = established()
    with pytest.raises(LocalProtocolError):
        sub.on_notify(on_the_wire(request), 1.0)


def test_timer_before_deadline_does_nothing() -> None:
    sub, _ = established(0.0, expires=3600)
    deadline = sub.deadline
    assert deadline is not None
    assert sub.handle_timer(deadline - 0.001) is None
    assert sub.state is SubState.ACTIVE
    assert sub.deadline == deadline


# ------------------------------------------------------------ the transition table


def test_every_move_outside_the_table_is_refused() -> None:
    # Each state reached through the public API, then every input the table
    # does not list for it is refused and leaves the state as it was.
    def in_state(state: SubState) -> Subscription:
        sub = make_sub()
        if state is SubState.INIT:
            return sub
        request = sub.initial_request(0.0)
        if state is SubState.NOTIFY_WAIT:
            return sub
        if state is SubState.TERMINATED:
            sub.on_response(answer(request, 404), 0.0)
            return sub
        sub.on_response(answer(request, 202), 0.0)
        substate = "active;expires=3600" if state is SubState.ACTIVE else "pending"
        assert sub.on_notify(notify(sub, 1, substate), 0.0) == (200, "OK")
        return sub

    refused = 0
    for state in SubState:
        for input_ in SubInput:
            sub = in_state(state)
            assert sub.state is state
            if (state, input_) in SUBSCRIPTION_TRANSITIONS:
                sub._move(input_)
                assert sub.state is SUBSCRIPTION_TRANSITIONS[(state, input_)]
                continue
            with pytest.raises(LocalProtocolError, match=f"{input_.name}.*{state.name}"):
                sub._move(input_)
            assert sub.state is state
            refused += 1
    assert refused == len(SubState) * len(SubInput) - len(SUBSCRIPTION_TRANSITIONS)
    # Nothing comes back from the end but a new dialog.
    assert {i for (s, i) in SUBSCRIPTION_TRANSITIONS if s is SubState.TERMINATED} == {
        SubInput.RESTART
    }


def test_a_notify_before_any_subscribe_is_refused_with_481() -> None:
    sub = make_sub()
    assert sub.on_notify(notify(sub, 1, "active;expires=60"), 0.0) == (
        481,
        "Subscription does not exist",
    )
    assert sub.state is SubState.INIT
    assert sub.events() == []


@pytest.mark.parametrize("expires", [1, 10, 30, 600, 3600, 86400])
def test_a_refresh_may_go_early_within_its_window_only(expires: int) -> None:
    # RFC 6665 4.1.2.2: a refresh may go any time before expiry; ours goes
    # at the latest margin before it and at the earliest one window more.
    sub = make_sub(expires=expires)
    subscribe = sub.initial_request(0.0)
    sub.on_response(answer(subscribe, 200, expires=expires), 0.0)
    sub.on_notify(notify(sub, 1, f"active;expires={expires}"), 0.0)
    refresh_at = expires - refresh_margin(expires)
    early = refresh_at - refresh_window(expires)
    # Never sooner than three quarters of the time until the refresh is due.
    assert early >= 0.75 * refresh_at > 0
    assert sub.deadline == pytest.approx(refresh_at)
    assert sub.due_from == pytest.approx(early)
    assert sub.refresh_early(early - 0.01) is None
    # The timer itself keeps to the deadline.
    assert sub.handle_timer(refresh_at - 0.01) is None
    refresh = sub.refresh_early(early)
    assert refresh is not None and refresh.expires == expires
    assert refresh.cseq.seq == subscribe.cseq.seq + 1
    # Sent: the expiry is the next deadline, and nothing goes early any more.
    assert sub.deadline == sub.due_from == pytest.approx(expires)
    assert sub.refresh_early(early + 0.01) is None
    assert sub.handle_timer(refresh_at) is None


def test_nothing_but_a_refresh_goes_early() -> None:
    sub = make_sub(expires=600)
    subscribe = sub.initial_request(0.0)
    # Waiting for the first NOTIFY: Timer N fires at its time, not before.
    assert sub.due_from == sub.deadline == TIMER_N
    assert sub.refresh_early(TIMER_N - 0.01) is None
    sub.on_response(answer(subscribe, 200, expires=600), 0.0)
    sub.on_notify(notify(sub, 1, "terminated;reason=probation;retry-after=50"), 1.0)
    # A resubscription waits for the notifier's retry-after, to the second.
    assert sub.due_from == sub.deadline == pytest.approx(51.0)
    assert sub.refresh_early(50.99) is None
    assert sub.handle_timer(51.0) is not None


def test_the_2xx_sets_the_target_and_a_notify_with_another_contact_moves_it() -> None:
    # RFC 3261 12.1.2: the 2xx's Contact is the remote target; the first
    # NOTIFY with the same Contact lines keeps it, one with another moves it.
    sub = make_sub()
    subscribe = sub.initial_request(0.0)
    sub.on_response(answer(subscribe, 200, expires=600), 0.01)
    assert str(sub.remote_target) == "sip:server19.example.com"
    assert sub.on_notify(notify(sub, 1, "active;expires=600"), 0.1) == (200, "OK")
    assert str(sub.remote_target) == "sip:server19.example.com"
    moved = notify(sub, 2, "active;expires=600", contact="<sip:node2.example.com:5070>")
    assert sub.on_notify(moved, 0.2) == (200, "OK")
    assert str(sub.refresh_request(0.3).uri) == "sip:node2.example.com:5070"


def test_every_notify_whose_contact_changed_moves_the_target() -> None:
    # RFC 6665 4.3: NOTIFY is a target refresh request, whether its Contact
    # is the one before (read once) or another.
    sub = make_sub()
    subscribe = sub.initial_request(0.0)
    sub.on_response(answer(subscribe, 200, expires=600), 0.01)
    moved = "<sip:node2.example.com:5070>"
    for cseq, contact, target in (
        (1, NOTIFIER_CONTACT, "sip:server19.example.com"),
        (2, moved, "sip:node2.example.com:5070"),
        (3, moved, "sip:node2.example.com:5070"),
        (4, NOTIFIER_CONTACT, "sip:server19.example.com"),
    ):
        request = notify(sub, cseq, "active;expires=600", contact=contact)
        assert sub.on_notify(request, 0.1) == (200, "OK")
        assert str(sub.remote_target) == target
        assert str(sub.refresh_request(0.2).uri) == target
        sub.on_response(answer(sub.refresh_request(0.2), 200, expires=600), 0.3)
