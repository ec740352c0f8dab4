"""`softphone.link`: which sip: links open, and the one sentence for those that do not."""

from __future__ import annotations

import pytest

from softphone import cli
from softphone.cli import build_parser, main, route_link
from softphone.link import MAX_LINK, LinkError, looks_like_link, parse_link

COMMANDS = ["gui", "send", "listen", "watch", "welcome", "desktop", "registrar"]


@pytest.mark.parametrize(
    ("text", "address", "body"),
    [
        ("sip:alice@example.com", "sip:alice@example.com", None),
        ("SIPS:Bob@Example.COM;transport=tcp", "sips:Bob@example.com", None),
        # RFC 3261 19.1.1: the body header, percent-decoded (UTF-8).
        (
            "sip:alice@example.com?body=%EC%95%88%EB%85%95%20bob",
            "sip:alice@example.com",
            "안녕 bob",
        ),
        ("sip:alice@example.com?Body=hi", "sip:alice@example.com", "hi"),
    ],
)
def test_links_that_open(text: str, address: str, body: str | None) -> None:
    link = parse_link(text)
    assert (link.address, link.body) == (address, body)
    assert link.uri.headers == ()


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        ("sip:alice@example.com?body=hi%0d%0aSubject:%20x", "line break or control character"),
        ("sip:alice@example.com?body=hi%0Aevil", "line break or control character"),
        ("sip:alice@example.com\r\nVia: x", "line break or control character"),
        ("sip:alice@example.com?subject=urgent", "asks to set the 'subject' header"),
        ("sip:alice@example.com?body=a&route=%3Csip:evil%3E", "asks to set the 'route' header"),
        ("sip:alice@example.com?body=a&body=b", "gives the message text twice"),
        ("sip:alice@example.com?body=" + "a" * MAX_LINK, "too long to open"),
        ("http://example.com/", "only sip: and sips: links, not http: links"),
        ("tel:+15551234", "only sip: and sips: links, not tel: links"),
        ("sip:alice:secret@example.com", "contains a password"),
        ("sip:example.com", "names no one"),
        ("sip:alice@exa mple.com", "not a valid SIP address"),
        ("sip:alice@example.com?body=%FF", "not valid UTF-8"),
    ],
)
def test_hostile_links_get_one_sentence(text: str, sentence: str) -> None:
    with pytest.raises(LinkError) as info:
        parse_link(text)
    message = str(info.value)
    assert sentence in message
    assert message.endswith(".") and "\n" not in message


def test_links_go_to_the_window_and_commands_stay_commands() -> None:
    assert looks_like_link("sip:bob@example.com") and not looks_like_link("send")
    assert route_link(["sip:a@b"], COMMANDS) == ["gui", "sip:a@b"]
    assert route_link(["--demo", "sip:a@b"], COMMANDS) == ["--demo", "gui", "sip:a@b"]
    assert route_link(["send", "sip:a@b", "hi"], COMMANDS) == ["send", "sip:a@b", "hi"]
    assert route_link(["--demo"], COMMANDS) == ["--demo"]
    parser = build_parser()
    args = parser.parse_args(route_link(["--demo", "sip:a@b?body=x"], COMMANDS))
    assert (args.command, args.demo, args.link) == ("gui", True, "sip:a@b?body=x")
    args = parser.parse_args(route_link(["--hidden"], COMMANDS))
    assert (args.command, args.hidden) == (None, True)


@pytest.mark.parametrize(
    "text", ["sip:alice@example.com?subject=x", "http://example.com", "sip:a@b%0d%0aVia:x"]
)
def test_the_command_refuses_a_hostile_link_before_starting(
    text: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # From a terminal: exit 2 and one line on stderr; no window, no server, nothing opened.
    monkeypatch.setattr(cli, "has_terminal", lambda: True)
    assert main([text]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("softphone: ") and err.count("\n") == 1


def test_without_a_terminal_the_window_says_why_the_link_was_refused(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A browser launched it: stderr reaches no one, so the window gets the
    # sentence and opens nothing (tests/ui/test_single_instance.py shows it).
    import ui.main

    monkeypatch.setattr(cli, "has_terminal", lambda: False)
    started: list[tuple[str | None, str | None]] = []

    def run_gui(args: object) -> int:
        started.append((getattr(args, "link", None), getattr(args, "refused", None)))
        return 0

    monkeypatch.setattr(ui.main, "run_gui", run_gui)
    assert main(["sip:alice@example.com?subject=x"]) == 0
    sentence = (
        "The link asks to set the 'subject' header; only a message text (?body=)"
        " may come with a link."
    )
    assert started == [(None, sentence)]
    assert capsys.readouterr().err == f"softphone: {sentence}\n"
