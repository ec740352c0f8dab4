"""The location service: RFC 3261 10.3 REGISTER processing, in memory."""

from __future__ import annotations

import pytest

from softphone.server.bindings import BindingEvent, LocationService, RegisterRefused
from softphone.sip import Contact

AOR = "sip:joe@example.com"


def contacts(*values: str) -> list[Contact]:
    return Contact.parse_list(list(values))


def test_new_binding_refresh_and_removal_report_their_events() -> None:
    loc = LocationService(min_expires=60, max_expires=3600)
    changes = loc.register(
        AOR, contacts("<sip:joe@10.0.0.1:5060>"), expires=600, call_id="a", cseq=1, now=0.0
    )
    assert [(c.binding.uri, c.event) for c in changes] == [
        ("sip:joe@10.0.0.1:5060", BindingEvent.REGISTERED)
    ]
    first_id = changes[0].binding.id
    changes = loc.register(
        AOR, contacts("<sip:joe@10.0.0.1:5060>"), expires=600, call_id="a", cseq=2, now=100.0
    )
    assert [c.event for c in changes] == [BindingEvent.REFRESHED]
    assert changes[0].binding.id == first_id  # the same device keeps its id
    assert loc.bindings(AOR)[0].remaining(100.0) == 600
    changes = loc.register(
        AOR,
        contacts("<sip:joe@10.0.0.1:5060>;expires=0"),
        expires=None,
        call_id="a",
        cseq=3,
        now=200.0,
    )
    assert [c.event for c in changes] == [BindingEvent.UNREGISTERED]
    assert loc.bindings(AOR) == []


def test_contact_expires_parameter_wins_and_lifetime_is_capped() -> None:
    loc = LocationService(min_expires=60, max_expires=3600)
    loc.register(
        AOR,
        contacts("<sip:joe@a>;expires=120", "<sip:joe@b>"),
        expires=99999,
        call_id="a",
        cseq=1,
        now=0.0,
    )
    remaining = {b.uri: b.remaining(0.0) for b in loc.bindings(AOR)}
    assert remaining == {"sip:joe@a": 120, "sip:joe@b": 3600}
    assert loc.deadline == 120.0


def test_too_brief_interval_is_refused_with_min_expires() -> None:
    loc = LocationService(min_expires=60)
    with pytest.raises(RegisterRefused) as info:
        loc.register(AOR, contacts("<sip:joe@a>"), expires=30, call_id="a", cseq=1, now=0.0)
    assert (info.value.status, info.value.headers) == (423, (("Min-Expires", "60"),))
    assert loc.bindings(AOR) == []


def test_star_removes_every_binding_only_with_expires_zero() -> None:
    loc = LocationService()
    loc.register(
        AOR, contacts("<sip:joe@a>", "<sip:joe@b>"), expires=600, call_id="a", cseq=1, now=0.0
    )
    with pytest.raises(RegisterRefused) as info:
        loc.register(AOR, contacts("*"), expires=600, call_id="b", cseq=1, now=1.0)
    assert info.value.status == 400
    changes = loc.register(AOR, contacts("*"), expires=0, call_id="b", cseq=1, now=1.0)
    assert sorted(c.binding.uri for c in changes) == ["sip:joe@a", "sip:joe@b"]
    assert {c.event for c in changes} == {BindingEvent.UNREGISTERED}
    assert loc.bindings(AOR) == []


def test_old_cseq_in_the_same_call_id_is_refused() -> None:
    loc = LocationService()
    loc.register(AOR, contacts("<sip:joe@a>"), expires=600, call_id="a", cseq=5, now=0.0)
    with pytest.raises(RegisterRefused) as info:
        loc.register(AOR, contacts("<sip:joe@a>"), expires=600, call_id="a", cseq=5, now=1.0)
    assert info.value.status == 500


def test_expiry_reports_expired_and_a_query_changes_nothing() -> None:
    loc = LocationService()
    loc.register(
        AOR, contacts("<sip:joe@a>;expires=60"), expires=None, call_id="a", cseq=1, now=0.0
    )
    assert loc.register(AOR, [], expires=None, call_id="q", cseq=1, now=1.0) == []
    assert loc.expire(59.0) == []
    changes = loc.expire(60.0)
    assert [(c.binding.uri, c.event) for c in changes] == [("sip:joe@a", BindingEvent.EXPIRED)]
    assert loc.deadline is None
