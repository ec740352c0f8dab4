"""Dates as a person reads them: "Today", "Yesterday", "Monday 23 November".

Day and month names come from `QLocale`, so they follow the language the
window is shown in; the words "Today" and "Yesterday" go through Qt's
translation like every other sentence.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QCoreApplication, QDate, QDateTime, QLocale

__all__ = ["day_label", "full_time", "list_time", "same_day"]


def _date(when: float) -> QDate:
    local = time.localtime(when)
    return QDate(local.tm_year, local.tm_mon, local.tm_mday)


def same_day(a: float, b: float) -> bool:
    """True when *a* and *b* fall on the same local calendar day."""
    return time.localtime(a)[:3] == time.localtime(b)[:3]


def day_label(when: float, *, now: float | None = None) -> str:
    """The date separator's text: "Today", "Yesterday", "Monday 23 November" (year if not this)."""
    day = _date(when)
    today = _date(time.time() if now is None else now)
    if day == today:
        return QCoreApplication.translate("dates", "Today")
    if day.addDays(1) == today:
        return QCoreApplication.translate("dates", "Yesterday")
    locale = QLocale()
    if day.year() == today.year():
        return locale.toString(day, QCoreApplication.translate("dates", "dddd d MMMM"))
    return locale.toString(day, QCoreApplication.translate("dates", "dddd d MMMM yyyy"))


def full_time(when: float) -> str:
    """Date and time for a tooltip: "Monday 23 November 2026, 14:02:05"."""
    moment = QDateTime.fromMSecsSinceEpoch(int(when * 1000))
    return QLocale().toString(
        moment, QCoreApplication.translate("dates", "dddd d MMMM yyyy, HH:mm:ss")
    )


def list_time(when: float, *, now: float | None = None) -> str:
    """The time beside a conversation: "14:02" today, "Yesterday", "Mon" this week, "23 Nov"."""
    day = _date(when)
    today = _date(time.time() if now is None else now)
    if day == today:
        return time.strftime("%H:%M", time.localtime(when))
    if day.addDays(1) == today:
        return QCoreApplication.translate("dates", "Yesterday")
    locale = QLocale()
    if day.daysTo(today) < 7:
        return locale.toString(day, "ddd")
    if day.year() == today.year():
        return locale.toString(day, QCoreApplication.translate("dates", "d MMM"))
    return locale.toString(day, QCoreApplication.translate("dates", "d MMM yyyy"))
