"""The embedded local SIP server: registrar, reg-event notifier, MESSAGE relay.

It lets the app run with nothing to configure (`softphone --demo`) and is
runnable alone as `softphone registrar`. Built on the same stack as the
client: `softphone.agent.UserAgent` and the sans-I/O `softphone.sip` core.
"""

from __future__ import annotations

from softphone.server.bindings import (
    Binding,
    BindingChange,
    BindingEvent,
    LocationService,
    RegisterRefused,
)
from softphone.server.digest import AuthOutcome, AuthResult, DigestAuthenticator
from softphone.server.notifier import RegSubscription
from softphone.server.reginfo_writer import serialize_reginfo
from softphone.server.registrar import BindingListener, LocalServer, aor_of
from softphone.server.throttle import AuthThrottle

__all__ = [
    "AuthOutcome",
    "AuthResult",
    "AuthThrottle",
    "Binding",
    "BindingChange",
    "BindingEvent",
    "BindingListener",
    "DigestAuthenticator",
    "LocalServer",
    "LocationService",
    "RegSubscription",
    "RegisterRefused",
    "aor_of",
    "serialize_reginfo",
]
