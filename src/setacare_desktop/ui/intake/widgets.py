"""Small widgets of the intake form: code-list combos, checkbox groups, date hints, consent boxes.

Everything here holds plain strings and codes (what ``IntakeInput`` carries); nothing converts
what the clerk typed, so a failed save or a draft never loses a character.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from setacare_desktop.domain.intake import parse_datetime
from setacare_desktop.domain.jpdate import (
    DateParseError,
    age_on,
    parse_date,
    to_wareki,
    wareki_with_western,
)
from setacare_desktop.domain.reference import Term
from setacare_desktop.ui.forms import ERROR_COLOR, error_label

WEEKDAYS = "月火水木金土日"
HINT_STYLE = ""
PLACEHOLDER = "（選択してください）"
NOT_SET = "（未選択）"


class Debouncer(QObject):
    """Calls ``fired`` once the pokes stop for ``delay_ms``.

    ``poke`` on every keystroke only notes the time; the timer is (re)armed at most once per
    quiet period instead of being restarted on each key, which keeps typing cheap.
    """

    fired = Signal()

    def __init__(self, delay_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.delay_ms = delay_ms
        self._last = 0.0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._timeout)

    def poke(self) -> None:
        self._last = time.monotonic()
        if not self._timer.isActive():
            self._timer.start(self.delay_ms)

    def stop(self) -> None:
        if self._timer.isActive():
            self._timer.stop()

    def is_pending(self) -> bool:
        return self._timer.isActive()

    def _timeout(self) -> None:
        remaining = self.delay_ms - (time.monotonic() - self._last) * 1000
        if remaining > 1:
            self._timer.start(int(remaining) + 1)
        else:
            self.fired.emit()


class TermCombo(QComboBox):
    """A combo over a code list; its value is the code ("" for the placeholder entry).

    A value that is not in the list (e.g. restored from an old draft) is added as an extra entry
    rather than dropped, so the validation can name it and nothing is silently lost.
    """

    def __init__(self, terms: Sequence[Term], placeholder: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._placeholder = placeholder is not None
        if placeholder is not None:
            self.addItem(placeholder, "")
        for term in terms:
            self.addItem(term.label, term.code)

    def code(self) -> str:
        value = self.currentData()
        return value if isinstance(value, str) else ""

    def set_code(self, text: str) -> None:
        text = text.strip()
        if not text:
            self.setCurrentIndex(0)
            return
        for index in range(self.count()):
            if text in (self.itemData(index), self.itemText(index)):
                self.setCurrentIndex(index)
                return
        self.addItem(text, text)
        self.setCurrentIndex(self.count() - 1)


class CheckGroup(QWidget):
    """Checkboxes over a code list, laid out in a grid; every box is its own Tab stop."""

    changed = Signal()

    def __init__(self, terms: Sequence[Term], columns: int, accessible: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.terms = tuple(terms)
        self.boxes: list[QCheckBox] = []
        self._extra: list[str] = []  # codes not in the list (kept, shown by validation)
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for index, term in enumerate(self.terms):
            box = QCheckBox(term.label, self)
            box.setAccessibleName(f"{accessible}: {term.label}")
            box.toggled.connect(self.changed)
            layout.addWidget(box, index // columns, index % columns)
            self.boxes.append(box)

    def codes(self) -> list[str]:
        return [t.code for t, box in zip(self.terms, self.boxes, strict=True)
                if box.isChecked()] + self._extra

    def set_codes(self, values: Iterable[str]) -> None:
        wanted = set(values)
        known: set[str] = set()
        for term, box in zip(self.terms, self.boxes, strict=True):
            box.setChecked(term.code in wanted or term.label in wanted)
            known.update((term.code, term.label))
        self._extra = [v for v in values if v not in known]
        self.changed.emit()

    def box(self, code: str) -> QCheckBox:
        for term, box in zip(self.terms, self.boxes, strict=True):
            if term.code == code:
                return box
        raise KeyError(code)


class ConsentBox(QCheckBox):
    """One recipient and purpose: 未確認 (unticked), 同意 (ticked) or 不同意 (partly ticked).

    Space cycles 未確認 → 同意 → 不同意 → 未確認, so the common answer is one key press; the
    box's text always says the state in words.
    """

    NOT_ASKED = "未確認"
    GIVEN = "同意"
    REFUSED = "不同意"

    def __init__(self, accessible: str, parent: QWidget | None = None) -> None:
        super().__init__(self.NOT_ASKED, parent)
        self.setTristate(True)
        self.setAccessibleName(accessible)
        self.stateChanged.connect(self._show_state)

    def nextCheckState(self) -> None:
        following = {
            Qt.CheckState.Unchecked: Qt.CheckState.Checked,
            Qt.CheckState.Checked: Qt.CheckState.PartiallyChecked,
            Qt.CheckState.PartiallyChecked: Qt.CheckState.Unchecked,
        }
        self.setCheckState(following[self.checkState()])

    def decision(self) -> bool | None:
        """True: given; False: refused; None: not asked."""
        state = self.checkState()
        if state == Qt.CheckState.Checked:
            return True
        if state == Qt.CheckState.PartiallyChecked:
            return False
        return None

    def set_decision(self, value: bool | None) -> None:
        self.setCheckState(Qt.CheckState.Unchecked if value is None else
                           Qt.CheckState.Checked if value else Qt.CheckState.PartiallyChecked)

    def _show_state(self) -> None:
        value = self.decision()
        self.setText(self.NOT_ASKED if value is None else self.GIVEN if value else self.REFUSED)
        self.setStyleSheet(f"color: {ERROR_COLOR};" if value is False else "")


class FieldBox(QWidget):
    """A field with an optional hint beside it and its own error line under it."""

    def __init__(self, widget: QWidget, hint: QLabel | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.widget = widget
        self.hint = hint
        self.error = error_label(self)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(widget, 1)
        if hint is not None:
            row.addWidget(hint, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.error)

    def show_error(self, text: str) -> None:
        set_text(self.error, text)
        set_visible(self.error, bool(text))


def hint_label(parent: QWidget | None = None) -> QLabel:
    label = QLabel(parent)
    label.setStyleSheet(HINT_STYLE)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _weekday(day: date) -> str:
    return WEEKDAYS[day.weekday()]


def received_hint(text: str) -> tuple[str, bool]:
    """What the 受付日時 field means, e.g. 「令和8年（2026年）11月24日（火）10:30」; (text, ok)."""
    if not text.strip():
        return "", True
    try:
        moment = parse_datetime(text)
    except DateParseError as error:
        return f"？ {error}", False
    return (f"{wareki_with_western(moment.date())}（{_weekday(moment.date())}）"
            f"{moment:%H:%M}"), True


def birth_hint(text: str, on: date) -> tuple[str, bool]:
    """The birth date in 和暦 with the age on ``on``, e.g. 「昭和20年3月3日（81歳）」."""
    if not text.strip():
        return "", True
    try:
        birth = parse_date(text)
    except DateParseError as error:
        return f"？ {error}", False
    if birth > on:
        return f"{to_wareki(birth)}（未来の日付です）", False
    return f"{to_wareki(birth)}（{age_on(birth, on)}歳）　西暦{birth.year}年", True


def date_hint(text: str) -> tuple[str, bool]:
    """A plain date in 和暦 with the weekday, e.g. 「令和8年（2026年）12月1日（火）」."""
    if not text.strip():
        return "", True
    try:
        day = parse_date(text)
    except DateParseError as error:
        return f"？ {error}", False
    return f"{wareki_with_western(day)}（{_weekday(day)}）", True


def show_hint(label: QLabel, hint: tuple[str, bool]) -> None:
    text, ok = hint
    set_text(label, text)
    set_style(label, HINT_STYLE if ok else f"color: {ERROR_COLOR};")


# Setters that touch the widget only when the value changes. The form refreshes its marks on
# every keystroke; unchanged widgets are then left alone (no repaint, no needless Qt call).


def set_text(label: QLabel, text: str) -> None:
    if label.text() != text:
        label.setText(text)


def set_style(widget: QWidget, style: str) -> None:
    if widget.styleSheet() != style:
        widget.setStyleSheet(style)


def set_visible(widget: QWidget, visible: bool) -> None:
    if widget.isHidden() == visible:
        widget.setVisible(visible)


def set_enabled(widget: QWidget, enabled: bool) -> None:
    if widget.isEnabled() != enabled:
        widget.setEnabled(enabled)


def default_received(now: datetime) -> str:
    """What 受付日時 starts with: 「令和8年11月24日 10:30」."""
    return f"{to_wareki(now.date())} {now:%H:%M}"


def dispose(dialog: QDialog | None) -> None:
    """The previous dialog of a kind goes when the next one opens (kept until then for its
    result and for tests)."""
    if dialog is not None:
        dialog.close()
        dialog.deleteLater()
