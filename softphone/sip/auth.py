"""HTTP Digest authentication for SIP (RFC 3261 22, RFC 2617, RFC 7616, RFC 8760).

The client side answers ``401``/``407`` challenges: :func:`choose_challenge`
picks the strongest challenge this module supports, :func:`authorization`
computes one header value, and :class:`DigestClient` keeps the nonce count
per realm so that a nonce used again is sent with the next ``nc``. The server
side (:func:`make_challenge`, :func:`verify`) serves the embedded registrar.

Supported: algorithms MD5, MD5-sess, SHA-256, SHA-256-sess; qop ``auth``,
``auth-int`` and no qop at all (RFC 2069 compatibility); ``userhash``.
Everything here is pure: the random source for the client nonce is injected.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import os
import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import TYPE_CHECKING, Self

from softphone.sip import recent
from softphone.sip.errors import ParseError, SipError
from softphone.sip.grammar import QUOTED_STRING, TOKEN_CHARS, quote, unquote
from softphone.sip.record import Record, rebuild, record

if TYPE_CHECKING:
    from softphone.sip.message import Request, Response

__all__ = [
    "SUPPORTED_ALGORITHMS",
    "AuthenticationFailed",
    "Challenge",
    "Credentials",
    "DigestClient",
    "authorization",
    "choose_challenge",
    "credentials",
    "digest_response",
    "make_challenge",
    "parse_challenges",
    "parse_credentials",
    "verify",
]

_HASHES: dict[str, Callable[[bytes], str]] = {
    "MD5": lambda data: hashlib.md5(data, usedforsecurity=False).hexdigest(),
    "SHA-256": lambda data: hashlib.sha256(data).hexdigest(),
}

#: Supported algorithms, strongest first: RFC 8760 2.3 asks clients to prefer
#: SHA-256 over MD5 when a server offers both.
SUPPORTED_ALGORITHMS = ("SHA-256", "SHA-256-SESS", "MD5", "MD5-SESS")

# Parameters whose value is sent as a token, never quoted (RFC 3261 25.1
# digest-response: nonce-count, message-qop and algorithm are not
# quoted-strings; RFC 7616 3.4 adds userhash).
_UNQUOTED = frozenset({"algorithm", "qop", "nc", "stale", "userhash"})

_TOKEN = re.compile(rf"[{TOKEN_CHARS}]+")
_WS = re.compile(r"(?:[ \t]|\r?\n[ \t])*")
# An unquoted auth-param value: a token, leniently widened to anything but
# separators so that servers writing e.g. uri=sip:a@b unquoted still parse.
_BARE_VALUE = re.compile(r"[^\s,\"]+")
# After a comma, "token LWS token =" starts the next challenge on the same line
# (RFC 7235 4.1 allows a list; RFC 3261 puts one per line).
_NEXT_SCHEME = re.compile(rf"[{TOKEN_CHARS}]+[ \t]+[{TOKEN_CHARS}]+[ \t]*=")
# quoted-string (grammar.QUOTED_STRING) written as an unrolled loop, which
# the regex engine runs a run of plain characters at a time.
_QUOTED = r'"[^"\\\r\n]*+(?:\\[^\r\n][^"\\\r\n]*+)*+"'
# _WS in the same unrolled form: blanks, then folds each followed by blanks.
_LWS = r"[ \t]*+(?:\r?\n[ \t]++)*+"
# auth-scheme LWS (with the LWS that may come before it).
_AUTH_SCHEME = re.compile(rf"{_LWS}([{TOKEN_CHARS}]+)(?:[ \t]|\r?\n[ \t])+")
# auth-param = auth-param-name EQUAL ( token / quoted-string ), and the LWS
# after it; the unquoted value is widened like _BARE_VALUE.
_AUTH_PARAM = re.compile(
    rf"([{TOKEN_CHARS}]+){_LWS}={_LWS}"
    rf"(?:({_QUOTED})|({_BARE_VALUE.pattern})){_LWS}"
)
_PARAM_BODY = rf"[{TOKEN_CHARS}]+{_LWS}={_LWS}(?:{_QUOTED}|{_BARE_VALUE.pattern})"
# The usual value: one scheme and its comma-separated auth-params. A
# param-name is never followed by a second token before "=", so such a line
# cannot hold a second challenge (see _NEXT_SCHEME).
_ONE_CHALLENGE = re.compile(
    rf"{_LWS}([{TOKEN_CHARS}]+)(?:[ \t]|\r?\n[ \t])+"
    rf"{_PARAM_BODY}(?:{_LWS},{_LWS}{_PARAM_BODY})*+{_LWS}"
)
_EACH_PARAM = re.compile(rf"([{TOKEN_CHARS}]+){_LWS}={_LWS}(?:({_QUOTED})|({_BARE_VALUE.pattern}))")
# The usual value, a subset of _ONE_CHALLENGE: "scheme name=value, ..." with
# single spaces, no LWS around "=" and quoted values without escapes.
_USUAL_VALUE = r'(?:"[^"\\\r\n]*+"|[^\s,"]++)'
_USUAL_PARAM = rf"[{TOKEN_CHARS}]++={_USUAL_VALUE}"
_USUAL_CHALLENGE = re.compile(rf"([{TOKEN_CHARS}]++) {_USUAL_PARAM}(?:, ?+{_USUAL_PARAM})*+")
# Each (name, value) of a _USUAL_CHALLENGE match, the quotes of a quoted
# value left out (the search skips the closing quote and the separator).
_USUAL_EACH_PARAM = re.compile(rf"""([{TOKEN_CHARS}]++)="?+((?<=")[^"]*+|[^\s,"]*+)""")


def _usual_param_groups(index: int) -> str:
    """A _USUAL_PARAM capturing its name and its value without the quotes.

    The quote is group 3 + 3 * index; the conditionals require the closing
    quote exactly when the opening one was there.
    """
    quote = 3 + 3 * index
    return rf'([{TOKEN_CHARS}]++)=(")?+((?({quote})[^"\\\r\n]*+|[^\s,"]++))(?({quote})")'


# _USUAL_CHALLENGE for up to 12 params (RFC 7616 3.4 names 12 for a digest
# response), capturing every name and value: one match both checks the value
# and reads its params, where a second scan (findall) cost more than the
# check itself. A longer value falls to _USUAL_CHALLENGE. The optional tails
# are possessive so the engine does not save every group's marks at each
# nesting level (the grammar never needs to backtrack into them).
# Group 1 is the scheme; param i is groups 2+3i (name), 3+3i, 4+3i (value).
_USUAL_MAX_PARAMS = 12
_USUAL_TAIL = ""
for _index in range(_USUAL_MAX_PARAMS - 1, 0, -1):
    _USUAL_TAIL = rf"(?:, ?+{_usual_param_groups(_index)}{_USUAL_TAIL})?+"
_USUAL_GROUPS = re.compile(rf"([{TOKEN_CHARS}]++) {_usual_param_groups(0)}{_USUAL_TAIL}")
del _index, _USUAL_TAIL
# The groups of the first n params, name and value by turns, by n: one
# Match.group call reads them (not every group of the pattern, mostly unset).
_PARAM_GROUPS = [
    tuple(group for index in range(count) for group in (2 + 3 * index, 4 + 3 * index))
    for count in range(_USUAL_MAX_PARAMS + 1)
]


class AuthenticationFailed(SipError):
    """A challenge cannot be answered: the user has to be asked.

    Attributes:
        reason: a sentence for the user ("wrong user name or password",
            "no supported authentication scheme").
        realm: the realm concerned, when there is one.
        status, phrase: the response that refused the credentials (a second
            401 or 407 and its reason phrase), when the caller knows it.
    """

    def __init__(self, reason: str, realm: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.realm = realm
        self.status: int | None = None
        self.phrase: str | None = None


def _param(params: Sequence[tuple[str, str]], name: str) -> str | None:
    lowered = name.lower()
    for key, value in params:
        if key.lower() == lowered:
            return value
    return None


def _format_params(params: Sequence[tuple[str, str]]) -> str:
    parts = []
    for key, value in params:
        if key.lower() in _UNQUOTED and _TOKEN.fullmatch(value):
            parts.append(f"{key}={value}")
        else:
            parts.append(f"{key}={quote(value)}")
    return ", ".join(parts)


@record(kw_only=True)
class _AuthParams(Record):
    """What a challenge and credentials share: a scheme and its auth-params.

    A frozen record (see softphone.sip.record) with keyword-only fields:

    Attributes:
        scheme: the auth-scheme as sent (compared case-insensitively);
            unknown schemes are kept as they are.
        params: the auth-params in order, names as sent, values unquoted.
    """

    scheme: str
    params: tuple[tuple[str, str], ...] = ()

    __slots__ = ()

    def __new__(cls, *, scheme: str, params: tuple[tuple[str, str], ...] = ()) -> Self:
        return rebuild(cls, (scheme, params))

    def param(self, name: str) -> str | None:
        """Return the value of parameter *name* (case-insensitive), or None."""
        return _param(self.params, name)

    @property
    def is_digest(self) -> bool:
        """Whether the scheme is Digest."""
        return self.scheme.lower() == "digest"

    @property
    def realm(self) -> str | None:
        """The protection space (``realm``)."""
        return self.param("realm")

    @property
    def nonce(self) -> str | None:
        """The server nonce."""
        return self.param("nonce")

    @property
    def opaque(self) -> str | None:
        """The ``opaque`` value, echoed back unchanged."""
        return self.param("opaque")

    @property
    def algorithm(self) -> str:
        """The algorithm, upper-cased; MD5 when absent (RFC 2617 3.2.1)."""
        return (self.param("algorithm") or "MD5").upper()

    def __str__(self) -> str:
        return f"{self.scheme} {_format_params(self.params)}"


class Challenge(_AuthParams):
    """One ``WWW-Authenticate`` or ``Proxy-Authenticate`` challenge.

    Attributes:
        scheme: the auth-scheme as sent (``Digest``; compared case-insensitively).
        params: the auth-params in order, names as sent, values unquoted.
    """

    __slots__ = ()

    @property
    def qop_options(self) -> tuple[str, ...]:
        """The offered qop values, lower-cased; empty for RFC 2069 servers."""
        value = self.param("qop")
        if value is None:
            return ()
        return tuple(item.strip().lower() for item in value.split(",") if item.strip())

    @property
    def stale(self) -> bool:
        """``stale=true``: the nonce expired but the credentials were right (RFC 7616 3.3)."""
        return (self.param("stale") or "").lower() == "true"

    @property
    def userhash(self) -> bool:
        """``userhash=true``: the server accepts a hashed user name (RFC 7616 3.4.4)."""
        return (self.param("userhash") or "").lower() == "true"

    @property
    def supported(self) -> bool:
        """Whether :func:`authorization` can answer this challenge."""
        if not self.is_digest or self.realm is None or self.nonce is None:
            return False
        if self.algorithm not in SUPPORTED_ALGORITHMS:
            return False
        options = self.qop_options
        return not options or "auth" in options or "auth-int" in options


class Credentials(_AuthParams):
    """The value of an ``Authorization`` or ``Proxy-Authorization`` header.

    Attributes:
        scheme: the auth-scheme as sent; unknown schemes are kept as they are.
        params: the auth-params in order, names as sent, values unquoted.
    """

    __slots__ = ()

    @property
    def username(self) -> str | None:
        """The user name (or its hash when ``userhash=true``)."""
        return self.param("username")

    @property
    def uri(self) -> str | None:
        """The digest-uri: the Request-URI as the client wrote it."""
        return self.param("uri")

    @property
    def response(self) -> str | None:
        """The hex digest proving knowledge of the password."""
        return self.param("response")

    @property
    def qop(self) -> str | None:
        """The chosen qop, lower-cased, or None (RFC 2069 style)."""
        value = self.param("qop")
        return value.lower() if value is not None else None

    @property
    def nc(self) -> int | None:
        """The nonce count as an integer, or None when absent or not hex."""
        value = self.param("nc")
        if value is None:
            return None
        try:
            return int(value, 16)
        except ValueError:
            return None

    @property
    def cnonce(self) -> str | None:
        """The client nonce."""
        return self.param("cnonce")


def _skip_ws(text: str, pos: int) -> int:
    match = _WS.match(text, pos)
    return match.end() if match else pos


_AuthItem = tuple[str, tuple[tuple[str, str], ...]]

# Shapes of usual values read lately -> (scheme, param names, how to pick
# the values). A server writes the same challenge every time but for its
# nonce, a client the same credentials but for nonce, cnonce and response:
# the text outside the quoted values (the shape) repeats. A value of a known
# shape, without backslash, CR or LF, is read by one split on '"': its
# quoted values are the split's odd parts, and what _USUAL_GROUPS would
# read of it differs from the remembered value only in them (a quoted
# value there is any run of characters but those and '"').
_SHAPES: dict[str, tuple[str, tuple[str, ...], Callable[[list[str]], tuple[str, ...]]]] = (
    recent.table()
)
_SHAPES_MAX = 64


def _parse_auth_line(text: str) -> list[_AuthItem]:
    """Split one header value into (scheme, params) items.

    Each auth-param is read by one regex; at the first thing that does not
    fit, :func:`_scan_auth_line` reads the value again to raise its error.
    """
    plain = "\\" not in text and "\r" not in text and "\n" not in text
    if plain:
        parts = text.split('"')
        shape = '"'.join(parts[::2])
        known = _SHAPES.get(shape)
        if known is not None:
            scheme, names, pick = known
            # As many values as names, by construction (see _remember_shape).
            return [(scheme, tuple(zip(names, pick(parts))))]  # noqa: B905
    grouped = _USUAL_GROUPS.fullmatch(text)
    if grouped is not None:
        # The last group matched is the value of the last param present.
        # One iterator zipped with itself pairs the values up (name, value);
        # their count is even. (A keyword argument to zip costs a slower call.)
        pairs = iter(grouped.group(*_PARAM_GROUPS[(grouped.lastindex or 1) // 3]))
        item = (grouped.group(1), tuple(zip(pairs, pairs)))  # noqa: B905
        if plain:
            _remember_shape(shape, grouped, item)
        return [item]
    usual = _USUAL_CHALLENGE.fullmatch(text)
    if usual is not None:
        # Between the params of a checked usual value there are only ","
        # and one optional space, and a quoted value (no escapes) is read
        # whole, so findall's pairs are the params, the quotes dropped.
        return [(usual.group(1), tuple(_USUAL_EACH_PARAM.findall(text, usual.end(1))))]
    one = _ONE_CHALLENGE.fullmatch(text)
    if one is not None:
        # One regex checked the whole line; the params are every match of
        # _EACH_PARAM after the scheme (separators never match it).
        found: list[tuple[str, str]] = []
        for match in _EACH_PARAM.finditer(text, one.end(1)):
            name, quoted, bare = match.groups()
            found.append((name, bare if quoted is None else unquote(quoted)))
        return [(one.group(1), tuple(found))]
    items: list[tuple[str, tuple[tuple[str, str], ...]]] = []
    end = len(text)
    pos = 0
    while True:
        scheme_match = _AUTH_SCHEME.match(text, pos)
        if scheme_match is None or scheme_match.end() >= end:
            return _scan_auth_line(text)
        scheme = scheme_match.group(1)
        pos = scheme_match.end()
        params: list[tuple[str, str]] = []
        while True:
            param = _AUTH_PARAM.match(text, pos)
            if param is None:
                return _scan_auth_line(text)
            name, quoted, bare = param.groups()
            if quoted is None:
                params.append((name, bare))
            elif "\\" in quoted:
                params.append((name, unquote(quoted)))
            else:
                params.append((name, quoted[1:-1]))
            pos = param.end()
            if pos >= end:
                items.append((scheme, tuple(params)))
                return items
            if text[pos] != ",":
                return _scan_auth_line(text)
            pos = _WS.match(text, pos + 1).end()  # type: ignore[union-attr]
            if _NEXT_SCHEME.match(text, pos):
                break
        items.append((scheme, tuple(params)))


def _remember_shape(shape: str, grouped: re.Match[str], item: _AuthItem) -> None:
    # How to read a value of this shape again, from `parts + constants`: a
    # quoted param's value is the split's next odd part; an unquoted one's
    # is the same text as here (part of the shape), a constant after the parts.
    scheme, params = item
    quoted = [grouped.group(3 + 3 * index) is not None for index in range(len(params))]
    constants = [
        value for (_, value), is_quoted in zip(params, quoted, strict=True) if not is_quoted
    ]
    odd_parts = itertools.count(1, 2)
    after_parts = itertools.count(2 * sum(quoted) + 1)
    indexes = [next(odd_parts) if is_quoted else next(after_parts) for is_quoted in quoted]
    getter = itemgetter(*indexes)
    pick: Callable[[list[str]], tuple[str, ...]]
    if len(indexes) == 1:

        def pick(parts: list[str]) -> tuple[str, ...]:
            return ((parts + constants)[indexes[0]],)

    elif constants:

        def pick(parts: list[str]) -> tuple[str, ...]:
            return getter(parts + constants)  # type: ignore[no-any-return]

    else:
        pick = getter
    names = tuple(name for name, _ in params)
    recent.remember(_SHAPES, shape, (scheme, names, pick), _SHAPES_MAX)


def _scan_auth_line(text: str) -> list[tuple[str, tuple[tuple[str, str], ...]]]:
    """Split one header value into (scheme, params) items, step by step.

    Grammar (RFC 3261 25.1): ``challenge = ("Digest" LWS digest-cln *(COMMA
    digest-cln)) / other-challenge``, ``other-challenge = auth-scheme LWS
    auth-param *(COMMA auth-param)``, ``auth-param = auth-param-name EQUAL
    (token / quoted-string)``.
    """
    items: list[tuple[str, tuple[tuple[str, str], ...]]] = []
    pos = _skip_ws(text, 0)
    end = len(text)
    while True:
        match = _TOKEN.match(text, pos)
        if match is None:
            raise ParseError(f"expected an authentication scheme in {text!r}")
        scheme = match.group()
        pos = _skip_ws(text, match.end())
        if pos == match.end() or pos >= end:
            raise ParseError(f"authentication scheme {scheme!r} without parameters")
        params: list[tuple[str, str]] = []
        while True:
            name_match = _TOKEN.match(text, pos)
            if name_match is None:
                raise ParseError(f"expected an auth-param name in {text!r}")
            pos = _skip_ws(text, name_match.end())
            if pos >= end or text[pos] != "=":
                raise ParseError(f"auth-param {name_match.group()!r} without a value")
            pos = _skip_ws(text, pos + 1)
            if text.startswith('"', pos):
                value_match = QUOTED_STRING.match(text, pos)
                if value_match is None:
                    raise ParseError("unterminated quoted-string in authentication header")
                value = unquote(value_match.group())
            else:
                value_match = _BARE_VALUE.match(text, pos)
                if value_match is None:
                    raise ParseError(f"auth-param {name_match.group()!r} without a value")
                value = value_match.group()
            params.append((name_match.group(), value))
            pos = _skip_ws(text, value_match.end())
            if pos >= end:
                items.append((scheme, tuple(params)))
                return items
            if text[pos] != ",":
                raise ParseError(f"expected a comma in authentication header at {text[pos:]!r}")
            pos = _skip_ws(text, pos + 1)
            if _NEXT_SCHEME.match(text, pos):
                break
        items.append((scheme, tuple(params)))


def parse_challenges(values: str | Iterable[str]) -> list[Challenge]:
    """Parse ``WWW-Authenticate`` / ``Proxy-Authenticate`` header values.

    Args:
        values: one header value, or every value of the header (one per line).
            A line normally holds one challenge (RFC 3261 25.1); several on
            one line, comma-separated as RFC 7235 4.1 allows, are accepted too.

    Returns:
        The challenges in order, unknown schemes included.

    Raises:
        ParseError: a value is not a well-formed challenge.
    """
    if isinstance(values, str):
        values = [values]
    out = []
    for value in values:
        for scheme, params in _parse_auth_line(value):
            # Challenge has no checks of its own.
            out.append(rebuild(Challenge, (scheme, params)))
    return out


def parse_credentials(value: str) -> Credentials:
    """Parse an ``Authorization`` / ``Proxy-Authorization`` header value.

    Unknown schemes parse as their auth-params (RFC 4475 3.1.2.12 regaut01:
    ``NoOneKnowsThisScheme opaque-data=here``).

    Raises:
        ParseError: the value is not a well-formed credentials value.
    """
    items = _parse_auth_line(value)
    if len(items) != 1:
        raise ParseError("one Authorization header holds one set of credentials")
    scheme, params = items[0]
    return rebuild(Credentials, (scheme, params))


def choose_challenge(challenges: Iterable[Challenge]) -> Challenge | None:
    """Return the strongest supported challenge, or None if none is supported.

    SHA-256 is preferred over MD5 (RFC 8760 2.3); among equals the first
    offered wins. Unknown schemes and algorithms are ignored.
    """
    best: Challenge | None = None
    best_rank = len(SUPPORTED_ALGORITHMS)
    for challenge in challenges:
        if not challenge.supported:
            continue
        rank = SUPPORTED_ALGORITHMS.index(challenge.algorithm)
        if rank < best_rank:
            best, best_rank = challenge, rank
    return best


def _hash_function(algorithm: str) -> Callable[[bytes], str]:
    base = algorithm.upper().removesuffix("-SESS")
    try:
        return _HASHES[base]
    except KeyError:
        raise ValueError(f"unsupported digest algorithm {algorithm!r}") from None


def digest_response(
    *,
    algorithm: str,
    username: str,
    realm: str,
    password: str,
    method: str,
    uri: str,
    nonce: str,
    nc: int = 1,
    cnonce: str = "",
    qop: str | None = None,
    body: bytes = b"",
) -> str:
    """Compute the ``response`` value (RFC 7616 3.4.1, RFC 2617 3.2.2.1).

    Args:
        algorithm: MD5, MD5-sess, SHA-256 or SHA-256-sess.
        username: the user name in clear (before any userhash).
        qop: ``auth``, ``auth-int`` or None for the RFC 2069 form.
        body: the message body, hashed into A2 for ``auth-int``.

    Raises:
        ValueError: unknown algorithm or qop.
    """
    hash_ = _hash_function(algorithm)
    return _response_from_user_hash(
        hash_,
        hash_(f"{username}:{realm}:{password}".encode()),
        sess=algorithm.upper().endswith("-SESS"),
        method=method,
        uri=uri,
        nonce=nonce,
        nc=nc,
        cnonce=cnonce,
        qop=qop,
        body=body,
    )


def _response_from_user_hash(
    hash_: Callable[[bytes], str],
    user_hash: str,
    *,
    sess: bool,
    method: str,
    uri: str,
    nonce: str,
    nc: int,
    cnonce: str,
    qop: str | None,
    body: bytes,
) -> str:
    """The ``response`` value from H(username:realm:password) (see `digest_response`).

    Apart so that a client can keep *user_hash* per realm and not hash the
    password again for every request.
    """
    ha1 = user_hash
    if sess:
        # RFC 7616 3.4.2: A1 = H(user:realm:passwd) ":" nonce ":" cnonce
        ha1 = hash_(f"{ha1}:{nonce}:{cnonce}".encode())
    if qop == "auth-int":
        ha2 = hash_(f"{method}:{uri}:{hash_(body)}".encode())
    elif qop in (None, "auth"):
        ha2 = hash_(f"{method}:{uri}".encode())
    else:
        raise ValueError(f"unsupported qop {qop!r}")
    if qop is None:
        # RFC 2069 compatibility: no nonce count, no client nonce.
        return hash_(f"{ha1}:{nonce}:{ha2}".encode())
    return hash_(f"{ha1}:{nonce}:{nc:08x}:{cnonce}:{qop}:{ha2}".encode())


def _choose_qop(challenge: Challenge) -> str | None:
    options = challenge.qop_options
    if not options:
        return None
    # "auth" is cheaper and does not depend on a body a proxy may rewrite.
    return "auth" if "auth" in options else "auth-int"


def credentials(
    challenge: Challenge,
    *,
    method: str,
    uri: str,
    username: str,
    password: str,
    cnonce: str,
    nc: int = 1,
    body: bytes = b"",
) -> Credentials:
    """Build the credentials answering *challenge* (see :func:`authorization`).

    Raises:
        ValueError: the challenge is not a supported Digest challenge.
    """
    if not challenge.supported:
        raise ValueError(f"cannot answer challenge {challenge}")
    realm = challenge.realm or ""
    nonce = challenge.nonce or ""
    qop = _choose_qop(challenge)
    response = digest_response(
        algorithm=challenge.algorithm,
        username=username,
        realm=realm,
        password=password,
        method=method,
        uri=uri,
        nonce=nonce,
        nc=nc,
        cnonce=cnonce,
        qop=qop,
        body=body,
    )
    shown_user = username
    if challenge.userhash:
        # RFC 7616 3.4.4: username = H(unq(username) ":" unq(realm))
        shown_user = _hash_function(challenge.algorithm)(f"{username}:{realm}".encode())
    params: list[tuple[str, str]] = [
        ("username", shown_user),
        ("realm", realm),
        ("nonce", nonce),
        ("uri", uri),
        ("response", response),
    ]
    if challenge.param("algorithm") is not None:
        params.append(("algorithm", challenge.param("algorithm") or ""))
    if qop is not None:
        params += [("qop", qop), ("nc", f"{nc:08x}"), ("cnonce", cnonce)]
    if challenge.opaque is not None:
        params.append(("opaque", challenge.opaque))
    if challenge.userhash:
        params.append(("userhash", "true"))
    return Credentials(scheme="Digest", params=tuple(params))


def authorization(
    challenge: Challenge,
    *,
    method: str,
    uri: str,
    username: str,
    password: str,
    cnonce: str,
    nc: int = 1,
    body: bytes = b"",
) -> str:
    """Return the ``Authorization``/``Proxy-Authorization`` value answering *challenge*.

    Args:
        challenge: a supported Digest challenge (see :func:`choose_challenge`).
        method: the method of the request being authorized (CSeq method).
        uri: the Request-URI exactly as written in the request line.
        cnonce: a fresh client nonce; only sent when the server asked for qop.
        nc: how many times this nonce has been used, counting this one.
        body: the request body, needed for ``qop=auth-int``.

    Raises:
        ValueError: the challenge is not a supported Digest challenge.
    """
    return str(
        credentials(
            challenge,
            method=method,
            uri=uri,
            username=username,
            password=password,
            cnonce=cnonce,
            nc=nc,
            body=body,
        )
    )


def make_challenge(
    *,
    realm: str,
    nonce: str,
    algorithm: str = "MD5",
    qop: Sequence[str] | None = ("auth",),
    opaque: str | None = None,
    stale: bool = False,
) -> Challenge:
    """Build a server challenge for ``WWW-Authenticate`` (registrar side).

    Raises:
        ValueError: unknown algorithm.
    """
    if algorithm.upper() not in SUPPORTED_ALGORITHMS:
        raise ValueError(f"unsupported digest algorithm {algorithm!r}")
    params: list[tuple[str, str]] = [("realm", realm), ("nonce", nonce)]
    if opaque is not None:
        params.append(("opaque", opaque))
    if stale:
        params.append(("stale", "true"))
    params.append(("algorithm", algorithm))
    if qop:
        params.append(("qop", ",".join(qop)))
    return Challenge(scheme="Digest", params=tuple(params))


def verify(
    creds: Credentials,
    *,
    method: str,
    password: str,
    username: str | None = None,
    realm: str | None = None,
    nonce: str | None = None,
    body: bytes = b"",
) -> bool:
    """Check Digest credentials against a known password (registrar side).

    Args:
        creds: the parsed ``Authorization`` header.
        method: the request method.
        password: the password of the user the credentials name.
        username: if given, the credentials must name this user.
        realm: if given, the credentials must be for this realm.
        nonce: if given, the credentials must answer this nonce (checking
            nonce freshness and nc replay is the caller's job).
        body: the request body, for ``qop=auth-int``.

    Returns:
        True when the response digest is correct, False otherwise (including
        unknown schemes, algorithms and missing parameters).
    """
    if not creds.is_digest or creds.algorithm not in SUPPORTED_ALGORITHMS:
        return False
    user, c_realm, c_nonce, uri, given = (
        creds.username,
        creds.realm,
        creds.nonce,
        creds.uri,
        creds.response,
    )
    if user is None or c_realm is None or c_nonce is None or uri is None or given is None:
        return False
    if realm is not None and c_realm != realm:
        return False
    if nonce is not None and c_nonce != nonce:
        return False
    hash_ = _hash_function(creds.algorithm)
    if (creds.param("userhash") or "").lower() == "true":
        if username is None or user != hash_(f"{username}:{c_realm}".encode()):
            return False
        user = username
    elif username is not None and user != username:
        return False
    qop = creds.qop
    if qop is not None and (qop not in ("auth", "auth-int") or creds.nc is None):
        return False
    expected = digest_response(
        algorithm=creds.algorithm,
        username=user,
        realm=c_realm,
        password=password,
        method=method,
        uri=uri,
        nonce=c_nonce,
        nc=creds.nc or 0,
        cnonce=creds.cnonce or "",
        qop=qop,
        body=body,
    )
    # Compare bytes: compare_digest refuses non-ASCII str, which a peer controls.
    return hmac.compare_digest(expected.encode(), given.lower().encode("utf-8", "surrogateescape"))


@dataclass
class _Session:
    """What a client remembers about one realm: the challenge and its nonce count.

    Everything that stays the same while the nonce is reused is worked out
    once (RFC 7616 3.4: only nc, cnonce and the request's method and URI
    change): the hash, the chosen qop, H(A1) for the non-session algorithms
    and the fixed parameters already written out.
    """

    challenge: Challenge
    header: str
    nc: int = 0
    hash_: Callable[[bytes], str] = field(init=False, repr=False)
    qop: str | None = field(init=False, repr=False)
    #: "username=..., realm=..., nonce=..." as sent.
    head: str = field(init=False, repr=False)
    #: ", algorithm=..." when the challenge named one ("" otherwise).
    algorithm_part: str = field(init=False, repr=False)
    #: ", opaque=..., userhash=true", whichever apply.
    tail: str = field(init=False, repr=False)
    #: The challenge's realm, nonce and algorithm (upper-cased), read once:
    #: every request answered with this nonce uses them.
    realm: str = field(init=False, repr=False)
    nonce: str = field(init=False, repr=False)
    algorithm: str = field(init=False, repr=False)

    def __post_init__(self) -> None:
        challenge = self.challenge
        if not challenge.supported:
            raise ValueError(f"cannot answer challenge {challenge}")
        self.realm = challenge.realm or ""
        self.nonce = challenge.nonce or ""
        self.algorithm = challenge.algorithm
        self.hash_ = _hash_function(self.algorithm)
        self.qop = _choose_qop(challenge)
        self.head = ""
        named = challenge.param("algorithm")
        self.algorithm_part = "" if named is None else ", " + _format_params([("algorithm", named)])
        tail: list[tuple[str, str]] = []
        if challenge.opaque is not None:
            tail.append(("opaque", challenge.opaque))
        if challenge.userhash:
            tail.append(("userhash", "true"))
        self.tail = ", " + _format_params(tail) if tail else ""


@dataclass
class DigestClient:
    """Answers challenges for one account, keeping nonce counts per realm.

    A nonce used again is sent with the next ``nc`` (RFC 7616 3.4); a
    challenge with ``stale=true`` is answered again with the new nonce
    without asking the user (RFC 7616 3.3); a second challenge for a request
    that already carried our credentials for that realm, without
    ``stale=true``, means the credentials are wrong and raises
    :class:`AuthenticationFailed` (RFC 3261 22.2).

    Attributes:
        username: the authentication user name.
        password: the password.
        random_bytes: source of randomness for the client nonce (injectable so
            that tests are deterministic).
    """

    username: str
    password: str
    random_bytes: Callable[[int], bytes] = os.urandom
    #: (header, realm) -> session: a realm may challenge as a proxy (407,
    #: MESSAGE) and as a registrar (401, REGISTER) with different nonces.
    _sessions: dict[tuple[str, str], _Session] = field(default_factory=dict, repr=False)
    #: (username, password, realm, algorithm) -> H(username:realm:password).
    _ha1: dict[tuple[str, str, str, str], str] = field(default_factory=dict, repr=False)

    def _cnonce(self) -> str:
        return self.random_bytes(8).hex()

    def _user_hash(self, realm: str, algorithm: str) -> str:
        """H(username:realm:password), computed once per realm and algorithm.

        It depends on nothing the server sends but the realm (RFC 7616
        3.4.2), so a nonce used again, or a new nonce of the same realm,
        costs no second hash of the password.
        """
        key = (self.username, self.password, realm, algorithm)
        cached = self._ha1.get(key)
        if cached is None:
            if len(self._ha1) >= 16:
                self._ha1.clear()  # an account has a realm or two; never grow
            cached = self._ha1[key] = _hash_function(algorithm)(
                f"{self.username}:{realm}:{self.password}".encode()
            )
        return cached

    def _credentials(self, session: _Session, method: str, uri: str, body: bytes) -> str:
        """One credentials value for *session*'s nonce with the next nonce count.

        The same text :func:`authorization` writes, built from what the
        session worked out once (a test keeps the two equal).
        """
        session.nc += 1
        hash_ = session.hash_
        realm = session.realm
        nonce = session.nonce
        algorithm = session.algorithm
        if not session.head:
            shown_user = self.username
            if session.challenge.userhash:
                # RFC 7616 3.4.4: username = H(unq(username) ":" unq(realm))
                shown_user = hash_(f"{self.username}:{realm}".encode())
            session.head = _format_params(
                [("username", shown_user), ("realm", realm), ("nonce", nonce)]
            )
        qop = session.qop
        cnonce = self._cnonce()
        response = _response_from_user_hash(
            hash_,
            self._user_hash(realm, algorithm.removesuffix("-SESS")),
            sess=algorithm.endswith("-SESS"),
            method=method,
            uri=uri,
            nonce=nonce,
            nc=session.nc,
            cnonce=cnonce,
            qop=qop,
            body=body,
        )
        # The client nonce is hex: nothing in it to escape.
        qop_part = "" if qop is None else f', qop={qop}, nc={session.nc:08x}, cnonce="{cnonce}"'
        # A hex digest needs no escaping either; a URI seldom does.
        shown_uri = quote(uri) if '"' in uri or "\\" in uri else f'"{uri}"'
        return (
            f'Digest {session.head}, uri={shown_uri}, response="{response}"'
            f"{session.algorithm_part}{qop_part}{session.tail}"
        )

    def answer_challenges(
        self,
        status: int,
        challenge_values: Iterable[str],
        *,
        method: str,
        uri: str,
        body: bytes = b"",
        sent_credentials: Iterable[str] = (),
    ) -> list[tuple[str, str]]:
        """Answer the challenges of a 401 or 407 response.

        Args:
            status: 401 (answered with ``Authorization``) or 407 (answered
                with ``Proxy-Authorization``), RFC 3261 22.2 and 22.3.
            challenge_values: the ``WWW-Authenticate`` (401) or
                ``Proxy-Authenticate`` (407) header values.
            method: method of the request to send again.
            uri: its Request-URI as written in the request line.
            body: its body (for ``qop=auth-int``).
            sent_credentials: the values of the same authorization header in
                the request that was challenged.

        Returns:
            ``(header name, value)`` pairs to add to the new request, one per
            challenged realm.

        Raises:
            AuthenticationFailed: no supported challenge, or the credentials
                were rejected (ask the user for another password).
            ParseError: a challenge header is malformed.
            ValueError: *status* is neither 401 nor 407.
        """
        if status == 401:
            header = "Authorization"
        elif status == 407:
            header = "Proxy-Authorization"
        else:
            raise ValueError(f"status {status} carries no challenge")
        by_realm: dict[str, list[Challenge]] = {}
        for challenge in parse_challenges(list(challenge_values)):
            by_realm.setdefault(challenge.realm or "", []).append(challenge)
        tried_realms = set()
        for value in sent_credentials:
            try:
                sent = parse_credentials(value)
            except ParseError:
                continue
            if sent.is_digest and sent.realm is not None:
                tried_realms.add(sent.realm)
        answers: list[tuple[str, str]] = []
        for realm, offered in by_realm.items():
            chosen = choose_challenge(offered)
            if chosen is None:
                continue
            if realm in tried_realms and not chosen.stale:
                self._sessions.pop((header, realm), None)
                raise AuthenticationFailed("wrong user name or password", realm)
            session = self._sessions.get((header, realm))
            if session is None or session.challenge.nonce != chosen.nonce:
                session = _Session(challenge=chosen, header=header)
                self._sessions[(header, realm)] = session
            answers.append((header, self._credentials(session, method, uri, body)))
        if not answers:
            raise AuthenticationFailed("no supported authentication scheme")
        return answers

    def answer(self, request: Request, response: Response) -> list[tuple[str, str]]:
        """Answer a 401/407 *response* to *request* (see :meth:`answer_challenges`).

        Raises:
            AuthenticationFailed: no supported challenge, or credentials rejected.
            ParseError: a challenge header is malformed.
            ValueError: the response is neither 401 nor 407.
        """
        if response.status == 401:
            challenges, sent = "WWW-Authenticate", "Authorization"
        elif response.status == 407:
            challenges, sent = "Proxy-Authenticate", "Proxy-Authorization"
        else:
            raise ValueError(f"status {response.status} carries no challenge")
        return self.answer_challenges(
            response.status,
            response.headers.get_all(challenges),
            method=request.method,
            uri=str(request.uri),
            body=request.body,
            sent_credentials=request.headers.get_all(sent),
        )

    def authorize(
        self,
        *,
        method: str,
        uri: str,
        body: bytes = b"",
        headers: Collection[str] | None = None,
    ) -> list[tuple[str, str]]:
        """Credentials for a new request, from the nonces already known.

        Pre-emptive authorization (RFC 3261 22.3: "a UAC MAY ... include
        credentials ... without waiting for a challenge"): each use
        increments that realm's nonce count (RFC 7616 3.4). *headers*
        limits the answer to those header names (`Authorization`,
        `Proxy-Authorization`); None gives every known one. Returns an
        empty list before the first challenge.
        """
        return [
            (session.header, self._credentials(session, method, uri, body))
            for session in self._sessions.values()
            if headers is None or session.header in headers
        ]

    def forget(self) -> None:
        """Drop every remembered nonce (e.g. after a password change)."""
        self._sessions.clear()
        self._ha1.clear()
