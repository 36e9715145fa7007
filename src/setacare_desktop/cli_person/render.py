"""The text of ``person find``, ``person show``, ``referral list`` and ``followup list``.

Dates in the Japanese era; free texts cut to a line; nothing beyond what the services return
(they have already masked what the staff member may not see)."""

from __future__ import annotations

from datetime import date

from setacare_desktop.cli_common import table
from setacare_desktop.domain.continuity import living_label
from setacare_desktop.domain.followups import Followup, Scope
from setacare_desktop.domain.jpdate import to_wareki, utc_to_local
from setacare_desktop.services.person_page import PersonPage
from setacare_desktop.services.persons import PersonCandidate
from setacare_desktop.services.referrals import ReferralRow

TEXT_CHARS = 24


def _cut(text: str, limit: int = TEXT_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _day(value: object) -> str:
    return to_wareki(value) if isinstance(value, date) else ""


def candidates(found: list[PersonCandidate]) -> str:
    if not found:
        return "一致する対象者はいません。"
    rows = [(str(c.person_id), c.name or "（氏名なし）", c.reading, _day(c.birth_date),
             c.district_name, "、".join(c.reasons)) for c in found]
    return table(("対象者ID", "氏名", "ふりがな", "生年月日", "地区", "一致の理由"), rows) + \
        f"\n{len(found)}人（詳しくは setacare person show ID）"


def referrals(rows: list[ReferralRow]) -> str:
    if not rows:
        return "該当するつなぎはありません。"
    lines = [(str(r.referral_id), str(r.consultation_id), _day(r.referred_on), r.destination,
              r.method.label, r.status.label, _day(r.reply_due) + ("（超過）" if r.overdue else ""),
              _cut(r.last_reply)) for r in rows]
    return table(("ID", "相談No.", "つないだ日", "つなぎ先", "方法", "状態", "返信期限", "返信"),
                 lines) + f"\n{len(rows)}件"


def followups(items: list[Followup], scope: Scope) -> str:
    if not items:
        return f"やることはありません（{scope.label}）。"
    rows = [(f.kind.label, _day(f.due), f.person, f"{f.consultation_id or ''}",
             _cut(f.what, 40), f.holder) for f in items]
    return table(("種類", "期日", "対象者", "相談No.", "内容", "担当"), rows) + \
        f"\n{len(items)}件（{scope.label}）"


def person_page(page: PersonPage) -> str:
    p = page.person
    lines = [f"対象者ID {p.person_id}  {p.name}（{p.reading}）" if p.reading
             else f"対象者ID {p.person_id}  {p.name}"]
    facts = []
    if p.birth_date is not None:
        facts.append(f"{to_wareki(p.birth_date)}生（{p.age}歳）")
    facts += [x for x in (p.sex, f"{p.district_name}地区", p.address,
                          f"電話 {p.phone}" if p.phone else "") if x]
    lines.append("・".join(facts))
    lines.append("")
    c = page.continuity
    if c is None:
        lines.append("■ 継続支援: なし")
    else:
        lines.append(f"■ 継続支援: {c.status.label}（担当: {c.holder_name}・{c.holder_organisation}、"
                     f"開始 {to_wareki(c.opened_on)}"
                     + (f"、終結 {to_wareki(c.closed_on)}" if c.closed_on else "") + "）")
        for e in c.events:
            lines.append(f"  {to_wareki(utc_to_local(e.at).date())} {e.action.label} "
                         f"{e.staff_name}: {_cut(e.reason, 60)}")
    lines += ["", f"■ 相談（{len(page.consultations)}件）"]
    lines.append(table(("相談No.", "受付日時", "受付機関", "受付者", "主訴", "次回予定"), [
        (str(x.consultation_id), f"{to_wareki(x.received_at.date())} {x.received_at:%H:%M}",
         x.organisation, x.staff_name, _cut(x.main_complaint), _day(x.next_date))
        for x in page.consultations]) if page.consultations else "  なし")
    lines += ["", f"■ つなぎ（{len(page.referrals)}件）"]
    lines.append(table(("ID", "相談No.", "つないだ日", "つなぎ先", "状態", "返信期限", "返信"), [
        (str(r.referral_id), str(r.consultation_id), _day(r.referred_on), r.destination,
         r.status.label, _day(r.reply_due) + ("（超過）" if r.overdue else ""), _cut(r.last_reply))
        for r in page.referrals]) if page.referrals else "  なし")
    lines += ["", f"■ 同意（{len(page.consents)}件、撤回・不同意を含む）"]
    lines.append(table(("同意先", "目的", "状態", "同意した人", "方法", "日付", "撤回日"), [
        (x.recipient, x.purpose, x.state + ("（不同意を変更）" if x.replaces_refusal else ""),
         x.giver, x.method, _day(x.given_on), _day(x.withdrawn_on))
        for x in page.consents]) if page.consents else "  なし")
    lines += ["", f"■ 連携シート（{len(page.sheets)}件）"]
    lines.append(table(("シート番号", "つなぎID", "相談No.", "つなぎ先", "発行日", "様式", "印刷"), [
        (s.sheet_number, str(s.referral_id), str(s.consultation_id), s.destination,
         to_wareki(utc_to_local(s.issued_at).date()), "匿名" if s.anonymised else "通常",
         f"{s.prints}回") for s in page.sheets]) if page.sheets else "  なし")
    lines += ["", f"■ 世帯（{len(page.households)}件）"]
    lines.append(table(("続柄", "相手", "同居", "状況"), [
        (h.relation, h.other_label + ("" if h.other_visible else "（同意なし）"),
         living_label(h.living_together), "・".join(s.label for s in h.situations))
        for h in page.households]) if page.households else "  なし")
    return "\n".join(lines)
