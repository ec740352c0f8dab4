"""The address of record: the one key for a user, wherever a URI names one.

Buddies, conversations, blocked senders, the registrar's bindings and its
watcher lists all key people by this text. The rule (RFC 3261 19.1.4, and
10.3 step 5 for the registrar's index):

- the scheme is kept: ``sip:`` and ``sips:`` are two addresses ("A SIP and
  SIPS URI are never equivalent", 19.1.4);
- the user part is compared exactly, after unescaping (19.1.4: "comparison
  of the userinfo of SIP and SIPS URIs is case-sensitive"), so ``%61lice``
  is ``alice`` and ``Alice`` is someone else;
- the host is compared without case (19.1.4), written in lower case, and
  nothing else is changed in it (``example.com.`` is another host);
- the port, the password, every URI parameter and header are dropped
  (10.3 step 5 removes the parameters; an address of record names a user
  at a domain, and the domain's servers are found by RFC 3263, not by a
  port written in one URI).

A URI without a user part (an application server such as
``sip:app.example.com``) is its own address: ``sip:app.example.com``.
"""

from __future__ import annotations

from softphone.sip.uri import SipUri

__all__ = ["aor_key", "parse_aor"]


def aor_key(uri: SipUri) -> str:
    """The address of record of *uri* as text: ``sip:alice@example.com``."""
    user = f"{uri.user}@" if uri.user else ""
    return f"{uri.scheme}:{user}{uri.host.lower()}"


def parse_aor(text: str) -> SipUri:
    """Read an address a person typed: ``bob@example.com`` means ``sip:bob@example.com``.

    Surrounding white space is ignored; a ``sip:`` or ``sips:`` scheme (any
    case) is kept.

    Raises:
        ParseError: *text* is not a SIP or SIPS URI.
    """
    text = text.strip()
    scheme = text.split(":", 1)[0].lower() if ":" in text else ""
    if scheme not in ("sip", "sips"):
        text = f"sip:{text}"
    return SipUri.parse(text)
