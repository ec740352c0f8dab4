"""The core's sentences in the window's language.

The core hands the window `softphone.phrase.Phrase` values (an English
template and its values) and delivery outcomes as data (state, code, the
server's reason, the kind of a local failure). Here each template is
translated in the context ``core`` and the values are filled in after, so a
server's reason phrase, an address or a number is never translated and
never breaks a translation. `TEMPLATES` lists every template the core says:
lupdate reads it, and a test checks it against the core's ``say(...)``
calls, so a new sentence in the core cannot go untranslated unnoticed.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from softphone.phrase import Phrase
from softphone.sip.delivery import DeliveryState, FailureKind, failure_reason

__all__ = [
    "CONTEXT",
    "REASONS",
    "STORED",
    "TEMPLATES",
    "delivery_text",
    "event_kind",
    "from_english",
    "local_reason",
    "translated",
]

#: The translation context of the core's sentences.
CONTEXT = "core"

#: Every template the core's ``say(...)`` calls use (checked by a test).
TEMPLATES = frozenset(
    {
        # Registration (softphone/services/registration.py)
        QT_TRANSLATE_NOOP("core", "Not registered"),
        QT_TRANSLATE_NOOP("core", "Registering as {who}…"),
        QT_TRANSLATE_NOOP("core", "Registered as {who}"),
        QT_TRANSLATE_NOOP("core", "Registered as {who} (via {server})"),
        QT_TRANSLATE_NOOP("core", "Registered as {who} (via {server}, {transport})"),
        QT_TRANSLATE_NOOP("core", "Connection to {server} lost ({reason}), trying again…"),
        QT_TRANSLATE_NOOP("core", "Connection to {server} lost"),
        QT_TRANSLATE_NOOP("core", "No answer from {server} after {seconds} s"),
        QT_TRANSLATE_NOOP("core", "Cannot reach {server} ({reason})"),
        QT_TRANSLATE_NOOP("core", "Wrong credentials (the server refused them)"),
        QT_TRANSLATE_NOOP("core", "Wrong credentials ({code} {reason})"),
        QT_TRANSLATE_NOOP("core", "Wrong credentials ({code})"),
        QT_TRANSLATE_NOOP("core", "The server asks for a password ({code})"),
        QT_TRANSLATE_NOOP("core", "Unknown user ({code} {reason})"),
        QT_TRANSLATE_NOOP("core", "Server refused: {code} {reason}"),
        QT_TRANSLATE_NOOP("core", "{problem}, trying again in {seconds} s"),
        QT_TRANSLATE_NOOP("core", "Trying {server}…"),
        # A buddy's state (softphone/buddy.py, softphone/services/presence.py)
        QT_TRANSLATE_NOOP("core", "online on {count} device"),
        QT_TRANSLATE_NOOP("core", "online on {count} devices"),
        QT_TRANSLATE_NOOP("core", "offline"),
        QT_TRANSLATE_NOOP("core", "offline, last seen {when}"),
        QT_TRANSLATE_NOOP("core", "unknown (server unreachable)"),
        QT_TRANSLATE_NOOP("core", "unknown (server unreachable), last seen {when}"),
        QT_TRANSLATE_NOOP("core", "unknown (reconnecting)"),
        QT_TRANSLATE_NOOP("core", "unknown (reconnecting), last seen {when}"),
        QT_TRANSLATE_NOOP("core", "not allowed ({why})"),
        QT_TRANSLATE_NOOP("core", "unknown user ({why})"),
        QT_TRANSLATE_NOOP("core", "unknown: {why}"),
        QT_TRANSLATE_NOOP("core", "unknown: subscription ended ({why})"),
        QT_TRANSLATE_NOOP("core", "unknown: subscription ended ({why}), retrying in {seconds} s"),
        QT_TRANSLATE_NOOP("core", "waiting for authorization"),
        QT_TRANSLATE_NOOP("core", "subscribing…"),
        QT_TRANSLATE_NOOP("core", "subscribed"),
        QT_TRANSLATE_NOOP("core", "not watched"),
        # Addresses typed (softphone/blocking.py)
        QT_TRANSLATE_NOOP("core", "Type an address like bob@example.com"),
        QT_TRANSLATE_NOOP("core", "{text} is not a SIP address: {reason}"),
        QT_TRANSLATE_NOOP("core", "{text} has no user part; type an address like bob@example.com"),
        # Links (softphone/link.py)
        QT_TRANSLATE_NOOP(
            "core", "The link is too long to open ({length} characters; at most {limit})."
        ),
        QT_TRANSLATE_NOOP(
            "core", "Softphone opens only sip: and sips: links, not {scheme}: links."
        ),
        QT_TRANSLATE_NOOP("core", "Softphone opens only sip: and sips: links, not this."),
        QT_TRANSLATE_NOOP(
            "core",
            "The link contains a line break or control character, which could add"
            " SIP headers; it was not opened.",
        ),
        QT_TRANSLATE_NOOP("core", "The link is not a valid SIP address: {reason}."),
        QT_TRANSLATE_NOOP(
            "core", "The link names no one: it needs an address like sip:alice@example.com."
        ),
        QT_TRANSLATE_NOOP("core", "The link contains a password; it was not opened."),
        QT_TRANSLATE_NOOP(
            "core",
            "The link asks to set the {header} header; only a message text (?body=)"
            " may come with a link.",
        ),
        QT_TRANSLATE_NOOP("core", "The link gives the message text twice."),
        QT_TRANSLATE_NOOP("core", "The link's message text is not valid UTF-8."),
        # Finding the server (softphone/resolver.py, softphone/location.py, softphone/app.py)
        QT_TRANSLATE_NOOP("core", "Cannot look up {name}: {problem}"),
        QT_TRANSLATE_NOOP("core", "No SIP server found for {name}: {why}"),
        QT_TRANSLATE_NOOP("core", "the name has no address"),
        QT_TRANSLATE_NOOP("core", "the domain says it offers no SIP service"),
        QT_TRANSLATE_NOOP("core", "its SIP servers ({names}) have no address"),
        QT_TRANSLATE_NOOP("core", "the domain has no SIP records"),
        QT_TRANSLATE_NOOP("core", "it has no {family} address"),
        QT_TRANSLATE_NOOP("core", "this computer has no DNS server configured"),
        QT_TRANSLATE_NOOP("core", "no DNS server"),
        QT_TRANSLATE_NOOP("core", "the DNS server did not answer"),
        QT_TRANSLATE_NOOP("core", "the DNS server at {server} did not answer"),
        QT_TRANSLATE_NOOP("core", "the DNS server refused or failed the lookup"),
        QT_TRANSLATE_NOOP("core", "the DNS server at {server} refused or failed the lookup"),
        QT_TRANSLATE_NOOP("core", "the DNS lookup failed ({error})"),
        QT_TRANSLATE_NOOP("core", "{text} is not a host or host:port"),
        QT_TRANSLATE_NOOP("core", "{text} has no host"),
        QT_TRANSLATE_NOOP("core", "{text} is not a port number"),
        QT_TRANSLATE_NOOP("core", "No server to subscribe at"),
        QT_TRANSLATE_NOOP("core", "No server to send the request to"),
        # Settings (softphone/account.py, softphone/config.py, softphone/launch.py)
        QT_TRANSLATE_NOOP("core", "The address of record must look like sip:alice@example.com"),
        QT_TRANSLATE_NOOP(
            "core", "The address of record must look like sip:alice@example.com, not {value}"
        ),
        QT_TRANSLATE_NOOP("core", "Enter the address of record, like sip:alice@example.com"),
        QT_TRANSLATE_NOOP("core", "Display name"),
        QT_TRANSLATE_NOOP("core", "User name"),
        QT_TRANSLATE_NOOP("core", "{what} must be text, not {value}"),
        QT_TRANSLATE_NOOP("core", "{what} must be one line of text"),
        QT_TRANSLATE_NOOP("core", "The registrar"),
        QT_TRANSLATE_NOOP("core", "The outbound proxy"),
        QT_TRANSLATE_NOOP(
            "core",
            "{what} must be a host name or address with an optional port,"
            " like example.com:5060, not {value}",
        ),
        QT_TRANSLATE_NOOP("core", "Transport must be udp, tcp or tls, not {value}"),
        QT_TRANSLATE_NOOP("core", "Local port must be a whole number between {low} and {high}"),
        QT_TRANSLATE_NOOP(
            "core",
            "The registration time must be a whole number of seconds between {low} and {high}",
        ),
        QT_TRANSLATE_NOOP("core", "Sending read receipts must be true or false"),
        QT_TRANSLATE_NOOP("core", "Asking for read receipts must be true or false"),
        QT_TRANSLATE_NOOP("core", "Accepting direct messages must be true or false"),
        QT_TRANSLATE_NOOP("core", "The DNS server must be text, not {value}"),
        QT_TRANSLATE_NOOP(
            "core",
            "The DNS server must be an IP address with an optional port, like"
            " 192.0.2.53 or [2001:db8::53]:5353, not {value}",
        ),
        QT_TRANSLATE_NOOP(
            "core",
            "The keep-alive interval must be 0 (off) or a whole number of seconds"
            " between {low} and {high}",
        ),
        QT_TRANSLATE_NOOP(
            "core",
            "The password variable must be an environment variable name like"
            " SOFTPHONE_PASSWORD, not {value}",
        ),
        QT_TRANSLATE_NOOP("core", "The settings file {path} cannot be read: {error}"),
        QT_TRANSLATE_NOOP("core", "The settings file {path} is not valid TOML: {error}"),
        QT_TRANSLATE_NOOP("core", "The settings file {path} has no [account] section"),
        QT_TRANSLATE_NOOP(
            "core",
            "The settings file holds a password, which does not belong there: remove it;"
            " Softphone keeps the password in the keyring, or asks for it",
        ),
        QT_TRANSLATE_NOOP("core", "Unknown setting {name} in the [account] section"),
        QT_TRANSLATE_NOOP("core", "The settings file has no address of record"),
        QT_TRANSLATE_NOOP(
            "core",
            "The keyring backend {backend} would keep the password in a plain file or"
            " not at all, so it is not stored; use the desktop's keyring (Secret"
            " Service, KWallet, macOS Keychain, Windows Credential Locker), or keep"
            " the password in an environment variable",
        ),
        QT_TRANSLATE_NOOP(
            "core",
            "No keyring is available to keep the password; keep it in an environment"
            " variable instead",
        ),
        QT_TRANSLATE_NOOP("core", "The keyring refused to keep the password: {error}"),
        QT_TRANSLATE_NOOP("core", "There is no settings file at {path}"),
        QT_TRANSLATE_NOOP("core", "The settings file {path} is not usable: {problem}"),
        QT_TRANSLATE_NOOP(
            "core",
            "No account is set up: give --aor sip:alice@example.com (and --password-env),"
            " or set one up in the app",
        ),
        QT_TRANSLATE_NOOP(
            "core",
            "The environment variable {name}, which should hold the password for {address},"
            " is empty; put the password in it",
        ),
        QT_TRANSLATE_NOOP(
            "core",
            "The environment variable {name}, which should hold the password for {address},"
            " is not set, and the keyring holds no password for it either",
        ),
        QT_TRANSLATE_NOOP("core", "The data folder cannot be used: {error}"),
        QT_TRANSLATE_NOOP("core", "The message database {path} is a folder; give a file with --db"),
        QT_TRANSLATE_NOOP("core", "{problem}; give another file with --db"),
        QT_TRANSLATE_NOOP("core", "The message database {path} cannot be opened: {error}"),
    }
)

#: Sentences the store keeps in English (a message's timeline,
#: `softphone.services.timeline`), translated when shown by matching them
#: against these templates.
STORED = frozenset(
    {
        QT_TRANSLATE_NOOP("core", "written and stored, waiting to be sent"),
        QT_TRANSLATE_NOOP("core", "received and stored"),
        QT_TRANSLATE_NOOP("core", "MESSAGE as {kind} (CSeq {cseq}) to {address} over {transport}"),
        QT_TRANSLATE_NOOP("core", "{code} {reason} from {address} over {transport}"),
        QT_TRANSLATE_NOOP("core", "receipt: {what}"),
        QT_TRANSLATE_NOOP("core", "receipt: {what}; state unchanged"),
        QT_TRANSLATE_NOOP("core", "receipt: {what} (sent {when})"),
        QT_TRANSLATE_NOOP("core", "receipt: {what} (sent {when}); state unchanged"),
        # The automatic resend's plan after a failure (softphone/services/timeline.py).
        QT_TRANSLATE_NOOP("core", "{state}; will try again at {time}"),
        QT_TRANSLATE_NOOP(
            "core", "{state}; no more automatic resends (a day after the first attempt)"
        ),
        # Why a message stays queued (softphone.resend_policy.HELD).
        QT_TRANSLATE_NOOP(
            "core", "kept back until the earlier message is sent again, so they arrive in order"
        ),
    }
)

#: Why a connection or a request failed, as this program's transports, its
#: transactions and the keep-alive say it in English (softphone/transport/,
#: softphone/agent.py, softphone/keepalive.py): the reason inside "Connection
#: to ... lost (...)", translated by matching (a test checks each against the code).
REASONS = frozenset(
    {
        QT_TRANSLATE_NOOP("core", "connection closed by peer"),
        QT_TRANSLATE_NOOP("core", "connection lost: {error}"),
        QT_TRANSLATE_NOOP("core", "connection refused"),
        QT_TRANSLATE_NOOP("core", "connection error"),
        QT_TRANSLATE_NOOP("core", "no answer to the connection"),
        QT_TRANSLATE_NOOP("core", "cannot connect: {error}"),
        QT_TRANSLATE_NOOP("core", "too many open connections"),
        QT_TRANSLATE_NOOP(
            "core",
            "the server's certificate cannot be trusted (certificate verify failed: {why})",
        ),
        QT_TRANSLATE_NOOP("core", "no answer after {seconds} s"),
        QT_TRANSLATE_NOOP("core", "the agent was closed"),
        QT_TRANSLATE_NOOP("core", "no answer to a keep-alive within {seconds} s"),
        QT_TRANSLATE_NOOP("core", "no answer from the server within {seconds} s"),
        QT_TRANSLATE_NOOP("core", "no {transport} transport"),
    }
)

#: The field of a core template that holds one of `REASONS` (this program's
#: own words, never a server's reason phrase, which stays as it came).
_REASON_FIELD = {
    "Connection to {server} lost ({reason}), trying again…": "reason",
    "Cannot reach {server} ({reason})": "reason",
    # A buddy's server that cannot be found (softphone/services/presence.py).
    "unknown: {why}": "why",
}

#: Fields of a sentence said in English that are themselves the core's sentences.
_NESTED = ("why", "problem", "state")

#: The steps of a message's timeline (`Store.events` kinds).
_EVENT_KINDS: dict[str, str] = {
    "queued": QT_TRANSLATE_NOOP("core", "queued"),
    "sent": QT_TRANSLATE_NOOP("core", "sent"),
    "response": QT_TRANSLATE_NOOP("core", "response"),
    "state": QT_TRANSLATE_NOOP("core", "state"),
    "receipt": QT_TRANSLATE_NOOP("core", "receipt"),
    "stored": QT_TRANSLATE_NOOP("core", "stored"),
}

#: The first words of a message's state ("failed", "delivered to ...").
_STATES: dict[DeliveryState, str] = {
    DeliveryState.QUEUED: QT_TRANSLATE_NOOP("core", "waiting to be sent"),
    DeliveryState.SENDING: QT_TRANSLATE_NOOP("core", "sending"),
    DeliveryState.DELIVERED: QT_TRANSLATE_NOOP("core", "delivered to the recipient's device"),
    DeliveryState.ACCEPTED: QT_TRANSLATE_NOOP("core", "accepted for later delivery"),
    DeliveryState.FAILED: QT_TRANSLATE_NOOP("core", "failed"),
    DeliveryState.DECLINED: QT_TRANSLATE_NOOP("core", "declined by recipient"),
    DeliveryState.READ: QT_TRANSLATE_NOOP("core", "read by the recipient"),
}

#: A local failure's sentence (`softphone.sip.delivery.failure_reason`).
_FAILURES: dict[FailureKind, str] = {
    FailureKind.TIMEOUT: QT_TRANSLATE_NOOP("core", "no answer from the server after {timeout} s"),
    FailureKind.TRANSPORT_ERROR: QT_TRANSLATE_NOOP("core", "could not reach the server"),
    FailureKind.NO_ROUTE: QT_TRANSLATE_NOOP("core", "could not find the server's address"),
    FailureKind.TOO_LARGE: QT_TRANSLATE_NOOP(
        "core", "message too large to send over UDP (more than 1300 bytes)"
    ),
    FailureKind.AUTH_FAILED: QT_TRANSLATE_NOOP(
        "core", "the server refused the user name or password"
    ),
    FailureKind.CLOSED_BEFORE_ANSWER: QT_TRANSLATE_NOOP(
        "core", "closed before the server answered"
    ),
}

# The store keeps a local failure as its English sentence, maybe followed by
# " (detail)": each kind's sentence as a pattern, its number as a group.
_FAILURE_PATTERNS = [
    (
        kind,
        re.compile(
            re.escape(failure_reason(kind, timeout=0)).replace("0", r"(?P<timeout>[0-9.]+)", 1)
            if kind is FailureKind.TIMEOUT
            else re.escape(failure_reason(kind))
        ),
    )
    for kind in FailureKind
]


def _tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def _pattern(template: str) -> re.Pattern[str]:
    """*template* as a pattern whose groups are its fields."""
    parts = re.split(r"\{(\w+)\}", template)
    return re.compile(
        "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts)),
        re.DOTALL,
    )


# Longest first: "receipt: {what}; state unchanged" before "receipt: {what}".
_KNOWN = [
    (template, _pattern(template))
    for template in sorted(TEMPLATES | STORED | REASONS, key=lambda t: (-len(t), t))
]


def translated(phrase: Phrase | str) -> str:
    """*phrase* in the window's language; text that is not a phrase as it is."""
    if isinstance(phrase, str):
        return phrase
    values = {name: translated(value) for name, value in phrase.values}
    reason = _REASON_FIELD.get(phrase.template)
    if reason in values:
        values[reason] = from_english(values[reason])
    try:
        return _tr(phrase.template).format_map(values)
    except (KeyError, IndexError, ValueError):
        # A translation naming a field the template lacks: English, never nothing.
        return str(phrase)


def from_english(text: str) -> str:
    """A sentence the core said in English (stored, or from another process), translated.

    It is matched against the known templates; its values are kept as they
    are. Text that matches none is returned unchanged.
    """
    for template, pattern in _KNOWN:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        values = match.groupdict()
        for name in _NESTED:
            if name in values:
                values[name] = from_english(values[name])
        try:
            return _tr(template).format_map(values)
        except (KeyError, IndexError, ValueError):
            return text
    # A state as `softphone.sip.delivery.describe` says it: "failed: ...".
    for words in _STATES.values():
        if text == words:
            return _tr(words)
        if text.startswith(f"{words}: "):
            rest = text[len(words) + 2 :]
            # A queued message's reason is ours (why it waits), never a server's.
            said = from_english(rest) if words == _STATES[DeliveryState.QUEUED] else None
            return f"{_tr(words)}: {said or local_reason(rest)}"
    return text


def event_kind(kind: str) -> str:
    """A timeline step's name ("queued", "sent", ...) in the window's language."""
    words = _EVENT_KINDS.get(kind)
    return _tr(words) if words is not None else kind


def local_reason(reason: str) -> str:
    """A stored local failure's sentence in the window's language (else as stored)."""
    for kind, pattern in _FAILURE_PATTERNS:
        match = pattern.match(reason)
        if match is None:
            continue
        rest = reason[match.end() :]
        if rest and not (rest.startswith(" (") and rest.endswith(")")):
            continue
        words = _tr(_FAILURES[kind]).format_map(match.groupdict())
        if rest:
            # The detail is this program's own sentence (why no server was found).
            rest = f" ({from_english(rest[2:-1])})"
        return f"{words}{rest}"
    return reason


def delivery_text(state: DeliveryState, code: int | None, reason: str, *, local: bool) -> str:
    """A message's state in words, as `softphone.sip.delivery.describe` says it in English.

    The code and the server's reason phrase are the server's: never translated.
    """
    prefix = _tr(_STATES[state])
    if local:
        reason = local_reason(reason)
    elif state is DeliveryState.QUEUED:
        reason = from_english(reason)  # why it waits: our own sentence
    if code is None:
        return f"{prefix}: {reason}" if reason else prefix
    return f"{prefix}: {code} {reason}".rstrip()
