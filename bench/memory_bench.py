"""Memory of the window at ward scale: scrolling a search result to its end and ten years of 統計.

    python bench/memory_bench.py [--source /tmp/big2m/bench.db] [--work DIR] [--query い]
                                 [--pages N] [--consent] [--synthetic-rows 2000000] [--jump 100]
                                 [--from 2016-11-25]
                                 [--to 2026-11-24]

Issue 17, item 7: "Scrolling a 2,000,000-row search result and opening 統計 for ten years stays
under 300 MB RSS". It prints figures and asserts nothing.

The database is the intake bench's (``bench/intake_bench.py --keep DIR``: 2,000,000
consultations over ten years, all 28 districts, each case owned by one of its district's four
partners). It is copied (``cp --sparse=always``) into ``--work`` once and the copy reused; the
source is never opened. Into the copy go, once: a supervisor (監督者) of 池尻まちづくりセンター,
the organisation of the bench's clerk (``bench-supervisor``), and the statistics summary
(``store.stats_summary.rebuild``) when the bench left it empty. With ``--consent`` every
person of 池尻 consents to share with that organisation (the copy's consent rows are added, or
removed again by a run without it), so the supervisor is shown the district's cases of all four
partners (about 68,000 of its 71,000; the anonymous ones stay with whoever took them), as many as
a district's あんしんすこやかセンター takes in ten years (DOMAIN.md: 182,110 a year over 28).

Then a fresh process (the figures are its own) logs in as that supervisor, opens the real main
window (``ui.main_window.MainWindow``, offscreen), and:

1. 本日の相談 → 検索: types ``--query`` (default 「い」, in 99 % of the consultations) and
   presses Enter;
2. scrolls the result list to its end as a user drags the scrollbar to the bottom again and
   again (each time the view asks the model for its next page, ``fetchMore``), up to ``--pages``
   pages (default: all); then back to the top and to the middle (dropped pages read again);
3. 確認・統計 → 統計: 期間指定 ``--from`` … ``--to`` (ten years), 集計;
4. the same search list (a ``SearchPanel`` of the window) fed ``--synthetic-rows`` generated
   hits instead of the database's, scrolled to the end the same way: a district supervisor is
   shown only their organisation's cases (docs/privacy.md; about 18,000 of the 2,000,000 here),
   so no real account can scroll 2,000,000 rows; this step measures the list itself at that
   size (the model, the view, the delegate), without the database's cost per page. It scrolls
   in jumps of ``--jump`` pages per drag to the bottom (painting the rows shown costs ~25 ms a
   drag: page by page, 20,000 drags would take ten minutes);
5. closes that window, logs in as the bench's administrator and opens 統計 for the same ten
   years over the whole ward (an administrator counts the ward; the summary holds the counts).

It prints RSS (``VmRSS``) after start, after the search, after the scroll, after each 統計 and
after the synthetic scroll, with the peak (``VmHWM``) after each, the rows fetched, the pages the
model holds and the CPU time of each step. Figures of a shared machine are noisy: repeat a run
before believing one. Run it with ``PYTHONPATH`` of another checkout to compare models.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication, QTableView
    from sqlalchemy.orm import Session

    from setacare_desktop.services.search import SearchHit
    from setacare_desktop.ui.main_window import MainWindow
    from setacare_desktop.ui.search_model import SearchResultTableModel

SUPERVISOR = "bench-supervisor"
PASSWORD = "bench-password-1"  # the intake bench's accounts' password
DEFAULT_SOURCE = Path("/tmp/big2m/bench.db")
DEFAULT_WORK = Path("/tmp/setacare-memory-bench")


# --- figures -------------------------------------------------------------------------------------


def memory() -> tuple[int, int]:
    """(VmRSS, VmHWM) of this process in bytes, from /proc/self/status."""
    values = {}
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) * 1024
    return values["VmRSS"], values["VmHWM"]


class Figures:
    def __init__(self) -> None:
        self.cpu = time.process_time()
        self.wall = time.perf_counter()

    def print(self, step: str, extra: str = "") -> None:
        rss, peak = memory()
        cpu, wall = time.process_time(), time.perf_counter()
        print(f"  {step:<28} RSS {rss / 2**20:7.1f} MB   peak {peak / 2**20:7.1f} MB   "
              f"CPU {cpu - self.cpu:7.2f} s   wall {wall - self.wall:7.2f} s"
              + (f"\n      {extra}" if extra else ""), flush=True)
        self.cpu, self.wall = cpu, wall


# --- preparing the copy (parent process) ---------------------------------------------------------


def prepare(source: Path, work: Path, query: str, consent: bool) -> Path:
    """The working copy of ``source`` with the supervisor and the statistics summary, and with
    or without (``consent``) the consents of 池尻's persons; prints how many consultations of
    the whole ward ``query`` matches."""
    from sqlalchemy import text

    from setacare_desktop.domain import reference as ref
    from setacare_desktop.domain.kana import search_words
    from setacare_desktop.services import Database, auth
    from setacare_desktop.services.staff import NewStaff, add_staff
    from setacare_desktop.store import search as search_store
    from setacare_desktop.store import stats_summary

    work.mkdir(parents=True, exist_ok=True)
    path = work / "bench.db"
    if not path.exists():
        print(f"  copying {source} → {path}", flush=True)
        subprocess.run(["cp", "--sparse=always", str(source), str(path) + ".part"], check=True)
        os.replace(str(path) + ".part", path)
    db = Database.open(f"sqlite:///{path}")
    try:
        with db.read() as session:
            has_supervisor = session.execute(
                text("SELECT 1 FROM staff WHERE login = :l"), {"l": SUPERVISOR}).first()
            summary_rows = session.execute(text("SELECT count(*) FROM stats_count")).scalar_one()
        if not has_supervisor:
            admin = auth.login(db, "bench-admin", PASSWORD)
            add_staff(db, admin, NewStaff(SUPERVISOR, "ベンチ 監督者", "監督者", "池尻",
                                          "まちづくりセンター", PASSWORD))
            print(f"  added {SUPERVISOR} (監督者, 池尻まちづくりセンター)", flush=True)
        if not summary_rows:
            begin = time.perf_counter()
            with db.transaction() as session:
                stats_summary.rebuild(session)
            print(f"  counted the statistics summary in {time.perf_counter() - begin:.1f} s",
                  flush=True)
        with db.transaction() as session:
            set_consents(session, consent)
        with db.read() as session:
            total = session.execute(text("SELECT count(*) FROM consultation")).scalar_one()
            matches = len(search_store.indexed_ids(session, search_words(query),
                                                   [d.code for d in ref.DISTRICTS]))
        print(f"  「{query}」 is in {matches:,} of the {total:,} consultations (all districts and "
              "organisations)", flush=True)
    finally:
        db.close()
    return path


def set_consents(session: Session, wanted: bool) -> None:
    """Every person of 池尻 consents (本人, 口頭) to share with the supervisor's organisation,
    or no one does (the bench's bulk rows, like the intake bench's: not through the services)."""
    from sqlalchemy import text

    staff_id, organisation_id = session.execute(text(
        "SELECT id, organisation_id FROM staff WHERE login = :l"), {"l": SUPERVISOR}).one()
    recipient = f"org:{organisation_id}"
    mine = {"r": recipient, "s": staff_id}
    present = session.execute(text(
        "SELECT count(*) FROM consent_record WHERE recipient = :r AND recorded_by = :s"),
        mine).scalar_one()
    if wanted and not present:
        session.execute(text(
            "INSERT INTO consent_record (person_id, recipient, purpose, given, giver,"
            " giver_relation, method, given_on, recorded_by, recorded_at, withdrawal_reason,"
            " change_note, form_signed)"
            " SELECT id, :r, 'share', 1, 'self', '', 'oral', '2016-11-01', :s,"
            " '2016-11-01 09:00:00.000000', '', '', 0 FROM person WHERE district_code = 'ikejiri'"),
            mine)
        print("  every person of 池尻 now consents to share with 池尻まちづくりセンター", flush=True)
    elif present and not wanted:
        session.execute(text(
            "DELETE FROM consent_record WHERE recipient = :r AND recorded_by = :s"), mine)
        print("  the bench's consents to 池尻まちづくりセンター removed", flush=True)


# --- measuring (a fresh process) -----------------------------------------------------------------


def synthetic_fetch(total: int, page: int
                    ) -> Callable[[str, int | None], tuple[list[str], list[SearchHit]]]:
    """Pages of generated hits, ids ``total`` down to 1, each with its own strings (as a page
    read from the database has)."""
    from setacare_desktop.services.search import SearchHit

    newest = datetime(2026, 11, 24, 16, 0)

    def fetch(_query: str, before_id: int | None) -> tuple[list[str], list[SearchHit]]:
        top = total if before_id is None else before_id - 1
        hits = [SearchHit(i, newest - timedelta(minutes=i), "池尻", f"佐藤 花子{i % 97}",
                          f"さとう はなこ{i % 89}", f"介護保険の申請と相談 {i}",
                          f"母の介護について相談したい。物忘れが増え、通院の付き添いも難しい {i}。",
                          i % 33 == 0)
                for i in range(top, max(top - page, 0), -1)]
        return ["相談"], hits

    return fetch


def wait(app: QApplication, until: Callable[[], bool], timeout: float = 600.0) -> bool:
    end = time.monotonic() + timeout
    while not until():
        if time.monotonic() > end:
            return False
        app.processEvents()
        time.sleep(0.005)
    return True


def scroll_to_end(app: QApplication, table: QTableView, model: SearchResultTableModel,
                  pages: int | None, jump: int = 1) -> int:
    """Drag the scrollbar to the bottom until the list stops growing (or ``pages`` pages were
    asked for); returns the pages fetched. Each drag to the bottom makes the view ask for one
    page (``fetchMore``) and paint the rows it then shows; with ``jump`` > 1, ``jump - 1``
    further pages are asked of the model directly before the drag (the view is told of their
    rows but paints only once): a large jump down the list, which bounds the time of the
    2,000,000-row list (painting a screen of highlighted rows costs ~25 ms of CPU)."""
    from setacare_desktop.services.search import PAGE_SIZE
    from setacare_desktop.ui import operations

    bar = table.verticalScrollBar()
    first_rows = model.rowCount()
    fetched = 0
    stuck = 0
    while model.canFetchMore() and (pages is None or fetched < pages):
        rows = model.rowCount()
        for _ in range(jump - 1):
            if model.canFetchMore():
                model.fetchMore()
                wait(app, operations.idle)  # pages are read on the worker thread
        bar.setValue(bar.maximum())
        app.processEvents()
        wait(app, operations.idle)
        if model.rowCount() > rows:
            fetched = -(-(model.rowCount() - first_rows) // PAGE_SIZE)
            stuck = 0
        else:
            stuck += 1
            if stuck > 100:
                print("      (the view asked for no further page)")
                break
    return fetched


def held(model: SearchResultTableModel) -> str:
    pages = getattr(model, "held_pages", None)
    return f"{pages()} pages held by the model" if pages else "every row held by the model"


def ten_years_of_stats(app: QApplication, window: MainWindow, args: argparse.Namespace,
                       figures: Figures, step: str) -> None:
    """確認・統計 → 統計, 期間指定 ``--from`` … ``--to``, 集計 (clicked), until the report is shown."""
    from PySide6.QtCore import QDate, Qt
    from PySide6.QtTest import QTest

    from setacare_desktop.ui.navigation import AREA_REVIEW
    from setacare_desktop.ui.stats.page import PERIOD_RANGE, StatsPage

    window.show_area(AREA_REVIEW)
    area = window.review_area
    stats = area.stats
    if not isinstance(stats, StatsPage):
        figures.print(f"{step}: not shown to this role")
        return
    area.tabs.setCurrentWidget(stats)
    stats.period_combo.setCurrentIndex(PERIOD_RANGE)
    start, end = (date.fromisoformat(d) for d in (args.date_from, args.date_to))
    stats.from_edit.setDate(QDate(start.year, start.month, start.day))
    stats.to_edit.setDate(QDate(end.year, end.month, end.day))
    previous = stats.report
    QTest.mouseClick(stats.compute_button, Qt.MouseButton.LeftButton)
    wait(app, lambda: stats.report is not previous or stats.message_label.isVisible())
    report = stats.report
    total = "" if report is None else f"{report.total:,} consultations counted"
    message = stats.message_label.text() if stats.message_label.isVisible() else ""
    figures.print(step, f"{window.profile.name}: {start} … {end}: {total}{message}")


def measure(path: Path, args: argparse.Namespace) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from setacare_desktop.services import Database, auth
    from setacare_desktop.ui.navigation import AREA_TODAY

    figures = Figures()
    app = QApplication([sys.argv[0]])
    from setacare_desktop.ui import operations
    from setacare_desktop.ui.main_window import MainWindow
    from setacare_desktop.ui.search_panel import SearchPanel

    db = Database.open(f"sqlite:///{path}")
    figures.print("Qt and the database opened")
    profile = auth.login(db, SUPERVISOR, PASSWORD)
    figures.print("logged in", "argon2id verifies the password in 64 MiB of its own (freed)")
    window = MainWindow(db, profile)
    window.resize(1280, 800)
    window.show()
    wait(app, window.isVisible)
    figures.print("start (window shown)", f"{profile.name}（{profile.role.label}）"
                  f" {profile.organisation_name}")

    # 1. the search
    window.show_area(AREA_TODAY)
    today = window.today_page
    today.show_search()
    panel = today.search_panel
    model = panel.model
    panel.search_edit.setText(args.query)
    QTest.keyClick(panel.search_edit, Qt.Key.Key_Return)
    wait(app, lambda: model.rowCount() > 0 or "一致する相談はありません" in panel.status_label.text()
         or "権限" in panel.status_label.text())
    figures.print(f"search 「{args.query}」", panel.status_label.text())

    # 2. scrolling to the end, then back
    begin = time.perf_counter()
    pages = scroll_to_end(app, panel.table, model, args.pages)
    seconds = time.perf_counter() - begin
    figures.print("scrolled to the end",
                  f"{pages:,} pages fetched ({seconds / max(pages, 1) * 1000:.0f} ms a page), "
                  f"{model.rowCount():,} rows; {held(model)}; {panel.status_label.text()}")
    panel.table.scrollToTop()
    app.processEvents()
    panel.table.verticalScrollBar().setValue(panel.table.verticalScrollBar().maximum() // 2)
    app.processEvents()
    wait(app, operations.idle)  # the dropped pages now shown are read again on the worker
    figures.print("back to the top and middle", held(model))

    # 3. ten years of 統計
    ten_years_of_stats(app, window, args, figures, "統計 ten years")

    # 4. the same list at 2,000,000 rows
    if args.synthetic_rows:
        fetch = synthetic_fetch(args.synthetic_rows, 100)

        class SyntheticPanel(SearchPanel):
            def _fetch(self, query: str, before_id: int | None
                       ) -> tuple[list[str], list[SearchHit]]:
                return fetch(query, before_id)

        window.show_area(AREA_TODAY)
        synthetic = SyntheticPanel(db, profile)
        today.tabs.addTab(synthetic, "検索（生成）")
        today.tabs.setCurrentWidget(synthetic)
        synthetic.search_edit.setText("相談")
        QTest.keyClick(synthetic.search_edit, Qt.Key.Key_Return)
        wait(app, lambda: synthetic.model.rowCount() > 0)
        begin = time.perf_counter()
        pages = scroll_to_end(app, synthetic.table, synthetic.model, None, jump=args.jump)
        seconds = time.perf_counter() - begin
        figures.print(f"{args.synthetic_rows:,} generated rows",
                      f"{pages:,} pages in {seconds:.0f} s (a drag to the bottom every "
                      f"{args.jump} pages), {synthetic.model.rowCount():,} rows; "
                      f"{held(synthetic.model)}; {synthetic.status_label.text()}")
        synthetic.table.scrollToTop()
        app.processEvents()
        figures.print("back to the top", held(synthetic.model))
    # 5. the whole ward's ten years: an administrator, after the supervisor's window is closed
    window.close()
    window.deleteLater()
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    app.processEvents()
    figures.print("supervisor's window closed")
    admin = auth.login(db, "bench-admin", PASSWORD)
    figures.print("administrator logged in", "argon2id again: 64 MiB on top of what is held")
    window = MainWindow(db, admin)
    window.resize(1280, 800)
    window.show()
    wait(app, window.isVisible)
    ten_years_of_stats(app, window, args, figures, "統計 ten years, the ward")
    _rss, peak = memory()
    print(f"\n  peak RSS {peak / 2**20:.1f} MB (target < 300 MB)", flush=True)
    window.close()
    db.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE,
                        help="the intake bench's database (copied, never opened)")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK,
                        help="where the copy is made and kept")
    parser.add_argument("--query", default="い", help="the words searched")
    parser.add_argument("--pages", type=int, default=None,
                        help="stop scrolling after this many pages (default: at the end)")
    parser.add_argument("--synthetic-rows", type=int, default=2_000_000,
                        help="rows of the generated list (0: skip that step)")
    parser.add_argument("--consent", action="store_true",
                        help="every person of 池尻 consents to share with the supervisor's "
                             "organisation: the list shows the district's cases of all partners")
    parser.add_argument("--jump", type=int, default=100,
                        help="pages of the generated list per drag to the bottom")
    parser.add_argument("--from", dest="date_from", default="2016-11-25")
    parser.add_argument("--to", dest="date_to", default="2026-11-24")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure is not None:
        measure(args.measure, args)
        return
    import setacare_desktop

    print(f"SetaCare memory bench (Python {sys.version.split()[0]}, "
          f"package {Path(setacare_desktop.__file__).parent})", flush=True)
    path = prepare(args.source, args.work, args.query, args.consent)
    forwarded = list(argv if argv is not None else sys.argv[1:])
    print("  measuring in a fresh process:", flush=True)
    subprocess.run([sys.executable, __file__, *forwarded, "--measure", str(path)], check=True)


if __name__ == "__main__":
    main()
