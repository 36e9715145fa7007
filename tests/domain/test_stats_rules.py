"""The counting rules of the statistics on hand-made facts (no database), the period and the
formula neutralisation of exports."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from setacare_desktop.domain.stats import (
    CaseFacts,
    Dimension,
    Period,
    ReferralFacts,
    build_report,
    build_table,
    count_facts,
    neutralise,
    scope_label,
    ward_summary,
)

IKEJIRI, TAISHIDO, UMEGAOKA = "ikejiri", "taishido", "umegaoka"


def case(kind: str, targets: tuple[str, ...] = (), elements: tuple[str, ...] = (),
         channel: str = "visit_counter", response: str | None = "advice",
         district: str = IKEJIRI) -> CaseFacts:
    return CaseFacts(kind, district, frozenset(targets), frozenset(elements), channel, response)


def lines(table: object) -> dict[str, int]:
    return {line.key: line.count for line in table.lines}  # type: ignore[attr-defined]


def test_expansion_is_non_elderly_at_anshin_only() -> None:
    counts = count_facts([
        case("anshin", ("elderly",)),  # elderly at anshin: not expansion
        case("anshin", ("disability",)),  # disability at anshin: expansion
        case("machizukuri", ("disability",)),  # disability elsewhere: not expansion
        case("anshin", ("elderly", "child")),  # mixed with elderly: not expansion
        case("anshin", ("child", "poverty")),  # mixed without elderly: expansion
        case("anshin", ()),  # no target group: not expansion
    ])
    summary = lines(ward_summary(counts))
    assert summary == {"machizukuri": 1, "anshin": 5, "expansion": 2, "shakyo": 0, "jidokan": 0,
                       "branch": 0}
    assert ward_summary(counts).total == 6
    expansion_line = ward_summary(counts).lines[2]
    assert expansion_line.indent == 1 and expansion_line.label.startswith("内、相談拡充")
    assert lines(build_table(Dimension.TARGET, counts, [IKEJIRI]))["expansion"] == 2


def test_target_one_group_mixed_and_unclassified_add_up() -> None:
    counts = count_facts([
        case("anshin", ("elderly",)), case("anshin", ("elderly",)),
        case("shakyo", ("poverty",)),
        case("jidokan", ("child", "youth")), case("anshin", ("elderly", "disability", "child")),
        case("machizukuri", ()),
    ])
    table = build_table(Dimension.TARGET, counts, [IKEJIRI])
    assert lines(table) == {"elderly": 2, "disability": 0, "child": 0, "youth": 0, "poverty": 1,
                            "other": 0, "mixed": 2, "unclassified": 1, "expansion": 0}
    assert table.total == 6
    assert sum(line.count for line in table.lines if not line.indent) == table.total
    assert [line.label for line in table.lines][-3:] == [
        "複合", "未分類", "再掲 相談拡充（障害者、子育て家庭等の相談）"]


def test_elements_count_per_element_and_say_so() -> None:
    counts = count_facts([
        case("anshin", ("elderly",), ("medical", "welfare_service")),
        case("anshin", ("elderly",), ("medical",)),
        case("anshin", ("elderly",), ()),
    ])
    table = build_table(Dimension.ELEMENT, counts, [IKEJIRI])
    got = lines(table)
    assert got["medical"] == 2 and got["welfare_service"] == 1 and got["no_element"] == 1
    assert got["safety"] == 0 and len(got) == 10
    assert sum(got.values()) == 4 and counts.total == 3
    assert table.total is None and "それぞれの要素" in table.note and "3件" in table.note


def test_blank_response_is_unfilled_and_channels_listed() -> None:
    counts = count_facts([case("anshin", response=None), case("anshin", response="referral"),
                          case("anshin", response=None, channel="phone")])
    response = build_table(Dimension.RESPONSE, counts, [IKEJIRI])
    assert lines(response) == {"information": 0, "advice": 0, "referral": 1, "continuing": 0,
                               "closed": 0, "blank": 2}
    assert response.lines[-1].label == "未記入"
    channel = build_table(Dimension.CHANNEL, counts, [IKEJIRI])
    assert lines(channel) == {"visit_counter": 2, "phone": 1, "home_visit": 0, "mail": 0,
                              "other": 0}


def test_districts_and_areas_in_ward_order_with_zero_lines() -> None:
    counts = count_facts([case("anshin", district=UMEGAOKA), case("anshin", district=IKEJIRI),
                          case("anshin", district=UMEGAOKA)])
    scope = [IKEJIRI, TAISHIDO, UMEGAOKA]
    district = build_table(Dimension.DISTRICT, counts, scope)
    assert [(line.label, line.count) for line in district.lines] == [
        ("池尻", 1), ("太子堂", 0), ("梅丘", 2)]
    area = build_table(Dimension.AREA, counts, scope)
    assert [(line.label, line.count) for line in area.lines] == [("世田谷", 1), ("北沢", 2)]


def test_destinations_most_first_and_outcomes_with_overdue() -> None:
    referrals = [ReferralFacts("B", "sent", date(2026, 4, 10)),
                 ReferralFacts("A", "created", date(2026, 5, 1)),
                 ReferralFacts("A", "done", date(2026, 4, 1)),
                 ReferralFacts("C", "sent", None)]
    counts = count_facts([], referrals, cutoff=date(2026, 4, 30))
    destinations = build_table(Dimension.DESTINATION, counts, [IKEJIRI])
    assert [(line.label, line.count) for line in destinations.lines] == [
        ("A", 2), ("B", 1), ("C", 1)]
    assert destinations.total == 4
    outcome = build_table(Dimension.OUTCOME, counts, [IKEJIRI])
    assert [line.label for line in outcome.lines] == [
        "作成", "送付済", "受理", "対応中", "完了", "対応不可", "取下げ", "再掲 返信期限超過（未完了のもの）"]
    assert lines(outcome)["sent"] == 2 and lines(outcome)["overdue"] == 1  # only B (open, late)


def test_report_order_and_scope_labels() -> None:
    report = build_report(count_facts([case("anshin")]), Period.day(date(2026, 4, 1)), "池尻地区",
                          datetime(2026, 4, 2), [IKEJIRI],
                          [Dimension.ELEMENT, Dimension.TARGET, Dimension.ELEMENT])
    assert [t.dimension for t in report.tables] == [Dimension.ELEMENT, Dimension.TARGET]
    assert report.total == 1
    assert scope_label([IKEJIRI]) == "池尻地区"
    assert scope_label([UMEGAOKA, IKEJIRI]) == "池尻・梅丘地区"
    assert scope_label(["okusawa", "kuhonbutsu", "todoroki", "kaminoge", "yoga",
                        "futakotamagawa", "fukasawa"]) == "玉川地域（7地区）"


def test_dimension_parse() -> None:
    assert Dimension.parse("対象") is Dimension.TARGET
    assert Dimension.parse("つなぎ先別") is Dimension.DESTINATION
    assert Dimension.parse(" org_kind ") is Dimension.ORG_KIND
    assert Dimension.OUTCOME.label == "つなぎの結果"
    with pytest.raises(ValueError):
        Dimension.parse("年齢")


def test_fiscal_year_boundaries_and_labels() -> None:
    assert date(2026, 3, 31) in Period.fiscal_year(2025)
    assert date(2026, 3, 31) not in Period.fiscal_year(2026)
    assert date(2026, 4, 1) in Period.fiscal_year(2026)
    assert date(2026, 4, 1) not in Period.fiscal_year(2025)
    assert Period.fiscal_year(2026) == Period(date(2026, 4, 1), date(2027, 3, 31))
    assert Period.fiscal_year(2026).label == "令和8年度（2026年4月1日〜2027年3月31日）"
    assert Period.fiscal_year(2019).label.startswith("令和元年度")
    assert Period.month(2026, 2) == Period(date(2026, 2, 1), date(2026, 2, 28))
    assert Period.month(2024, 12).end == date(2024, 12, 31)
    assert Period.month(2026, 11).label == "令和8年11月（2026年11月1日〜2026年11月30日）"
    assert Period.day(date(2026, 11, 24)).label == "令和8年11月24日（2026年11月24日）"
    with pytest.raises(ValueError):
        Period(date(2026, 4, 2), date(2026, 4, 1))


@pytest.mark.parametrize("cell", ["=1+1", "+81-3", "-2", "@SUM(A1)", "\tcmd", "\rcmd",
                                  "=HYPERLINK(\"http://x\",\"y\")"])
def test_neutralise_formula_starts(cell: str) -> None:
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["池尻", "あんしんすこやかセンター 相談件数", "", "1 = 1", "'quoted",
                                  "再掲 返信期限超過（未完了のもの）"])
def test_neutralise_leaves_harmless_text(cell: str) -> None:
    assert neutralise(cell) == cell


@given(st.text())
def test_neutralised_text_never_starts_with_a_formula_character(cell: str) -> None:
    result = neutralise(cell)
    assert not result.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert result.endswith(cell) and len(result) - len(cell) in (0, 1)
