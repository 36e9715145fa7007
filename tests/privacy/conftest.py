"""The privacy suite: every path that shows, finds or lists a person, driven with persons who must
not come through (docs/privacy.md, "Where it is enforced").

One district (池尻) and four viewers:

- ``taker``: 相談員 of the あんしんすこやかセンター, which took every consultation here: sees all whole;
- ``viewer``: 受付 of the 池尻児童館 (another partner of the district);
- ``boss``: 監督者 of the 池尻まちづくりセンター (reviews the district's day);
- ``branch``: 相談員 of the 世田谷総合支所 (the area branch).

and four consultations, all taken by the あんしんすこやかセンター on :data:`DAY`:

- ``refused``: a person who refused 情報共有 to the 児童館, the まちづくりセンター and the branch;
- ``unrecorded``: a person with no consent record at all;
- ``consented``: a person who consented to all three (the one to withdraw from);
- ``anonymous``: nobody named, whose free text still names a neighbour.

``secrets(spec)`` lists every identifying text of a person's consultation (name, its parts,
reading, phone, birth date, address, consulter's name and contact, words of 主訴 and 相談内容);
:func:`assert_hidden` fails if any of them appears in what a viewer was shown. Services run on
SQLite and PostgreSQL (``any_db``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

import pytest

from setacare_desktop.domain.intake import ConsentInput, IntakeInput, PersonInput
from setacare_desktop.domain.jpdate import to_wareki
from setacare_desktop.services import Database, StaffProfile
from setacare_desktop.services import intake as intake_service
from setacare_desktop.ui import operations

#: In the past wherever the tests run, so that a consent given that day is in force today.
DAY = date(2025, 6, 2)
NOW = datetime(2025, 6, 2, 17, 0)
PASSWORD = "test-pass-123"  # tests/conftest.py: TEST_PASSWORD


@dataclass(frozen=True)
class Spec:
    """One consultation's identifying texts (and the words of its free text to look for)."""

    key: str
    complaint: str
    details: str
    words: tuple[str, ...]  # distinctive words of 主訴 and 相談内容 (search terms too)
    name: str = ""
    reading: str = ""
    birth: str = ""  # ISO
    town: str = ""
    rest: str = ""
    phone: str = ""
    consulter_name: str = ""
    consulter_contact: str = ""
    consents: tuple[tuple[str, bool], ...] = ()  # (organisation kind label, given)
    time: str = "10:00"
    urgency: tuple[str, ...] = field(default=())


PARTNERS = ("池尻児童館", "池尻まちづくりセンター", "世田谷総合支所")

REFUSED = Spec(
    "refused", "夫の暴言が続き眠れない",
    "長男の雅人さんから電話。冴子さんは夜間に徘徊し、紫苑荘の管理人が心配している。",
    ("暴言", "徘徊", "紫苑荘", "雅人"), name="鷹司 冴子", reading="たかつかさ さえこ",
    birth="1944-05-16", town="池尻四丁目", rest="38番2号", phone="03-5555-7321",
    consulter_name="鷹司 雅人", consulter_contact="090-5555-0198",
    consents=tuple((p, False) for p in PARTNERS), time="09:10", urgency=("虐待の疑い",))
UNRECORDED = Spec(
    "unrecorded", "囲碁教室の月謝を滞納している", "菊乃さんは骨折後に外出できず、直哉さんが代わりに相談。",
    ("囲碁教室", "月謝", "骨折後", "直哉"), name="綾小路 菊乃", reading="あやのこうじ きくの",
    birth="1951-02-03", town="池尻一丁目", rest="7番9号", phone="03-5555-8642",
    consulter_name="綾小路 直哉", consulter_contact="080-5555-3141", time="10:20")
CONSENTED = Spec(
    "consented", "孫の不登校と家計のやりくり", "葵さんは祖母として孫の蒼汰くんを育てている。",
    ("不登校", "やりくり", "蒼汰"), name="東雲 葵", reading="しののめ あおい",
    birth="1958-09-30", town="池尻三丁目", rest="2番1号", phone="03-5555-2468",
    consents=tuple((p, True) for p in PARTNERS), time="11:30")
ANONYMOUS = Spec(
    "anonymous", "隣家から焦げた臭いがする", "匿名の電話。隣に住む八重樫さんの台所から煙が出ていた。",
    ("焦げた臭い", "八重樫", "台所"), time="13:45")

SPECS = (REFUSED, UNRECORDED, CONSENTED, ANONYMOUS)


def secrets(spec: Spec) -> list[str]:
    """Every text that identifies the person of ``spec`` or says what they told."""
    found = [spec.complaint, spec.details, *spec.words, spec.consulter_name,
             spec.consulter_contact, spec.town + spec.rest, spec.rest, spec.phone,
             spec.phone.replace("-", "")]
    if spec.name:
        found += [spec.name, spec.name.replace(" ", ""), *spec.name.split(),
                  spec.reading, *spec.reading.split()]
    if spec.consulter_name:
        found += spec.consulter_name.split()
    if spec.birth:
        born = date.fromisoformat(spec.birth)
        found += [spec.birth, to_wareki(born), f"{born:%Y/%m/%d}"]
    return [s for s in found if s]


def assert_hidden(shown: str | Iterable[object], *specs: Spec) -> None:
    """Nothing identifying of ``specs`` in ``shown`` (a text, or anything whose str() is shown:
    rows, hits, widget texts)."""
    text = shown if isinstance(shown, str) else "\n".join(map(str, shown))
    leaked = [s for spec in specs for s in secrets(spec) if s in text]
    assert not leaked, f"identifying texts shown: {leaked}"


def assert_shown(shown: str | Iterable[object], spec: Spec) -> None:
    text = shown if isinstance(shown, str) else "\n".join(map(str, shown))
    assert spec.complaint in text
    if spec.name:
        assert spec.name in text


@dataclass
class World:
    db: Database
    taker: StaffProfile
    viewer: StaffProfile
    boss: StaffProfile
    branch: StaffProfile
    ids: dict[str, int]  # consultation id by spec key
    persons: dict[str, int | None]

    def consent_ids(self, key: str) -> list[int]:
        """The ids of the consent records of the person of ``key`` (oldest first)."""
        person = self.persons[key]
        assert person is not None
        return [row.consent_id for row in intake_service.consents_of(self.db, self.taker, person)]


def record(db: Database, actor: StaffProfile, spec: Spec, keys: dict[str, str]) -> tuple[int,
                                                                                       int | None]:
    data = IntakeInput(
        received_at=f"{DAY:%Y-%m-%d} {spec.time}", channel="電話", district="池尻",
        consulter_kind="家族・親族" if spec.consulter_name else "近隣住民",
        consulter_relation="長男" if spec.consulter_name else "",
        consulter_name=spec.consulter_name, consulter_contact=spec.consulter_contact,
        person=PersonInput(name=spec.name, reading=spec.reading, birth_date=spec.birth,
                           address_town=spec.town, address_rest=spec.rest, phone=spec.phone),
        target_groups=["高齢者"], elements=["福祉サービス"], main_complaint=spec.complaint,
        details=spec.details, response="助言", urgency=list(spec.urgency),
        consents=[ConsentInput(keys[name], given=given) for name, given in spec.consents])
    saved = intake_service.record_intake(db, actor, data, now=NOW)
    return saved.consultation_id, saved.person_id


def build_world(db: Database, staff_factory: Callable[..., StaffProfile]) -> World:
    taker = staff_factory(db, "taker", role="相談員", org_kind="あんしんすこやかセンター")
    viewer = staff_factory(db, "viewer", org_kind="児童館")
    boss = staff_factory(db, "boss", role="監督者")
    branch = staff_factory(db, "branch", role="相談員", place="世田谷", org_kind="総合支所")
    keys = {r.name: r.key for r in intake_service.consent_recipients(db, "ikejiri")}
    ids: dict[str, int] = {}
    persons: dict[str, int | None] = {}
    for spec in SPECS:
        ids[spec.key], persons[spec.key] = record(db, taker, spec, keys)
    return World(db, taker, viewer, boss, branch, ids, persons)


@pytest.fixture
def world(any_db: Database, staff_factory: Callable[..., StaffProfile]) -> World:
    """The district on SQLite and on PostgreSQL."""
    return build_world(any_db, staff_factory)


@pytest.fixture
def sqlite_world(db: Database, staff_factory: Callable[..., StaffProfile]) -> World:
    """The district on SQLite only (the window's tests)."""
    return build_world(db, staff_factory)


@pytest.fixture(autouse=True)
def synchronous_operations(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The window's slow work runs at once on the test's thread (as in tests/ui)."""
    monkeypatch.setattr(operations, "synchronous", True)
    yield


def widget_texts(root: object) -> list[str]:
    """Every text ``root`` and its children show: labels, fields, titles, and each cell of each
    list or table (display text and tooltip) — what a viewer can read on screen."""
    from PySide6.QtCore import QAbstractListModel, QModelIndex, Qt
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractItemView,
        QComboBox,
        QGroupBox,
        QLabel,
        QLineEdit,
        QPlainTextEdit,
        QTextEdit,
        QWidget,
    )

    assert isinstance(root, QWidget)
    texts = [root.windowTitle()]
    for widget in [root, *root.findChildren(QWidget)]:
        if isinstance(widget, QLabel | QLineEdit | QAbstractButton):
            texts.append(widget.text())
        elif isinstance(widget, QPlainTextEdit | QTextEdit):
            texts.append(widget.toPlainText())
        elif isinstance(widget, QGroupBox):
            texts.append(widget.title())
        elif isinstance(widget, QComboBox):
            texts.append(widget.currentText())
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            top = QModelIndex()
            for row in range(model.rowCount(top)):
                columns = 1 if isinstance(model, QAbstractListModel) else model.columnCount(top)
                for column in range(columns):
                    index = model.index(row, column, top)
                    for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                        value = model.data(index, role)
                        if value is not None:
                            texts.append(str(value))
        texts.append(widget.toolTip())
    return [t for t in texts if t]
