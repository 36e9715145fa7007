"""The organisation's own settings for printed forms: the sender block (住所, 電話, FAX, 担当者)
printed on every sheet and FAX cover sheet, and each form's 様式 number and title.

Both are set by an administrator (a staff member who manages accounts), in the window (管理) or
with ``setacare org set`` / ``setacare org form``; each change is audited with the names of the
fields changed (their values are the office's own, no one's personal data, but the audit trail
lists fields only). Reading them is not audited: nothing personal is read.

The forms (``print_form``, migration 0016) ship as 「様式第1号 連携シート」, 「様式第1号の2 返信票」,
「FAX送付状」 (no number) and 「様式第2号 個人情報の提供に関する同意書」 (docs/forms.md).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from setacare_desktop.domain.roles import StaffProfile
from setacare_desktop.services import audit, guard
from setacare_desktop.services.errors import NotFoundError, Problem, ValidationError
from setacare_desktop.services.inputs import check_texts
from setacare_desktop.services.unit import use_case
from setacare_desktop.store.database import Database
from setacare_desktop.store.models import Organisation, PrintForm, utc_now

LIAISON_SHEET = "liaison_sheet"
REPLY_SLIP = "reply_slip"
FAX_COVER = "fax_cover"
CONSENT_FORM = "consent_form"
#: The shipped number and title of each form, used where the table holds none.
FORM_DEFAULTS: dict[str, tuple[str, str]] = {
    LIAISON_SHEET: ("様式第1号", "連携シート"),
    REPLY_SLIP: ("様式第1号の2", "返信票"),
    FAX_COVER: ("", "FAX送付状"),
    CONSENT_FORM: ("様式第2号", "個人情報の提供に関する同意書"),
}
#: The sender fields: the argument name, the label in messages and on screen, the longest value.
SENDER_FIELDS: tuple[tuple[str, str, int], ...] = (
    ("address", "所在地", 200),
    ("phone", "電話", 32),
    ("fax", "FAX", 32),
    ("contact", "担当者", 100),
)
_NUMBER = re.compile(r"[0-9][0-9-]{5,20}[0-9]")
#: What a phone number's hyphen is typed as (長音, minus, dashes), after NFKC.
_DASHES = str.maketrans(dict.fromkeys("ー‐‑‒–—―−", "-"))


@dataclass(frozen=True, slots=True)
class Sender:
    """送付元 as printed: the organisation and its settings ("" where not set)."""

    organisation_id: int
    name: str
    address: str
    phone: str
    fax: str
    contact: str


@dataclass(frozen=True, slots=True)
class FormTitle:
    code: str
    number: str  # 「様式第1号」, or "" for a form without a number
    title: str

    @property
    def heading(self) -> str:
        """「様式第1号 連携シート」, or the title alone."""
        return f"{self.number} {self.title}".strip()


def sender_in(session: Session, organisation_id: int) -> Sender:
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise NotFoundError(f"機関（ID {organisation_id}）が見つかりません。")
    return Sender(org.id, org.name, org.sender_address, org.sender_phone, org.sender_fax,
                  org.sender_contact)


def form_in(session: Session, code: str) -> FormTitle:
    row = session.get(PrintForm, code)
    if row is None:
        number, title = FORM_DEFAULTS[code]
        return FormTitle(code, number, title)
    return FormTitle(code, row.number, row.title)


def _organisation(session: Session, actor: StaffProfile, name: str | None) -> Organisation:
    if name is None or not name.strip():
        org = session.get(Organisation, actor.organisation_id)
    else:
        org = session.scalar(select(Organisation).where(Organisation.name == name.strip()))
    if org is None:
        raise ValidationError([Problem("機関", f"「{(name or '').strip()}」という機関はありません")])
    return org


def clean_number(text: str, label: str) -> str:
    """A phone or FAX number as typed (full-width digits and hyphens allowed), or ""."""
    typed = unicodedata.normalize("NFKC", text).strip().translate(_DASHES)
    if typed and not _NUMBER.fullmatch(typed):
        raise ValidationError([Problem(label, f"「{text.strip()[:20]}」は番号ではありません。"
                                              "数字とハイフンで入力してください（例: 03-1234-5678）")])
    return typed


@use_case
def sender_settings(db: Database, actor: StaffProfile, organisation: str | None = None) -> Sender:
    """The sender block of the actor's organisation (or the one named)."""
    with db.read() as session:
        return sender_in(session, _organisation(session, actor, organisation).id)


@use_case
def set_sender_settings(db: Database, actor: StaffProfile, *, organisation: str | None = None,
                        **values: str | None) -> Sender:
    """An administrator sets the sender block (``address``, ``phone``, ``fax``, ``contact``;
    None leaves a field as it is, "" empties it) of their organisation or the one named."""
    unknown = set(values) - {name for name, _label, _limit in SENDER_FIELDS}
    if unknown:
        raise TypeError(f"unknown sender fields: {sorted(unknown)}")
    labels = {name: label for name, label, _limit in SENDER_FIELDS}
    check_texts({labels[k]: v for k, v in values.items()})
    cleaned: dict[str, str] = {}
    problems: list[Problem] = []
    for name, label, limit in SENDER_FIELDS:
        value = values.get(name)
        if value is None:
            continue
        try:
            value = clean_number(value, label) if name in ("phone", "fax") else value.strip()
        except ValidationError as error:
            problems += error.problems
            continue
        if len(value) > limit:
            problems.append(Problem(label, f"{limit}文字以内で入力してください（{len(value)}文字）"))
        cleaned[name] = value
    if problems:
        raise ValidationError(problems)
    with db.transaction() as session:
        guard.require_account_manager(actor, "organisation_settings_change")
        org = _organisation(session, actor, organisation)
        changed = [n for n, v in cleaned.items() if getattr(org, f"sender_{n}") != v]
        for name in changed:
            setattr(org, f"sender_{name}", cleaned[name])
        if changed:
            audit.record(session, actor, "organisation_settings_change", entity="organisation",
                         entity_id=org.id, fields=[f"sender_{n}" for n in changed])
        return sender_in(session, org.id)


@use_case
def print_forms(db: Database) -> list[FormTitle]:
    """Every printed form's number and title, in their order."""
    with db.read() as session:
        rows = {r.code: r for r in session.scalars(select(PrintForm).order_by(PrintForm.sort_order))}
        return [FormTitle(code, rows[code].number, rows[code].title) if code in rows
                else FormTitle(code, *FORM_DEFAULTS[code]) for code in FORM_DEFAULTS]


@use_case
def set_print_form(db: Database, actor: StaffProfile, code: str, *, number: str,
                   title: str) -> FormTitle:
    """An administrator sets a form's 様式 number (may be empty) and title (may not)."""
    if code not in FORM_DEFAULTS:
        raise ValidationError([Problem("様式", f"「{code}」という様式はありません（"
                                             f"{'、'.join(FORM_DEFAULTS)}）")])
    check_texts({"様式番号": number, "様式の題名": title})
    number, title = unicodedata.normalize("NFC", number).strip(), title.strip()
    problems = []
    if not title:
        problems.append(Problem("様式の題名", "入力してください"))
    if len(title) > 64:
        problems.append(Problem("様式の題名", "64文字以内で入力してください"))
    if len(number) > 32:
        problems.append(Problem("様式番号", "32文字以内で入力してください"))
    if problems:
        raise ValidationError(problems)
    with db.transaction() as session:
        guard.require_account_manager(actor, "print_form_change")
        row = session.get(PrintForm, code)
        if row is None:
            row = PrintForm(code=code, number=number, title=title,
                            sort_order=list(FORM_DEFAULTS).index(code) + 1)
            session.add(row)
        changed = [f for f, v in (("number", number), ("title", title)) if getattr(row, f) != v]
        row.number, row.title = number, title
        row.updated_at, row.updated_by = utc_now(), actor.staff_id
        audit.record(session, actor, "print_form_change", entity="print_form", entity_id=code,
                     fields=changed)
        return FormTitle(code, number, title)
