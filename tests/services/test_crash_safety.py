"""Nothing lost: a draft survives ``kill -9``, and two programs saving at once both land.

Each test starts real Python processes on the same SQLite file (WAL) as the program would. The
child processes use the services only; the parent checks the file afterwards.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from setacare_desktop.domain.intake import ConsentInput, IntakeInput, PersonInput
from setacare_desktop.services import Database
from setacare_desktop.services import intake as svc
from setacare_desktop.store import search as search_store
from setacare_desktop.store.models import AuditEvent, Consultation

pytestmark = pytest.mark.slow

NOW = datetime(2026, 11, 24, 16, 0)
TIMEOUT = 60.0
TEST_PASSWORD = "test-pass-123"  # what conftest.make_staff gives every account

# --- child programs ------------------------------------------------------------------------------

DRAFT_CHILD = textwrap.dedent("""
    import json, sys, time
    from setacare_desktop.domain.intake import IntakeInput
    from setacare_desktop.services import Database
    from setacare_desktop.services import intake as svc
    from setacare_desktop.services.auth import login

    path, login_id, password, payload = sys.argv[1:5]
    db = Database.open(f"sqlite:///{path}")
    clerk = login(db, login_id, password)
    complete = IntakeInput.from_dict(json.loads(payload))
    # The form saves as it is filled: first a half-typed intake, then the rest of it.
    half = IntakeInput(channel=complete.channel, person=complete.person)
    draft_id = svc.save_draft(db, clerk, half)
    draft_id = svc.save_draft(db, clerk, complete, draft_id=draft_id)
    print("SAVED", draft_id, flush=True)
    time.sleep(600)  # still "typing" when the process is killed
""")

WRITER_CHILD = textwrap.dedent("""
    import sys, time
    from datetime import datetime
    from pathlib import Path
    from setacare_desktop.domain.intake import ConsentInput, IntakeInput, PersonInput
    from setacare_desktop.services import Database
    from setacare_desktop.services import intake as svc
    from setacare_desktop.services.auth import login

    path, login_id, password, tag, count, ready, go = sys.argv[1:8]
    now = datetime(2026, 11, 24, 16, 0)
    db = Database.open(f"sqlite:///{path}")
    clerk = login(db, login_id, password)
    partner = svc.consent_recipients(db, "ikejiri")[1].key
    Path(ready).touch()
    deadline = time.monotonic() + 60
    while not Path(go).exists():  # the start barrier: both begin together
        if time.monotonic() > deadline:
            sys.exit("no start signal")
        time.sleep(0.002)
    started = time.time()
    for i in range(int(count)):
        data = IntakeInput(
            received_at="R8.11.24 10:30", channel="電話", district="池尻",
            consulter_kind="本人", main_complaint=f"{tag}-{i} 介護保険の申請について",
            details=f"{tag}の{i}件目。一人暮らしで物忘れが増えた。",
            target_groups=["高齢者"], elements=["福祉サービス"],
            person=PersonInput(name=f"同時 {tag}{i}", reading="どうじ", birth_date="S20.3.3"),
            consents=[ConsentInput(partner)])
        svc.record_intake(db, clerk, data, now=now)
    print("DONE", started, time.time(), flush=True)
    db.close()
""")


def _script(tmp_path: Path, name: str, source: str) -> Path:
    path = tmp_path / name
    path.write_text(source, encoding="utf-8")
    return path


def _start(script: Path, *args: str, stderr_to: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    with stderr_to.open("w", encoding="utf-8") as stderr:
        return subprocess.Popen([sys.executable, str(script), *args], stdout=subprocess.PIPE,
                                stderr=stderr, text=True, encoding="utf-8", env=env)


def _wait_for_line(proc: subprocess.Popen[str], prefix: str, stderr: Path) -> str:
    """The first stdout line starting with ``prefix`` (a reader thread, so it can time out)."""
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + TIMEOUT
    while True:
        try:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            proc.kill()
            pytest.fail(f"no {prefix!r} line in {TIMEOUT}s; stderr:\n{stderr.read_text()}")
        if line is None:
            proc.wait()
            pytest.fail(f"child ended ({proc.returncode}) before {prefix!r}; "
                        f"stderr:\n{stderr.read_text()}")
        if line.startswith(prefix):
            return line


# --- a draft survives kill -9 --------------------------------------------------------------------


def complete_intake(person_id: int, partner: str) -> IntakeInput:
    """Every field of the form filled, with the Japanese a clerk actually types."""
    return IntakeInput(
        received_at="令和8年11月24日 10:30", channel="電話", district="池尻",
        consulter_kind="家族・親族", consulter_relation="長女（別居）",
        consulter_name="𠮷田 さくら", consulter_contact="０９０－１２３４－５６７８",
        person=PersonInput(name="髙橋 﨑子", reading="ﾀｶﾊｼ ｻｷｺ", birth_date="S20.3.3",
                           sex="女性", address_town="池尻二丁目", address_rest="３番４号　池尻荘２０１",
                           phone="03-1111-2222", household="高齢者のみ世帯"),
        person_id=person_id,
        target_groups=["高齢者", "障害者"], elements=["福祉サービス", "医療"],
        main_complaint="母の物忘れと介護保険の申請「急ぎ」",
        details="長女より電話。母（80代）が一人暮らしで物忘れが増えた。\n"
                "介護保険の申請方法を知りたい。\t鍵の管理も心配とのこと。",
        response="つなぎ", next_date="R8.12.1", next_note="あんすこと同行訪問",
        urgency=["生命・身体の危険"], urgency_note="火の不始末が二度あった",
        consents=[ConsentInput(partner, purpose="share", given=True, giver="proxy",
                               giver_relation="長女", method="written", given_on="R8.11.24")],
    )


def test_a_draft_survives_a_killed_process(db: Database, db_path: Path, tmp_path: Path,
                                           staff_factory: Callable) -> None:
    clerk = staff_factory(db, "clerk")
    partner = svc.consent_recipients(db, "ikejiri")[1].key
    existing = svc.record_intake(db, clerk, IntakeInput(
        received_at="R8.11.20 09:00", channel="来所", district="池尻", consulter_kind="本人",
        main_complaint="以前の相談", person=PersonInput(name="髙橋 﨑子", reading="たかはし さきこ")),
        now=NOW)
    assert existing.person_id is not None
    expected = complete_intake(existing.person_id, partner)
    assert all(getattr(expected, f) not in ("", None, [])
               for f in IntakeInput.__dataclass_fields__)
    assert all(getattr(expected.person, f) for f in PersonInput.__dataclass_fields__)
    db.close()  # the parent is "the next start": nothing of it is open while the child types

    stderr = tmp_path / "draft-child.err"
    child = _start(_script(tmp_path, "draft_child.py", DRAFT_CHILD), str(db_path), "clerk",
                   TEST_PASSWORD, json.dumps(expected.to_dict(), ensure_ascii=False),
                   stderr_to=stderr)
    try:
        draft_id = int(_wait_for_line(child, "SAVED", stderr).split()[1])
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=TIMEOUT) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        assert child.stdout is not None
        child.stdout.close()

    reopened = Database.open(f"sqlite:///{db_path}")
    try:
        [draft] = svc.list_drafts(reopened, clerk)
        assert draft.draft_id == draft_id
        assert draft.data == expected
        assert draft.data.to_dict() == expected.to_dict()
        assert "髙橋 﨑子" in draft.summary
        # …and the offered draft saves as it is (it was complete, not a half-written row).
        saved = svc.record_intake(reopened, clerk, draft.data, draft_id=draft.draft_id, now=NOW)
        assert saved.person_id == existing.person_id
        assert svc.list_drafts(reopened, clerk) == []
    finally:
        reopened.close()


# --- two programs saving at once ------------------------------------------------------------------

PER_PROCESS = 20


def test_two_processes_saving_at_once_both_land(db: Database, db_path: Path, tmp_path: Path,
                                                staff_factory: Callable) -> None:
    staff_factory(db, "first")
    staff_factory(db, "second", role="相談員")
    # the fixture's Database stays open: a third connection to the file, as a third window would be

    script = _script(tmp_path, "writer_child.py", WRITER_CHILD)
    go = tmp_path / "go"
    children = []
    for tag in ("first", "second"):
        ready, stderr = tmp_path / f"{tag}.ready", tmp_path / f"{tag}.err"
        child = _start(script, str(db_path), tag, TEST_PASSWORD, tag, str(PER_PROCESS),
                       str(ready), str(go), stderr_to=stderr)
        children.append((tag, child, ready, stderr))
    spans = []
    try:
        deadline = time.monotonic() + TIMEOUT
        while not all(ready.exists() for _, _, ready, _ in children):
            for tag, child, _, stderr in children:
                assert child.poll() is None, f"{tag} ended early:\n{stderr.read_text()}"
            assert time.monotonic() < deadline, "children did not get ready"
            time.sleep(0.01)
        go.touch()
        for tag, child, _, stderr in children:
            out, _ = child.communicate(timeout=TIMEOUT)
            assert child.returncode == 0, f"{tag} exited {child.returncode}:\n{stderr.read_text()}"
            [done] = [line for line in out.splitlines() if line.startswith("DONE")]
            spans.append(tuple(float(x) for x in done.split()[1:]))
    finally:
        for _, child, _, _ in children:
            if child.poll() is None:
                child.kill()
                child.wait()
    (start1, end1), (start2, end2) = spans
    assert max(start1, start2) < min(end1, end2), f"the two runs did not overlap: {spans}"

    with db.read() as session:
        complaints = session.scalars(sa.select(Consultation.main_complaint)).all()
        creates = session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "consultation_create"))
        indexed = len(search_store.indexed_ids(session, ["介護保険"], ["ikejiri"]))
    assert len(complaints) == 2 * PER_PROCESS
    assert {c.split()[0] for c in complaints} == {
        f"{tag}-{i}" for tag in ("first", "second") for i in range(PER_PROCESS)}
    assert creates == 2 * PER_PROCESS
    assert indexed == 2 * PER_PROCESS
    db.close()

    engine = sa.create_engine(f"sqlite:///{db_path}")
    try:
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("PRAGMA integrity_check")
            assert cursor.fetchall() == [("ok",)]
            # the full-text index was written by both too: its own structure check must pass
            cursor.execute("INSERT INTO search_fts (search_fts) VALUES ('integrity-check')")
            cursor.close()
        finally:
            raw.close()
    finally:
        engine.dispose()
