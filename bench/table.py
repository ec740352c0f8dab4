"""One row per measured thing, printed as a single Markdown table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    """One line of the table.

    `value` is the headline number (None when the row could not be measured,
    e.g. a peer is not installed; `note` then says why). `ratio` compares us
    with a peer: ours ÷ this row for parsers, this row ÷ SIPp's for the stack.
    """

    benchmark: str
    subject: str
    value: float | None
    unit: str
    detail: str = ""
    ratio: float | None = None
    note: str = ""

    def cells(self) -> list[str]:
        """The row's cells as text."""
        if self.value is None:
            value = "—"
        elif self.value < 10:
            # Milliseconds of an append or a scroll: keep one decimal.
            value = f"{self.value:.1f} {self.unit}"
        else:
            value = f"{self.value:,.0f} {self.unit}"
        ratio = "" if self.ratio is None else f"{self.ratio:.2f}x"
        return [self.benchmark, self.subject, value, self.detail, ratio, self.note]


HEADER = ["benchmark", "subject", "median", "detail", "ratio", "notes"]


def render(rows: Sequence[Row]) -> str:
    """A Markdown table of `rows`."""
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    for row in rows:
        cells = [c.replace("|", "\\|") for c in row.cells()]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
