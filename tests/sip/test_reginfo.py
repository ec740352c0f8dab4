"""RFC 3680 reginfo documents: parsing and applying full/partial state."""

from __future__ import annotations

from pathlib import Path

import pytest

from softphone.sip.errors import ParseError
from softphone.sip.reginfo import (
    ApplyStatus,
    ChangeKind,
    Contact,
    ContactEvent,
    ContactState,
    DocState,
    ReginfoDocument,
    ReginfoView,
    Registration,
    RegistrationState,
    parse_reginfo,
)

DATA = Path(__file__).parent / "data" / "reginfo"
NS = "urn:ietf:params:xml:ns:reginfo"


def load(name: str) -> bytes:
    return (DATA / name).read_bytes()


def doc(version: int, state: str, body: str, ns: str = NS) -> bytes:
    return (
        f'<?xml version="1.0"?>\n<reginfo xmlns="{ns}" version="{version}" '
        f'state="{state}">{body}</reginfo>'
    ).encode()


def reg(aor: str, rid: str, state: str, contacts: str = "") -> str:
    return f'<registration aor="{aor}" id="{rid}" state="{state}">{contacts}</registration>'


def contact(cid: str, state: str, event: str, uri: str, extra: str = "") -> str:
    return f'<contact id="{cid}" state="{state}" event="{event}" {extra}><uri>{uri}</uri></contact>'


# ---------------------------------------------------------------- parsing


def test_rfc3680_section6_full_v0() -> None:
    parsed = parse_reginfo(load("rfc3680_s6_full_v0.xml"))
    assert parsed == ReginfoDocument(
        version=0,
        state=DocState.FULL,
        registrations=(Registration("sip:joe@example.com", "a7", RegistrationState.INIT, ()),),
    )


def test_rfc3680_section6_partial_v1() -> None:
    parsed = parse_reginfo(load("rfc3680_s6_partial_v1.xml"))
    assert parsed.version == 1
    assert parsed.state is DocState.PARTIAL
    (registration,) = parsed.registrations
    assert (registration.aor, registration.id) == ("sip:joe@example.com", "a7")
    assert registration.state is RegistrationState.ACTIVE
    assert registration.contacts == (
        Contact(
            id="76",
            state=ContactState.ACTIVE,
            event=ContactEvent.REGISTERED,
            uri="sip:joe@pc34.example.com",
            duration_registered=0,
        ),
    )


def test_rfc3680_section5_4_example() -> None:
    parsed = parse_reginfo(load("rfc3680_s5_4_full.xml"))
    (registration,) = parsed.registrations
    first, second = registration.contacts
    assert (first.id, first.state, first.event, first.q) == (
        "76",
        ContactState.ACTIVE,
        ContactEvent.REGISTERED,
        0.8,
    )
    assert first.duration_registered == 7322
    assert (second.id, second.state, second.event, second.uri) == (
        "77",
        ContactState.TERMINATED,
        ContactEvent.EXPIRED,
        "sip:user@university.edu",
    )
    assert registration.active_contacts() == (first,)


def test_every_optional_field() -> None:
    parsed = parse_reginfo(load("full_with_optional_fields.xml"))
    (c,) = parsed.registrations[0].contacts
    assert c.uri == "sip:alice@127.0.0.1:40123;transport=udp"
    assert c.display_name == "Alice's laptop"
    assert c.expires == 3593
    assert c.callid == "a84b4c76e66710@pc33"
    assert c.cseq == 314159
    assert c.duration_registered == 7
    # q="-1.00" is outside 0..1: not a qvalue, so treated as absent.
    assert c.q is None
    assert c.retry_after is None
    assert c.unknown_params == (
        ("+sip.instance", "<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>"),
        ("reg-id", "1"),
        ("ob", None),
    )


def test_missing_optional_attributes_are_none() -> None:
    parsed = parse_reginfo(
        doc(0, "full", reg("sip:a@x", "r", "active", contact("c", "active", "created", "sip:a@h")))
    )
    c = parsed.registrations[0].contacts[0]
    assert (c.expires, c.retry_after, c.duration_registered, c.q, c.callid, c.cseq) == (
        None,
        None,
        None,
        None,
        None,
        None,
    )
    assert c.display_name is None
    assert c.unknown_params == ()


def test_retry_after_and_probation() -> None:
    body = contact("c", "terminated", "probation", "sip:a@h", 'retry-after="120" expires="0"')
    c = (
        parse_reginfo(doc(0, "full", reg("sip:a@x", "r", "active", body)))
        .registrations[0]
        .contacts[0]
    )
    assert (c.event, c.retry_after, c.expires) == (ContactEvent.PROBATION, 120, 0)


@pytest.mark.parametrize("event", [e.value for e in ContactEvent])
def test_every_contact_event_value(event: str) -> None:
    body = doc(0, "full", reg("sip:a@x", "r", "active", contact("c", "active", event, "sip:a@h")))
    c = parse_reginfo(body).registrations[0].contacts[0]
    assert c.event is ContactEvent(event)
    assert c.event.value == event


def test_unknown_event_kept_as_string() -> None:
    body = doc(0, "full", reg("sip:a@x", "r", "active", contact("c", "active", "lost", "sip:a@h")))
    c = parse_reginfo(body).registrations[0].contacts[0]
    assert c.event == "lost"
    assert not isinstance(c.event, ContactEvent)


def test_unknown_states_do_not_break_the_parser() -> None:
    body = doc(
        0,
        "full",
        reg("sip:a@x", "r", "suspended", contact("c", "dormant", "registered", "sip:a@h")),
    )
    registration = parse_reginfo(body).registrations[0]
    assert registration.state is RegistrationState.UNKNOWN
    assert registration.contacts[0].state is ContactState.UNKNOWN
    assert registration.active_contacts() == ()


def test_a_view_counts_only_active_contacts_of_active_registrations() -> None:
    view = ReginfoView()
    body = doc(
        0,
        "full",
        reg("sip:a@x", "r1", "active", contact("c1", "dormant", "registered", "sip:a@h1"))
        + reg("sip:a@x", "r2", "active", contact("c2", "active", "registered", "sip:a@h2"))
        + reg("sip:a@x", "r3", "suspended", contact("c3", "active", "registered", "sip:a@h3")),
    )
    assert view.apply(parse_reginfo(body)).status is ApplyStatus.APPLIED
    assert [c.uri for c in view.active_contacts()] == ["sip:a@h2"]
    assert len(view.registrations) == 3


def test_garbage_numbers_become_none() -> None:
    extra = 'expires="soon" cseq="-3" duration-registered="1e9" q="nan" retry-after=""'
    body = doc(
        0, "full", reg("sip:a@x", "r", "active", contact("c", "active", "created", "u", extra))
    )
    c = parse_reginfo(body).registrations[0].contacts[0]
    assert (c.expires, c.cseq, c.duration_registered, c.q, c.retry_after) == (
        None,
        None,
        None,
        None,
        None,
    )


def test_foreign_namespace_extensions_are_ignored() -> None:
    body = (
        f'<reginfo xmlns="{NS}" xmlns:gr="urn:ietf:params:xml:ns:gruuinfo" '
        'version="0" state="full">'
        '<registration aor="sip:a@x" id="r" state="active">'
        '<contact id="c" state="active" event="registered"><uri>sip:a@h</uri>'
        '<gr:pub-gruu uri="sip:a@x;gr=1"/></contact>'
        '<gr:other/></registration><gr:registration aor="x" id="y" state="active"/>'
        "</reginfo>"
    ).encode()
    parsed = parse_reginfo(body)
    assert len(parsed.registrations) == 1
    assert parsed.registrations[0].contacts[0].uri == "sip:a@h"


def test_document_without_namespace_is_accepted() -> None:
    body = (
        b'<reginfo version="2" state="partial">'
        b'<registration aor="a" id="r" state="init"/></reginfo>'
    )
    assert parse_reginfo(body).registrations[0].state is RegistrationState.INIT


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        (b'<reginfo xmlns="urn:other" version="0" state="full"/>', "namespace"),
        (b'<presence xmlns="urn:ietf:params:xml:ns:pidf"/>', "<reginfo>"),
        (f'<reginfo xmlns="{NS}" state="full"/>'.encode(), "version"),
        (f'<reginfo xmlns="{NS}" version="x" state="full"/>'.encode(), "version"),
        (f'<reginfo xmlns="{NS}" version="-1" state="full"/>'.encode(), "version"),
        (f'<reginfo xmlns="{NS}" version="0"/>'.encode(), "state"),
        (f'<reginfo xmlns="{NS}" version="0" state="delta"/>'.encode(), "state"),
        (doc(0, "full", '<registration id="r" state="active"/>'), "aor"),
        (doc(0, "full", '<registration aor="a" state="active"/>'), "id"),
        (doc(0, "full", '<registration aor="a" id="r"/>'), "state"),
        (
            doc(0, "full", reg("a", "r", "active", '<contact id="c" state="active" event="x"/>')),
            "uri",
        ),
        (
            doc(
                0,
                "full",
                reg("a", "r", "active", '<contact id="c" state="active"><uri>u</uri></contact>'),
            ),
            "event",
        ),
        (
            doc(
                0,
                "full",
                reg("a", "r", "active", '<contact state="active" event="x"><uri>u</uri></contact>'),
            ),
            "id",
        ),
    ],
)
def test_invalid_documents_are_400(body: bytes, needle: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_reginfo(body)
    assert info.value.status == 400
    assert needle in info.value.reason


# ---------------------------------------------------------------- applying


def test_rfc3680_section6_sequence() -> None:
    view = ReginfoView()
    first = view.apply(parse_reginfo(load("rfc3680_s6_full_v0.xml")))
    assert first.status is ApplyStatus.APPLIED
    assert [(c.kind, c.registration.state) for c in first.registration_changes] == [
        (ChangeKind.ADDED, RegistrationState.INIT)
    ]
    assert first.contact_changes == ()
    assert view.active_contacts() == ()

    second = view.apply(parse_reginfo(load("rfc3680_s6_partial_v1.xml")))
    assert second.status is ApplyStatus.APPLIED
    assert [
        (c.kind, c.previous.state if c.previous else None) for c in second.registration_changes
    ] == [(ChangeKind.CHANGED, RegistrationState.INIT)]
    (change,) = second.contact_changes
    assert change.kind is ChangeKind.ADDED
    assert (change.aor, change.registration_id) == ("sip:joe@example.com", "a7")
    assert change.contact.uri == "sip:joe@pc34.example.com"
    assert change.event is ContactEvent.REGISTERED
    assert view.version == 1
    assert [c.uri for c in view.active_contacts()] == ["sip:joe@pc34.example.com"]
    registration = view.registration_for("sip:joe@example.com")
    assert registration is not None and registration.state is RegistrationState.ACTIVE


def test_partial_before_any_full_needs_full_state() -> None:
    view = ReginfoView()
    result = view.apply(parse_reginfo(load("rfc3680_s6_partial_v1.xml")))
    assert result.status is ApplyStatus.NEED_FULL_STATE
    assert view.registrations == ()
    assert view.version is None


def test_partial_with_gap_needs_full_state_and_changes_nothing() -> None:
    view = ReginfoView()
    view.apply(parse_reginfo(load("rfc3680_s6_full_v0.xml")))
    gap = doc(
        2,
        "partial",
        reg("sip:joe@example.com", "a7", "active", contact("1", "active", "created", "u")),
    )
    result = view.apply(parse_reginfo(gap))
    assert result.status is ApplyStatus.NEED_FULL_STATE
    assert not result.changed
    assert view.version == 0
    assert view.registrations[0].state is RegistrationState.INIT


def test_old_and_duplicate_versions_are_ignored() -> None:
    view = ReginfoView()
    view.apply(parse_reginfo(load("rfc3680_s6_full_v0.xml")))
    view.apply(parse_reginfo(load("rfc3680_s6_partial_v1.xml")))
    snapshot = view.registrations
    again = view.apply(parse_reginfo(load("rfc3680_s6_partial_v1.xml")))
    older_full = view.apply(parse_reginfo(load("rfc3680_s6_full_v0.xml")))
    assert again.status is ApplyStatus.IGNORED_OLD
    assert older_full.status is ApplyStatus.IGNORED_OLD
    assert view.registrations == snapshot
    assert view.version == 1


def test_full_document_replaces_everything_even_after_a_gap() -> None:
    view = ReginfoView()
    view.apply(
        parse_reginfo(
            doc(
                0,
                "full",
                reg("sip:a@x", "r1", "active", contact("c1", "active", "registered", "sip:a@one"))
                + reg(
                    "sip:b@x", "r2", "active", contact("c2", "active", "registered", "sip:b@two")
                ),
            )
        )
    )
    result = view.apply(
        parse_reginfo(
            doc(
                7,
                "full",
                reg("sip:a@x", "r1", "active", contact("c3", "active", "created", "sip:a@three")),
            )
        )
    )
    assert result.status is ApplyStatus.APPLIED
    assert view.version == 7
    assert [(r.id, [c.id for c in r.contacts]) for r in view.registrations] == [("r1", ["c3"])]
    kinds = sorted((c.kind.value, c.registration_id, c.contact.id) for c in result.contact_changes)
    assert kinds == [("added", "r1", "c3"), ("removed", "r1", "c1"), ("removed", "r2", "c2")]
    assert [(c.kind, c.registration.id) for c in result.registration_changes] == [
        (ChangeKind.REMOVED, "r2")
    ]


def test_terminated_contact_reported_with_its_event_then_removed() -> None:
    view = ReginfoView()
    view.apply(
        parse_reginfo(
            doc(
                0,
                "full",
                reg(
                    "sip:a@x",
                    "r",
                    "active",
                    contact("c1", "active", "registered", "sip:a@one")
                    + contact("c2", "active", "registered", "sip:a@two"),
                ),
            )
        )
    )
    result = view.apply(
        parse_reginfo(
            doc(
                1,
                "partial",
                reg("sip:a@x", "r", "active", contact("c1", "terminated", "expired", "sip:a@one")),
            )
        )
    )
    (change,) = result.contact_changes
    assert change.kind is ChangeKind.REMOVED
    assert change.event is ContactEvent.EXPIRED
    assert change.contact.state is ContactState.TERMINATED
    assert change.previous is not None and change.previous.state is ContactState.ACTIVE
    assert [c.id for c in view.registrations[0].contacts] == ["c2"]
    assert result.registration_changes == ()


def test_refresh_reports_changed_contact() -> None:
    view = ReginfoView()
    view.apply(
        parse_reginfo(
            doc(
                0,
                "full",
                reg("a", "r", "active", contact("c", "active", "registered", "u", 'expires="60"')),
            )
        )
    )
    result = view.apply(
        parse_reginfo(
            doc(
                1,
                "partial",
                reg("a", "r", "active", contact("c", "active", "refreshed", "u", 'expires="3600"')),
            )
        )
    )
    (change,) = result.contact_changes
    assert change.kind is ChangeKind.CHANGED
    assert change.event is ContactEvent.REFRESHED
    assert (change.previous.expires if change.previous else None, change.contact.expires) == (
        60,
        3600,
    )


def test_identical_partial_is_applied_without_changes() -> None:
    view = ReginfoView()
    body = reg("a", "r", "active", contact("c", "active", "registered", "u"))
    view.apply(parse_reginfo(doc(0, "full", body)))
    result = view.apply(parse_reginfo(doc(1, "partial", body)))
    assert result.status is ApplyStatus.APPLIED
    assert not result.changed
    assert view.version == 1


def test_kamailio_style_registered_for_every_change() -> None:
    # kamailio#247: every change sent as event="registered"; the state is
    # what tells the watcher the device went away.
    view = ReginfoView()
    view.apply(
        parse_reginfo(
            doc(0, "full", reg("a", "r", "active", contact("c", "active", "registered", "u")))
        )
    )
    result = view.apply(
        parse_reginfo(
            doc(
                1,
                "partial",
                reg("a", "r", "terminated", contact("c", "terminated", "registered", "u")),
            )
        )
    )
    (change,) = result.contact_changes
    assert change.kind is ChangeKind.REMOVED
    assert change.event is ContactEvent.REGISTERED
    assert view.active_contacts() == ()
    assert view.registrations[0].state is RegistrationState.TERMINATED


def test_terminated_registration_drops_unlisted_contacts() -> None:
    view = ReginfoView()
    view.apply(
        parse_reginfo(
            doc(0, "full", reg("a", "r", "active", contact("c", "active", "registered", "u")))
        )
    )
    result = view.apply(parse_reginfo(doc(1, "partial", reg("a", "r", "terminated"))))
    (change,) = result.contact_changes
    assert (change.kind, change.contact.id) == (ChangeKind.REMOVED, "c")
    assert view.registrations[0].contacts == ()


def test_partial_merges_by_registration_id() -> None:
    view = ReginfoView()
    view.apply(
        parse_reginfo(
            doc(0, "full", reg("a", "r1", "active", contact("c", "active", "registered", "u")))
        )
    )
    result = view.apply(
        parse_reginfo(
            doc(1, "partial", reg("b", "r2", "active", contact("d", "active", "created", "v")))
        )
    )
    assert [(r.id, r.aor) for r in view.registrations] == [("r1", "a"), ("r2", "b")]
    assert [(c.kind, c.aor, c.contact.id) for c in result.contact_changes] == [
        (ChangeKind.ADDED, "b", "d")
    ]


def test_unknown_event_flows_through_the_diff() -> None:
    view = ReginfoView()
    view.apply(parse_reginfo(doc(0, "full", reg("a", "r", "active"))))
    result = view.apply(
        parse_reginfo(
            doc(1, "partial", reg("a", "r", "active", contact("c", "active", "migrated", "u")))
        )
    )
    assert [c.event for c in result.contact_changes] == ["migrated"]


def test_reset_starts_a_new_version_space() -> None:
    view = ReginfoView()
    view.apply(
        parse_reginfo(
            doc(5, "full", reg("a", "r", "active", contact("c", "active", "registered", "u")))
        )
    )
    view.reset()
    assert view.version is None and view.registrations == ()
    result = view.apply(parse_reginfo(load("rfc3680_s6_full_v0.xml")))
    assert result.status is ApplyStatus.APPLIED
    assert view.version == 0


def test_registration_for_unknown_aor_is_none() -> None:
    view = ReginfoView()
    view.apply(parse_reginfo(load("rfc3680_s6_full_v0.xml")))
    assert view.registration_for("sip:nobody@example.com") is None
