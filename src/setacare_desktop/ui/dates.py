"""Date inputs as the window shows them: Japanese locale, 「2026年11月25日（水）」, a calendar."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QLocale
from PySide6.QtWidgets import QDateEdit, QWidget

from setacare_desktop.domain.jpdate import local_now

JAPANESE = QLocale(QLocale.Language.Japanese, QLocale.Country.Japan)
DAY_FORMAT = "yyyy年M月d日（ddd）"


def qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def date_edit(parent: QWidget, name: str, day: date | None = None, *,
              display: str = DAY_FORMAT, calendar: bool = True) -> QDateEdit:
    """A date input named ``name`` for screen readers, showing ``day`` if given, else today
    (never Qt's own 2000年1月1日, e.g. while the input is disabled)."""
    edit = QDateEdit(parent)
    edit.setLocale(JAPANESE)
    edit.setDisplayFormat(display)
    edit.setCalendarPopup(calendar)
    edit.setAccessibleName(name)
    edit.setDate(qdate(day if day is not None else local_now().date()))
    return edit
