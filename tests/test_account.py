"""`softphone.account`: the account value parses its address once and does no I/O."""

from __future__ import annotations

from dataclasses import replace

from softphone.account import Account


def test_the_address_is_parsed_once_and_follows_a_replace() -> None:
    account = Account(aor="sip:alice@example.com", display_name="Alice")
    assert account.uri is account.uri
    assert (account.uri.user, account.domain) == ("alice", "example.com")
    moved = replace(account, aor="sips:alice@example.org")
    assert (moved.uri.scheme, moved.domain) == ("sips", "example.org")


def test_the_parsed_address_is_not_a_setting() -> None:
    account = Account(aor="sip:alice@example.com")
    # Equality and the printed form are about the settings only.
    assert account == Account(aor="sip:alice@example.com")
    assert "_uri" not in repr(account)
