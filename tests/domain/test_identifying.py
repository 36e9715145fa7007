"""The 匿名用の概要 check: what identifies the person is found and named, the rest passes."""

from __future__ import annotations

import pytest

from setacare_desktop.domain.identifying import FIELD, Identifying, findings, summary_problems

FACTS = Identifying(person_name="山田 太郎", person_reading="やまだ たろう",
                    consulter_name="佐藤 花子", phone="03-0000-1234",
                    address_rest="二丁目3番4号 池尻ハイツ101")


def found(text: str) -> list[str]:
    return [p.message for p in findings(text, FACTS)]


@pytest.mark.parametrize(("text", "quoted", "kind"), [
    ("母（84歳）が転倒した", "84歳", "正確な年齢"),
    ("８４才の母", "８４才", "正確な年齢"),
    ("八十四歳になる", "八十四歳", "正確な年齢"),
    ("山田さんが来所", "山田", "対象者の氏名"),
    ("太郎さん", "太郎", "対象者の氏名"),
    ("ヤマダさんより", "ヤマダ", "対象者のふりがな"),
    ("ﾀﾛｳ", "タロウ", "対象者のふりがな"),
    ("花子さん（長女）から", "花子", "相談者の氏名"),
    ("連絡は03-0000-1234へ", "03-0000-1234", "電話番号"),
    ("連絡は０９０－１２３４－５６７８へ", "０９０－１２３４－５６７８", "電話番号"),
    ("自宅(03)1234-5678", "(03)1234-5678", "電話番号"),
    ("次女（090-0000-1234）から", "090-0000-1234", "電話番号"),
    ("番号は1234-5678", "1234-5678", "電話番号"),
    ("令和8年11月24日に来所", "令和8年11月24日", "日付"),
    ("2026-11-24に来所", "2026-11-24", "日付"),
    ("昭和20年生まれ", "昭和20年生まれ", "日付"),
    ("11月24日の夜", "11月24日", "日付"),
    ("池尻2-3-4に住む", "2-3-4", "住所"),
    ("五丁目の団地", "五丁目", "住所"),
    ("7番地の2", "7番地の2", "住所"),
    ("池尻ハイツ101に住む", "池尻ハイツ101", "対象者の住所"),
])
def test_what_identifies_is_found_and_quoted(text: str, quoted: str, kind: str) -> None:
    messages = found(text)
    assert len(messages) == 1, messages
    assert messages[0].startswith(f"「{quoted}」") and kind in messages[0]


def test_an_exact_age_suggests_its_band() -> None:
    assert "「80歳代」" in found("母（84歳）")[0]


@pytest.mark.parametrize("text", [
    "80歳代の男性。独居で、最近物忘れが増えたと家族から相談。",
    "一番困っているのは買い物。第1号被保険者で要介護2の認定あり。",
    "本人と長女から、訪問での状況確認と介護サービスの情報提供の依頼。",
    "3番目の子が不登校。先月から欠席が続く。",
])
def test_ordinary_summaries_pass(text: str) -> None:
    assert found(text) == []


def test_each_finding_once_in_order_and_named_for_the_field() -> None:
    problems = findings("山田さん（84歳）、山田さんの電話は03-0000-1234", FACTS)
    assert [p.field for p in problems] == [FIELD] * 3
    starts = ("「山田」は対象者の氏名", "「84歳」は正確な年齢", "「03-0000-1234」は電話番号")
    assert all(p.message.startswith(s) for p, s in zip(problems, starts, strict=True))
    assert str(problems[0]).startswith("匿名用の概要: ")


def test_an_empty_summary_is_a_problem_too() -> None:
    assert [p.field for p in summary_problems(" \n", FACTS)] == [FIELD]
    assert summary_problems("80歳代の男性の就労相談。", FACTS) == []


def test_a_name_without_a_space_is_looked_for_by_any_two_characters() -> None:
    facts = Identifying(person_name="山田太郎")
    assert found_in("田太さん", facts) and found_in("太郎さん", facts)


def found_in(text: str, facts: Identifying) -> bool:
    return bool(findings(text, facts))
