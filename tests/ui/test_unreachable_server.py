"""The ward server goes away mid-interview: the form keeps everything, the draft is kept on this
PC (private, without the server's address), and comes back into the database at the next start.

A real PostgreSQL behind a loopback forwarder (tests/tcp_proxy.py) whose line is cut, as a
network that drops would be; nothing is mocked.
"""

from __future__ import annotations

import stat
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from pytestqt.qtbot import QtBot
from tests.conftest import make_staff
from tests.tcp_proxy import TcpProxy

from setacare_desktop.domain.intake import IntakeInput, PersonInput
from setacare_desktop.services import Database
from setacare_desktop.services import intake as svc
from setacare_desktop.services.intake import local_drafts
from setacare_desktop.store.models import AuditEvent
from setacare_desktop.ui.intake import IntakePage
from setacare_desktop.ui.intake.drafts import LOCAL_DRAFT_SAVED

pytestmark = pytest.mark.gui


@pytest.fixture
def line(pg_template: tuple[sa.Engine, str] | None, tmp_path: Path
         ) -> Iterator[tuple[Database, TcpProxy]]:
    """A database reached through a line that the test can cut; its PC folder is tmp_path."""
    if pg_template is None:
        pytest.skip("no PostgreSQL server (SETACARE_TEST_POSTGRES_URL not set; CI always sets it)")
    admin, template = pg_template
    name = f"setacare_t_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name} TEMPLATE {template}")
    proxy = TcpProxy(admin.url.host or "127.0.0.1", admin.url.port or 5432)
    url = admin.url.set(host="127.0.0.1", port=proxy.port, database=name)
    database = Database.open(url.render_as_string(hide_password=False))
    database.local_folder = tmp_path / "pc"
    yield database, proxy
    database.close()
    proxy.close()
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _page(qtbot: QtBot, db: Database, actor: object) -> IntakePage:
    page = IntakePage(db, actor)  # type: ignore[arg-type]
    page.confirm = lambda _title, _text: True  # type: ignore[method-assign]
    qtbot.addWidget(page)
    page.resize(1200, 700)
    with qtbot.waitActive(page):
        page.show()
        page.activateWindow()
    return page


def test_a_draft_typed_while_the_server_is_away_is_kept_here_and_comes_back(
        qtbot: QtBot, line: tuple[Database, TcpProxy], type_text: object) -> None:
    db, proxy = line
    clerk = make_staff(db, "clerk-line")
    first = _page(qtbot, db, clerk)
    type_text(first.name_edit, "高橋 一郎")  # type: ignore[operator]
    qtbot.waitUntil(lambda: bool(svc.list_drafts(db, clerk)), timeout=5000)

    proxy.cut()  # the network drops
    type_text(first.complaint_edit, "ひとり暮らしの父の見守り")  # type: ignore[operator]
    qtbot.waitUntil(lambda: first.draft_label.text().startswith(LOCAL_DRAFT_SAVED), timeout=5000)
    typed = first.collect()
    assert first.complaint_edit.text() == "ひとり暮らしの父の見守り"  # nothing lost

    [kept] = list((db.local_folder / local_drafts.FOLDER).iterdir())  # type: ignore[operator]
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    body = kept.read_text(encoding="utf-8")
    assert "ひとり暮らしの父の見守り" in body
    assert str(proxy.port) not in body and "127.0.0.1" not in body  # no address on disk

    # The window is closed without saving; the line comes back; the clerk opens 受付 again.
    first.hide()
    proxy.restore()
    second = _page(qtbot, db, clerk)
    second.activate()
    dialog = second.drafts_dialog
    assert dialog is not None and len(dialog.rows) == 1  # the same draft, now up to date
    assert "高橋 一郎" in dialog.list.item(0).text()
    dialog.restore_button.click()
    assert second.collect() == typed
    assert not kept.exists()
    with db.read() as session:
        actions = session.scalars(sa.select(AuditEvent.action).where(
            AuditEvent.login == "clerk-line")).all()
    assert local_drafts.ACTION in actions


def test_files_of_another_staff_member_or_database_are_not_brought_in(
        line: tuple[Database, TcpProxy]) -> None:
    db, _proxy = line
    clerk = make_staff(db, "clerk-a")
    other = make_staff(db, "clerk-b")
    data = IntakeInput(person=PersonInput(name="山田 花子"))
    mine = local_drafts.keep(db, clerk, data)
    theirs = local_drafts.keep(db, other, data)
    assert mine is not None and theirs is not None
    # The same clerk's file for another server of the ward (another key in its name).
    elsewhere = mine.with_name(f"{clerk.staff_id}-{'0' * 16}-{'1' * 32}.json")
    elsewhere.write_bytes(mine.read_bytes())

    assert local_drafts.bring_in(db, clerk) == 1
    assert [r.summary.split(" / ")[0] for r in svc.list_drafts(db, clerk)] == ["山田 花子"]
    assert not mine.exists() and theirs.exists() and elsewhere.exists()
    assert svc.list_drafts(db, other) == []
