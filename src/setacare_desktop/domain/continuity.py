"""継続支援 (a person's continuing support) and household links: states, relations, rules.

A person's 継続支援 is *open* while a staff member (and so their organisation) holds the case and
follows it up, *closed* with a reason when it ends. A new consultation about the person reopens
a closed one automatically (the reason says so); opening and closing by hand need a reason.

A household link ties two persons: what the other person is to this one (母, 子, 配偶者 …),
whether they live together, and the situations that make the household a concern (8050,
ヤングケアラー, 介護者, …). Plain Python: no Qt, no SQLAlchemy.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from setacare_desktop.domain.problems import Problem
from setacare_desktop.domain.text import text_problem

#: The longest reason kept (a line or two at the counter).
REASON_MAX = 500
REASON_FIELD = "理由"
RELATION_FIELD = "続柄"
SITUATION_FIELD = "世帯の状況"


class ContinuityStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return "継続支援中" if self is ContinuityStatus.OPEN else "終結"


class ContinuityAction(StrEnum):
    OPEN = "open"  # opened by hand
    CLOSE = "close"  # closed by hand
    REOPEN = "reopen"  # reopened by a new consultation

    @property
    def label(self) -> str:
        return {"open": "開始", "close": "終結", "reopen": "再開（新しい相談）"}[self.value]


#: The reason recorded when a new consultation reopens a closed 継続支援.
REOPEN_REASON = "新しい相談（No. {consultation_id}）を受け付けたため自動で再開"
#: The reason recorded when a new consultation opens a 継続支援 for the first time.
FIRST_OPEN_REASON = "相談（No. {consultation_id}）の受付により開始"


def reason_problem(reason: str) -> Problem | None:
    """Opening or closing by hand needs a reason of at most ``REASON_MAX`` characters."""
    text = reason.strip()
    if not text:
        return Problem(REASON_FIELD, "理由を入力してください")
    if len(text) > REASON_MAX:
        return Problem(REASON_FIELD, f"{REASON_MAX}文字以内で入力してください（{len(text)}文字）")
    problem = text_problem(text, multiline=True)
    return Problem(REASON_FIELD, problem) if problem else None


# --- households -------------------------------------------------------------------------------

#: Relations offered (what the other person is to this one); others may be typed.
RELATIONS: tuple[str, ...] = (
    "母", "父", "子", "配偶者", "きょうだい", "祖父母", "孫", "その他の親族", "同居人")
#: The relation as seen from the other side (母 of A → A is 子 of the mother).
_INVERSE: dict[str, str] = {
    "母": "子", "父": "子", "子": "親", "親": "子", "配偶者": "配偶者", "きょうだい": "きょうだい",
    "祖父母": "孫", "孫": "祖父母", "その他の親族": "その他の親族", "同居人": "同居人"}
RELATION_MAX = 32


class Situation(StrEnum):
    EIGHTY_FIFTY = "8050"
    YOUNG_CARER = "young_carer"
    CARER = "carer"
    DOUBLE_CARE = "double_care"

    @property
    def label(self) -> str:
        return SITUATION_LABELS[self]

    @classmethod
    def parse(cls, text: str) -> Situation:
        cleaned = text.strip()
        for situation, label in SITUATION_LABELS.items():
            if cleaned in (situation.value, label):
                return situation
        raise ValueError(text)


SITUATION_LABELS: dict[Situation, str] = {
    Situation.EIGHTY_FIFTY: "8050",
    Situation.YOUNG_CARER: "ヤングケアラー",
    Situation.CARER: "介護者",
    Situation.DOUBLE_CARE: "ダブルケア",
}


def inverse_relation(relation: str) -> str:
    """What this person is to the other (母 → 子); an unknown relation is kept as typed."""
    return _INVERSE.get(relation, relation)


def relation_problem(relation: str) -> Problem | None:
    text = relation.strip()
    if not text:
        return Problem(RELATION_FIELD, "続柄を選ぶか入力してください（例: 母、配偶者、きょうだい）")
    if len(text) > RELATION_MAX:
        return Problem(RELATION_FIELD, f"{RELATION_MAX}文字以内で入力してください")
    problem = text_problem(text)
    return Problem(RELATION_FIELD, problem) if problem else None


def parse_situations(texts: list[str]) -> tuple[tuple[Situation, ...], list[Problem]]:
    """Codes or labels (「8050」「ヤングケアラー」) → situations, or a problem naming the word."""
    found: list[Situation] = []
    problems: list[Problem] = []
    for text in texts:
        try:
            situation = Situation.parse(text)
        except ValueError:
            choices = "、".join(SITUATION_LABELS.values())
            problems.append(Problem(SITUATION_FIELD, f"「{text[:20]}」は選べません（{choices}）"))
            continue
        if situation not in found:
            found.append(situation)
    return tuple(found), problems


@dataclass(frozen=True, slots=True)
class HouseholdInput:
    """A link as typed: the relation of the other person to this one, living together or not,
    and the situations."""

    relation: str
    living_together: bool
    situations: tuple[str, ...] = ()


def living_label(living_together: bool) -> str:
    return "同居" if living_together else "別居"
