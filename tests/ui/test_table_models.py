"""Table models checked with QAbstractItemModelTester, without a window."""

from __future__ import annotations

from datetime import datetime

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QBrush, QFont
from PySide6.QtTest import QAbstractItemModelTester
from pytestqt.qtbot import QtBot

from setacare_desktop.services.consultations import ConsultationRow
from setacare_desktop.services.staff import StaffRow
from setacare_desktop.ui.table_models import (
    COL_COMPLAINT,
    COL_DISTRICT,
    COL_TARGETS,
    COL_TIME,
    COL_URGENT,
    CONSULTATION_HEADERS,
    ID_ROLE,
    ROW_ROLE,
    STAFF_COL_LOGIN,
    STAFF_COL_STATUS,
    STAFF_ROW_ROLE,
    URGENT_COLOR,
    URGENT_MARK,
    URGENT_ROLE,
    ConsultationTableModel,
    StaffTableModel,
    targets_text,
)

pytestmark = pytest.mark.gui

WARN = QAbstractItemModelTester.FailureReportingMode.Warning  # warnings fail the test


def _row(cid: int, *, urgent: bool = False, targets: tuple[str, ...] = ("高齢者",),
         hour: int = 9) -> ConsultationRow:
    return ConsultationRow(cid, datetime(2026, 11, 25, hour, 5), "池尻", "池尻まちづくりセンター",
                           "電話", "家族・親族", targets, "母の物忘れ\nが心配", "助言", urgent)


def test_consultation_model_passes_the_model_tester(qtbot: QtBot) -> None:
    model = ConsultationTableModel()
    tester = QAbstractItemModelTester(model, WARN)
    model.set_rows([_row(1), _row(2, urgent=True, targets=("高齢者", "障害者"), hour=11)])
    model.set_rows([])
    model.set_rows([_row(3)])
    assert tester is not None
    assert model.rowCount() == 1
    assert model.columnCount() == len(CONSULTATION_HEADERS)
    assert model.rowCount(model.index(0, 0)) == 0


def test_consultation_model_columns_and_roles(qtbot: QtBot) -> None:
    model = ConsultationTableModel()
    plain, urgent = _row(1), _row(2, urgent=True, targets=("高齢者", "障害者"), hour=11)
    model.set_rows([plain, urgent])
    assert model.headerData(COL_TIME, Qt.Orientation.Horizontal) == "受付時刻"
    assert model.data(model.index(0, COL_TIME)) == "09:05"
    assert model.data(model.index(0, COL_DISTRICT)) == "池尻"
    assert model.data(model.index(0, COL_COMPLAINT)) == "母の物忘れ が心配"
    assert model.data(model.index(0, COL_COMPLAINT), Qt.ItemDataRole.ToolTipRole) == (
        "母の物忘れ\nが心配")
    assert model.data(model.index(0, COL_URGENT)) == ""
    assert model.data(model.index(0, COL_URGENT), Qt.ItemDataRole.FontRole) is None
    assert model.data(model.index(1, COL_URGENT)) == URGENT_MARK
    assert model.data(model.index(1, COL_TARGETS)) == "複合（高齢者、障害者）"
    font = model.data(model.index(1, COL_DISTRICT), Qt.ItemDataRole.FontRole)
    assert isinstance(font, QFont) and font.bold()
    brush = model.data(model.index(1, COL_DISTRICT), Qt.ItemDataRole.ForegroundRole)
    assert isinstance(brush, QBrush) and brush.color().name() == URGENT_COLOR
    assert model.data(model.index(1, 0), ROW_ROLE) is urgent
    assert model.data(model.index(1, 0), ID_ROLE) == 2
    assert model.data(model.index(1, 0), URGENT_ROLE) is True
    assert model.data(QModelIndex()) is None
    assert model.urgent_count() == 1


def test_targets_text() -> None:
    assert targets_text(()) == ""
    assert targets_text(("若者",)) == "若者"
    assert targets_text(("若者", "生活困窮者")) == "複合（若者、生活困窮者）"
    assert targets_text(("障害者", "高齢者")) == "複合（高齢者、障害者）"  # the ward's order


def test_staff_model_passes_the_model_tester(qtbot: QtBot) -> None:
    model = StaffTableModel()
    tester = QAbstractItemModelTester(model, WARN)
    rows = [
        StaffRow(1, "admin", "管理 太郎", "管理者", "世田谷総合支所", True, False),
        StaffRow(2, "uketsuke", "受付 花子", "受付", "池尻まちづくりセンター", True, True),
        StaffRow(3, "old", "退職 次郎", "相談員", "池尻児童館", False, False),
    ]
    model.set_rows(rows)
    assert tester is not None
    assert model.data(model.index(0, STAFF_COL_LOGIN)) == "admin"
    assert [model.data(model.index(r, STAFF_COL_STATUS)) for r in range(3)] == [
        "有効", "ロック中", "無効"]
    assert model.data(model.index(2, 0), STAFF_ROW_ROLE) is rows[2]
