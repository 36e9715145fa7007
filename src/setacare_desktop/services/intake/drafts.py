"""Unfinished intakes (下書き): saved as typed, offered back after a crash, owned by the staff
member who typed them. Never validated: a draft may be anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select

from setacare_desktop.domain.intake import IntakeInput
from setacare_desktop.domain.roles import StaffProfile
from setacare_desktop.services import audit
from setacare_desktop.services.unit import use_case
from setacare_desktop.store.database import Database
from setacare_desktop.store.models import (
    IntakeDraft,
    utc_now,
)


@dataclass(frozen=True, slots=True)
class DraftRow:
    draft_id: int
    consultation_id: int | None
    updated_at: datetime
    summary: str
    data: IntakeInput


@use_case
def save_draft(db: Database, actor: StaffProfile, data: IntakeInput, *,
               draft_id: int | None = None, consultation_id: int | None = None) -> int:
    """Save what is typed so far (no validation: a draft may be anything). Not audited per
    keystroke; the draft belongs to the staff member who typed it."""
    with db.transaction() as session:
        draft = session.get(IntakeDraft, draft_id) if draft_id is not None else None
        if draft is None or draft.staff_id != actor.staff_id:
            draft = IntakeDraft(staff_id=actor.staff_id, consultation_id=consultation_id,
                                payload=data.to_dict())
            session.add(draft)
            session.flush()
            audit.record(session, actor, "draft_create", entity="draft", entity_id=draft.id)
        else:
            draft.payload = data.to_dict()
            draft.updated_at = utc_now()
        return draft.id


@use_case
def list_drafts(db: Database, actor: StaffProfile) -> list[DraftRow]:
    """The caller's unsaved intakes, newest first (offered back after a crash)."""
    with db.read() as session:
        drafts = session.scalars(select(IntakeDraft).where(IntakeDraft.staff_id == actor.staff_id)
                                 .order_by(IntakeDraft.updated_at.desc()))
        rows = []
        for d in drafts:
            data = IntakeInput.from_dict(d.payload)
            who = data.person.name or "（氏名未入力）"
            rows.append(DraftRow(d.id, d.consultation_id, d.updated_at,
                                 f"{who} / {data.main_complaint[:30] or '（主訴未入力）'}", data))
        return rows


@use_case
def discard_draft(db: Database, actor: StaffProfile, draft_id: int) -> None:
    with db.transaction() as session:
        result = session.execute(delete(IntakeDraft).where(
            IntakeDraft.id == draft_id, IntakeDraft.staff_id == actor.staff_id))
        if result.rowcount:  # type: ignore[attr-defined]
            audit.record(session, actor, "draft_discard", entity="draft", entity_id=draft_id)

