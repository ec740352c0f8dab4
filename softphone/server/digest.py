"""Server-side digest authentication: nonces with a lifetime (RFC 3261 22).

Sans-I/O: time is the `now` argument. Nonces are random, remembered until
they expire, and their nonce count must grow (RFC 7616 3.4.5), so a captured
Authorization header cannot be replayed.
"""

from __future__ import annotations

import enum
import secrets
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass

from softphone.sip import Request, SipError
from softphone.sip.auth import Challenge, make_challenge, parse_credentials, verify

__all__ = ["AuthOutcome", "AuthResult", "DigestAuthenticator"]

#: Nonces kept at most; the oldest are forgotten first (bounded memory
#: whatever a flood of unauthenticated requests does).
MAX_NONCES = 4096


class AuthOutcome(enum.Enum):
    """What a request's credentials amount to."""

    #: The credentials are right and fresh.
    OK = "ok"
    #: No credentials for our realm: challenge.
    MISSING = "missing"
    #: Right password, but the nonce is unknown or expired: challenge with
    #: stale=true so the client retries without asking its user (RFC 7616 3.3).
    STALE = "stale"
    #: Wrong password, unknown user or a replayed nonce count.
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class AuthResult:
    """The outcome and, when known, the user name the credentials name."""

    outcome: AuthOutcome
    username: str | None = None


@dataclass(slots=True)
class _Nonce:
    expires_at: float
    last_nc: int = 0


class DigestAuthenticator:
    """Challenges and checks digest credentials for one realm.

    Args:
        realm: the protection space, the domain name here.
        passwords: digest user name → password.
        nonce_lifetime: seconds a nonce stays usable.
        algorithm: MD5 (every client, SIPp included) or SHA-256.
    """

    def __init__(
        self,
        realm: str,
        passwords: Mapping[str, str],
        *,
        nonce_lifetime: float = 300.0,
        algorithm: str = "MD5",
    ) -> None:
        self.realm = realm
        self._passwords = dict(passwords)
        self._lifetime = nonce_lifetime
        self._algorithm = algorithm
        self._nonces: OrderedDict[str, _Nonce] = OrderedDict()

    def challenge(self, now: float, *, stale: bool = False) -> Challenge:
        """A challenge with a fresh nonce, remembered until it expires."""
        self._prune(now)
        nonce = secrets.token_hex(16)
        self._nonces[nonce] = _Nonce(now + self._lifetime)
        return make_challenge(realm=self.realm, nonce=nonce, algorithm=self._algorithm, stale=stale)

    def check(self, request: Request, header: str, now: float) -> AuthResult:
        """Check the credentials of *request* in *header* for our realm.

        *header* is `Authorization` (registrar, 401) or `Proxy-Authorization`
        (proxy, 407).
        """
        for value in request.headers.get_all(header):
            try:
                credentials = parse_credentials(value)
            except SipError:
                continue
            if credentials.is_digest and credentials.realm == self.realm:
                break
        else:
            return AuthResult(AuthOutcome.MISSING)
        username = credentials.username
        password = self._passwords.get(username or "")
        if username is None or password is None:
            return AuthResult(AuthOutcome.FAILED, username)
        if not verify(
            credentials,
            method=request.method,
            password=password,
            username=username,
            realm=self.realm,
            body=request.body,
        ):
            return AuthResult(AuthOutcome.FAILED, username)
        nonce = self._nonces.get(credentials.nonce or "")
        if nonce is None or nonce.expires_at <= now:
            return AuthResult(AuthOutcome.STALE, username)
        nc = credentials.nc
        if credentials.qop is not None:
            # RFC 7616 3.4.5: a nonce count not above the last one is a replay.
            if nc is None or nc <= nonce.last_nc:
                return AuthResult(AuthOutcome.STALE, username)
            nonce.last_nc = nc
        return AuthResult(AuthOutcome.OK, username)

    def _prune(self, now: float) -> None:
        for key in [k for k, n in self._nonces.items() if n.expires_at <= now]:
            del self._nonces[key]
        while len(self._nonces) >= MAX_NONCES:
            self._nonces.popitem(last=False)
