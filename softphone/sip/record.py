"""Frozen value records: tuples with named fields that act as frozen dataclasses.

The parser builds several value objects per message (URIs, name-addrs, Via,
CSeq). A tuple with named fields is built in about half the work of a frozen
dataclass filled through its instance dict, a field is read faster, and two
records compare several times faster. :func:`record` gives such a class what
code expects of a frozen dataclass: the fields as read-only attributes, the
dataclass ``repr``, equality only with the same class, a hash of the fields,
no ordering, and the dataclass field metadata, so ``dataclasses.replace``
(through the constructor and its checks), ``dataclasses.fields`` and
``dataclasses.asdict`` keep working. Copies and pickles keep the fields as
they are, without the constructor's checks, as a dataclass's do.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable
from operator import itemgetter
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, overload

try:
    # The C field reader namedtuple uses (a read costs about half a property's).
    from _collections import _tuplegetter as _field_reader  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - other Python implementations

    def _field_reader(index: int, doc: str) -> Any:
        return property(itemgetter(index), doc=doc)


__all__ = ["Record", "rebuild", "record"]

_C = TypeVar("_C", bound=type)
_R = TypeVar("_R", bound="Record")
_tuple_eq = tuple.__eq__
_tuple_ne = tuple.__ne__

if TYPE_CHECKING:

    def rebuild(cls: type[_R], values: tuple[Any, ...], /) -> _R:
        """A record of *cls* holding *values*, already checked (no constructor)."""

else:
    # tuple.__new__ itself, not a function around it: a call less per record.
    rebuild = tuple.__new__


class Record(tuple):  # type: ignore[type-arg]
    """Base of the records: dataclass equality, hash and (no) ordering."""

    __slots__ = ()

    if TYPE_CHECKING:
        # What `record` sets: dataclasses.replace and fields accept a record.
        __dataclass_fields__: ClassVar[dict[str, dataclasses.Field[Any]]]

    def __eq__(self, other: object) -> bool:
        # As a dataclass: equal only to an instance of the very same class.
        if other.__class__ is self.__class__:
            return _tuple_eq(self, other)
        if isinstance(other, tuple):
            # Not NotImplemented: tuple's own == would compare the fields.
            return False
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return _tuple_ne(self, other)
        if isinstance(other, tuple):
            return True
        return NotImplemented

    # A frozen dataclass hashes the tuple of its fields: the same value.
    __hash__ = tuple.__hash__

    def _unordered(self, other: object) -> bool:
        # A dataclass without order=True cannot be compared with < or >.
        return NotImplemented  # type: ignore[no-any-return]

    __lt__ = __le__ = __gt__ = __ge__ = _unordered

    def __repr__(self) -> str:
        names = self._record_fields  # type: ignore[attr-defined]
        inner = ", ".join(f"{name}={value!r}" for name, value in zip(names, self, strict=True))
        return f"{type(self).__qualname__}({inner})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Copy and pickle the fields as they are (tuple's own way would call
        # the constructor with one tuple).
        return rebuild, (type(self), tuple(self))


@overload
def record(cls: _C, /) -> _C: ...
@overload
def record(*, kw_only: bool = False) -> Callable[[_C], _C]: ...
def record(cls: _C | None = None, /, *, kw_only: bool = False) -> _C | Callable[[_C], _C]:
    """Turn the annotated fields of a :class:`Record` subclass into its fields.

    Each annotation of the class body, in order, becomes a read-only field
    (a value written after it is its default), as in a dataclass. The class
    writes its own ``__new__``, which checks the values and returns
    ``rebuild(cls, (field, ...))``; with ``kw_only`` it takes keywords only,
    as a ``kw_only`` dataclass. Subclasses share the fields (not decorated).
    """
    if cls is None:
        return lambda cls: _record(cls, kw_only)
    return _record(cls, kw_only)


def _record(cls: _C, kw_only: bool) -> _C:
    annotations = inspect.get_annotations(cls)
    names = list(annotations)
    defaults = {name: cls.__dict__[name] for name in names if name in cls.__dict__}
    spec = dataclasses.make_dataclass(
        cls.__name__,
        [
            (name, annotations[name], dataclasses.field(default=defaults[name]))
            if name in defaults
            else (name, annotations[name])
            for name in names
        ],
        frozen=True,
        kw_only=kw_only,
    )
    for index, name in enumerate(names):
        setattr(cls, name, _field_reader(index, f"Field {name}"))
    cls._record_fields = tuple(names)  # type: ignore[attr-defined]
    # As a dataclass: keyword-only fields are not matched by position.
    cls.__match_args__ = () if kw_only else tuple(names)  # type: ignore[attr-defined,misc]
    cls.__dataclass_fields__ = spec.__dataclass_fields__  # type: ignore[attr-defined]
    cls.__dataclass_params__ = spec.__dataclass_params__  # type: ignore[attr-defined]
    return cls
