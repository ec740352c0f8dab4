"""Typed views of header values: Via, CSeq, Contact, Content-Type, Event ...

Each class is a frozen dataclass with a ``parse(value)`` classmethod that
raises :class:`ParseError` on malformed input and a ``__str__`` that writes
the header value back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from softphone.sip import recent
from softphone.sip.errors import LocalProtocolError, ParseError
from softphone.sip.grammar import TOKEN, TOKEN_CHARS, UNSAFE_VALUE
from softphone.sip.record import Record, rebuild, record
from softphone.sip.uri import NameAddr, Params, _simple_params, format_params, parse_params

__all__ = [
    "CSeq",
    "Contact",
    "ContentType",
    "Event",
    "RetryAfter",
    "SubscriptionState",
    "Via",
    "parse_delta_seconds",
]

_T = TOKEN_CHARS
# via-parm = sent-protocol LWS sent-by; sent-protocol = protocol-name SLASH
# protocol-version SLASH transport; SLASH = SWS "/" SWS; sent-by = host [ COLON port ]
_VIA = re.compile(
    rf"([{_T}]+)[ \t]*/[ \t]*([{_T}]+)[ \t]*/[ \t]*([{_T}]+)[ \t]+"
    r"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-.]+)(?:[ \t]*:[ \t]*([0-9]{1,5}))?"
)
# A via-parm followed by simple parameters only (";name=value;flag" without
# quotes or LWS): the whole value in one match, split the way parse_params
# would split it.
_SIMPLE_VIA = re.compile(_VIA.pattern + rf"((?:;[{_T}]+(?:=[{_T}\[\]:]+)?)*)")
# The usual Via exactly as RFC 3261 20.42 writes it ("SIP/2.0/UDP host:port"
# and simple parameters): a subset of _SIMPLE_VIA that never backtracks.
_USUAL_VIA_PARAMS = (
    # The first two parameters' names and values (";branch=...;rport"),
    # then the text of any others.
    rf"(?:;([{_T}]++)(?:=([{_T}\[\]:]++))?"
    rf"(?:;([{_T}]++)(?:=([{_T}\[\]:]++))?((?:;[{_T}]++(?:=[{_T}\[\]:]++)?)*+))?)?"
)
_USUAL_VIA = re.compile(
    rf"SIP/2\.0/([{_T}]++) (\[[0-9A-Fa-f:.]++\]|[A-Za-z0-9\-.]++)(?::([0-9]{{1,5}}))?"
    + _USUAL_VIA_PARAMS
)
_USUAL_VIA_TAIL = re.compile(_USUAL_VIA_PARAMS)
# Usual Content-Type and Event values read lately -> their records: the same
# few ("text/plain;charset=UTF-8", "reg") come in message after message.
_MEDIA_TYPES: dict[str, ContentType] = recent.table()
_EVENTS: dict[str, Event] = recent.table()
_KNOWN_VALUES_MAX = 64
# The sent-protocol and sent-by of usual Vias read lately ("SIP/2.0/UDP
# host:port", the text before the first ";") -> (transport, host, port):
# every request from a peer carries the same one, only the branch differs.
_SENT_BY: dict[str, tuple[str, str, int | None]] = recent.table()
_SENT_BY_MAX = 256
# CSeq = 1*DIGIT LWS Method
_CSEQ = re.compile(rf"([0-9]++)[ \t]++([{_T}]++)")
# media-type = m-type SLASH m-subtype *(SEMI m-parameter)
_MEDIA = re.compile(rf"([{_T}]+)[ \t]*/[ \t]*([{_T}]+)")
# The usual media type: no LWS and simple parameters.
_USUAL_MEDIA = re.compile(rf"([{_T}]++)/([{_T}]++)((?:;[{_T}]++(?:=[{_T}\[\]:]++)?)*+)")
# event-type or substate-value with simple parameters.
_USUAL_TOKEN_PARAMS = re.compile(rf"([{_T}]++)((?:;[{_T}]++(?:=[{_T}\[\]:]++)?)*+)")
# Retry-After = delta-seconds [ comment ] *( SEMI retry-param )
_RETRY = re.compile(r"([0-9]+)[ \t]*(\((?:[^()\\]|\\.)*\))?")
_DIGITS = re.compile(r"[0-9]+")
# qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
_QVALUE = re.compile(r"0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?")

# RFC 3261 8.1.1.5: the CSeq sequence number MUST be less than 2**31.
MAX_CSEQ = 2**31 - 1
# delta-seconds above 2**32-1 are outside the range RFC 3261 20.19 allows.
MAX_DELTA = 2**32 - 1


def _param(params: Params, name: str) -> str | None:
    lname = name.lower()
    for key, value in params:
        if key.lower() == lname:
            return "" if value is None else value
    return None


def parse_delta_seconds(value: str, what: str) -> int:
    """Parse ``delta-seconds = 1*DIGIT``.

    Raises:
        ParseError: not a non-negative decimal number.
    """
    value = value.strip(" \t")
    if _DIGITS.fullmatch(value) is None:
        raise ParseError(f"{what} is not a number of seconds")
    return int(value)


def _check_params(params: Params, what: str) -> None:
    for name, value in params:
        if not isinstance(name, str) or TOKEN.fullmatch(name) is None:
            raise LocalProtocolError(f"invalid {what} parameter name {name!r}")
        if value is not None and UNSAFE_VALUE.search(value):
            raise LocalProtocolError(f"CR, LF or NUL in {what} parameter {name}")


def _usual_via(value: str) -> Via | None:
    """The Via of a value in the usual shape, or None for any other.

    What Via.parse returns for a _USUAL_VIA match, built in place; None sends
    the caller to Via.parse's general path, which also says what is wrong
    (a port or rport out of range).
    """
    semi = value.find(";")
    sent_by = value if semi < 0 else value[:semi]
    known = _SENT_BY.get(sent_by)
    if known is not None:
        # Known: only the parameters are read (the sent-by holds no ";").
        if semi < 0:
            return rebuild(Via, (*known, ()))
        tail = _USUAL_VIA_TAIL.fullmatch(value, semi)
        if tail is None:
            return None
        transport, host, port_number = known
        name1, value1, name2, value2, more = tail.groups()
    else:
        usual = _USUAL_VIA.fullmatch(value)
        if usual is None:
            return None
        transport, host, port, name1, value1, name2, value2, more = usual.groups()
        port_number = None
        if port is not None:
            port_number = int(port)
            if port_number > 65535:
                return None
        transport = transport.upper()
        recent.remember(_SENT_BY, sent_by, (transport, host, port_number), _SENT_BY_MAX)
    # The parameters as _simple_params splits them (a value holds no "=").
    params: Params = ()
    if name1 is not None:
        if name2 is None:
            params = ((name1, value1),)
        elif not more:
            params = ((name1, value1), (name2, value2))
        else:
            params = ((name1, value1), (name2, value2), *_simple_params(more))
        # Only an rport parameter with a value has a port to check (the
        # names' lengths first: no lower-case copy for the usual branch).
        if (
            (value1 is not None and len(name1) == 5 and name1.lower() == "rport")
            or (value2 is not None and len(name2) == 5 and name2.lower() == "rport")
            or (more and "rport=" in more.lower())
        ):
            rport = _param(params, "rport")
            if rport and (not (rport.isdigit() and rport.isascii()) or int(rport) > 65535):
                return None
    return rebuild(Via, (transport, host, port_number, params))


@record
class Via(Record):
    """One Via value (RFC 3261 20.42): ``SIP/2.0/transport host[:port];params``.

    A frozen record (see softphone.sip.record): fields ``transport``,
    ``host``, ``port``, ``params``.

    Raises:
        LocalProtocolError: (on construction) a transport that is not a token
            or a parameter with CR, LF or NUL.
    """

    transport: str
    host: str
    port: int | None = None
    params: Params = ()

    __slots__ = ()

    def __new__(
        cls, transport: str, host: str, port: int | None = None, params: Params = ()
    ) -> Via:
        if TOKEN.fullmatch(transport) is None or not host:
            raise LocalProtocolError("invalid Via transport or host")
        if UNSAFE_VALUE.search(host) or " " in host:
            raise LocalProtocolError("invalid Via host")
        _check_params(params, "Via")
        return rebuild(cls, (transport, host, port, params))

    @classmethod
    def parse(cls, value: str) -> Via:
        """Parse one via-parm.

        Raises:
            ParseError: malformed value, a protocol other than SIP/2.0, or a
                port, ttl or rport out of range.
        """
        usual = _usual_via(value)
        if usual is not None:
            return usual
        simple = _SIMPLE_VIA.fullmatch(value)
        if simple is not None:
            return cls._from_simple(*simple.groups())
        match = _VIA.match(value)
        if match is None:
            raise ParseError("Malformed Via header")
        name, version, transport, host, port = match.groups()
        if name.upper() != "SIP" or version != "2.0":
            raise ParseError("Via protocol is not SIP/2.0")
        tail = value[match.end() :]
        params = parse_params(tail, "Via header")
        port_number = None if port is None else int(port)
        if port_number is not None and port_number > 65535:
            raise ParseError("Via port out of range")
        if '"' in tail:
            # Only a quoted value can hold what the constructor refuses (NUL).
            _check_params(params, "Via")
        rport = _param(params, "rport")
        if rport and (_DIGITS.fullmatch(rport) is None or int(rport) > 65535):
            raise ParseError("Via rport is not a port number")
        # The regex has checked what the constructor would.
        return rebuild(cls, (transport.upper(), host, port_number, params))

    @classmethod
    def _from_simple(
        cls,
        name: str,
        version: str,
        transport: str,
        host: str,
        port: str | None,
        params_text: str,
    ) -> Via:
        if version != "2.0" or (name != "SIP" and name.upper() != "SIP"):
            raise ParseError("Via protocol is not SIP/2.0")
        params: Params = ()
        rport = None
        if params_text:
            items: list[tuple[str, str | None]] = []
            for item in params_text[1:].split(";"):
                pname, eq, pvalue = item.partition("=")
                items.append((pname, pvalue if eq else None))
                if rport is None and pname.lower() == "rport":
                    rport = pvalue
            params = tuple(items)
        port_number = None if port is None else int(port)
        if port_number is not None and port_number > 65535:
            raise ParseError("Via port out of range")
        if rport and (not (rport.isascii() and rport.isdigit()) or int(rport) > 65535):
            raise ParseError("Via rport is not a port number")
        return rebuild(cls, (transport.upper(), host, port_number, params))

    @property
    def branch(self) -> str | None:
        """The ``branch`` parameter (RFC 3261 8.1.1.7), or ``None``."""
        return _param(self.params, "branch")

    @property
    def received(self) -> str | None:
        """The ``received`` parameter, or ``None``."""
        return _param(self.params, "received")

    @property
    def rport(self) -> int | bool | None:
        """The ``rport`` parameter (RFC 3581).

        ``True`` when present without a value, the port number when it has
        one, ``None`` when absent.
        """
        value = _param(self.params, "rport")
        if value is None:
            return None
        return int(value) if value else True

    @property
    def sent_by(self) -> str:
        """``host`` or ``host:port``."""
        return self.host if self.port is None else f"{self.host}:{self.port}"

    def param(self, name: str) -> str | None:
        """Return parameter *name*; ``""`` when present without value."""
        return _param(self.params, name)

    def __str__(self) -> str:
        return f"SIP/2.0/{self.transport} {self.sent_by}{format_params(self.params)}"


@record
class CSeq(Record):
    """The CSeq value (RFC 3261 20.16): a frozen record (see
    softphone.sip.record) with fields ``seq`` and ``method``.

    Raises:
        LocalProtocolError: (on construction) a number out of range or a
            method that is not a token.
    """

    seq: int
    method: str

    __slots__ = ()

    def __new__(cls, seq: int, method: str) -> CSeq:
        if not isinstance(seq, int) or not 0 <= seq <= MAX_CSEQ:
            raise LocalProtocolError(f"CSeq number {seq!r} out of range")
        if not isinstance(method, str) or TOKEN.fullmatch(method) is None:
            raise LocalProtocolError(f"invalid CSeq method {method!r}")
        return rebuild(cls, (seq, method))

    @classmethod
    def parse(cls, value: str) -> CSeq:
        """Parse ``1*DIGIT LWS Method``.

        Raises:
            ParseError: malformed value or a number not less than 2**31.
        """
        match = _CSEQ.fullmatch(value.strip(" \t"))
        if match is None:
            raise ParseError("Malformed CSeq header")
        seq_text, method = match.groups()
        seq = int(seq_text)
        if seq > MAX_CSEQ:
            raise ParseError("CSeq number out of range")
        # Both parts are checked by the regex and the bound above.
        return rebuild(cls, (seq, method))

    def __str__(self) -> str:
        return f"{self.seq} {self.method}"


@record
class Contact(Record):
    """One Contact value (RFC 3261 20.10); ``address`` is ``None`` for ``*``.

    A frozen record (see softphone.sip.record) with the field ``address``.
    """

    address: NameAddr | None

    __slots__ = ()

    def __new__(cls, address: NameAddr | None) -> Contact:
        return rebuild(cls, (address,))

    @classmethod
    def parse_list(cls, values: list[str]) -> list[Contact]:
        """Parse the comma-separated elements of every Contact line.

        Raises:
            ParseError: a malformed element, or ``*`` mixed with addresses.
        """
        out = []
        for value in values:
            # Contact has no checks of its own.
            address = None if value == "*" else NameAddr.parse(value)
            out.append(rebuild(cls, (address,)))
        if len(out) > 1 and any(contact.address is None for contact in out):
            raise ParseError("Contact * mixed with other contacts")
        for contact in out:
            # Touch the numeric parameters so that parse() validates them.
            contact.expires  # noqa: B018
            contact.q  # noqa: B018
        return out

    @property
    def expires(self) -> int | None:
        """The ``expires`` parameter in seconds, or ``None``.

        Raises:
            ParseError: the parameter is not a number.
        """
        if self.address is None:
            return None
        value = self.address.param("expires")
        if value is None:
            return None
        return parse_delta_seconds(value, "Contact expires")

    @property
    def q(self) -> float | None:
        """The ``q`` preference (0 to 1), or ``None``.

        Raises:
            ParseError: the parameter is not a q-value.
        """
        if self.address is None:
            return None
        value = self.address.param("q")
        if value is None:
            return None
        # qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
        if _QVALUE.fullmatch(value) is None:
            raise ParseError("Contact q is not a q-value")
        return float(value)

    def __str__(self) -> str:
        return "*" if self.address is None else str(self.address)


@record
class ContentType(Record):
    """A Content-Type value (RFC 3261 20.15).

    A frozen record (see softphone.sip.record): fields ``type``, ``subtype``,
    ``params``.
    """

    type: str
    subtype: str
    params: Params = ()

    __slots__ = ()

    def __new__(cls, type: str, subtype: str, params: Params = ()) -> ContentType:
        if TOKEN.fullmatch(type) is None or TOKEN.fullmatch(subtype) is None:
            raise LocalProtocolError("invalid media type")
        _check_params(params, "Content-Type")
        return rebuild(cls, (type, subtype, params))

    @classmethod
    def parse(cls, value: str) -> ContentType:
        """Parse ``m-type SLASH m-subtype *(SEMI m-parameter)``.

        Raises:
            ParseError: malformed media type.
        """
        value = value.strip(" \t")
        known = _MEDIA_TYPES.get(value)
        if known is not None:
            return known
        usual = _USUAL_MEDIA.fullmatch(value)
        if usual is not None:
            type_, subtype, params_text = usual.groups()
            media = rebuild(cls, (type_, subtype, _simple_params(params_text)))
            return recent.remember(_MEDIA_TYPES, value, media, _KNOWN_VALUES_MAX)
        match = _MEDIA.match(value)
        if match is None:
            raise ParseError("Malformed Content-Type header")
        tail = value[match.end() :]
        params = parse_params(tail, "Content-Type header")
        if '"' in tail:
            # Only a quoted value can hold what the constructor refuses (NUL).
            _check_params(params, "Content-Type")
        return rebuild(cls, (match.group(1), match.group(2), params))

    @property
    def mime(self) -> str:
        """``type/subtype`` in lower case, e.g. ``text/plain``."""
        return f"{self.type}/{self.subtype}".lower()

    @property
    def charset(self) -> str | None:
        """The ``charset`` parameter without quotes, or ``None``."""
        value = _param(self.params, "charset")
        if value is not None and len(value) >= 2 and value[0] == '"':
            value = value[1:-1]
        return value

    def __str__(self) -> str:
        return f"{self.type}/{self.subtype}{format_params(self.params)}"


#: The subscription states of RFC 6665 8.2.3, as usually written.
_USUAL_STATES = frozenset(("active", "pending", "terminated"))


@record
class SubscriptionState(Record):
    """A Subscription-State value (RFC 6665 8.2.3).

    A frozen record (see softphone.sip.record): fields ``state``, ``reason``,
    ``expires``, ``retry_after``, ``params``.
    """

    state: str
    reason: str | None = None
    expires: int | None = None
    retry_after: int | None = None
    params: tuple[tuple[str, str | None], ...] = ()

    __slots__ = ()

    def __new__(
        cls,
        state: str,
        reason: str | None = None,
        expires: int | None = None,
        retry_after: int | None = None,
        params: tuple[tuple[str, str | None], ...] = (),
    ) -> SubscriptionState:
        if TOKEN.fullmatch(state) is None:
            raise LocalProtocolError("invalid Subscription-State")
        if reason is not None and TOKEN.fullmatch(reason) is None:
            raise LocalProtocolError("invalid Subscription-State reason")
        _check_params(params, "Subscription-State")
        return rebuild(cls, (state, reason, expires, retry_after, params))

    @classmethod
    def parse(cls, value: str) -> SubscriptionState:
        """Parse ``substate-value *( SEMI subexp-params )``.

        ``state`` and ``reason`` are lower-cased; ``params`` keeps the
        parameters other than reason, expires and retry-after.

        Raises:
            ParseError: malformed value or non-numeric expires/retry-after.
        """
        value = value.strip(" \t")
        state, _, tail = value.partition(";")
        if state in _USUAL_STATES and tail.startswith("expires="):
            # "active;expires=600", as notifiers write it: what the general
            # path below returns for it, read by str methods.
            seconds = tail[8:]
            if seconds.isdigit() and seconds.isascii():
                return rebuild(cls, (state, None, int(seconds), None, ()))
        usual = _USUAL_TOKEN_PARAMS.fullmatch(value)
        if usual is not None:
            state, params_text = usual.groups()
            params = _simple_params(params_text)
        else:
            match = TOKEN.match(value)
            if match is None:
                raise ParseError("Malformed Subscription-State header")
            state = match.group()
            params = parse_params(value[match.end() :], "Subscription-State header")
        reason = expires = retry_after = None
        rest = []
        for name, pvalue in params:
            lname = name.lower()
            if lname == "reason" and pvalue:
                reason = pvalue.lower()
            elif lname == "expires" and pvalue is not None:
                expires = (
                    int(pvalue)
                    if pvalue.isdigit() and pvalue.isascii()
                    else parse_delta_seconds(pvalue, "Subscription-State expires")
                )
            elif lname == "retry-after" and pvalue is not None:
                retry_after = parse_delta_seconds(pvalue, "Subscription-State retry-after")
            else:
                rest.append((name, pvalue))
        if usual is not None and (reason is None or TOKEN.fullmatch(reason) is not None):
            # What the constructor would check, the regex has checked.
            fields = (state.lower(), reason, expires, retry_after, tuple(rest))
            return rebuild(cls, fields)
        return cls(state.lower(), reason, expires, retry_after, tuple(rest))

    def __str__(self) -> str:
        out = [self.state]
        if self.reason is not None:
            out.append(f";reason={self.reason}")
        if self.expires is not None:
            out.append(f";expires={self.expires}")
        if self.retry_after is not None:
            out.append(f";retry-after={self.retry_after}")
        out.append(format_params(self.params))
        return "".join(out)


@record
class Event(Record):
    """An Event value (RFC 6665 8.2.1): package, optional ``id``, parameters.

    A frozen record (see softphone.sip.record): fields ``package``, ``id``,
    ``params``.
    """

    package: str
    id: str | None = None
    params: tuple[tuple[str, str | None], ...] = ()

    __slots__ = ()

    def __new__(
        cls,
        package: str,
        id: str | None = None,
        params: tuple[tuple[str, str | None], ...] = (),
    ) -> Event:
        if TOKEN.fullmatch(package) is None:
            raise LocalProtocolError("invalid event package")
        if id is not None and TOKEN.fullmatch(id) is None:
            raise LocalProtocolError("invalid event id")
        _check_params(params, "Event")
        return rebuild(cls, (package, id, params))

    @classmethod
    def parse(cls, value: str) -> Event:
        """Parse ``event-type *( SEMI event-param )``.

        Raises:
            ParseError: malformed value.
        """
        value = value.strip(" \t")
        known = _EVENTS.get(value)
        if known is not None:
            return known
        usual = _USUAL_TOKEN_PARAMS.fullmatch(value)
        if usual is not None and "id=" not in value.lower():
            package, params_text = usual.groups()
            event = rebuild(cls, (package, None, _simple_params(params_text)))
            return recent.remember(_EVENTS, value, event, _KNOWN_VALUES_MAX)
        match = TOKEN.match(value)
        if match is None:
            raise ParseError("Malformed Event header")
        params = parse_params(value[match.end() :], "Event header")
        event_id = None
        rest = []
        for name, pvalue in params:
            if name.lower() == "id" and pvalue:
                event_id = pvalue
            else:
                rest.append((name, pvalue))
        return cls(match.group(), event_id, tuple(rest))

    def __str__(self) -> str:
        id_part = "" if self.id is None else f";id={self.id}"
        return f"{self.package}{id_part}{format_params(self.params)}"


@dataclass(frozen=True)
class RetryAfter:
    """A Retry-After value (RFC 3261 20.33): seconds, comment, parameters."""

    seconds: int
    comment: str | None = None
    params: Params = ()

    @classmethod
    def parse(cls, value: str) -> RetryAfter:
        """Parse ``delta-seconds [ comment ] *( SEMI retry-param )``.

        Raises:
            ParseError: malformed value or seconds beyond 2**32-1.
        """
        value = value.strip(" \t")
        match = _RETRY.match(value)
        if match is None:
            raise ParseError("Malformed Retry-After header")
        seconds = int(match.group(1))
        if seconds > MAX_DELTA:
            raise ParseError("Retry-After out of range")
        comment = match.group(2)
        params = parse_params(value[match.end() :], "Retry-After header")
        return cls(seconds, comment[1:-1] if comment else None, params)

    @property
    def duration(self) -> int | None:
        """The ``duration`` parameter in seconds, or ``None``."""
        value = _param(self.params, "duration")
        return None if value is None else parse_delta_seconds(value, "Retry-After duration")

    def __str__(self) -> str:
        comment = "" if self.comment is None else f" ({self.comment})"
        return f"{self.seconds}{comment}{format_params(self.params)}"
