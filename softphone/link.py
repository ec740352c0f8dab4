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
            f"The link is too long to open ({len(text)} characters; at most {MAX_LINK})."
        )
    match = _SCHEME.match(text)
    if match is None or match.group(1).lower() not in ("sip", "sips"):
        what = f"{match.group(1)}: links" if match else "this"
        raise LinkError(f"Softphone opens only sip: and sips: links, not {what}.")
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in text) or _ESCAPED_BREAK.search(text):
        raise LinkError(
            "The link contains a line break or control character, which could add"
            " SIP headers; it was not opened."
        )
    try:
        uri = SipUri.parse(text)
    except ParseError as exc:
        raise LinkError(f"The link is not a valid SIP address: {exc.reason}.") from None
    if not uri.user:
        raise LinkError("The link names no one: it needs an address like sip:alice@example.com.")
    if uri.password is not None:
        raise LinkError("The link contains a password; it was not opened.")
    body: str | None = None
    for name, value in uri.headers:
        if name.lower() != "body":
            raise LinkError(
                f"The link asks to set the {name!r} header; only a message text"
                " (?body=) may come with a link."
            )
        if body is not None:
            raise LinkError("The link gives the message text twice.")
        if any("\udc80" <= ch <= "\udcff" for ch in value):
            raise LinkError("The link's message text is not valid UTF-8.")
        body = value
    # SipUri drops nothing else: rebuild it without the headers.
    address = SipUri(
        scheme=uri.scheme, user=uri.user, host=uri.host, port=uri.port, params=uri.params
    )
    return SipLink(address, body)
