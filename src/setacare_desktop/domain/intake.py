"""The consultation intake (相談受付): its input shape and its validation rules.

The window, the command line (``setacare case add --json``) and drafts all use ``IntakeInput``:
plain strings as typed, so nothing a clerk typed is ever lost to a failed conversion. ``validate``
turns it into a ``ValidIntake`` or a list of problems, each naming its field in Japanese.
Required fields are few on purpose (受付日時, 受付方法, 相談者の区分, 主訴): a consultation must be
recordable in under a minute.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time
from typing import Any

from setacare_desktop.domain import reference as ref
from setacare_desktop.domain.consent import Giver, Method, Purpose
from setacare_desktop.domain.jpdate import DateParseError, parse_date
from setacare_desktop.domain.kana import normalise_reading, reading_problem
from setacare_desktop.domain.text import text_problem

SEXES: tuple[ref.Term, ...] = (
    ref.Term("male", "男性"),
    ref.Term("female", "女性"),
    ref.Term("other", "その他"),
    ref.Term("no_answer", "回答なし"),
)
HOUSEHOLDS: tuple[ref.Term, ...] = (
    ref.Term("single", "単身"),
    ref.Term("elderly_only", "高齢者のみ世帯"),
    ref.Term("single_parent", "ひとり親"),
    ref.Term("with_family", "同居家族あり"),
    ref.Term("unknown", "不明"),
    ref.Term("other", "その他"),
)
URGENCY_FLAGS: tuple[ref.Term, ...] = (
    ref.Term("abuse", "虐待の疑い"),
    ref.Term("dv", "DV"),
    ref.Term("suicidal", "自殺念慮"),
    ref.Term("danger", "生命・身体の危険"),
)

MAX_SHORT = 200
MAX_LONG = 20_000
#: The largest record id (対象者ID and the like): PostgreSQL's INTEGER, which the ids are.
MAX_RECORD_ID = 2**31 - 1

#: Every text field of the intake with its label; those written over several lines may hold
#: line ends and tabs, the others no control character at all (see ``domain.text``).
_TEXT_LABELS: tuple[tuple[str, str, bool], ...] = (
    ("received_at", "受付日時", False),
    ("channel", "受付方法", False),
    ("district", "地区", False),
    ("consulter_kind", "相談者の区分", False),
    ("consulter_relation", "相談者の続柄", False),
    ("consulter_name", "相談者の氏名", False),
    ("consulter_contact", "相談者の連絡先", False),
    ("main_complaint", "主訴", True),
    ("details", "相談内容", True),
    ("response", "対応", False),
    ("next_date", "次回予定", False),
    ("next_note", "次回予定のメモ", True),
    ("urgency_note", "緊急性のメモ", True),
)
_PERSON_LABELS: tuple[tuple[str, str], ...] = (
    ("name", "氏名"), ("reading", "ふりがな"), ("birth_date", "生年月日"), ("sex", "性別"),
    ("address_town", "住所（町名）"), ("address_rest", "住所（番地以下）"), ("phone", "電話"),
    ("household", "世帯状況"),
)
_LIST_LABELS: tuple[tuple[str, str], ...] = (
    ("target_groups", "対象区分"), ("elements", "相談内容の分類"), ("urgency", "緊急性"),
)
_CONSENT_LABELS: tuple[tuple[str, str], ...] = (
    ("recipient", "同意先"), ("purpose", "目的"), ("giver", "同意した人"),
    ("giver_relation", "続柄"), ("method", "方法"), ("given_on", "同意日"),
)


@dataclass(frozen=True, slots=True)
class Problem:
    field: str  # Japanese field label
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


@dataclass(slots=True)
class PersonInput:
    name: str = ""
    reading: str = ""
    birth_date: str = ""
    sex: str = ""
    address_town: str = ""
    address_rest: str = ""
    phone: str = ""
    household: str = ""


@dataclass(slots=True)
class ConsentInput:
    recipient: str  # "org:<id>" or "dest:<id>"
    purpose: str = Purpose.SHARE.value
    given: bool = True
    giver: str = Giver.SELF.value
    giver_relation: str = ""
    method: str = Method.ORAL.value
    given_on: str = ""  # defaults to the day received


@dataclass(slots=True)
class IntakeInput:
    received_at: str = ""
    channel: str = ""
    district: str = ""
    consulter_kind: str = ""
    consulter_relation: str = ""
    consulter_name: str = ""
    consulter_contact: str = ""
    person: PersonInput = field(default_factory=PersonInput)
    person_id: int | None = None
    target_groups: list[str] = field(default_factory=list)
    elements: list[str] = field(default_factory=list)
    main_complaint: str = ""
    details: str = ""
    response: str = ""
    next_date: str = ""
    next_note: str = ""
    urgency: list[str] = field(default_factory=list)
    urgency_note: str = ""
    consents: list[ConsentInput] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> IntakeInput:
        """Build from the documented JSON shape (docs/case-json.md); unknown keys are errors."""
        data = dict(data)
        person = PersonInput(**data.pop("person", None) or {})
        consents = [ConsentInput(**c) for c in data.pop("consents", None) or []]
        return cls(person=person, consents=consents, **data)

    @property
    def anonymous(self) -> bool:
        """No name and no linked person: nothing identifying can ever be shared."""
        return self.person_id is None and not self.person.name.strip()


@dataclass(frozen=True, slots=True)
class ValidConsent:
    recipient: str
    purpose: Purpose
    given: bool
    giver: Giver
    giver_relation: str
    method: Method
    given_on: date


@dataclass(frozen=True, slots=True)
class ValidPerson:
    name: str
    reading: str
    birth_date: date | None
    sex: str | None
    address_town: str
    address_rest: str
    phone: str
    household: str | None


@dataclass(frozen=True, slots=True)
class ValidIntake:
    received_at: datetime
    channel: str
    district: str
    consulter_kind: str
    consulter_relation: str
    consulter_name: str
    consulter_contact: str
    person: ValidPerson | None  # None: anonymous
    person_id: int | None
    target_groups: tuple[str, ...]
    elements: tuple[str, ...]
    main_complaint: str
    details: str
    response: str | None
    next_date: date | None
    next_note: str
    urgency: tuple[str, ...]
    urgency_note: str
    consents: tuple[ValidConsent, ...]

    @property
    def urgent(self) -> bool:
        return bool(self.urgency)

    @property
    def anonymous(self) -> bool:
        return self.person is None and self.person_id is None


def _code(terms: tuple[ref.Term, ...], text: str) -> str | None:
    text = text.strip()
    for term in terms:
        if text in (term.code, term.label):
            return term.code
    return None


_TIME = re.compile(r"^(\d{1,2})[:時](\d{2})分?$")


def parse_datetime(text: str) -> datetime:
    """A date in any accepted form, optionally followed by a time (HH:MM)."""
    cleaned = unicodedata.normalize("NFKC", text).strip().replace("T", " ")
    date_part, _, time_part = cleaned.partition(" ")
    day = parse_date(date_part)
    time_part = time_part.strip()
    if not time_part:
        return datetime.combine(day, time(0, 0))
    match = _TIME.match(time_part)
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise DateParseError("時刻の形式が正しくありません（例: 10:30）")
    return datetime.combine(day, time(int(match.group(1)), int(match.group(2))))


def normalise_phone(text: str) -> str:
    """Full-width digits and hyphens to ASCII; keeps the user's grouping."""
    folded = unicodedata.normalize("NFKC", text).strip()
    return re.sub(r"[ー―‐−–]", "-", folded)


def _check_length(problems: list[Problem], label: str, text: str, limit: int) -> None:
    if len(text) > limit:
        problems.append(Problem(label, f"{limit}文字以内で入力してください（現在{len(text)}文字）"))


def validate(data: IntakeInput, *, now: datetime) -> tuple[ValidIntake | None, list[Problem]]:
    """Check an intake; returns the clean intake, or None and every problem found."""
    problems = _text_problems(data)
    if problems:
        # NUL, an escape sequence or bytes that are not UTF-8: refused by field before any other
        # rule quotes the value back (or a database driver fails on it).
        return None, problems
    if data.person_id is not None and not 1 <= data.person_id <= MAX_RECORD_ID:
        return None, [Problem("対象者ID", f"1〜{MAX_RECORD_ID:,} の整数にしてください")]
    received: datetime | None = None
    if not data.received_at.strip():
        problems.append(Problem("受付日時", "入力してください"))
    else:
        try:
            received = parse_datetime(data.received_at)
            if received.date() > now.date():
                problems.append(Problem("受付日時", "未来の日付は入力できません"))
        except DateParseError as error:
            problems.append(Problem("受付日時", str(error)))

    channel = _code(ref.CHANNELS, data.channel)
    if not data.channel.strip():
        problems.append(Problem("受付方法", "選択してください"))
    elif channel is None:
        problems.append(Problem("受付方法", f"「{data.channel}」は選択肢にありません"))

    district = ref.DISTRICTS_BY_CODE.get(data.district) or ref.DISTRICTS_BY_NAME.get(
        data.district.strip().removesuffix("地区"))
    if district is None:
        problems.append(Problem("地区", f"「{data.district}」は地区ではありません"
                                if data.district.strip() else "選択してください"))

    consulter = _code(ref.CONSULTER_KINDS, data.consulter_kind)
    if not data.consulter_kind.strip():
        problems.append(Problem("相談者の区分", "選択してください"))
    elif consulter is None:
        problems.append(Problem("相談者の区分", f"「{data.consulter_kind}」は選択肢にありません"))

    person = _validate_person(data.person, now, problems) if not data.anonymous else None

    groups = []
    for text in data.target_groups:
        code = _code(ref.TARGET_GROUPS, text)
        if code is None:
            problems.append(Problem("対象区分", f"「{text}」は選択肢にありません"))
        elif code not in groups:
            groups.append(code)
    elements = []
    for text in data.elements:
        code = _code(ref.ELEMENTS, text)
        if code is None:
            problems.append(Problem("相談内容の分類", f"「{text}」は選択肢にありません"))
        elif code not in elements:
            elements.append(code)

    complaint = data.main_complaint.strip()
    if not complaint:
        problems.append(Problem("主訴", "入力してください"))
    _check_length(problems, "主訴", complaint, MAX_SHORT * 5)
    _check_length(problems, "相談内容", data.details, MAX_LONG)

    response = _code(ref.RESPONSES, data.response) if data.response.strip() else None
    if data.response.strip() and response is None:
        problems.append(Problem("対応", f"「{data.response}」は選択肢にありません"))

    next_date = None
    if data.next_date.strip():
        try:
            next_date = parse_date(data.next_date)
        except DateParseError as error:
            problems.append(Problem("次回予定", str(error)))

    urgency = []
    for text in data.urgency:
        code = _code(URGENCY_FLAGS, text)
        if code is None:
            problems.append(Problem("緊急性", f"「{text}」は選択肢にありません"))
        elif code not in urgency:
            urgency.append(code)

    consents = _validate_consents(data, received, problems)
    if data.anonymous and any(c.given for c in consents):
        problems.append(Problem("本人同意", "匿名の相談では同意を記録できません（氏名がありません）"))

    if problems:
        return None, problems
    assert received is not None and channel and district and consulter
    return ValidIntake(
        received_at=received, channel=channel, district=district.code, consulter_kind=consulter,
        consulter_relation=data.consulter_relation.strip(),
        consulter_name=data.consulter_name.strip(),
        consulter_contact=normalise_phone(data.consulter_contact),
        person=person, person_id=data.person_id,
        target_groups=tuple(groups), elements=tuple(elements), main_complaint=complaint,
        details=data.details.strip(), response=response, next_date=next_date,
        next_note=data.next_note.strip(), urgency=tuple(urgency),
        urgency_note=data.urgency_note.strip(), consents=tuple(consents),
    ), []


def _text_problems(data: IntakeInput) -> list[Problem]:
    problems: list[Problem] = []

    def check(label: str, value: object, multiline: bool = False) -> None:
        problem = text_problem(value, multiline=multiline) if isinstance(value, str) else None
        if problem:
            problems.append(Problem(label, problem))

    for name, label, multiline in _TEXT_LABELS:
        check(label, getattr(data, name), multiline)
    for name, label in _PERSON_LABELS:
        check(label, getattr(data.person, name))
    for name, label in _LIST_LABELS:
        for value in getattr(data, name):
            check(label, value)
    for consent in data.consents:
        for name, label in _CONSENT_LABELS:
            check(f"本人同意（{label}）", getattr(consent, name))
    return problems


def _validate_person(person: PersonInput, now: datetime, problems: list[Problem]
                     ) -> ValidPerson:
    name = " ".join(person.name.split())
    _check_length(problems, "氏名", name, 100)
    reading = ""
    if person.reading.strip():
        problem = reading_problem(person.reading)
        if problem:
            problems.append(Problem("ふりがな", problem))
        reading = normalise_reading(person.reading)
    birth = None
    if person.birth_date.strip():
        try:
            birth = parse_date(person.birth_date)
            if birth > now.date():
                problems.append(Problem("生年月日", "未来の日付は入力できません"))
            elif birth.year < 1900:
                problems.append(Problem("生年月日", "1900年より前の日付は入力できません"))
        except DateParseError as error:
            problems.append(Problem("生年月日", str(error)))
    sex = _code(SEXES, person.sex) if person.sex.strip() else None
    if person.sex.strip() and sex is None:
        problems.append(Problem("性別", f"「{person.sex}」は選択肢にありません"))
    household = _code(HOUSEHOLDS, person.household) if person.household.strip() else None
    if person.household.strip() and household is None:
        problems.append(Problem("世帯状況", f"「{person.household}」は選択肢にありません"))
    phone = normalise_phone(person.phone)
    if phone and not re.fullmatch(r"[0-9()\-+ ]{6,20}", phone):
        problems.append(Problem("電話", "数字とハイフンで入力してください（例: 03-1234-5678）"))
    return ValidPerson(name, reading, birth, sex, person.address_town.strip(),
                       person.address_rest.strip(), phone, household)


def _validate_consents(data: IntakeInput, received: datetime | None,
                       problems: list[Problem]) -> list[ValidConsent]:
    result: list[ValidConsent] = []
    for item in data.consents:
        try:
            purpose = Purpose(item.purpose)
            giver = Giver(item.giver)
            method = Method(item.method)
        except ValueError:
            problems.append(Problem("本人同意", f"「{item.recipient}」の同意の内容が正しくありません"))
            continue
        if not re.fullmatch(r"(org|dest):\d+", item.recipient):
            problems.append(Problem("本人同意", f"同意先「{item.recipient}」が正しくありません"))
            continue
        if giver is Giver.PROXY and not item.giver_relation.strip():
            problems.append(Problem("本人同意", "代理人の場合は本人との関係（続柄）を入力してください"))
            continue
        if item.given_on.strip():
            try:
                given_on = parse_date(item.given_on)
            except DateParseError as error:
                problems.append(Problem("本人同意", f"同意日: {error}"))
                continue
        elif received is not None:
            given_on = received.date()
        else:
            continue  # 受付日時 already reported
        result.append(ValidConsent(item.recipient, purpose, item.given, giver,
                                   item.giver_relation.strip(), method, given_on))
    return result
