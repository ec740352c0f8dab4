"""The account and identity value types: what a SIP account is, with no I/O.

`Account` is validated on construction (every problem is a sentence for
the person who typed it) and keeps its address of record parsed once.
Reading and writing the settings file and the keyring is
`softphone.config`'s job; services only ever see these values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

from softphone.phrase import Phrase, say
from softphone.sip.errors import SipError
from softphone.sip.uri import SipUri
from softphone.transport.base import TransportKind, parse_nameserver

__all__ = [
    "DEFAULT_EXPIRES",
    "DEFAULT_KEEPALIVE_INTERVAL",
    "MAX_EXPIRES",
    "MAX_KEEPALIVE",
    "MIN_EXPIRES",
    "MIN_KEEPALIVE",
    "Account",
    "SettingsError",
    "SipIdentity",
]

MIN_EXPIRES = 10
MAX_EXPIRES = 86400
DEFAULT_EXPIRES = 600
#: Keep-alive intervals a setting may ask for; 0 turns keep-alives off.
MIN_KEEPALIVE = 5
MAX_KEEPALIVE = 3600

#: Seconds between keep-alives; why 25 is in softphone/keepalive.py.
DEFAULT_KEEPALIVE_INTERVAL = 25

# An environment variable name as POSIX shells accept it.
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class SipIdentity(Protocol):
    """Who a service speaks as: what presence and the welcome server read.

    `Account` is one; so is an application server such as RFC 3680's
    ``sip:app.example.com``, whose address has no user part and so is not a
    person's account.
    """

    @property
    def uri(self) -> SipUri: ...

    @property
    def domain(self) -> str: ...

    @property
    def display_name(self) -> str: ...

    @property
    def outbound_proxy(self) -> str | None: ...


class SettingsError(Exception):
    """A setting is missing or wrong, said as a sentence for the user.

    `phrase` is the sentence to show (the window translates it); ``str()``
    is the same sentence in English, for the command line.
    """

    def __init__(self, phrase: Phrase | str) -> None:
        super().__init__(str(phrase))
        #: The sentence: an English template and its values, or plain text.
        self.phrase = phrase


def _check_aor(aor: object) -> SipUri:
    if not isinstance(aor, str):
        raise SettingsError(say("The address of record must look like sip:alice@example.com"))
    # An AoR names a user at a domain (RFC 3261 10.2.1): it needs a user
    # part, and a password or URI headers have no place in a To header.
    try:
        uri: SipUri | None = SipUri.parse(aor)
    except SipError:
        uri = None
    if uri is None or not uri.user or uri.password is not None or uri.headers:
        raise SettingsError(
            say(
                "The address of record must look like sip:alice@example.com, not {value}",
                value=repr(aor),
            )
        )
    return uri


def _is_host_port(value: object) -> bool:
    """True for ``host[:port]`` (a name or an address, no user part or parameters)."""
    if not isinstance(value, str) or not value or "@" in value or ";" in value or "?" in value:
        return False
    try:
        uri = SipUri.parse(f"sip:{value}")
    except SipError:
        return False
    return uri.port != 0


def _check_int(value: object, low: int, high: int, message: Phrase) -> int:
    # bool is an int in Python, but `expires = true` is a mistake, not 1.
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise SettingsError(message)
    return value


def _transport(value: object) -> TransportKind:
    if isinstance(value, TransportKind):
        return value
    if isinstance(value, str):
        try:
            return TransportKind(value.lower())
        except ValueError:
            pass
    raise SettingsError(say("Transport must be udp, tcp or tls, not {value}", value=repr(value)))


def _optional_text(value: object, what: Phrase) -> str:
    if not isinstance(value, str):
        raise SettingsError(say("{what} must be text, not {value}", what=what, value=repr(value)))
    if any(ch in value for ch in "\r\n\0"):
        raise SettingsError(say("{what} must be one line of text", what=what))
    return value


@dataclass(frozen=True)
class Account:
    """One SIP account.

    Raises:
        SettingsError: (on construction) any field is invalid; the message
            says which and how to fix it.
    """

    #: The address of record, e.g. ``sip:alice@example.com`` (RFC 3261 10.2).
    aor: str
    #: The name shown to others in From headers; may be empty.
    display_name: str = ""
    #: The digest user name; empty means the AoR's user part.
    username: str = ""
    #: ``host[:port]`` of the registrar; None means "find the server
    #: automatically": the AoR's domain, located through DNS (RFC 3263
    #: NAPTR, SRV, A/AAAA), as RFC 3261 10.2.6 has the REGISTER go there.
    registrar: str | None = None
    #: ``host[:port]`` every request is sent to first, if any.
    outbound_proxy: str | None = None
    transport: TransportKind = TransportKind.UDP
    #: Local port to bind; 0 lets the system choose.
    local_port: int = 0
    #: Registration lifetime asked for, in seconds.
    expires: int = DEFAULT_EXPIRES
    #: Name of an environment variable holding the password, if any. The
    #: password itself is never part of the settings.
    password_env: str | None = None
    #: ``IP[:PORT]`` of the DNS server to locate SIP servers with; None
    #: means the system's.
    dns_server: str | None = None
    #: Seconds between keep-alives to the registrar (RFC 5626 4.4); 0 turns
    #: them off. 25 s keeps UDP NAT bindings (often dropped after 30 s)
    #: open and notices a dead server within half a minute.
    keepalive_interval: int = DEFAULT_KEEPALIVE_INTERVAL
    #: Send "displayed" receipts (RFC 5438) when a message was in view;
    #: "delivered" receipts are sent whenever a sender asks, whatever this says.
    send_read_receipts: bool = True
    #: Ask the recipients of our messages for "displayed" receipts.
    request_read_receipts: bool = True
    #: Take MESSAGEs sent straight to our port by anyone, not only those
    #: through the account's servers (which get 403 otherwise).
    accept_direct: bool = False
    # The AoR parsed once, on construction; not a setting (init=False) and
    # not part of equality (it follows from `aor`).
    _uri: SipUri = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        uri = _check_aor(self.aor)
        object.__setattr__(self, "_uri", uri)
        object.__setattr__(
            self, "display_name", _optional_text(self.display_name, say("Display name"))
        )
        username = _optional_text(self.username, say("User name"))
        if not username:
            assert uri.user is not None
            username = uri.user
        object.__setattr__(self, "username", username)
        for value, what in (
            (self.registrar, say("The registrar")),
            (self.outbound_proxy, say("The outbound proxy")),
        ):
            if value is not None and not _is_host_port(value):
                raise SettingsError(
                    say(
                        "{what} must be a host name or address with an optional port,"
                        " like example.com:5060, not {value}",
                        what=what,
                        value=repr(value),
                    )
                )
        object.__setattr__(self, "transport", _transport(self.transport))
        _check_int(
            self.local_port,
            0,
            65535,
            say(
                "Local port must be a whole number between {low} and {high}", low="0", high="65535"
            ),
        )
        _check_int(
            self.expires,
            MIN_EXPIRES,
            MAX_EXPIRES,
            say(
                "The registration time must be a whole number of seconds between {low} and {high}",
                low=str(MIN_EXPIRES),
                high=str(MAX_EXPIRES),
            ),
        )
        # Said without the settings' key names: only the settings file
        # can hold a wrong value here (the dialog's boxes cannot).
        for wrong, said in (
            (self.send_read_receipts, say("Sending read receipts must be true or false")),
            (self.request_read_receipts, say("Asking for read receipts must be true or false")),
            (self.accept_direct, say("Accepting direct messages must be true or false")),
        ):
            if not isinstance(wrong, bool):
                raise SettingsError(said)
        if self.dns_server is not None:
            if not isinstance(self.dns_server, str):
                raise SettingsError(
                    say("The DNS server must be text, not {value}", value=repr(self.dns_server))
                )
            try:
                parse_nameserver(self.dns_server)
            except ValueError:
                raise SettingsError(
                    say(
                        "The DNS server must be an IP address with an optional port, like"
                        " 192.0.2.53 or [2001:db8::53]:5353, not {value}",
                        value=repr(self.dns_server),
                    )
                ) from None
        if isinstance(self.keepalive_interval, bool) or self.keepalive_interval != 0:
            _check_int(
                self.keepalive_interval,
                MIN_KEEPALIVE,
                MAX_KEEPALIVE,
                say(
                    "The keep-alive interval must be 0 (off) or a whole number of seconds"
                    " between {low} and {high}",
                    low=str(MIN_KEEPALIVE),
                    high=str(MAX_KEEPALIVE),
                ),
            )
        if self.password_env is not None and (
            not isinstance(self.password_env, str) or _ENV_NAME.fullmatch(self.password_env) is None
        ):
            raise SettingsError(
                say(
                    "The password variable must be an environment variable name like"
                    " SOFTPHONE_PASSWORD, not {value}",
                    value=repr(self.password_env),
                )
            )

    @property
    def uri(self) -> SipUri:
        """The AoR as a parsed URI (parsed once, when the account was made)."""
        return self._uri

    @property
    def domain(self) -> str:
        """The AoR's host part: where REGISTER goes when no registrar is set."""
        return self.uri.host
