"""`sip:` and `sips:` links, as a browser or `xdg-open` hands them over.

A link names whom to talk to and may carry a draft: RFC 3261 19.1.1 lets a
SIP URI carry headers after ``?``, and the ``body`` header is the message
body. Opening a link only ever opens a conversation and fills the draft; it
never sends anything. Everything else a link could ask for is refused with
one sentence: other headers (a web page could otherwise set Subject, Route
or From), line breaks (raw or escaped, the way to smuggle header lines),
passwords, other schemes, and anything longer than `MAX_LINK`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from softphone.phrase import Phrase, say
from softphone.sip.aor import aor_key
from softphone.sip.errors import ParseError
from softphone.sip.uri import SipUri

__all__ = ["MAX_LINK", "LinkError", "SipLink", "looks_like_link", "parse_link"]

#: Longest link accepted, in characters: far above any real address plus a
#: short draft, far below what could hurt.
MAX_LINK = 1024

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
# CR, LF and NUL, escaped (RFC 3986 percent-encoding) in any case.
_ESCAPED_BREAK = re.compile(r"%(?:0[dDaA]|00)")


class LinkError(ValueError):
    """The link cannot be opened; the message is one sentence for a person."""

    def __init__(self, phrase: Phrase) -> None:
        super().__init__(str(phrase))
        #: The sentence as a template and values, for a window to translate.
        self.phrase = phrase


@dataclass(frozen=True)
class SipLink:
    """A link that is safe to open."""

    #: The address, without URI headers (parameters kept as given).
    uri: SipUri
    #: The ``?body=`` text, percent-decoded, for the draft; None without one.
    body: str | None = None

    @property
    def address(self) -> str:
        """The conversation's address: ``sip:user@host``, host in lower case."""
        return aor_key(self.uri)


def looks_like_link(text: str) -> bool:
    """True when *text* starts with a URI scheme (``sip:``, ``http:``, ...)."""
    match = _SCHEME.match(text)
    return match is not None and len(match.group(1)) > 1  # not a drive letter "C:"


def parse_link(text: str) -> SipLink:
    """Check *text* and return what to open.

    Raises:
        LinkError: the link is too long, not a SIP link, malformed, or asks
            for more than an address and a draft.
    """
    if len(text) > MAX_LINK:
        raise LinkError(
            say(
                "The link is too long to open ({length} characters; at most {limit}).",
                length=str(len(text)),
                limit=str(MAX_LINK),
            )
        )
    match = _SCHEME.match(text)
    if match is None or match.group(1).lower() not in ("sip", "sips"):
        if match is None:
            raise LinkError(say("Softphone opens only sip: and sips: links, not this."))
        raise LinkError(
            say(
                "Softphone opens only sip: and sips: links, not {scheme}: links.",
                scheme=match.group(1),
            )
        )
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in text) or _ESCAPED_BREAK.search(text):
        raise LinkError(
            say(
                "The link contains a line break or control character, which could add"
                " SIP headers; it was not opened."
            )
        )
    try:
        uri = SipUri.parse(text)
    except ParseError as exc:
        raise LinkError(
            say("The link is not a valid SIP address: {reason}.", reason=exc.reason)
        ) from None
    if not uri.user:
        raise LinkError(
            say("The link names no one: it needs an address like sip:alice@example.com.")
        )
    if uri.password is not None:
        raise LinkError(say("The link contains a password; it was not opened."))
    body: str | None = None
    for name, value in uri.headers:
        if name.lower() != "body":
            raise LinkError(
                say(
                    "The link asks to set the {header} header; only a message text (?body=)"
                    " may come with a link.",
                    header=repr(name),
                )
            )
        if body is not None:
            raise LinkError(say("The link gives the message text twice."))
        if any("\udc80" <= ch <= "\udcff" for ch in value):
            raise LinkError(say("The link's message text is not valid UTF-8."))
        body = value
    # SipUri drops nothing else: rebuild it without the headers.
    address = SipUri(
        scheme=uri.scheme, user=uri.user, host=uri.host, port=uri.port, params=uri.params
    )
    return SipLink(address, body)
