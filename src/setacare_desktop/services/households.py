"""Household links between two persons (親子, 配偶者, きょうだい …; 8050, ヤングケアラー, 介護者).

A link is made and ended by staff who may see *both* persons (docs/privacy.md: linking someone
the caller could not find would open their record) and may write cases in the person's
district. What a viewer is shown of the other person follows the visibility rule: their name
only when the viewer may see them too, otherwise initials and age band.

- :func:`household_links` / :func:`links_in_session`: the links of a person (the person page);
- :func:`panel_lines` / :func:`link_lines`: one short line per link, without any identifying
  detail of the other person, for the intake's duplicate panel (read at every pause in typing
  and not audited, like the candidates themselves) and the liaison sheet's 世帯状況.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from setacare_desktop.domain import roles
from setacare_desktop.domain.continuity import (
    HouseholdInput,
    Situation,
    inverse_relation,
    living_label,
    parse_situations,
    relation_problem,
)
from setacare_desktop.domain.jpdate import age_on, local_now
from setacare_desktop.domain.problems import Problem
from setacare_desktop.domain.roles import StaffProfile
from setacare_desktop.domain.visibility import Access, masked_person_label
from setacare_desktop.services import audit
from setacare_desktop.services.errors import NotFoundError, ValidationError
from setacare_desktop.services.guard import deny
from setacare_desktop.services.persons import person_district, require_person_visible
from setacare_desktop.services.unit import use_case
from setacare_desktop.services.visibility import visibilities
from setacare_desktop.store.database import Database
from setacare_desktop.store.models import ConsultationDetail, HouseholdLink, Person, utc_now

_LINK_FIELDS = ("relation", "living_together", "situations", "other_person_id")


@dataclass(frozen=True, slots=True)
class HouseholdLinkRow:
    """One link as seen from ``person_id``: ``relation`` is what the other person is to them."""

    link_id: int
    person_id: int
    other_person_id: int
    other_label: str  # the name, or initials and age band when the viewer may not see them
    other_visible: bool
    relation: str
    living_together: bool
    situations: tuple[Situation, ...]
    other_age: int | None  # only when visible

    @property
    def summary(self) -> str:
        """「母（同居）・8050」: no identifying detail of the other person."""
        text = f"{self.relation}（{living_label(self.living_together)}）"
        if self.situations:
            text += "・" + "・".join(s.label for s in self.situations)
        return text


def visible_persons(session: Session, actor: StaffProfile, person_ids: Iterable[int]
                    ) -> set[int]:
    """Those of ``person_ids`` the caller may see whole or by consent (as the duplicate check:
    some consultation of theirs is the caller's organisation's, or they consented to it)."""
    wanted = set(person_ids)
    if not wanted:
        return set()
    cases: dict[int, list[int]] = {}
    for pid, cid in session.execute(
            select(ConsultationDetail.person_id, ConsultationDetail.consultation_id)
            .where(ConsultationDetail.person_id.in_(wanted))):
        if pid is not None:
            cases.setdefault(pid, []).append(cid)
    seen = visibilities(session, actor, [c for ids in cases.values() for c in ids])
    readable = set(roles.readable_districts(actor))
    districts: dict[int, str] = {pid: code for pid, code in session.execute(
        select(Person.id, Person.district_code).where(Person.id.in_(wanted)))}
    opens = {Access.WHOLE, Access.CONSENT}
    return {pid for pid, ids in cases.items()
            if districts.get(pid) in readable
            and any(seen[c].access in opens for c in ids if c in seen)}


def links_in_session(session: Session, actor: StaffProfile, person_id: int,
                     on: date | None = None) -> list[HouseholdLinkRow]:
    """The person's standing links, newest first (the caller checked it may see the person)."""
    day = on or local_now().date()
    links = list(session.scalars(
        select(HouseholdLink).where(
            or_(HouseholdLink.person_id == person_id, HouseholdLink.other_person_id == person_id),
            HouseholdLink.ended_at.is_(None)).order_by(HouseholdLink.id.desc())))
    others = {link.other_person_id if link.person_id == person_id else link.person_id
              for link in links}
    shown = visible_persons(session, actor, others)
    persons = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(others)))}
    rows = []
    for link in links:
        forward = link.person_id == person_id
        other = persons[link.other_person_id if forward else link.person_id]
        visible = other.id in shown
        label = other.name if visible else masked_person_label(other.reading, other.birth_date,
                                                               day)
        age = age_on(other.birth_date, day) if visible and other.birth_date else None
        situations, _ = parse_situations(list(link.situations or []))
        rows.append(HouseholdLinkRow(
            link.id, person_id, other.id, label, visible,
            link.relation if forward else inverse_relation(link.relation),
            link.living_together, situations, age))
    return rows


def _check(session: Session, actor: StaffProfile, person_id: int, action: str) -> None:
    require_person_visible(session, actor, person_id, action)
    if not roles.can_write_cases(actor, person_district(session, person_id)):
        raise deny(actor, action, "この地区の世帯の情報を変更する権限がありません。",
                   entity="person", entity_id=person_id)


@use_case
def link_household(db: Database, actor: StaffProfile, person_id: int, other_person_id: int,
                   typed: HouseholdInput) -> int:
    """Link two persons of one household; returns the link's id. ``typed.relation`` is what the
    other person is to ``person_id``."""
    problems = [p for p in (relation_problem(typed.relation),) if p]
    situations, bad = parse_situations(list(typed.situations))
    problems += bad
    if person_id == other_person_id:
        problems.append(Problem("世帯の相手", "同じ対象者どうしは紐付けできません"))
    if problems:
        raise ValidationError(problems)
    with db.transaction() as session:
        _check(session, actor, person_id, "household_link")
        _check(session, actor, other_person_id, "household_link")
        standing = session.scalar(select(HouseholdLink.id).where(
            HouseholdLink.ended_at.is_(None),
            or_((HouseholdLink.person_id == person_id)
                & (HouseholdLink.other_person_id == other_person_id),
                (HouseholdLink.person_id == other_person_id)
                & (HouseholdLink.other_person_id == person_id))))
        if standing is not None:
            raise ValidationError([Problem("世帯の相手", "この2人は既に紐付けられています")])
        link = HouseholdLink(person_id=person_id, other_person_id=other_person_id,
                             relation=typed.relation.strip(),
                             living_together=typed.living_together,
                             situations=[s.value for s in situations], created_by=actor.staff_id)
        session.add(link)
        session.flush()
        for pid in (person_id, other_person_id):
            audit.record(session, actor, "household_link", entity="person", entity_id=pid,
                         fields=_LINK_FIELDS, detail=f"link:{link.id}")
        return link.id


@use_case
def end_household_link(db: Database, actor: StaffProfile, link_id: int) -> None:
    """End a link (kept with who ended it and when)."""
    with db.transaction() as session:
        link = session.get(HouseholdLink, link_id)
        if link is None or link.ended_at is not None:
            raise NotFoundError(f"世帯の紐付け（ID {link_id}）が見つかりません。")
        _check(session, actor, link.person_id, "household_unlink")
        _check(session, actor, link.other_person_id, "household_unlink")
        link.ended_at = utc_now()
        link.ended_by = actor.staff_id
        for pid in (link.person_id, link.other_person_id):
            audit.record(session, actor, "household_unlink", entity="person", entity_id=pid,
                         fields=("ended_at",), detail=f"link:{link.id}")


@use_case
def panel_lines(db: Database, actor: StaffProfile, person_ids: list[int]) -> dict[int, list[str]]:
    """For the duplicate panel: per candidate the caller may see, one line per household link
    (「母（同居）・8050」), nothing that identifies the other person. Not audited: read at every
    pause in typing, like the candidates (docs/privacy.md)."""
    with db.read() as session:
        return link_lines(session, visible_persons(session, actor, person_ids))


def link_lines(session: Session, person_ids: Iterable[int]) -> dict[int, list[str]]:
    """Per person, one line per current household link, as the person sees it (「母（同居）・
    8050」): the relation, 同居/別居 and the situations, never the other person's name or age.
    The duplicate panel shows them, and the liaison sheet prints them in its 世帯状況 (the
    person's own circumstances, shared under the person's consent); the callers have checked
    that the persons may be seen."""
    shown = set(person_ids)
    links = list(session.scalars(select(HouseholdLink).where(
        HouseholdLink.ended_at.is_(None),
        or_(HouseholdLink.person_id.in_(shown), HouseholdLink.other_person_id.in_(shown)))
        .order_by(HouseholdLink.id.desc())))
    lines: dict[int, list[str]] = {}
    for link in links:
        situations, _ = parse_situations(list(link.situations or []))
        extra = "".join("・" + s.label for s in situations)
        living = living_label(link.living_together)
        if link.person_id in shown:
            lines.setdefault(link.person_id, []).append(f"{link.relation}（{living}）{extra}")
        if link.other_person_id in shown:
            lines.setdefault(link.other_person_id, []).append(
                f"{inverse_relation(link.relation)}（{living}）{extra}")
    return lines
