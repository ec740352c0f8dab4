"""Sentences for people, kept as an English template and its values.

The core speaks English: the command line prints ``str(phrase)``. The
window translates the *template* (``QCoreApplication.translate("core",
template)``, see `ui.core_text`) and then fills in the values, themselves
translated when they are phrases. The values are what the template cannot
know: an address, a number, a host name, or a reason phrase a server sent,
which is the server's text and is never translated.

A template is the English sentence with ``{name}`` fields, so it is both the
key of its translation and the text shown when there is none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

__all__ = ["Phrase", "Value", "say"]

#: What fills a field: text as it is, or a phrase translated in turn.
Value: TypeAlias = "str | Phrase"


@dataclass(frozen=True, slots=True)
class Phrase:
    """One sentence: its English template and the values of its fields."""

    template: str
    values: tuple[tuple[str, Value], ...] = ()

    def __str__(self) -> str:
        """The sentence in English."""
        return self.template.format_map({name: str(value) for name, value in self.values})


def say(template: str, /, **values: Value) -> Phrase:
    """The phrase *template* with *values* for its fields (numbers already formatted)."""
    return Phrase(template, tuple(values.items()))
