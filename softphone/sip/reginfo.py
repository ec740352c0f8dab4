"""RFC 3680 registration information documents (``application/reginfo+xml``).

Two jobs, both sans-I/O:

* :func:`parse_reginfo` turns a NOTIFY body into a frozen
  :class:`ReginfoDocument`, refusing hostile XML (DOCTYPE, entities, oversized
  bodies) with a :class:`~softphone.sip.errors.ParseError` that carries the
  status code to answer the NOTIFY with.
* :class:`ReginfoView` keeps one subscription's picture of the registrar's
  state, applying full and partial documents by version as RFC 3680 §5.2 says,
  and reports what changed.

The parser never reads a file or a URL: only UTF-8 documents are accepted
(RFC 3680 5.3; an XML declaration naming another encoding, UTF-7 say, is
refused, and the parser is told the encoding rather than reading it from the
document), a DOCTYPE is looked for in the decoded text and refused before
lxml sees it, entity resolution, DTD loading and network access are off, and
a resolver refuses any external load that gets past all that. Reason phrases
never carry the parser's own error text, which could tell a sender whether a
file exists.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from lxml import etree  # type: ignore[import-untyped]  # no stubs installed

from softphone.sip.errors import ParseError

__all__ = [
    "MAX_REGINFO_SIZE",
    "REGINFO_CONTENT_TYPE",
    "REGINFO_NAMESPACE",
    "ApplyResult",
    "ApplyStatus",
    "ChangeKind",
    "Contact",
    "ContactChange",
    "ContactEvent",
    "ContactState",
    "DocState",
    "ReginfoDocument",
    "ReginfoView",
    "Registration",
    "RegistrationChange",
    "RegistrationState",
    "parse_reginfo",
]

#: The MIME type of the reg event package's bodies (RFC 3680 §5).
REGINFO_CONTENT_TYPE = "application/reginfo+xml"
#: The XML namespace of the document (RFC 3680 §5.3).
REGINFO_NAMESPACE = "urn:ietf:params:xml:ns:reginfo"
#: Bodies larger than this are refused with 413 before any parsing. A
#: registrar with dozens of devices per AoR stays far below it.
MAX_REGINFO_SIZE = 256 * 1024

_T = TypeVar("_T")

# Longest piece of an lxml error message copied into a reason phrase.
_MAX_DETAIL = 80


class DocState(enum.Enum):
    """Whether a document carries the full state or only changes (RFC 3680 §5.1)."""

    FULL = "full"
    PARTIAL = "partial"


class RegistrationState(enum.Enum):
    """State of one address-of-record at the registrar (RFC 3680 §3.1)."""

    #: No contact is bound yet.
    INIT = "init"
    #: At least one contact is bound.
    ACTIVE = "active"
    #: The last contact went away.
    TERMINATED = "terminated"
    #: A value RFC 3680 does not define; treated as "not registered".
    UNKNOWN = "unknown"


class ContactState(enum.Enum):
    """State of one contact binding (RFC 3680 §3.2)."""

    ACTIVE = "active"
    TERMINATED = "terminated"
    #: A value RFC 3680 does not define; treated as "not reachable".
    UNKNOWN = "unknown"


class ContactEvent(enum.Enum):
    """The event that caused a contact's last state change (RFC 3680 §3.2).

    Servers are known to send ``registered`` for every change and values the
    RFC does not list, so :class:`Contact` keeps an unknown value as ``str``.
    """

    REGISTERED = "registered"
    CREATED = "created"
    REFRESHED = "refreshed"
    SHORTENED = "shortened"
    EXPIRED = "expired"
    DEACTIVATED = "deactivated"
    PROBATION = "probation"
    UNREGISTERED = "unregistered"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Contact:
    """One ``<contact>`` element: a device bound to the AoR.

    Optional attributes that are missing (or not a valid number) are None.
    """

    id: str
    state: ContactState
    #: A :class:`ContactEvent`, or the raw string when the value is unknown.
    event: ContactEvent | str
    uri: str
    display_name: str | None = None
    expires: int | None = None
    retry_after: int | None = None
    duration_registered: int | None = None
    q: float | None = None
    callid: str | None = None
    cseq: int | None = None
    #: ``<unknown-param name="...">value</unknown-param>`` pairs, in order;
    #: the value is None for an empty element.
    unknown_params: tuple[tuple[str, str | None], ...] = ()


@dataclass(frozen=True)
class Registration:
    """One ``<registration>`` element: an address-of-record and its contacts."""

    aor: str
    id: str
    state: RegistrationState
    contacts: tuple[Contact, ...] = ()

    def active_contacts(self) -> tuple[Contact, ...]:
        """The contacts whose state is ``active``."""
        return tuple(c for c in self.contacts if c.state is ContactState.ACTIVE)


@dataclass(frozen=True)
class ReginfoDocument:
    """A parsed ``<reginfo>`` document."""

    version: int
    state: DocState
    registrations: tuple[Registration, ...] = ()


# The enums by value, for the parser (an Enum call per attribute is slow).
_CONTACT_STATES = {member.value: member for member in ContactState}
_CONTACT_EVENTS = {member.value: member for member in ContactEvent}
_REGISTRATION_STATES = {member.value: member for member in RegistrationState}

# --------------------------------------------------------------------------
# Parsing


class _RefuseExternal(etree.Resolver):  # type: ignore[misc]
    """Answers every external load (DTD, entity, XInclude) with nothing.

    libxml2 opened files a document named even with entity resolution and
    DTD loading off; every URL it would fetch comes here instead, and is
    noted so the document is refused.
    """

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[str] = []

    def resolve(self, system_url: str, public_id: str, context: object) -> object:
        self.asked.append(str(system_url))
        return self.resolve_string("", context)


def _make_parser() -> tuple[etree.XMLParser, _RefuseExternal]:
    # Every safety-relevant option is spelled out: lxml's own default for
    # resolve_entities is True, which is what XXE attacks rely on. The
    # encoding is given, so a declaration cannot switch the decoder.
    parser = etree.XMLParser(
        encoding="utf-8",
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_pis=True,
        remove_comments=True,
        collect_ids=False,
    )
    resolver = _RefuseExternal()
    parser.resolvers.add(resolver)
    return parser, resolver


#: Parsers not in use. An lxml parser must not parse two documents at once;
#: one taken from here (list.pop and list.append are atomic) is used by one
#: caller at a time, and its options never change, so reuse loosens nothing.
_SPARE_PARSERS: list[tuple[etree.XMLParser, _RefuseExternal]] = []
_MAX_SPARE = 4


# `<?xml version="1.0" encoding="..."?>`: the declared encoding, if any.
_DECLARED_ENCODING = re.compile(
    rb"""\A\s*<\?xml\s[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']""", re.IGNORECASE
)


def _clean_detail(text: str) -> str:
    # The reason phrase goes on a status line: printable ASCII, one line, short.
    cleaned = "".join(ch if 32 <= ord(ch) < 127 else " " for ch in text).strip()
    return cleaned[:_MAX_DETAIL]


def _check_raw(body: bytes) -> None:
    if len(body) > MAX_REGINFO_SIZE:
        raise ParseError(
            f"reginfo body of {len(body)} bytes exceeds the {MAX_REGINFO_SIZE}-byte limit",
            status=413,
        )
    if not body.strip():
        raise ParseError("empty reginfo body", status=400)
    # RFC 3680 5.3: documents are UTF-8. Anything else (UTF-16/32 with their
    # NUL bytes, a declaration naming UTF-7 or Latin-1) could hide a
    # DOCTYPE from the check below, which reads the decoded text.
    if b"\x00" in body or body.startswith((b"\xfe\xff", b"\xff\xfe")):
        raise ParseError("reginfo body must be UTF-8", status=415)
    declared = _DECLARED_ENCODING.match(body)
    if declared is not None and declared.group(1).lower() not in (b"utf-8", b"utf8"):
        raise ParseError("reginfo body must be UTF-8", status=415)
    try:
        text = body.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError:
        raise ParseError("reginfo body must be UTF-8", status=415) from None
    # A DOCTYPE is the door to entity expansion (billion laughs) and external
    # entities (XXE); RFC 3680 documents never need one.
    if "<!doctype" in text.lower():
        raise ParseError("reginfo document with a DOCTYPE refused", status=400)


def _split_tag(tag: object) -> tuple[str | None, str | None]:
    """Split lxml's ``{namespace}local`` tag into (namespace, local name)."""
    # Comments and processing instructions have a non-string tag.
    if not isinstance(tag, str):
        return None, None
    if tag.startswith("{"):
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return None, tag


def _children(element: etree._Element, name: str, ns: str | None) -> Iterable[etree._Element]:
    # lxml filters by "{namespace}local" in C; "{}local" is a name in no
    # namespace. Comments and processing instructions never match.
    return element.iterchildren(f"{{{ns or ''}}}{name}")  # type: ignore[no-any-return]


def _required(element: etree._Element, name: str, what: str) -> str:
    value = element.get(name)
    if value is None:
        raise ParseError(f"reginfo {what} without the '{name}' attribute", status=400)
    return str(value)


def _optional_int(element: etree._Element, name: str) -> int | None:
    value = element.get(name)
    if value is None:
        return None
    value = value.strip()
    # Only plain non-negative decimals (RFC 3680 §5.3 types them as
    # nonNegativeInteger / unsignedLong); anything else is treated as absent
    # rather than failing the whole NOTIFY over an informational field.
    if not value.isascii() or not value.isdigit() or len(value) > 20:
        return None
    return int(value)


def _optional_float(element: etree._Element, name: str) -> float | None:
    value = element.get(name)
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    # q is a qvalue between 0 and 1 (RFC 3261 §20.10); drop nan/inf/garbage.
    if not 0.0 <= number <= 1.0:
        return None
    return number


def _text(element: etree._Element) -> str:
    if not len(element):
        # The usual <uri>sip:...</uri>: its own text is all of it.
        return (element.text or "").strip()
    return "".join(element.itertext()).strip()


def _new(cls: type[_T], **values: object) -> _T:
    """A frozen dataclass without checks filled in directly.

    The generated ``__init__`` of a frozen dataclass sets each field through
    ``object.__setattr__``; these classes check nothing, and a busy watcher
    builds one per contact of every NOTIFY.
    """
    made = object.__new__(cls)
    made.__dict__.update(values)
    return made


def _parse_contact(element: etree._Element, ns: str | None) -> Contact:
    get = element.get
    contact_id = get("id")
    raw_state = get("state")
    raw_event = get("event")
    if contact_id is None or raw_state is None or raw_event is None:
        for name in ("id", "state", "event"):
            _required(element, name, "contact")
    state = _CONTACT_STATES.get(raw_state, ContactState.UNKNOWN)
    event: ContactEvent | str = _CONTACT_EVENTS.get(raw_event, raw_event)

    uri = next(_children(element, "uri", ns), None)
    if uri is None:
        raise ParseError(f"reginfo contact {contact_id!r} without a <uri>", status=400)
    display_name = None
    unknown_params: tuple[tuple[str, str | None], ...] = ()
    if len(element) > 1:
        for dn in _children(element, "display-name", ns):
            display_name = _text(dn)
            break
        found: list[tuple[str, str | None]] = []
        for param in _children(element, "unknown-param", ns):
            name = _required(param, "name", "unknown-param")
            value = _text(param)
            found.append((name, value or None))
        unknown_params = tuple(found)

    return _new(
        Contact,
        id=str(contact_id),
        state=state,
        event=event,
        uri=_text(uri),
        display_name=display_name,
        expires=_optional_int(element, "expires"),
        retry_after=_optional_int(element, "retry-after"),
        duration_registered=_optional_int(element, "duration-registered"),
        q=_optional_float(element, "q"),
        callid=get("callid"),
        cseq=_optional_int(element, "cseq"),
        unknown_params=unknown_params,
    )


def _parse_registration(element: etree._Element, ns: str | None) -> Registration:
    aor = _required(element, "aor", "registration")
    reg_id = _required(element, "id", "registration")
    raw_state = _required(element, "state", "registration")
    state = _REGISTRATION_STATES.get(raw_state, RegistrationState.UNKNOWN)
    contacts = tuple(_parse_contact(c, ns) for c in _children(element, "contact", ns))
    return _new(Registration, aor=aor, id=reg_id, state=state, contacts=contacts)


def parse_reginfo(body: bytes) -> ReginfoDocument:
    """Parse an ``application/reginfo+xml`` body.

    The body is parsed from memory only; no file, URL or DTD is ever loaded.
    Elements from other namespaces (extensions such as RFC 5628 GRUUs) are
    ignored. Unknown ``state`` values become ``UNKNOWN`` and unknown ``event``
    values are kept as strings, so one odd server never breaks the watcher.

    Raises:
        ParseError: status 413 when the body exceeds :data:`MAX_REGINFO_SIZE`;
            415 when it is not in an ASCII-compatible encoding; 400 when it
            declares a DOCTYPE, is not well-formed XML, is not a ``<reginfo>``
            document, or lacks a required attribute (version, state, aor, id,
            contact uri).
    """
    _check_raw(body)
    try:
        parser, resolver = made = _SPARE_PARSERS.pop()
    except IndexError:
        parser, resolver = made = _make_parser()
    resolver.asked.clear()
    # The parser's own message is never sent back: it may name a file the
    # sender asked about and so say whether it exists.
    try:
        root = etree.fromstring(body, parser)
        loaded = bool(resolver.asked)
    except etree.XMLSyntaxError:
        raise ParseError("malformed reginfo XML", status=400) from None
    except ValueError:  # e.g. an unsupported encoding declaration
        raise ParseError("unreadable reginfo XML", status=400) from None
    finally:
        if len(_SPARE_PARSERS) < _MAX_SPARE:
            _SPARE_PARSERS.append(made)
    # Belt and braces: the checks above should already have caught these.
    if root.getroottree().docinfo.doctype or loaded:
        raise ParseError("reginfo document with a DOCTYPE refused", status=400)

    ns, local = _split_tag(root.tag)
    if local != "reginfo":
        raise ParseError("body is not a <reginfo> document", status=400)
    # Some servers omit the namespace; accept that, but not a foreign one.
    if ns not in (REGINFO_NAMESPACE, None):
        raise ParseError("<reginfo> in an unknown XML namespace", status=400)

    raw_version = _required(root, "version", "document")
    version = _optional_int(root, "version")
    if version is None:
        raise ParseError(f"reginfo version {_clean_detail(raw_version)!r} is invalid", status=400)
    raw_state = _required(root, "state", "document")
    try:
        state = DocState(raw_state)
    except ValueError:
        raise ParseError(
            f"reginfo state {_clean_detail(raw_state)!r} is neither full nor partial",
            status=400,
        ) from None
    registrations = tuple(_parse_registration(r, ns) for r in _children(root, "registration", ns))
    return _new(ReginfoDocument, version=version, state=state, registrations=registrations)


# --------------------------------------------------------------------------
# Applying documents


class ApplyStatus(enum.Enum):
    """What :meth:`ReginfoView.apply` did with a document."""

    #: The document changed the view (or confirmed it).
    APPLIED = "applied"
    #: Its version was not newer than the last one applied; nothing changed.
    IGNORED_OLD = "ignored-old"
    #: A partial document arrived with a version gap or before any full
    #: document; nothing changed, and the caller should refresh the
    #: subscription so the notifier sends full state (RFC 3680 §5.2).
    NEED_FULL_STATE = "need-full-state"


class ChangeKind(enum.Enum):
    """How a contact or registration changed between two views."""

    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True)
class ContactChange:
    """One contact that appeared, disappeared or changed.

    For ADDED and CHANGED, ``contact`` is the new row. For REMOVED it is the
    row as last reported: the ``terminated`` contact from the document (so
    ``event`` says why, e.g. ``expired``) or, when a full document simply
    left it out, the row that was there before.
    """

    kind: ChangeKind
    aor: str
    registration_id: str
    contact: Contact
    previous: Contact | None = None

    @property
    def event(self) -> ContactEvent | str:
        """The event the notifier gave for this contact's state change."""
        return self.contact.event


@dataclass(frozen=True)
class RegistrationChange:
    """One registration whose state or presence changed."""

    kind: ChangeKind
    registration: Registration
    previous: Registration | None = None


@dataclass(frozen=True)
class ApplyResult:
    """The outcome of :meth:`ReginfoView.apply`."""

    status: ApplyStatus
    registration_changes: tuple[RegistrationChange, ...] = ()
    contact_changes: tuple[ContactChange, ...] = ()

    @property
    def changed(self) -> bool:
        """True when anything in the view changed."""
        return bool(self.registration_changes or self.contact_changes)


@dataclass
class _RegRow:
    aor: str
    state: RegistrationState
    contacts: dict[str, Contact] = field(default_factory=dict)

    def freeze(self, reg_id: str) -> Registration:
        return _new(
            Registration,
            aor=self.aor,
            id=reg_id,
            state=self.state,
            contacts=tuple(self.contacts.values()),
        )


class ReginfoView:
    """One subscription's picture of the registrar's state (RFC 3680 §5.2).

    Registrations are keyed by their ``id`` and contacts by their ``id``
    within a registration, as §5.2 tables them. A contact reported as
    ``terminated`` is reported once in the diff and then removed.

    The version is scoped to one subscription (one dialog): when the
    subscription is re-established the notifier starts again at version 0,
    so the caller must :meth:`reset` the view on a new dialog.
    """

    def __init__(self) -> None:
        self._version: int | None = None
        self._rows: dict[str, _RegRow] = {}
        # The rows frozen, and the active bindings among them: made once per
        # applied document and handed to every reader (the diff of the next
        # document, the watcher's online test and its device list), None
        # until asked for after a change.
        self._frozen: tuple[Registration, ...] | None = ()
        self._bindings: tuple[tuple[str, Contact], ...] | None = ()

    @property
    def version(self) -> int | None:
        """The version of the last applied document, None before the first."""
        return self._version

    @property
    def registrations(self) -> tuple[Registration, ...]:
        """The current registrations, in the order the notifier first sent them."""
        frozen = self._frozen
        if frozen is None:
            frozen = self._frozen = tuple(row.freeze(reg_id) for reg_id, row in self._rows.items())
        return frozen

    def registration_for(self, aor: str) -> Registration | None:
        """The current registration whose AoR is ``aor``, if any."""
        for reg in self.registrations:
            if reg.aor == aor:
                return reg
        return None

    def active_contacts(self) -> tuple[Contact, ...]:
        """Every active contact of every active registration."""
        return tuple(contact for _, contact in self.active_bindings())

    def active_bindings(self) -> tuple[tuple[str, Contact], ...]:
        """(registration id, contact) for every active contact of every active registration.

        In the order of :attr:`registrations` and of their contacts: what a
        watcher shows as the buddy's devices.
        """
        bindings = self._bindings
        if bindings is None:
            bindings = self._bindings = tuple(
                (reg.id, contact)
                for reg in self.registrations
                if reg.state is RegistrationState.ACTIVE
                for contact in reg.contacts
                if contact.state is ContactState.ACTIVE
            )
        return bindings

    def reset(self) -> None:
        """Forget everything, e.g. when a new subscription dialog starts."""
        self._version = None
        self._rows = {}
        self._frozen = self._bindings = ()

    def apply(self, doc: ReginfoDocument, *, full_always_replaces: bool = False) -> ApplyResult:
        """Apply one document and say what changed.

        RFC 3680 §5.2: a document whose version is not newer than the last one
        is discarded; a full document flushes the tables and repopulates them;
        a partial one is merged only when its version is exactly the last
        plus one, since otherwise a notification was lost and the subscriber
        refreshes the subscription to get full state.

        With ``full_always_replaces`` a full document is applied whatever its
        version. For callers that already order NOTIFYs by CSeq (RFC 3261
        §12.2.2) and face notifiers that never increase the version: Kamailio
        5.6 sends ``version="0"`` in every full document, and a new dialog
        starts counting again at 0.
        """
        stale = self._version is not None and doc.version <= self._version
        if stale and not (full_always_replaces and doc.state is DocState.FULL):
            return ApplyResult(ApplyStatus.IGNORED_OLD)
        if doc.state is DocState.PARTIAL and (
            self._version is None or doc.version != self._version + 1
        ):
            return ApplyResult(ApplyStatus.NEED_FULL_STATE)

        # The registrations as the last document left them, frozen then.
        before = {reg.id: reg for reg in self.registrations}
        self._frozen = self._bindings = None
        reported: dict[tuple[str, str], Contact] = {}
        if doc.state is DocState.FULL:
            self._rows = {}
        for reg in doc.registrations:
            row = self._rows.get(reg.id)
            if row is None:
                row = self._rows[reg.id] = _RegRow(reg.aor, reg.state)
            row.aor = reg.aor
            row.state = reg.state
            for contact in reg.contacts:
                if contact.state is ContactState.TERMINATED:
                    # Report it with its event, then drop the row (§5.2).
                    row.contacts.pop(contact.id, None)
                    reported[(reg.id, contact.id)] = contact
                else:
                    row.contacts[contact.id] = contact
            if reg.state is RegistrationState.TERMINATED:
                # A terminated registration has no bound contacts left.
                for cid, old in row.contacts.items():
                    reported.setdefault((reg.id, cid), old)
                row.contacts = {}
        self._version = doc.version
        return ApplyResult(
            ApplyStatus.APPLIED,
            *self._diff(before, reported),
        )

    def _diff(
        self,
        before: dict[str, Registration],
        reported: dict[tuple[str, str], Contact],
    ) -> tuple[tuple[RegistrationChange, ...], tuple[ContactChange, ...]]:
        after = {r.id: r for r in self.registrations}
        reg_changes: list[RegistrationChange] = []
        contact_changes: list[ContactChange] = []
        for reg_id in [*before, *(k for k in after if k not in before)]:
            old_reg, new_reg = before.get(reg_id), after.get(reg_id)
            if new_reg is None:
                assert old_reg is not None
                reg_changes.append(RegistrationChange(ChangeKind.REMOVED, old_reg, old_reg))
            elif old_reg is None:
                reg_changes.append(RegistrationChange(ChangeKind.ADDED, new_reg))
            elif (old_reg.aor, old_reg.state) != (new_reg.aor, new_reg.state):
                reg_changes.append(RegistrationChange(ChangeKind.CHANGED, new_reg, old_reg))

            old_contacts = {c.id: c for c in old_reg.contacts} if old_reg else {}
            new_contacts = {c.id: c for c in new_reg.contacts} if new_reg else {}
            aor = new_reg.aor if new_reg is not None else before[reg_id].aor
            for cid, old in old_contacts.items():
                if cid not in new_contacts:
                    shown = reported.get((reg_id, cid), old)
                    contact_changes.append(
                        ContactChange(ChangeKind.REMOVED, aor, reg_id, shown, old)
                    )
            for cid, new in new_contacts.items():
                old_c = old_contacts.get(cid)
                if old_c is None:
                    contact_changes.append(ContactChange(ChangeKind.ADDED, aor, reg_id, new))
                elif old_c != new:
                    contact_changes.append(
                        ContactChange(ChangeKind.CHANGED, aor, reg_id, new, old_c)
                    )
        return tuple(reg_changes), tuple(contact_changes)
