"""検索: typing a Japanese query, lazy paging of the hits, and the highlighted words."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, time, timedelta

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QTextDocument
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from setacare_desktop.domain.jpdate import local_now
from setacare_desktop.services import (
    Database,
    PermissionDeniedError,
    ServiceError,
    StaffProfile,
    audit,
)
from setacare_desktop.services.search import PAGE_SIZE, SearchHit
from setacare_desktop.ui.columns import row_list_view
from setacare_desktop.ui.delegates import ELLIPSIS, MATCH_BACKGROUND, elide_document
from setacare_desktop.ui.highlight import highlight_html, match_spans
from setacare_desktop.ui.search_model import Page, SearchFetch
from setacare_desktop.ui.search_panel import HINT, SEARCH_DELAY_MS, SearchPanel
from setacare_desktop.ui.table_models import (
    HIGHLIGHT_ROLE,
    ID_ROLE,
    SEARCH_COL_COMPLAINT,
    SEARCH_COL_DISTRICT,
    SEARCH_COL_EXCERPT,
    SEARCH_COL_PERSON,
    SEARCH_COL_READING,
    SEARCH_COL_RECEIVED,
    SEARCH_COL_URGENT,
    SEARCH_HEADERS,
    URGENT_MARK,
    SearchResultTableModel,
)
from setacare_desktop.ui.today_page import TodayPage

pytestmark = pytest.mark.gui

MakeStaff = Callable[..., StaffProfile]
TypeText = Callable[[QWidget, str], None]  # tests/ui/conftest.py
RecordCase = Callable[..., int]
DoubleClick = Callable[[QWidget, QPoint], None]
WARN = QAbstractItemModelTester.FailureReportingMode.Warning  # warnings fail the test


@pytest.fixture
def clerk(db: Database, staff_factory: MakeStaff) -> StaffProfile:
    return staff_factory(db, "ikejiri1", role="相談員")


@pytest.fixture
def open_panel(qtbot: QtBot, db: Database) -> Callable[[StaffProfile], SearchPanel]:
    def open_(actor: StaffProfile) -> SearchPanel:
        panel = SearchPanel(db, actor)
        qtbot.addWidget(panel)
        panel.resize(1100, 500)
        panel.show()
        qtbot.waitExposed(panel)
        return panel

    return open_


def searches(db: Database) -> int:
    return sum(1 for e in audit.recent(db, 500) if e.action == "consultation_search")


# --- the highlighting, without a window ----------------------------------------------------


def test_match_spans_fold_kana_width_and_kanji_variants() -> None:
    assert match_spans("母の介護について", ["介護"]) == [(2, 4)]
    assert match_spans("カイゴの相談", ["かいご"]) == [(0, 3)]  # katakana text, hiragana word
    assert match_spans("ｶｲｺﾞの相談", ["かいご"]) == [(0, 4)]  # half-width with a voiced mark
    assert match_spans("齋藤 花子", ["斎藤"]) == [(0, 2)]  # kanji variant
    assert match_spans("ＡＢＣ相談", ["abc"]) == [(0, 3)]  # full-width letters
    assert match_spans("介護と介護保険", ["介護", "保険"]) == [(0, 2), (3, 7)]  # merged
    assert match_spans("相談", []) == [] and match_spans("", ["相談"]) == []


def test_highlight_html_escapes_and_bolds() -> None:
    assert highlight_html("母の介護<急ぎ>", ["介護"]) == "母の<b>介護</b>&lt;急ぎ&gt;"
    assert highlight_html("a & b", ["b"]) == "a &amp; <b>b</b>"
    assert highlight_html("何もない", ["介護"]) == "何もない"


def test_a_long_highlighted_text_is_elided_at_a_character(qtbot: QtBot) -> None:
    document = QTextDocument()
    document.setDocumentMargin(0)
    document.setHtml("<span style='white-space:pre'>"
                     + highlight_html("母の介護について相談したい。" * 5, ["介護"]) + "</span>")
    width = QFontMetricsF(document.defaultFont()).horizontalAdvance("母の介護について") + 1
    elide_document(document, width)
    assert document.idealWidth() <= width
    text = document.toPlainText()
    assert text.endswith(ELLIPSIS) and text.startswith("母の介護")
    block = document.firstBlock()
    bold = [f.fragment().text() for f in block if f.fragment().charFormat().fontWeight() >= 700]
    assert bold == ["介護"]  # the highlighting of what remains is kept


# --- the model, with a stand-in search -----------------------------------------------------


def _hits(ids: range, *, urgent: int | None = None) -> list[SearchHit]:
    return [SearchHit(i, datetime(2026, 11, 24, 10, 0) - timedelta(days=i), "池尻",
                      f"氏名{i}", "いけじり", f"介護の相談 {i}", f"…母の介護について {i}…",
                      i == urgent)
            for i in ids]


class FakeSearch:
    """Pages of 3 hits from 10 down to 1, as ``services.search.search`` pages them."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int | None]] = []

    def __call__(self, query: str, before_id: int | None) -> tuple[list[str], list[SearchHit]]:
        self.calls.append((query, before_id))
        top = 10 if before_id is None else before_id - 1
        return ["介護"], _hits(range(top, max(top - 3, 0), -1), urgent=9)


def test_search_model_pages_lazily_and_passes_the_model_tester(qtbot: QtBot) -> None:
    fetch = FakeSearch()
    model = SearchResultTableModel(fetch, page_size=3)
    tester = QAbstractItemModelTester(model, WARN)
    assert not model.canFetchMore()
    model.set_query("介護")
    assert model.rowCount() == 3 and model.columnCount() == len(SEARCH_HEADERS)
    assert model.canFetchMore() and model.has_more()
    model.fetchMore()
    assert fetch.calls == [("介護", None), ("介護", 8)]
    while model.canFetchMore():
        model.fetchMore()
    assert [model.data(model.index(r, 0), ID_ROLE) for r in range(model.rowCount())] == list(
        range(10, 0, -1))
    assert fetch.calls[-1] == ("介護", 2)  # the last page held one hit: no more asked
    assert model.words == ["介護"]
    model.set_query("   ")
    assert model.rowCount() == 0 and not model.canFetchMore()
    assert tester is not None


def test_search_model_columns_roles_and_highlight(qtbot: QtBot) -> None:
    model = SearchResultTableModel(FakeSearch(), page_size=3)
    model.set_query("介護")
    assert model.headerData(SEARCH_COL_EXCERPT, Qt.Orientation.Horizontal) == "相談内容（抜粋）"
    assert model.data(model.index(0, SEARCH_COL_RECEIVED)) == "R8.11.14 10:00"  # the 和暦 short form of every list
    assert model.data(model.index(0, SEARCH_COL_RECEIVED), Qt.ItemDataRole.ToolTipRole) == (
        "令和8年11月14日")
    assert model.data(model.index(0, SEARCH_COL_DISTRICT)) == "池尻"
    assert model.data(model.index(0, SEARCH_COL_PERSON)) == "氏名10"
    assert model.data(model.index(0, SEARCH_COL_READING)) == "いけじり"
    assert model.data(model.index(0, SEARCH_COL_COMPLAINT), HIGHLIGHT_ROLE) == (
        "<b>介護</b>の相談 10")
    assert model.data(model.index(0, SEARCH_COL_EXCERPT), HIGHLIGHT_ROLE) == (
        "…母の<b>介護</b>について 10…")
    assert model.data(model.index(0, SEARCH_COL_RECEIVED), HIGHLIGHT_ROLE) is None
    assert model.data(model.index(1, SEARCH_COL_URGENT)) == URGENT_MARK
    font = model.data(model.index(1, SEARCH_COL_COMPLAINT), Qt.ItemDataRole.FontRole)
    assert isinstance(font, QFont) and font.bold()
    assert model.data(model.index(0, SEARCH_COL_URGENT)) == ""

    anonymous = SearchHit(1, datetime(2026, 11, 24, 10, 0), "池尻", "", "", "介護", "", False)
    model = SearchResultTableModel(lambda _q, _b: (["介護"], [anonymous]))
    model.set_query("介護")
    assert model.data(model.index(0, SEARCH_COL_PERSON)) == "（匿名）"
    assert not model.canFetchMore()


def test_a_failed_page_stops_fetching_and_says_why(qtbot: QtBot) -> None:
    calls = 0

    def fetch(query: str, before_id: int | None) -> tuple[list[str], list[SearchHit]]:
        nonlocal calls
        calls += 1
        if before_id is not None:
            raise PermissionDeniedError("相談記録を検索する権限がありません。")
        return ["介護"], _hits(range(3, 0, -1))

    model = SearchResultTableModel(fetch, page_size=3)
    model.set_query("介護")
    with qtbot.waitSignal(model.failed) as failed:
        model.fetchMore()
    assert failed.args == ["相談記録を検索する権限がありません。"]
    assert model.rowCount() == 3 and not model.canFetchMore() and calls == 2


class CountingSearch:
    """Pages of ``page`` hits from ``top`` down to 1, counting how each page was asked for."""

    def __init__(self, top: int, page: int) -> None:
        self.top, self.page = top, page
        self.calls: list[int | None] = []

    def __call__(self, query: str, before_id: int | None) -> tuple[list[str], list[SearchHit]]:
        self.calls.append(before_id)
        first = self.top if before_id is None else before_id - 1
        return ["介護"], _hits(range(first, max(first - self.page, 0), -1))


def shown_ids(model: SearchResultTableModel) -> list[int]:
    return [model.data(model.index(r, 0), ID_ROLE) for r in range(model.rowCount())]


def test_the_model_holds_a_window_of_pages_and_reads_dropped_ones_again(qtbot: QtBot) -> None:
    fetch = CountingSearch(top=30, page=3)
    model = SearchResultTableModel(fetch, page_size=3, kept_pages=2)
    tester = QAbstractItemModelTester(model, WARN)
    model.set_query("介護")
    while model.canFetchMore():
        model.fetchMore()
    assert model.rowCount() == 30
    assert model.held_pages() == 3  # the first page and the two read last, not ten
    read_down = list(fetch.calls)
    assert read_down == [None, 28, 25, 22, 19, 16, 13, 10, 7, 4, 1]  # the last, empty page

    assert shown_ids(model) == list(range(30, 0, -1))  # every row right, top to bottom
    again = fetch.calls[len(read_down):]
    assert None not in again  # the first page is never read again (that is the audited search)
    # each page with the before_id it was first read with (the last two were dropped meanwhile)
    assert again == [28, 25, 22, 19, 16, 13, 10, 7, 4]
    assert model.held_pages() == 3
    assert model.hit_at(4).consultation_id == 26
    assert model.data(model.index(29, SEARCH_COL_COMPLAINT)) == "介護の相談 1"
    assert model.data(model.index(30, 0), ID_ROLE) is None
    assert tester is not None


def test_a_dropped_page_that_cannot_be_read_again_says_why(qtbot: QtBot) -> None:
    fetch = CountingSearch(top=12, page=3)
    broken = False

    def flaky(query: str, before_id: int | None) -> tuple[list[str], list[SearchHit]]:
        if broken:
            raise PermissionDeniedError("相談記録を検索する権限がありません。")
        return fetch(query, before_id)

    model = SearchResultTableModel(flaky, page_size=3, kept_pages=1)
    model.set_query("介護")
    while model.canFetchMore():
        model.fetchMore()
    broken = True
    with qtbot.waitSignal(model.failed) as failed:
        assert model.data(model.index(4, 0), ID_ROLE) is None  # page 2 was dropped
    assert failed.args == ["相談記録を検索する権限がありません。"]
    assert model.data(model.index(0, 0), ID_ROLE) == 12  # the first page is still there
    assert model.rowCount() == 12


def test_scrolling_a_long_list_down_and_back_up_shows_the_right_rows(qtbot: QtBot) -> None:
    fetch = CountingSearch(top=400, page=20)
    model = SearchResultTableModel(fetch, page_size=20, kept_pages=2)
    table = row_list_view(model, None)
    qtbot.addWidget(table)
    table.resize(800, 300)
    table.show()
    qtbot.waitExposed(table)
    model.set_query("介護")
    table.setFocus()
    scroll_bar = table.verticalScrollBar()
    qtbot.waitUntil(lambda: scroll_bar.maximum() > 0)
    for _ in range(40):  # the user presses Ctrl+End until the list stops growing
        qtbot.keyClick(table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
        if not model.canFetchMore():
            break
    assert model.rowCount() == 400 and not model.canFetchMore()

    def first_shown() -> int:
        return int(table.indexAt(QPoint(5, 5)).data(ID_ROLE))

    table.scrollToBottom()
    qtbot.waitUntil(lambda: first_shown() < 30)
    assert table.indexAt(QPoint(5, table.viewport().height() - 5)).data(ID_ROLE) == 1
    qtbot.keyClick(table, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: first_shown() == 400)
    scroll_bar.setValue(250)  # dragged to the middle: a page dropped long ago, read again
    qtbot.waitUntil(lambda: first_shown() == 150)
    assert table.indexAt(QPoint(5, 5)).siblingAtColumn(SEARCH_COL_PERSON).data() == "氏名150"
    assert model.held_pages() <= 3


class HeldReader:
    """A page reader that keeps each read until the test delivers it (as the worker thread's
    result would arrive later)."""

    def __init__(self) -> None:
        self.waiting: list[tuple[Callable[[], Page], Callable[[Page], None],
                                 Callable[[ServiceError], None]]] = []

    def __call__(self, read: Callable[[], Page], done: Callable[[Page], None],
                 failed: Callable[[ServiceError], None]) -> None:
        self.waiting.append((read, done, failed))

    def deliver(self) -> None:
        read, done, _failed = self.waiting.pop(0)
        done(read())


def test_pages_are_read_by_the_reader_not_while_the_view_asks(qtbot: QtBot) -> None:
    fetch = CountingSearch(top=12, page=3)
    reader = HeldReader()
    model = SearchResultTableModel(fetch, page_size=3, kept_pages=2, reader=reader)
    tester = QAbstractItemModelTester(model, WARN)
    model.set_query("介護")  # (the first page comes from the panel's own operation)
    model.fetchMore()
    assert fetch.calls == [None] and len(reader.waiting) == 1  # nothing read yet
    assert not model.canFetchMore() and model.rowCount() == 3  # one read at a time
    with qtbot.waitSignal(model.page_read):
        reader.deliver()
    assert model.rowCount() == 6 and fetch.calls == [None, 10]
    while model.canFetchMore() or reader.waiting:
        model.fetchMore()
        reader.deliver()
    assert model.rowCount() == 12 and model.held_pages() == 3

    # Row 4's page was dropped: its cells are empty until the page read again arrives.
    assert model.data(model.index(4, 0), ID_ROLE) is None
    assert model.data(model.index(5, 0), ID_ROLE) is None  # the same page: asked for once
    assert len(reader.waiting) == 1
    with qtbot.waitSignal(model.dataChanged) as changed:
        reader.deliver()
    assert (changed.args[0].row(), changed.args[1].row()) == (3, 5)
    assert model.data(model.index(4, 0), ID_ROLE) == 8

    # A page that arrives after the user searched for something else is not shown.
    assert None in shown_ids(model)  # a page dropped meanwhile, asked for again
    model.fetchMore()
    model.set_query("家賃")
    for _ in range(len(reader.waiting)):
        reader.deliver()
    assert model.query == "家賃" and model.rowCount() == 3
    assert shown_ids(model) == [12, 11, 10]
    assert tester is not None


# --- the panel, against the database -------------------------------------------------------


def test_typing_a_japanese_query_searches_once_the_user_pauses(
        qtbot: QtBot, db: Database, clerk: StaffProfile, record_case: RecordCase,
        type_text: TypeText, open_panel: Callable[[StaffProfile], SearchPanel]) -> None:
    last_year = local_now().date() - timedelta(days=365)
    old = record_case(db, clerk, "介護保険の申請をしたい", name="林 一郎", reading="はやし いちろう",
                      day=last_year)
    new = record_case(db, clerk, "成年後見について", name="佐藤 花子",
                      details="後見人の相談。母の介護も必要になってきた。", at=time(9, 0))
    record_case(db, clerk, "子育ての悩み", name="鈴木 次郎")
    panel = open_panel(clerk)
    assert panel.status_label.text() == HINT
    before = searches(db)

    type_text(panel.search_edit, "介")
    type_text(panel.search_edit, "護")  # two IME commits, one pause: one search
    assert panel.pending() and panel.model.rowCount() == 0
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2, timeout=SEARCH_DELAY_MS * 5)
    assert searches(db) == before + 1
    model = panel.model
    assert [model.data(model.index(r, 0), ID_ROLE) for r in range(2)] == [new, old]  # newest
    assert panel.status_label.text() == "2件（新しい順）"
    excerpt = model.data(model.index(0, SEARCH_COL_EXCERPT), HIGHLIGHT_ROLE)
    assert "<b>介護</b>" in excerpt
    assert model.data(model.index(1, SEARCH_COL_COMPLAINT), HIGHLIGHT_ROLE) == (
        "<b>介護</b>保険の申請をしたい")

    panel.search_edit.clear()
    type_text(panel.search_edit, "ハヤシ")  # katakana finds the hiragana reading
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1 and panel.model.query == "ハヤシ")
    assert model.data(model.index(0, SEARCH_COL_READING), HIGHLIGHT_ROLE) == (
        "<b>はやし</b> いちろう")

    panel.search_edit.clear()
    type_text(panel.search_edit, "存在しない言葉")
    qtbot.keyClick(panel.search_edit, Qt.Key.Key_Return)  # Enter searches at once
    assert not panel.pending()
    assert panel.model.rowCount() == 0
    assert panel.status_label.text() == "「存在しない言葉」に一致する相談はありません。"


def test_scrolling_fetches_the_next_page(
        qtbot: QtBot, db: Database, clerk: StaffProfile, record_case: RecordCase,
        type_text: TypeText, open_panel: Callable[[StaffProfile], SearchPanel]) -> None:
    ids = [record_case(db, clerk, f"家賃の相談 {n}", name=f"山田 {n}") for n in range(130)]
    record_case(db, clerk, "関係のない相談")
    panel = open_panel(clerk)
    type_text(panel.search_edit, "家賃")
    qtbot.keyClick(panel.search_edit, Qt.Key.Key_Return)
    model = panel.model
    assert model.rowCount() == PAGE_SIZE == 100
    assert model.canFetchMore()
    assert panel.status_label.text().startswith("100件以上")

    scroll_bar = panel.table.verticalScrollBar()
    qtbot.waitUntil(lambda: scroll_bar.maximum() > 0)  # the list is laid out (and shown)
    panel.table.setFocus()
    qtbot.keyClick(panel.table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)  # to the end
    qtbot.waitUntil(lambda: model.rowCount() == 130)
    assert not model.canFetchMore()
    assert panel.status_label.text() == "130件（新しい順）"
    shown = [model.data(model.index(r, 0), ID_ROLE) for r in range(model.rowCount())]
    assert shown == ids[::-1]
    assert model.data(model.index(129, SEARCH_COL_COMPLAINT), HIGHLIGHT_ROLE) == (
        "<b>家賃</b>の相談 0")


def searched_panel(qtbot: QtBot, db: Database, clerk: StaffProfile, type_text: TypeText,
                   fetch: SearchFetch) -> SearchPanel:
    """A shown search panel over a stand-in ``fetch``, after the user searched 「介護」 and its
    first page is shown; the focus in the list."""

    class Panel(SearchPanel):
        def _fetch(self, query: str, before_id: int | None) -> tuple[list[str], list[SearchHit]]:
            return fetch(query, before_id)

    panel = Panel(db, clerk)
    qtbot.addWidget(panel)
    panel.resize(1100, 500)
    panel.show()
    qtbot.waitExposed(panel)
    type_text(panel.search_edit, "介護")
    qtbot.keyClick(panel.search_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.model.rowCount() == PAGE_SIZE)
    panel.table.setFocus()
    return panel


def test_the_count_is_final_when_the_last_page_was_full(
        qtbot: QtBot, db: Database, clerk: StaffProfile, type_text: TypeText) -> None:
    fetch = CountingSearch(top=2 * PAGE_SIZE, page=PAGE_SIZE)  # two full pages, then nothing
    panel = searched_panel(qtbot, db, clerk, type_text, fetch)
    for _ in range(5):
        qtbot.keyClick(panel.table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    assert fetch.calls == [None, PAGE_SIZE + 1, 1]  # the third page came back empty
    assert panel.status_label.text() == "200件（新しい順）"  # not 「200件以上」


def test_no_page_is_read_on_the_windows_thread(
        qtbot: QtBot, db: Database, clerk: StaffProfile, type_text: TypeText,
        threaded_operations: None) -> None:
    fetch = CountingSearch(top=3 * PAGE_SIZE, page=PAGE_SIZE)
    threads: list[str] = []

    def on_its_thread(query: str, before_id: int | None) -> tuple[list[str], list[SearchHit]]:
        threads.append(threading.current_thread().name)
        return fetch(query, before_id)

    panel = searched_panel(qtbot, db, clerk, type_text, on_its_thread)
    for rows in (2 * PAGE_SIZE, 3 * PAGE_SIZE):
        qtbot.keyClick(panel.table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda rows=rows: panel.model.rowCount() == rows)
    assert fetch.calls[:3] == [None, 2 * PAGE_SIZE + 1, PAGE_SIZE + 1]
    assert threads and threading.main_thread().name not in threads


def test_double_click_on_a_hit_asks_to_open_it(
        qtbot: QtBot, db: Database, clerk: StaffProfile, record_case: RecordCase,
        type_text: TypeText, double_click: DoubleClick,
        open_panel: Callable[[StaffProfile], SearchPanel]) -> None:
    wanted = record_case(db, clerk, "ゴミ出しが難しい", name="池尻 花子")
    panel = open_panel(clerk)
    type_text(panel.search_edit, "ゴミ")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
    rect = panel.table.visualRect(panel.model.index(0, SEARCH_COL_COMPLAINT))
    with qtbot.waitSignal(panel.open_consultation) as opened:
        double_click(panel.table.viewport(), rect.center())
    assert opened.args == [wanted]

    panel.table.clearSelection()
    image = panel.table.viewport().grab().toImage()  # drawn by the highlighting delegate
    ratio = image.devicePixelRatio()
    cell = panel.table.visualRect(panel.model.index(0, SEARCH_COL_COMPLAINT))
    colours = {image.pixelColor(round(x * ratio), round(y * ratio)).name()
               for x in range(cell.left(), cell.right()) for y in range(cell.top(), cell.bottom())}
    assert QColor(MATCH_BACKGROUND).name() in colours  # the matched word's background


def test_search_is_refused_to_an_administrator(
        qtbot: QtBot, db: Database, staff_factory: MakeStaff, type_text: TypeText,
        open_panel: Callable[[StaffProfile], SearchPanel]) -> None:
    admin = staff_factory(db, "admin", role="管理者", place="世田谷", org_kind="総合支所")
    panel = open_panel(admin)
    type_text(panel.search_edit, "介護")
    qtbot.keyClick(panel.search_edit, Qt.Key.Key_Return)
    assert panel.status_label.text() == "相談記録を検索する権限がありません。"
    assert panel.model.rowCount() == 0


def test_search_tab_of_the_today_page_opens_hits(
        qtbot: QtBot, db: Database, clerk: StaffProfile, record_case: RecordCase,
        type_text: TypeText) -> None:
    wanted = record_case(db, clerk, "介護の相談")
    page = TodayPage(db, clerk)
    qtbot.addWidget(page)
    page.show()
    page.show_search()
    type_text(page.search_panel.search_edit, "介護")
    qtbot.waitUntil(lambda: page.search_panel.model.rowCount() == 1)
    panel = page.search_panel
    panel.table.setFocus()
    qtbot.keyClick(panel.table, Qt.Key.Key_Down)
    with qtbot.waitSignal(page.open_consultation) as opened:
        qtbot.keyClick(panel.table, Qt.Key.Key_Return)
    assert opened.args == [wanted]
    record_case(db, clerk, "介護の二件目")
    page.refresh()  # after a save: the same words searched again
    assert panel.model.rowCount() == 2
