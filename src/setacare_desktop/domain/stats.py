"""Statistics (統計) for supervisors: the dimensions, the period, the counting rules.

Plain Python over plain facts, so that every rule is testable without a database. The services
read the statistics summary's margins into :class:`Counts` (``store.stats_summary``); the same
functions here turn it, or groups of facts (:func:`count_facts`), into tables. docs/statistics.md
states the rules for the supervisors who compare our figures with the ward's.

Rules, in short:

- a consultation is counted once, in the period of its reception day (``received_on``) and under
  the district where it was received;
- 対象: exactly one target group → that group; two or more → 複合; none → 未分類 (the lines add up
  to the total); 相談拡充 (a consultation outside the elderly field taken at an
  あんしんすこやかセンター, ``reference.is_expansion``) is a 「うち」 line on top;
- 要素: a consultation counts under each of its elements, and under 要素なし when it has none (the
  lines do not add up to the total);
- 対応: a blank response is 未記入;
- 地域・地区: every area or district of the scope, in the ward's order, zero lines kept;
- つなぎ先・つなぎの結果: referrals whose referral day (``referred_on``) falls in the period, of
  consultations in scope, by destination (most first) and by status (in status order), with
  「うち 返信期限超過」: open, and the reply due before the end of the period or today, whichever
  is earlier.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from setacare_desktop.domain import reference as ref
from setacare_desktop.domain.jpdate import to_wareki
from setacare_desktop.domain.referral import STATUS_LABELS, ReferralStatus, is_overdue


class Dimension(StrEnum):
    """What a table of the report counts by."""

    ORG_KIND = "org_kind"  # 受付機関
    DISTRICT = "district"  # 地区
    AREA = "area"  # 地域
    TARGET = "target"  # 対象
    ELEMENT = "element"  # 要素
    CHANNEL = "channel"  # 受付方法
    RESPONSE = "response"  # 対応
    DESTINATION = "destination"  # つなぎ先
    OUTCOME = "outcome"  # つなぎの結果

    @property
    def label(self) -> str:
        return DIMENSION_LABELS[self]

    @classmethod
    def parse(cls, text: str) -> Dimension:
        """The code (``target``) or the Japanese label (「対象」), or 「対象別」."""
        cleaned = text.strip()
        for dimension, label in DIMENSION_LABELS.items():
            if cleaned.lower() == dimension.value or cleaned in (label, f"{label}別"):
                return dimension
        raise ValueError(text)


DIMENSION_LABELS: dict[Dimension, str] = {
    Dimension.ORG_KIND: "受付機関",
    Dimension.DISTRICT: "地区",
    Dimension.AREA: "地域",
    Dimension.TARGET: "対象",
    Dimension.ELEMENT: "要素",
    Dimension.CHANNEL: "受付方法",
    Dimension.RESPONSE: "対応",
    Dimension.DESTINATION: "つなぎ先",
    Dimension.OUTCOME: "つなぎの結果",
}

ALL_DIMENSIONS: tuple[Dimension, ...] = tuple(Dimension)

# --- the period ------------------------------------------------------------------------------------


def _western(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _era_year(day: date) -> str:
    """令和8年 (the part of the 和暦 before the month)."""
    return to_wareki(day).partition("年")[0] + "年"


@dataclass(frozen=True, slots=True)
class Period:
    """An inclusive range of reception days."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValueError("期間の開始日が終了日より後です")

    @classmethod
    def day(cls, day: date) -> Period:
        return cls(day, day)

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        if not 1 <= month <= 12:
            raise ValueError("月は1〜12で指定してください")
        start = date(year, month, 1)
        following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
        return cls(start, following - timedelta(days=1))

    @classmethod
    def fiscal_year(cls, fiscal_year: int) -> Period:
        """April 1 of ``fiscal_year`` to March 31 of the next year (年度)."""
        return cls(date(fiscal_year, 4, 1), date(fiscal_year + 1, 3, 31))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    @property
    def label(self) -> str:
        """「令和8年度（2026年4月1日〜2027年3月31日）」, 「令和8年11月（…）」, 「令和8年11月24日」."""
        western = f"（{_western(self.start)}〜{_western(self.end)}）"
        if self.start.month == 4 and self.start.day == 1 and self == Period.fiscal_year(
                self.start.year):
            # The fiscal year takes the era of its May (FY2019 is 令和元年度).
            return f"{_era_year(date(self.start.year, 5, 1))}度{western}"
        if self.start.day == 1 and self == Period.month(self.start.year, self.start.month):
            return f"{_era_year(self.start)}{self.start.month}月{western}"
        if self.start == self.end:
            return f"{to_wareki(self.start)}（{_western(self.start)}）"
        return f"{to_wareki(self.start)}〜{to_wareki(self.end)}{western}"


# --- the report ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StatsLine:
    """One row of a table. ``indent`` 1 is a 「うち」 line: part of the line above, not added to
    the total."""

    key: str
    label: str
    count: int
    indent: int = 0


@dataclass(frozen=True, slots=True)
class StatsTable:
    dimension: Dimension
    title: str
    lines: tuple[StatsLine, ...]
    total: int | None  # None: the lines do not add up to one total (要素)
    note: str = ""


@dataclass(frozen=True, slots=True)
class StatsReport:
    period: Period
    scope_label: str
    generated_at: datetime
    total: int
    ward_summary: StatsTable
    tables: tuple[StatsTable, ...]

    def table(self, dimension: Dimension) -> StatsTable:
        for t in self.tables:
            if t.dimension is dimension:
                return t
        raise KeyError(dimension)


REPORT_TITLE = "福祉の相談窓口 相談件数"

# --- facts and counts ----------------------------------------------------------------------------

MIXED_KEY = "mixed"
UNCLASSIFIED_KEY = "unclassified"
EXPANSION_KEY = "expansion"
NO_ELEMENT_KEY = "no_element"
BLANK_KEY = "blank"
OVERDUE_KEY = "overdue"
UNCLASSIFIED_LABEL = "未分類"
NO_ELEMENT_LABEL = "要素なし"
BLANK_LABEL = "未記入"
# 再掲 (restated) lines follow the lines that add up, level with them: an indented 「うち」 line
# would read as part of the line just above it (未分類, 取下げ), which it is not.
EXPANSION_LABEL = "再掲 相談拡充（障害者、子育て家庭等の相談）"
OVERDUE_LABEL = "再掲 返信期限超過（未完了のもの）"


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """What the statistics need to know of one consultation (no personal data)."""

    org_kind: str
    district_code: str
    target_codes: frozenset[str] = frozenset()
    element_codes: frozenset[str] = frozenset()
    channel_code: str = "other"
    response_code: str | None = None


@dataclass(frozen=True, slots=True)
class ReferralFacts:
    """What the statistics need to know of one referral."""

    destination: str
    status: str
    reply_due: date | None = None


def target_key(target_codes: Iterable[str]) -> str:
    """The one target group, 複合 (``mixed``) or 未分類 (``unclassified``)."""
    codes = set(target_codes)
    if not codes:
        return UNCLASSIFIED_KEY
    if ref.is_mixed(codes):
        return MIXED_KEY
    return next(iter(codes))


@dataclass(frozen=True, slots=True)
class CaseGroup:
    """Consultations alike in everything the statistics count by, and how many there are.

    ``target`` is :func:`target_key`; ``has_elderly`` whether 高齢者 is among the target groups
    (what 相談拡充 turns on).
    """

    org_kind: str
    district_code: str
    channel_code: str
    response_code: str | None
    target: str
    has_elderly: bool
    count: int

    @property
    def expansion(self) -> bool:
        return (self.org_kind == ref.OrgKind.ANSHIN.value and self.target != UNCLASSIFIED_KEY
                and not self.has_elderly)


@dataclass(frozen=True, slots=True)
class Counts:
    """Everything a report is made of, already grouped (by SQL, or by :func:`count_facts`)."""

    groups: tuple[CaseGroup, ...] = ()
    elements: Mapping[str, int] = field(default_factory=dict)  # element code -> consultations
    without_elements: int = 0
    destinations: Mapping[str, int] = field(default_factory=dict)  # service name -> referrals
    outcomes: Mapping[str, int] = field(default_factory=dict)  # status code -> referrals
    overdue: int = 0
    #: Instead of ``groups``: the consultations counted by each :data:`MARGINS` attribute
    #: separately (what the statistics summary stores; every table needs only these).
    margins: Mapping[str, Mapping[str, int]] | None = None

    @property
    def total(self) -> int:
        if self.margins is not None:
            return sum(self.margins.get("org_kind", {}).values())
        return sum(g.count for g in self.groups)


#: The attributes a table counts by, one at a time (``Counts.margins``' keys); ``expansion``
#: counts 相談拡充 under the key "1". A response left blank is "".
MARGINS = ("org_kind", "district_code", "channel_code", "response_code", "target", "expansion")



def overdue_cutoff(period: Period, today: date) -> date:
    """Overdue is judged as of the end of the period or today, whichever is earlier."""
    return min(period.end, today)


def count_facts(cases: Iterable[CaseFacts], referrals: Iterable[ReferralFacts] = (), *,
                cutoff: date | None = None) -> Counts:
    """Group plain facts as the SQL of ``services.stats`` does (for tests and small data)."""
    groups: Counter[tuple[str, str, str, str | None, str, bool]] = Counter()
    elements: Counter[str] = Counter()
    without = 0
    for case in cases:
        groups[(case.org_kind, case.district_code, case.channel_code, case.response_code or None,
                target_key(case.target_codes), "elderly" in case.target_codes)] += 1
        elements.update(set(case.element_codes))
        without += not case.element_codes
    destinations: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    overdue = 0
    for referral in referrals:
        destinations[referral.destination] += 1
        outcomes[referral.status] += 1
        if cutoff is not None and is_overdue(ReferralStatus(referral.status), referral.reply_due,
                                             cutoff):
            overdue += 1
    return Counts(tuple(CaseGroup(*key, count) for key, count in groups.items()), dict(elements),
                  without, dict(destinations), dict(outcomes), overdue)


# --- the tables ----------------------------------------------------------------------------------

WARD_SUMMARY_TITLE = "区の様式（相談先別 相談件数）"
_WARD_LABELS: tuple[tuple[ref.OrgKind, str], ...] = (
    (ref.OrgKind.MACHIZUKURI, "まちづくりセンター 福祉の相談件数"),
    (ref.OrgKind.ANSHIN, "あんしんすこやかセンター 相談件数"),
    (ref.OrgKind.SHAKYO, "社会福祉協議会 相談件数"),
    (ref.OrgKind.JIDOKAN, "児童館 相談件数"),
    (ref.OrgKind.BRANCH, "総合支所 相談件数"),
)
WARD_EXPANSION_LABEL = "内、相談拡充(障害者、子育て家庭等の相談)"


def _sum_by(groups: Iterable[CaseGroup], attribute: str) -> Counter[str]:
    result: Counter[str] = Counter()
    for g in groups:
        result[getattr(g, attribute) or ""] += g.count
    return result


def _expansion(groups: Iterable[CaseGroup]) -> int:
    return sum(g.count for g in groups if g.expansion)


def _by(counts: Counts, attribute: str) -> Counter[str]:
    if counts.margins is not None:
        return Counter(counts.margins.get(attribute, {}))
    return _sum_by(counts.groups, attribute)


def _expansion_of(counts: Counts) -> int:
    if counts.margins is not None:
        return counts.margins.get("expansion", {}).get("1", 0)
    return _expansion(counts.groups)


def ward_summary(counts: Counts) -> StatsTable:
    """The ward's yearly layout (seed 002): 相談先 | 件数, with 相談拡充 under あんしん."""
    by_kind = _by(counts, "org_kind")
    lines = []
    for kind, label in _WARD_LABELS:
        lines.append(StatsLine(kind.value, label, by_kind[kind.value]))
        if kind is ref.OrgKind.ANSHIN:
            lines.append(StatsLine(EXPANSION_KEY, WARD_EXPANSION_LABEL,
                                   _expansion_of(counts), 1))
    return StatsTable(Dimension.ORG_KIND, WARD_SUMMARY_TITLE, tuple(lines), counts.total,
                      "相談拡充は、あんしんすこやかセンターが受けた高齢者以外の相談（障害者、"
                      "子育て家庭、若者、生活困窮者など。高齢者を含む複合の相談は除く）です。"
                      "あんしんすこやかセンターの件数の内数で、合計には加えません。")


def _table(dimension: Dimension, lines: Iterable[StatsLine], total: int | None,
           note: str = "") -> StatsTable:
    return StatsTable(dimension, f"{dimension.label}別", tuple(lines), total, note)


def build_table(dimension: Dimension, counts: Counts, district_codes: Sequence[str]) -> StatsTable:
    """The table of ``dimension``; ``district_codes`` is the scope (its districts and areas are
    listed even when nothing was counted there)."""
    total = counts.total
    if dimension is Dimension.ORG_KIND:
        by_kind = _by(counts, "org_kind")
        return _table(dimension, (StatsLine(k.value, k.label, by_kind[k.value])
                                  for k in ref.OrgKind), total)
    if dimension is Dimension.DISTRICT:
        by_district = _by(counts, "district_code")
        scope = set(district_codes)
        return _table(dimension, (StatsLine(d.code, d.name, by_district[d.code])
                                  for d in ref.DISTRICTS if d.code in scope), total)
    if dimension is Dimension.AREA:
        by_district = _by(counts, "district_code")
        areas = {ref.DISTRICTS_BY_CODE[c].area_code for c in district_codes}
        return _table(dimension, (
            StatsLine(a.code, a.name, sum(by_district[d.code] for d in ref.DISTRICTS
                                          if d.area_code == a.code))
            for a in ref.AREAS if a.code in areas), total)
    if dimension is Dimension.TARGET:
        by_target = _by(counts, "target")
        lines = [StatsLine(t.code, t.label, by_target[t.code]) for t in ref.TARGET_GROUPS]
        lines += [StatsLine(MIXED_KEY, ref.MIXED_LABEL, by_target[MIXED_KEY]),
                  StatsLine(UNCLASSIFIED_KEY, UNCLASSIFIED_LABEL, by_target[UNCLASSIFIED_KEY]),
                  StatsLine(EXPANSION_KEY, EXPANSION_LABEL, _expansion_of(counts))]
        return _table(dimension, lines, total,
                      "対象区分が1つの相談はその区分に、2つ以上の相談は「複合」に、ないものは"
                      "「未分類」に1件ずつ数えます（合計は相談件数）。再掲の相談拡充は内数で、合計に加えません。")
    if dimension is Dimension.ELEMENT:
        lines = [StatsLine(e.code, e.label, counts.elements.get(e.code, 0)) for e in ref.ELEMENTS]
        lines.append(StatsLine(NO_ELEMENT_KEY, NO_ELEMENT_LABEL, counts.without_elements))
        return _table(dimension, lines, None,
                      f"1件の相談に要素が複数あるときは、それぞれの要素に数えます。そのため各行の"
                      f"和は相談件数（{total}件）と一致しません。")
    if dimension is Dimension.CHANNEL:
        by_channel = _by(counts, "channel_code")
        return _table(dimension, (StatsLine(c.code, c.label, by_channel[c.code])
                                  for c in ref.CHANNELS), total)
    if dimension is Dimension.RESPONSE:
        by_response = _by(counts, "response_code")
        lines = [StatsLine(r.code, r.label, by_response[r.code]) for r in ref.RESPONSES]
        lines.append(StatsLine(BLANK_KEY, BLANK_LABEL, by_response[""]))
        return _table(dimension, lines, total)
    if dimension is Dimension.DESTINATION:
        ranked = sorted(counts.destinations.items(), key=lambda item: (-item[1], item[0]))
        return _table(dimension, (StatsLine(name, name, n) for name, n in ranked),
                      sum(counts.destinations.values()),
                      "つなぎ日が期間内のつなぎ（範囲内の地区の相談のもの）を、つなぎ先ごとに"
                      "数えます。相談の受付日は問いません。")
    if dimension is Dimension.OUTCOME:
        lines = [StatsLine(s.value, STATUS_LABELS[s], counts.outcomes.get(s.value, 0))
                 for s in ReferralStatus]
        lines.append(StatsLine(OVERDUE_KEY, OVERDUE_LABEL, counts.overdue))
        return _table(dimension, lines, sum(counts.outcomes.values()),
                      "つなぎ日が期間内のつなぎを、現在の状況ごとに数えます。返信期限超過は、"
                      "完了・対応不可・取下げ以外で、回答期限が期間の末日（今日より後なら今日）"
                      "より前のものです。")
    raise ValueError(dimension)  # pragma: no cover - every member is handled above


def build_report(counts: Counts, period: Period, scope_label: str, generated_at: datetime,
                 district_codes: Sequence[str],
                 dimensions: Sequence[Dimension] | None = None) -> StatsReport:
    """The report: the ward summary, then one table per dimension (all of them by default)."""
    chosen = list(dict.fromkeys(dimensions)) if dimensions else list(ALL_DIMENSIONS)
    return StatsReport(period, scope_label, generated_at, counts.total, ward_summary(counts),
                       tuple(build_table(d, counts, district_codes) for d in chosen))


def scope_label(district_codes: Sequence[str]) -> str:
    """「世田谷区全体（28地区）」, 「世田谷地域（7地区）」 or 「池尻地区」「池尻・太子堂地区」."""
    chosen = set(district_codes)
    if chosen == set(ref.DISTRICTS_BY_CODE):
        return f"世田谷区全体（{len(chosen)}地区）"
    for area in ref.AREAS:
        if chosen == {d.code for d in ref.DISTRICTS if d.area_code == area.code}:
            return f"{area.name}地域（{len(chosen)}地区）"
    return "・".join(d.name for d in ref.DISTRICTS if d.code in chosen) + "地区"


# --- exports ---------------------------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """A text cell a spreadsheet would read as a formula gets a leading apostrophe (OWASP CSV
    injection). Counts are written as numbers and never pass through here."""
    return f"'{cell}" if cell.startswith(FORMULA_STARTS) else cell
