"""Server-side digest authentication: nonces with a lifetime (RFC 3261 22).

Sans-I/O: time is the `now` argument. Each challenge offers SHA-256 first
and MD5 second (RFC 7616 3.7: most preferred first; RFC 8760 for SIP), each
with its own random nonce and qop="auth". An answer is accepted only when
it answers what was offered: qop=auth, the algorithm its nonce was issued
with, a digest `uri` equal to the Request-URI (RFC 3261 22.4 binds the
credentials to the request) and a nonce count above the last one seen (RFC
7616 3.4.5), so a captured Authorization header cannot be replayed.

Accounts are keyed by (user name, realm): the same user name in two
domains is two accounts with two passwords.
"""

from __future__ import annotations

import enum
import secrets
from collections import OrderedDict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from softphone.sip import ParseError, Request, SipError, SipUri
from softphone.sip.auth import Challenge, Credentials, make_challenge, parse_credentials, verify

__all__ = ["DEFAULT_ALGORITHMS", "AuthOutcome", "AuthResult", "DigestAuthenticator"]

#: Nonces kept at most; the oldest are forgotten first (bounded memory
#: whatever a flood of unauthenticated requests does).
MAX_NONCES = 4096

#: What a challenge offers, most preferred first (RFC 7616 3.7).
DEFAULT_ALGORITHMS = ("SHA-256", "MD5")


class AuthOutcome(enum.Enum):
    """What a request's credentials amount to."""

    #: The credentials are right and fresh.
    OK = "ok"
    #: No credentials for one of our realms: challenge.
    MISSING = "missing"
    #: Right password, but the nonce is unknown or expired, or its count
    #: was used already: challenge with stale=true so the client retries
    #: with a new nonce without asking its user (RFC 7616 3.3).
    STALE = "stale"
    #: Wrong password, unknown user, or an answer to something we did not
    #: offer (no qop, another algorithm, another URI).
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class AuthResult:
    """The outcome and, when credentials were given, whom they name."""

    outcome: AuthOutcome
    username: str | None = None
    realm: str | None = None
    #: Why a FAILED answer failed, for the log (never sent to the peer).
    reason: str = ""


@dataclass(slots=True)
class _Nonce:
    expires_at: float
    realm: str
    algorithm: str
    last_nc: int = 0


class DigestAuthenticator:
    """Challenges and checks digest credentials.

    Args:
        passwords: (digest user name, realm) → password.
        nonce_lifetime: seconds a nonce stays usable.
        algorithms: offered in this order, each with its own nonce.
    """

    def __init__(
        self,
        passwords: Mapping[tuple[str, str], str],
        *,
        nonce_lifetime: float = 300.0,
        algorithms: Sequence[str] = DEFAULT_ALGORITHMS,
    ) -> None:
        self._passwords = dict(passwords)
        self._lifetime = nonce_lifetime
        self._algorithms = tuple(a.upper() for a in algorithms)
        self._nonces: OrderedDict[str, _Nonce] = OrderedDict()
        # Checked against for unknown users, so their answer costs the same.
        self._decoy = secrets.token_hex(16)

    def challenges(self, realm: str, now: float, *, stale: bool = False) -> list[Challenge]:
        """One challenge per algorithm, most preferred first, fresh nonces."""
        self._prune(now)
        offered = []
        for algorithm in self._algorithms:
            nonce = secrets.token_hex(16)
            self._nonces[nonce] = _Nonce(now + self._lifetime, realm, algorithm)
            offered.append(
                make_challenge(
                    realm=realm, nonce=nonce, algorithm=algorithm, qop=("auth",), stale=stale
                )
            )
        return offered

    def check(
        self, request: Request, header: str, now: float, *, realms: Collection[str]
    ) -> AuthResult:
        """Check the credentials of *request* in *header* for one of *realms*.

        *header* is `Authorization` (registrar, 401) or `Proxy-Authorization`
        (proxy, 407).
        """
        creds = _find(request, header, realms)
        if creds is None:
            return AuthResult(AuthOutcome.MISSING)
        username, realm = creds.username, creds.realm or ""

        def failed(reason: str) -> AuthResult:
            return AuthResult(AuthOutcome.FAILED, username, realm, reason)

        if username is None:
            return failed("no user name")
        if creds.qop != "auth" or creds.nc is None or creds.cnonce is None:
            # RFC 7616 3.4: we offer qop="auth" only; an answer without it
            # has no nonce count and could be replayed for the nonce's life.
            return failed("no qop=auth")
        if creds.algorithm not in self._algorithms:
            return failed("algorithm not offered")
        if not _same_uri(creds.uri, request):
            # RFC 3261 22.4: the digest-uri is the Request-URI.
            return failed("digest uri is not the Request-URI")
        nonce = self._nonces.get(creds.nonce or "")
        if nonce is not None and (nonce.algorithm != creds.algorithm or nonce.realm != realm):
            return failed("answer to another challenge")
        password = self._passwords.get((username, realm))
        right = verify(
            creds,
            method=request.method,
            password=password if password is not None else self._decoy,
            username=username,
            realm=realm,
            body=request.body,
        )
        if password is None or not right:
            return failed("unknown user" if password is None else "wrong password")
        if nonce is None or nonce.expires_at <= now:
            return AuthResult(AuthOutcome.STALE, username, realm)
        # RFC 7616 3.4.5: a nonce count not above the last one is a replay.
        if creds.nc <= nonce.last_nc:
            return AuthResult(AuthOutcome.STALE, username, realm, "nonce count replayed")
        nonce.last_nc = creds.nc
        return AuthResult(AuthOutcome.OK, username, realm)

    def _prune(self, now: float) -> None:
        for key in [k for k, n in self._nonces.items() if n.expires_at <= now]:
            del self._nonces[key]
        while len(self._nonces) >= MAX_NONCES:
            self._nonces.popitem(last=False)


def _find(request: Request, header: str, realms: Collection[str]) -> Credentials | None:
    for value in request.headers.get_all(header):
        try:
            creds = parse_credentials(value)
        except SipError:
            continue
        if creds.is_digest and creds.realm in realms:
            return creds
    return None


def _same_uri(digest_uri: str | None, request: Request) -> bool:
    if digest_uri is None:
        return False
    if digest_uri == str(request.uri):
        return True
    try:
        given = SipUri.parse(digest_uri)
    except ParseError:
        return False
    # The same URI written another way (host case, escapes: RFC 3261 19.1.4).
    target = request.uri
    return (
        isinstance(target, SipUri)
        and given.host.lower() == target.host.lower()
        and (given.scheme, given.user, given.port, given.params)
        == (target.scheme, target.user, target.port, target.params)
    )
