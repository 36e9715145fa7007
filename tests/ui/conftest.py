"""Helpers for the window's tests: typing Japanese, inserting consultations, answering modal
message boxes, and the operation runner made synchronous.

Slow work (``ui.operations``) runs at once on the test's thread by default, as Picard's fake
thread pool does, so that a click is followed by its outcome; ``threaded_operations`` keeps the
real worker thread for the tests that wait for it (``qtbot.waitUntil(operations.idle)``).

Consultations come two ways: ``record_case`` records one through the intake service, as the
form does (person, details, search index, audit); ``add_consultation`` writes the bare row into
the store, for lists that only need its columns (e.g. another organisation's case).

Typing: ``qtbot.keyClicks`` with any non-ASCII character aborts the whole test process, so
Japanese is committed the way an input method does it, with a ``QInputMethodEvent`` carrying a
commit string sent to the focused widget.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime, time
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from setacare_desktop.domain.intake import IntakeInput, PersonInput
from setacare_desktop.domain.jpdate import local_now
from setacare_desktop.services import Database, StaffProfile
from setacare_desktop.services import intake as intake_service
from setacare_desktop.store import stats_summary
from setacare_desktop.store.models import Consultation, ConsultationTargetGroup, Organisation
from setacare_desktop.ui import operations

if TYPE_CHECKING:
    from setacare_desktop.ui.application import SessionController

TypeText = Callable[[QWidget, str], None]
AddConsultation = Callable[..., int]
RecordCase = Callable[..., int]
AnswerMessageBox = Callable[..., list[str]]

_RUNS = re.compile(r"[\x20-\x7e]+|[^\x20-\x7e]+")


@pytest.fixture(autouse=True)
def synchronous_operations(monkeypatch: pytest.MonkeyPatch) -> None:
    """The work of an operation runs at once on the calling thread."""
    monkeypatch.setattr(operations, "synchronous", True)


@pytest.fixture
def threaded_operations(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The real worker thread; the test ends only when no operation runs any more."""
    monkeypatch.setattr(operations, "synchronous", False)
    yield
    qtbot.waitUntil(operations.idle, timeout=30_000)


def close_session_windows(session: SessionController) -> None:
    """Hide and delete whatever windows a ``SessionController`` still shows (fixture teardown)."""
    for widget in (session.first_admin_dialog, session.login_dialog, session.main_window):
        if widget is not None:
            widget.hide()
            widget.deleteLater()


def ime_commit(widget: QWidget, text: str) -> None:
    """Commit ``text`` to ``widget`` as an input method (IME) does after conversion."""
    widget.setFocus()
    target = QApplication.focusWidget() or widget
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(target, event)


@pytest.fixture
def type_text(qtbot: QtBot) -> TypeText:
    """Type into a widget like a user: ASCII as key presses, everything else through the IME."""

    def type_(widget: QWidget, text: str) -> None:
        widget.setFocus()
        for run in _RUNS.findall(text):
            if run.isascii():
                qtbot.keyClicks(widget, run)
            else:
                ime_commit(widget, run)

    return type_


def record_case_now(db: Database, actor: StaffProfile, complaint: str = "物忘れが心配", *,
                    name: str = "", reading: str = "", phone: str = "", details: str = "",
                    day: date | None = None, at: time = time(10, 0),
                    targets: Sequence[str] = ("高齢者",), response: str = "",
                    urgency: Sequence[str] = ()) -> int:
    """Record a consultation through ``services.intake.record_intake`` (labels as the form
    sends them); returns its id."""
    day = day or local_now().date()
    data = IntakeInput(
        received_at=f"{day:%Y-%m-%d} {at:%H:%M}", channel="電話", consulter_kind="本人",
        main_complaint=complaint, details=details, target_groups=list(targets),
        response=response, urgency=list(urgency),
        person=PersonInput(name=name, reading=reading, phone=phone))
    return intake_service.record_intake(db, actor, data).consultation_id


@pytest.fixture
def record_case() -> RecordCase:
    """``record_case(db, actor, complaint, *, name=…, details=…, …)`` → consultation id."""
    return record_case_now


@pytest.fixture
def add_consultation() -> AddConsultation:
    """Insert a bare consultation row straight into the store (no person, details or index)."""

    def add(db: Database, staff_id: int, *, district: str = "ikejiri",
            org_kind: str = "machizukuri", day: date | None = None, at: time = time(10, 0),
            complaint: str = "一人暮らしの母の物忘れが心配", urgent: bool = False,
            targets: Iterable[str] = ("elderly",), channel: str = "phone",
            consulter: str = "family", response: str | None = "advice") -> int:
        day = day or local_now().date()
        with db.transaction() as session:
            org = session.scalar(select(Organisation).where(
                Organisation.kind == org_kind, Organisation.district_code == district))
            assert org is not None
            consultation = Consultation(
                received_at=datetime.combine(day, at), received_on=day, channel_code=channel,
                consulter_kind_code=consulter, district_code=district,
                organisation_id=org.id, staff_id=staff_id, main_complaint=complaint,
                response_code=response, urgent=urgent,
                target_groups=[ConsultationTargetGroup(code=code) for code in targets],
            )
            session.add(consultation)
            session.flush()
            # As every save does: the statistics summary counts it in the same transaction.
            stats_summary.record_change(session, None, stats_summary.key_of(session, consultation))
            return consultation.id

    return add


DoubleClick = Callable[[QWidget, QPoint], None]


@pytest.fixture
def double_click(qtbot: QtBot) -> DoubleClick:
    """Double-click like a hand does: a click, then the press the system reports as a double
    click (``QTest.mouseDClick`` alone skips the first click, and item views ignore it)."""

    def click(widget: QWidget, pos: QPoint) -> None:
        qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=pos)
        qtbot.mouseDClick(widget, Qt.MouseButton.LeftButton, pos=pos)

    return click


@pytest.fixture
def answer_message_box(qtbot: QtBot) -> AnswerMessageBox:
    """Arm a timer that answers the next ``count`` modal QMessageBoxes; returns a list that
    receives their texts. Call it just before the code that opens the (blocking) boxes."""

    def arm(button: QMessageBox.StandardButton = QMessageBox.StandardButton.Ok,
            count: int = 1, attempts: int = 500) -> list[str]:
        seen: list[str] = []
        answered: list[QMessageBox] = []

        def poll(remaining: int) -> None:
            box = QApplication.activeModalWidget()
            if isinstance(box, QMessageBox) and box not in answered:
                answered.append(box)
                seen.append(box.text())
                chosen = box.button(button)
                if chosen is not None:
                    chosen.click()
                else:
                    box.reject()
            if len(seen) < count and remaining > 0:
                QTimer.singleShot(10, lambda: poll(remaining - 1))

        QTimer.singleShot(0, lambda: poll(attempts))
        return seen

    return arm
