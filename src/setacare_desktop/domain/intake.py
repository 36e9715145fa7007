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
from setacare_desktop.domain.problems import Problem
from setacare_desktop.domain.text import is_blank, text_problem

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
#: Consents one intake may record: two purposes for each of the district's partners and the
#: destinations a counter could name in one interview, with room to spare.
MAX_CONSENTS = 50
MAX_LONG = 20_000
#: The largest record id (対象者ID and the like): PostgreSQL's INTEGER, which the ids are.
MAX_RECORD_ID = 2**31 - 1

#: Every text field of the intake (labels in ``domain.problems.LABELS``); those written over
#: several lines may hold line ends and tabs, the others no control character at all
#: (see ``domain.text``).
_TEXT_FIELDS: tuple[tuple[str, bool], ...] = (
    ("received_at", False), ("channel", False), ("district", False), ("consulter_kind", False),
    ("consulter_relation", False), ("consulter_name", False), ("consulter_contact", False),
    ("main_complaint", True), ("details", True), ("response", False), ("next_date", False),
    ("next_note", True), ("urgency_note", True),
)
_PERSON_FIELDS = ("name", "reading", "birth_date", "sex", "address_town", "address_rest",
                  "phone", "household")
_LIST_FIELDS = ("target_groups", "elements", "urgency")
_CONSENT_LABELS: tuple[tuple[str, str], ...] = (
    ("recipient", "同意先"), ("purpose", "目的"), ("giver", "同意した人"),
    ("giver_relation", "続柄"), ("method", "方法"), ("given_on", "同意日"),
)


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


def _check_length(problems: list[Problem], key: str, text: str, limit: int) -> None:
    if len(text) > limit:
        problems.append(Problem(key, f"{limit}文字以内で入力してください（現在{len(text)}文字）"))


def validate(data: IntakeInput, *, now: datetime) -> tuple[ValidIntake | None, list[Problem]]:
    """Check an intake; returns the clean intake, or None and every problem found."""
    problems = _text_problems(data)
    if problems:
        # NUL, an escape sequence or bytes that are not UTF-8: refused by field before any other
        # rule quotes the value back (or a database driver fails on it).
        return None, problems
    if data.person_id is not None and not 1 <= data.person_id <= MAX_RECORD_ID:
        return None, [Problem("person_id", f"1〜{MAX_RECORD_ID:,} の整数にしてください")]
    received: datetime | None = None
    if not data.received_at.strip():
        problems.append(Problem("received_at", "入力してください"))
    else:
        try:
            received = parse_datetime(data.received_at)
            if received.date() > now.date():
                problems.append(Problem("received_at", "未来の日付は入力できません"))
        except DateParseError as error:
            problems.append(Problem("received_at", str(error)))

    channel = _code(ref.CHANNELS, data.channel)
    if not data.channel.strip():
        problems.append(Problem("channel", "選択してください"))
    elif channel is None:
        problems.append(Problem("channel", f"「{data.channel}」は選択肢にありません"))

    district = ref.DISTRICTS_BY_CODE.get(data.district) or ref.DISTRICTS_BY_NAME.get(
        data.district.strip().removesuffix("地区"))
    if district is None:
        problems.append(Problem("district", f"「{data.district}」は地区ではありません"
                                if data.district.strip() else "選択してください"))

    consulter = _code(ref.CONSULTER_KINDS, data.consulter_kind)
    if not data.consulter_kind.strip():
        problems.append(Problem("consulter_kind", "選択してください"))
    elif consulter is None:
        problems.append(Problem("consulter_kind", f"「{data.consulter_kind}」は選択肢にありません"))

    person = _validate_person(data.person, now, problems) if not data.anonymous else None

    groups = []
    for text in data.target_groups:
        code = _code(ref.TARGET_GROUPS, text)
        if code is None:
            problems.append(Problem("target_groups", f"「{text}」は選択肢にありません"))
        elif code not in groups:
            groups.append(code)
    elements = []
    for text in data.elements:
        code = _code(ref.ELEMENTS, text)
        if code is None:
            problems.append(Problem("elements", f"「{text}」は選択肢にありません"))
        elif code not in elements:
            elements.append(code)

    complaint = data.main_complaint.strip()
    if is_blank(complaint):
        problems.append(Problem("main_complaint", "入力してください"))
    _check_length(problems, "main_complaint", complaint, MAX_SHORT * 5)
    _check_length(problems, "details", data.details, MAX_LONG)

    response = _code(ref.RESPONSES, data.response) if data.response.strip() else None
    if data.response.strip() and response is None:
        problems.append(Problem("response", f"「{data.response}」は選択肢にありません"))

    next_date = None
    if data.next_date.strip():
        try:
            next_date = parse_date(data.next_date)
        except DateParseError as error:
            problems.append(Problem("next_date", str(error)))

    urgency = []
    for text in data.urgency:
        code = _code(URGENCY_FLAGS, text)
        if code is None:
            problems.append(Problem("urgency", f"「{text}」は選択肢にありません"))
        elif code not in urgency:
            urgency.append(code)

    consents = _validate_consents(data, received, now, problems)
    if data.anonymous and any(c.given for c in consents):
        problems.append(Problem("consents", "匿名の相談では同意を記録できません（氏名がありません）"))

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

    def check(key: str, value: object, multiline: bool = False) -> None:
        problem = text_problem(value, multiline=multiline) if isinstance(value, str) else None
        if problem:
            problems.append(Problem(key, problem))

    for name, multiline in _TEXT_FIELDS:
        check(name, getattr(data, name), multiline)
    for name in _PERSON_FIELDS:
        check(f"person.{name}", getattr(data.person, name))
    for name in _LIST_FIELDS:
        for value in getattr(data, name):
            check(name, value)
    for consent in data.consents:
        for name, label in _CONSENT_LABELS:
            problem = text_problem(getattr(consent, name))
            if problem:
                problems.append(Problem("consents", problem, f"本人同意（{label}）"))
    return problems


def _validate_person(person: PersonInput, now: datetime, problems: list[Problem]
                     ) -> ValidPerson:
    name = " ".join(person.name.split())
    _check_length(problems, "person.name", name, 100)
    reading = ""
    if person.reading.strip():
        problem = reading_problem(person.reading)
        if problem:
            problems.append(Problem("person.reading", problem))
        reading = normalise_reading(person.reading)
    birth = None
    if person.birth_date.strip():
        try:
            birth = parse_date(person.birth_date)
            if birth > now.date():
                problems.append(Problem("person.birth_date", "未来の日付は入力できません"))
            elif birth.year < 1900:
                problems.append(Problem("person.birth_date", "1900年より前の日付は入力できません"))
        except DateParseError as error:
            problems.append(Problem("person.birth_date", str(error)))
    sex = _code(SEXES, person.sex) if person.sex.strip() else None
    if person.sex.strip() and sex is None:
        problems.append(Problem("person.sex", f"「{person.sex}」は選択肢にありません"))
    household = _code(HOUSEHOLDS, person.household) if person.household.strip() else None
    if person.household.strip() and household is None:
        problems.append(Problem("person.household", f"「{person.household}」は選択肢にありません"))
    phone = normalise_phone(person.phone)
    if phone and not re.fullmatch(r"[0-9()\-+ ]{6,20}", phone):
        problems.append(Problem("person.phone", "数字とハイフンで入力してください（例: 03-1234-5678）"))
    return ValidPerson(name, reading, birth, sex, person.address_town.strip(),
                       person.address_rest.strip(), phone, household)


def _validate_consents(data: IntakeInput, received: datetime | None, now: datetime,
                       problems: list[Problem]) -> list[ValidConsent]:
    result: list[ValidConsent] = []
    if len(data.consents) > MAX_CONSENTS:
        problems.append(Problem("consents", f"1回の受付で記録できる同意は{MAX_CONSENTS}件までです"
                                            f"（{len(data.consents):,}件）"))
        return result
    seen: set[tuple[str, str]] = set()
    for item in data.consents:
        if (item.recipient, item.purpose) in seen:
            problems.append(Problem("consents", f"同意先「{item.recipient}」の同じ目的の同意が"
                                                "重複しています（1つにしてください）"))
            continue
        seen.add((item.recipient, item.purpose))
        try:
            purpose = Purpose(item.purpose)
            giver = Giver(item.giver)
            method = Method(item.method)
        except ValueError:
            problems.append(Problem("consents", f"「{item.recipient}」の同意の内容が正しくありません"))
            continue
        if not re.fullmatch(r"(org|dest):\d+", item.recipient):
            problems.append(Problem("consents", f"同意先「{item.recipient}」が正しくありません"))
            continue
        if giver is Giver.PROXY and not item.giver_relation.strip():
            problems.append(Problem("consents", "代理人の場合は本人との関係（続柄）を入力してください"))
            continue
        if item.given_on.strip():
            try:
                given_on = parse_date(item.given_on)
            except DateParseError as error:
                problems.append(Problem("consents", f"同意日: {error}"))
                continue
            if given_on > now.date():
                problems.append(Problem("consents", "同意日: 未来の日付は入力できません"))
                continue
        elif received is not None:
            given_on = received.date()
        else:
            continue  # 受付日時 already reported
        result.append(ValidConsent(item.recipient, purpose, item.given, giver,
                                   item.giver_relation.strip(), method, given_on))
    return result
