"""``case show``, ``case list`` and ``case search``: what the window shows, as text.

Each prints only what the visibility rule lets the staff member see (docs/privacy.md): a case they
see masked is printed as its masked record with the reason, its JSON is refused, and a search
never finds it. A case seen under an emergency exception says so above it.
"""

from __future__ import annotations

import json
from datetime import date

from setacare_desktop.cli_common import EXIT_OK
from setacare_desktop.cli_common import out as _out
from setacare_desktop.cli_common import table as _table
from setacare_desktop.domain import reference as ref
from setacare_desktop.domain.intake import HOUSEHOLDS, SEXES, URGENCY_FLAGS
from setacare_desktop.domain.jpdate import local_now
from setacare_desktop.domain.visibility import Access
from setacare_desktop.services import Database, StaffProfile, consultations, intake
from setacare_desktop.services import search as search_service
from setacare_desktop.services.inputs import date_field, district_field
from setacare_desktop.services.intake import LoadedIntake, MaskedCase

#: Above a case shown under an emergency exception (as the window's banner says it).
EMERGENCY_BANNER = "【緊急時の例外により表示しています】"
#: Above a masked record.
MASKED_HEADING = "【個人を特定できる情報は表示していません】"

#: 主訴 is cut to this many characters in the day list (``case show`` prints it in full).
LIST_COMPLAINT_CHARS = 28
#: 相談内容 is shown this long around the first matched word in ``case search``.
EXCERPT_CHARS = 30


def district_code(text: str) -> str:
    return district_field(text, "地区").code


def _label(terms: tuple[ref.Term, ...], code: str) -> str:
    return next((t.label for t in terms if t.code == code), code)


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def case_show(db: Database, actor: StaffProfile, consultation_id: int, *, as_json: bool) -> int:
    if as_json:  # refused (audited) for a case ``actor`` sees masked: docs/case-json.md
        _out(json.dumps(intake.case_json(db, actor, consultation_id).to_dict(),
                        ensure_ascii=False, indent=2))
        return EXIT_OK
    if not intake.case_access(db, actor, consultation_id).identifying:
        _show_masked(intake.masked_case(db, actor, consultation_id))
        return EXIT_OK
    _show_whole(intake.load_intake(db, actor, consultation_id))
    return EXIT_OK


def _show_masked(case: MaskedCase) -> None:
    _out(f"相談 No. {case.consultation_id}  {MASKED_HEADING}" + ("  ★緊急" if case.urgent else ""))
    _out(case.notice)
    labels = [
        ("受付日時", f"{case.received_at:%Y-%m-%d %H:%M}"),
        ("受付方法", case.channel_label),
        ("地区", case.district_name),
        ("受付機関", case.organisation_name),
        ("相談者", case.consulter_label),
        ("対象者", case.person_label),
        ("対象区分", "、".join(case.target_labels)),
        ("相談内容の分類", "、".join(case.element_labels)),
        ("対応", case.response_label),
        ("緊急性", "、".join(case.urgency_labels)),
    ]
    _out(_table(("", ""), [(k, v) for k, v in labels if v], header=False))


def _show_whole(loaded: LoadedIntake) -> None:
    data = loaded.data
    person = data.person
    labels = [
        ("受付日時", data.received_at),
        ("受付方法", _label(ref.CHANNELS, data.channel)),
        ("地区", ref.DISTRICTS_BY_CODE[data.district].name),
        ("受付", f"{loaded.organisation_name}（{loaded.staff_name}）"),
        ("相談者", " ".join(x for x in (_label(ref.CONSULTER_KINDS, data.consulter_kind),
                                       data.consulter_relation, data.consulter_name,
                                       data.consulter_contact) if x)),
        ("対象者", "（匿名）" if data.anonymous else
         f"{person.name}（{person.reading}）" + (f" ID {data.person_id}" if data.person_id else "")),
    ]
    if not data.anonymous:
        labels += [
            ("生年月日", person.birth_date),
            ("性別", _label(SEXES, person.sex) if person.sex else ""),
            ("住所", f"{person.address_town} {person.address_rest}".strip()),
            ("電話", person.phone),
            ("世帯状況", _label(HOUSEHOLDS, person.household) if person.household else ""),
        ]
    labels += [
        ("対象区分", "、".join(_label(ref.TARGET_GROUPS, c) for c in data.target_groups)),
        ("相談内容の分類", "、".join(_label(ref.ELEMENTS, c) for c in data.elements)),
        ("主訴", data.main_complaint),
        ("相談内容", data.details),
        ("対応", _label(ref.RESPONSES, data.response) if data.response else ""),
        ("次回予定", " ".join(x for x in (data.next_date, data.next_note) if x)),
    ]
    if data.urgency:
        labels.append(("緊急性", "、".join(_label(URGENCY_FLAGS, c) for c in data.urgency)
                       + (f"（{data.urgency_note}）" if data.urgency_note else "")))
    if loaded.emergency:
        _out(EMERGENCY_BANNER + loaded.access_reason)
    _out(f"相談 No. {loaded.consultation_id}（版 {loaded.version}）"
         + ("  ★緊急" if loaded.urgent else ""))
    _out(_table(("", ""), [(k, v) for k, v in labels if v], header=False))


def case_list(db: Database, actor: StaffProfile, day_text: str | None,
              district_text: str | None) -> int:
    day = _day(day_text)
    district = district_code(district_text) if district_text else None
    rows = consultations.list_day(db, actor, day, district)
    heading = f"{day:%Y-%m-%d}" + (f" {ref.DISTRICTS_BY_CODE[district].name}" if district else "")
    if not rows:
        _out(f"{heading}: 相談はありません。")
        return EXIT_OK
    _out(_table(("No.", "時刻", "地区", "対象者", "受付方法", "主訴", "緊急"), [
        (str(r.consultation_id), f"{r.received_at:%H:%M}", r.district_name, r.person_name,
         r.channel_label, _cut(r.main_complaint, LIST_COMPLAINT_CHARS),
         ("★" + "・".join(r.urgency_labels)) if r.urgent else "")
        for r in rows]))
    urgent = sum(r.urgent for r in rows)
    masked = sum(r.masked for r in rows)
    _out(f"{heading}: {len(rows):,} 件" + (f"（うち緊急 {urgent:,} 件）" if urgent else ""))
    if masked:
        _out(f"うち {masked:,} 件は、本人の情報共有の同意がないため、対象者をイニシャルと年代で示し、"
             "主訴を表示していません。")
    emergency = sum(r.access is Access.EMERGENCY for r in rows)
    if emergency:
        _out(f"うち {emergency:,} 件は、緊急時の例外により表示しています（記録されます）。")
    return EXIT_OK


def case_search(db: Database, actor: StaffProfile, query: str, limit: int) -> int:
    """The window's search as text: newest first, pages read until ``limit`` hits."""
    words, hits = search_service.search(db, actor, query)
    more = len(hits) >= search_service.PAGE_SIZE
    while more and len(hits) < limit:
        _words, page = search_service.search(db, actor, query,
                                             before_id=hits[-1].consultation_id)
        hits += page
        more = len(page) >= search_service.PAGE_SIZE
    more = more or len(hits) > limit
    hits = hits[:limit]
    if not words:
        _out("検索できる言葉がありません（記号だけでは探せません）。")
        return EXIT_OK
    if not hits:
        _out(f"「{query}」に一致する相談はありません。")
        return EXIT_OK
    _out(_table(("No.", "日時", "地区", "対象者", "主訴", "相談内容（抜粋）", "緊急"), [
        (str(h.consultation_id), f"{h.received_at:%Y-%m-%d %H:%M}", h.district_name,
         (f"{h.person_name}（{h.person_reading}）" if h.person_reading else h.person_name)
         or "（匿名）", _cut(h.main_complaint, LIST_COMPLAINT_CHARS),
         _cut(h.details_excerpt, EXCERPT_CHARS),
         "★" if h.urgent else "")
        for h in hits]))
    count = f"{len(hits):,} 件以上（--limit で増やせます）" if more else f"{len(hits):,} 件"
    _out(f"「{query}」: {count}（新しい順）")
    emergency = sum(h.access is Access.EMERGENCY for h in hits)
    if emergency:
        _out(f"うち {emergency:,} 件は、緊急時の例外により表示しています（記録されます）。")
    return EXIT_OK


def _day(text: str | None) -> date:
    if text is None or not text.strip():
        return local_now().date()
    return date_field(text, "--date")
