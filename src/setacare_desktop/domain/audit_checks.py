"""操作記録の確認: what the audit trail's actions are called, and the checks that flag a row.

The seed asks for regular checks of the operation logs (操作記録の定期的な確認). A supervisor
cannot read every row, so these rules point at the rows worth a look (each flag has a Japanese
reason shown in the 「注意」 column):

- **緊急時の例外による閲覧**: a view whose ``detail`` contains :data:`EMERGENCY_VIEW_DETAIL`
  (the privacy work records a view made under an emergency exception that way);
- **短時間に多数の閲覧**: one staff member opening more than :data:`BULK_VIEW_LIMIT` different
  records within :data:`BULK_VIEW_WINDOW` (every row of that burst is flagged);
- **勤務時間外の閲覧**: personal data read or printed before :data:`WORK_START` or from
  :data:`WORK_END` on (the ward's local time), or on a Saturday or Sunday (public holidays are
  not known to the program and are not flagged);
- **送付の記録がない連携シート**: a liaison sheet printed whose referral has never been recorded as
  sent (送付済), judged when the list is made;
- **拒否された操作**: a refusal of access (``permission_denied``);
- **保護の復元**: the program found the audit table's append-only protection removed.

Plain Python over :class:`AuditFact` values; the service gathers the facts.
"""

from __future__ import annotations

from collections import Counter, defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum

#: A view made under an emergency exception carries this word in its audit ``detail``.
EMERGENCY_VIEW_DETAIL = "emergency"
#: More than this many different records opened by one staff member …
BULK_VIEW_LIMIT = 30
#: … within this time is flagged.
BULK_VIEW_WINDOW = timedelta(minutes=10)
#: Working hours (local time) and working days (Monday = 0 … Friday = 4).
WORK_START = time(8, 0)
WORK_END = time(20, 0)
WORK_DAYS = frozenset(range(5))

#: Opening one record (a consultation, a person, a printout of one).
RECORD_VIEW_ACTIONS = frozenset({"consultation_view", "person_view", "intake_print",
                                 "sheet_print", "consent_form_preview", "consent_form_print"})
#: Every action that reads, lists or prints personal data (for the working-hours check).
ACCESS_ACTIONS = RECORD_VIEW_ACTIONS | frozenset({
    "consultation_list", "consultation_search", "day_list_print", "review_list",
    "returned_list", "package_export", "referral_list"})
SHEET_PRINT_ACTION = "sheet_print"
REFUSAL_ACTIONS = frozenset({"permission_denied"})
PROTECTION_ACTIONS = frozenset({"audit_protection_restored", "audit_protection_missing"})

ACTION_LABELS: dict[str, str] = {
    "login": "ログイン",
    "login_failed": "ログイン失敗",
    "login_refused_locked": "ログイン拒否（ロック中）",
    "account_locked": "アカウントのロック",
    "logout": "ログアウト",
    "credentials_verified": "監督者の承認（パスワード確認）",
    "staff_create": "職員の追加",
    "consultation_create": "相談の記録",
    "consultation_amend": "相談の修正",
    "consultation_view": "相談の閲覧",
    "consultation_list": "相談の一覧",
    "consultation_search": "相談の検索",
    "person_view": "対象者の閲覧",
    "person_create": "対象者の登録",
    "person_update": "対象者の更新",
    "consent_record": "本人同意の記録",
    "consent_withdraw": "本人同意の撤回",
    "emergency_exception": "緊急時の例外の記録",
    "draft_create": "下書きの作成",
    "draft_discard": "下書きの破棄",
    "draft_from_pc": "このPCに残した下書きの取り込み",
    "referral_create": "つなぎの記録",
    "referral_update": "つなぎの更新",
    "referral_list": "つなぎの一覧",
    "referral_refused": "つなぎの拒否（同意なし）",
    "sheet_print": "連携シートの印刷",
    "sheet_refused": "連携シートの拒否（同意なし）",
    "intake_print": "相談受付票の印刷",
    "day_list_print": "相談一覧の印刷",
    "fax_cover_print": "FAX送付状の印刷",
    "consent_form_preview": "同意書の表示",
    "consent_form_print": "同意書の印刷",
    "consent_form_signed": "同意書の署名の記録",
    "organisation_settings_change": "送付元の情報の変更",
    "print_form_change": "様式の番号・題名の変更",
    "review_list": "確認の一覧",
    "returned_list": "差戻しの一覧",
    "review_decide": "相談の確認",
    "day_signoff": "日次確認",
    "stats": "統計",
    "package_export": "日次パッケージの書き出し",
    "package_import": "日次パッケージの取り込み",
    "directory_import": "つなぎ先の取り込み",
    "directory_edit": "つなぎ先の編集",
    "demo_generate": "デモデータの作成",
    "permission_denied": "権限外の操作（拒否）",
    "audit_list": "操作記録の閲覧",
    "audit_export": "操作記録の書き出し",
    "audit_verify": "操作記録の検証",
    "audit_protection_restored": "操作記録の保護の復元",
    "audit_protection_missing": "操作記録の保護の欠落",
}

#: How the record an audit row names is shown: entity → prefix of its id.
ENTITY_LABELS: dict[str, str] = {
    "consultation": "相談 No.",
    "person": "対象者 ",
    "referral": "つなぎ ",
    "liaison_sheet": "連携シート ",
    "consent": "同意 ",
    "staff": "職員 ",
    "draft": "下書き ",
    "day": "",
    "district": "地区 ",
    "period": "期間 ",
    "dir_service": "つなぎ先 ",
    "directory": "つなぎ先一覧 ",
    "package": "パッケージ ",
    "audit_event": "操作記録 ",
}


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def parse_action(text: str) -> str | None:
    """The action code for a code or a Japanese label (「相談の閲覧」), or None if unknown."""
    cleaned = text.strip()
    for code, label in ACTION_LABELS.items():
        if cleaned in (code, label):
            return code
    return None


def record_label(entity: str | None, entity_id: str | None) -> str:
    """「相談 No.12」「連携シート IKEJIRI-2026-00001」, or "" when the row names no record."""
    if entity is None and entity_id is None:
        return ""
    prefix = ENTITY_LABELS.get(entity or "", f"{entity} " if entity else "")
    return f"{prefix}{entity_id or ''}".strip()


class Flag(StrEnum):
    EMERGENCY_VIEW = "emergency_view"
    BULK_VIEW = "bulk_view"
    OFF_HOURS = "off_hours"
    UNSENT_SHEET = "unsent_sheet"
    REFUSED = "refused"
    PROTECTION = "protection"

    @property
    def label(self) -> str:
        """Short, for the 注意 column."""
        return FLAG_LABELS[self]

    @property
    def reason(self) -> str:
        """The rule in full, for a tooltip and the CSV."""
        return FLAG_REASONS[self]


FLAG_LABELS: dict[Flag, str] = {
    Flag.EMERGENCY_VIEW: "緊急時の例外による閲覧",
    Flag.BULK_VIEW: "短時間に多数の閲覧",
    Flag.OFF_HOURS: "勤務時間外",
    Flag.UNSENT_SHEET: "送付の記録がない連携シート",
    Flag.REFUSED: "権限外の操作（拒否）",
    Flag.PROTECTION: "記録の保護が外されていた",
}


FLAG_REASONS: dict[Flag, str] = {
    Flag.EMERGENCY_VIEW: "緊急時の例外による閲覧",
    Flag.BULK_VIEW: (f"短時間に多数の閲覧（{int(BULK_VIEW_WINDOW.total_seconds() // 60)}分間に"
                     f"{BULK_VIEW_LIMIT + 1}件以上）"),
    Flag.OFF_HOURS: (f"勤務時間外の閲覧（{WORK_START.hour}時前・{WORK_END.hour}時以降・土日）"),
    Flag.UNSENT_SHEET: "印刷した連携シートの送付の記録がない",
    Flag.REFUSED: "権限のない操作（拒否された）",
    Flag.PROTECTION: "操作記録の保護が外されていた",
}


@dataclass(frozen=True, slots=True)
class AuditFact:
    """What the checks need of one audit row. ``at`` is the ward's local time; ``sheet_sent``
    is set for a sheet print: whether its referral has been recorded as sent."""

    id: int
    at: datetime
    login: str
    action: str
    entity: str | None = None
    entity_id: str | None = None
    detail: str | None = None
    sheet_sent: bool | None = None


def off_hours(at: datetime) -> bool:
    """Before 8:00, from 20:00 on, or on a Saturday or Sunday (local time)."""
    return at.weekday() not in WORK_DAYS or not WORK_START <= at.time() < WORK_END


def row_flags(fact: AuditFact) -> list[Flag]:
    """The flags one row raises on its own."""
    flags = []
    if (fact.action in RECORD_VIEW_ACTIONS
            and EMERGENCY_VIEW_DETAIL in (fact.detail or "").lower()):
        flags.append(Flag.EMERGENCY_VIEW)
    if fact.action in ACCESS_ACTIONS and off_hours(fact.at):
        flags.append(Flag.OFF_HOURS)
    if fact.action == SHEET_PRINT_ACTION and fact.sheet_sent is False:
        flags.append(Flag.UNSENT_SHEET)
    if fact.action in REFUSAL_ACTIONS:
        flags.append(Flag.REFUSED)
    if fact.action in PROTECTION_ACTIONS:
        flags.append(Flag.PROTECTION)
    return flags


def bulk_views(facts: Iterable[AuditFact], *, limit: int = BULK_VIEW_LIMIT,
               window: timedelta = BULK_VIEW_WINDOW) -> set[int]:
    """Ids of record views that belong to a burst: more than ``limit`` different records opened
    by one staff member within ``window``."""
    by_staff: dict[str, list[AuditFact]] = defaultdict(list)
    for fact in facts:
        if fact.action in RECORD_VIEW_ACTIONS and fact.entity_id is not None:
            by_staff[fact.login].append(fact)
    flagged: set[int] = set()
    for views in by_staff.values():
        views.sort(key=lambda f: (f.at, f.id))
        inside: deque[AuditFact] = deque()
        records: Counter[tuple[str | None, str | None]] = Counter()
        for fact in views:
            inside.append(fact)
            records[(fact.entity, fact.entity_id)] += 1
            while fact.at - inside[0].at > window:
                gone = inside.popleft()
                key = (gone.entity, gone.entity_id)
                records[key] -= 1
                if not records[key]:
                    del records[key]
            if len(records) > limit:
                flagged.update(f.id for f in inside)
    return flagged


def flags_of(facts: Sequence[AuditFact]) -> dict[int, tuple[Flag, ...]]:
    """Every flagged row's id → its flags (rows without a flag are left out)."""
    bulk = bulk_views(facts)
    result: dict[int, tuple[Flag, ...]] = {}
    for fact in facts:
        flags = row_flags(fact)
        if fact.id in bulk:
            flags.insert(1 if Flag.EMERGENCY_VIEW in flags else 0, Flag.BULK_VIEW)
        if flags:
            result[fact.id] = tuple(flags)
    return result
