"""Typed values read the same way at every entry point: a date or a district, or a
``ValidationError`` naming the field (an option such as 「--date」, or a form's label)."""

from __future__ import annotations

from datetime import date

from setacare_desktop.domain import reference as ref
from setacare_desktop.domain.jpdate import DateParseError, parse_date
from setacare_desktop.domain.text import text_problem
from setacare_desktop.services.errors import Problem, ValidationError


def date_field(text: str, field: str) -> date:
    """2026-11-24, R8.11.24, 令和8年11月24日 … (``domain.jpdate.parse_date``)."""
    try:
        return parse_date(text)
    except DateParseError as error:
        raise ValidationError([Problem(field, str(error))]) from None


def district_field(text: str, field: str) -> ref.District:
    """A district by code or name, with or without 「地区」."""
    district = ref.find_district(text)
    if district is None:
        raise ValidationError([Problem(field, f"「{text}」は地区ではありません")])
    return district


def check_texts(fields: dict[str, str | None], *, multiline: tuple[str, ...] = ()) -> None:
    """Refuse text no database or printout can hold (a control character, a lone surrogate),
    naming each field: ``fields`` maps the Japanese label to what was typed."""
    problems = []
    for label, value in fields.items():
        problem = text_problem(value or "", multiline=label in multiline)
        if problem:
            problems.append(Problem(label, problem))
    if problems:
        raise ValidationError(problems)
