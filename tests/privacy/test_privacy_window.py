"""The window as the 児童館 clerk (and the まちづくりセンター supervisor): every text on screen —
labels, fields, each cell and tooltip of each list — is read, and nothing identifying of a person
they may not see is among them. The taking organisation's clerk sees the same rows whole."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush
from pytestqt.qtbot import QtBot
from tests.privacy.conftest import (
    ANONYMOUS,
    CONSENTED,
    DAY,
    PASSWORD,
    REFUSED,
    UNRECORDED,
    World,
    assert_hidden,
    assert_shown,
    widget_texts,
)
from tests.privacy.test_privacy_review_and_referrals import _refer
from tests.ui.conftest import ime_commit

from setacare_desktop.services import intake as intake_service
from setacare_desktop.ui.main_window import MainWindow
from setacare_desktop.ui.navigation import AREA_REVIEW, AREA_TODAY, AREAS
from setacare_desktop.ui.referrals.open_list import OpenReferralsPanel
from setacare_desktop.ui.row_model import MUTED_COLOR
from setacare_desktop.ui.table_models import COL_COMPLAINT, ID_ROLE
from setacare_desktop.ui.today_page import TodayPage

pytestmark = pytest.mark.gui

HIDDEN = (REFUSED, UNRECORDED, ANONYMOUS)


def _window(qtbot: QtBot, world: World, login: str) -> MainWindow:
    window = MainWindow(world.db, getattr(world, login))
    window.confirm_discard = lambda _title: True  # closing at the end leaves typed input
    qtbot.addWidget(window)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    return window


def _today(page: TodayPage) -> None:
    page.set_day(DAY)
    page.reload()


def _row_of(page: TodayPage, consultation_id: int) -> int:
    proxy = page.proxy
    return next(r for r in range(proxy.rowCount())
                if proxy.data(proxy.index(r, 0), ID_ROLE) == consultation_id)


def test_todays_list_shows_masked_rows_grey_and_nothing_identifying(
        qtbot: QtBot, sqlite_world: World) -> None:
    window = _window(qtbot, sqlite_world, "viewer")
    page = window.today_page
    _today(page)
    assert page.proxy.rowCount() == 4
    assert_hidden(widget_texts(page), *HIDDEN)
    assert_shown(widget_texts(page), CONSENTED)
    proxy = page.proxy
    refused = _row_of(page, sqlite_world.ids["refused"])
    assert proxy.data(proxy.index(refused, COL_COMPLAINT)) == "同意なし（非表示）"
    tip = proxy.data(proxy.index(refused, COL_COMPLAINT), Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("同意なし（非表示）: ") and "不同意" in tip
    unrecorded = _row_of(page, sqlite_world.ids["unrecorded"])
    brush = proxy.data(proxy.index(unrecorded, COL_COMPLAINT), Qt.ItemDataRole.ForegroundRole)
    assert isinstance(brush, QBrush) and brush.color().name() == MUTED_COLOR
    assert page.masked_label.isVisible() and "灰色の3件" in page.masked_label.text()


def test_the_taking_organisations_clerk_sees_the_rows_whole(
        qtbot: QtBot, sqlite_world: World) -> None:
    page = _window(qtbot, sqlite_world, "taker").today_page
    _today(page)
    texts = widget_texts(page)
    for spec in (REFUSED, UNRECORDED, CONSENTED):
        assert_shown(texts, spec)
    assert not page.masked_label.isVisible()


def test_a_masked_case_opens_read_only_over_the_list(qtbot: QtBot, sqlite_world: World) -> None:
    window = _window(qtbot, sqlite_world, "viewer")
    _today(window.today_page)
    assert window.open_consultation(sqlite_world.ids["refused"])
    assert window.current_area() == AREA_TODAY  # the list stays; the record opens over it
    assert window.intake_page is not None
    dialog = window.intake_page.case.masked_dialog
    assert dialog is not None and dialog.isVisible()
    assert_hidden(widget_texts(dialog), REFUSED)
    assert "T.S.（80歳代）" in dialog.texts() and "（非表示）" in dialog.texts()
    assert "不同意" in dialog.notice_label.text()
    assert window.intake_page.case_id is None  # the form was not filled
    assert_hidden(widget_texts(window.intake_page), REFUSED)


def test_an_emergency_view_carries_the_banner(qtbot: QtBot, sqlite_world: World) -> None:
    intake_service.record_emergency_exception(
        sqlite_world.db, sqlite_world.taker, sqlite_world.ids["unrecorded"],
        reason="意識不明", supervisor_login="boss", supervisor_password=PASSWORD)
    window = _window(qtbot, sqlite_world, "viewer")
    assert window.open_consultation(sqlite_world.ids["unrecorded"])
    page = window.intake_page
    assert page is not None and page.case_id == sqlite_world.ids["unrecorded"]
    assert page.name_edit.text() == UNRECORDED.name
    banner = page.case.exception_banner
    assert banner.isVisible() and banner.text().startswith("緊急時の例外により表示しています")
    page.new_intake(ask=False)
    assert not banner.isVisible()


def test_the_search_finds_nothing_of_a_masked_person(qtbot: QtBot, sqlite_world: World) -> None:
    page = _window(qtbot, sqlite_world, "viewer").today_page
    page.show_search()
    panel = page.search_panel
    for query in ("暴言", REFUSED.name.split()[0], "囲碁教室", "八重樫"):
        panel.search_edit.clear()
        ime_commit(panel.search_edit, query)
        qtbot.keyClick(panel.search_edit, Qt.Key.Key_Return)
        assert panel.model.rowCount() == 0
        assert panel.status_label.text() == f"「{query}」に一致する相談はありません。"
    panel.search_edit.clear()
    ime_commit(panel.search_edit, "さん")
    qtbot.keyClick(panel.search_edit, Qt.Key.Key_Return)
    assert panel.model.rowCount() == 1
    assert_hidden(widget_texts(panel), *HIDDEN)
    assert_shown(widget_texts(panel), CONSENTED)


def test_the_duplicate_panel_offers_no_masked_person(qtbot: QtBot, sqlite_world: World) -> None:
    window = _window(qtbot, sqlite_world, "viewer")
    page = window.intake_page
    assert page is not None
    for spec in (REFUSED, UNRECORDED):
        page.new_intake(ask=False)
        ime_commit(page.name_edit, spec.name)
        ime_commit(page.reading_edit, spec.reading)
        page.lookup_duplicates()
        assert page.duplicate_panel.list.count() == 0
        # The name typed is the clerk's own; nothing of the record may be offered beside it.
        assert_hidden(widget_texts(page.duplicate_panel), spec)
    page.new_intake(ask=False)
    ime_commit(page.name_edit, CONSENTED.name)
    page.lookup_duplicates()
    assert page.duplicate_panel.list.count() == 1


def test_the_review_screen_masks_rows_and_their_detail(qtbot: QtBot, sqlite_world: World) -> None:
    window = _window(qtbot, sqlite_world, "boss")
    window.show_area(AREA_REVIEW)
    assert AREA_REVIEW in AREAS
    page = window.review_page
    assert page is not None
    page.set_day(DAY)
    for key in ("refused", "unrecorded", "anonymous", "consented"):
        assert page.select(sqlite_world.ids[key])
        assert_hidden(widget_texts(page), *HIDDEN)
    assert page.select(sqlite_world.ids["refused"])
    assert "同意なし（非表示）" in page.detail.toPlainText()
    assert page.confirm_button.isEnabled()


def test_the_referral_list_hides_a_masked_cases_texts(qtbot: QtBot, sqlite_world: World) -> None:
    refused = _refer(sqlite_world, "refused", "鷹司 冴子さんの暴言の件で訪問をお願いします",
                     "雅人さんと連絡が取れました")
    panel = OpenReferralsPanel(sqlite_world.db, sqlite_world.viewer)
    qtbot.addWidget(panel)
    panel.reload()
    assert panel.model.rowCount() == 1
    panel.table.selectRow(0)
    assert panel.selected_referral() is not None
    assert panel.selected_referral().referral_id == refused  # type: ignore[union-attr]
    assert_hidden(widget_texts(panel), REFUSED)
