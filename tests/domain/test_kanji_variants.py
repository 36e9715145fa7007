"""Names and readings folded as registers write them, checked against kyujipy's published table."""

from __future__ import annotations

import importlib.util
import pathlib

import cson  # type: ignore[import-untyped]
import pytest

from setacare_desktop.domain.kana import NAME_VARIANTS, name_key, reading_key, reading_problem
from setacare_desktop.domain.kanji_variants_table import PUBLISHED


def _installed_pairs() -> list[tuple[str, str]]:
    spec = importlib.util.find_spec("kyujipy")
    assert spec is not None and spec.origin is not None
    data = pathlib.Path(spec.origin).parent / "data"
    return [(old, new) for name in ("kyujitai_simplified.cson", "kyujitai_variants.cson")
            for new, old in cson.loads((data / name).read_text(encoding="utf-8"))]


def test_our_copy_is_the_published_table() -> None:
    assert list(PUBLISHED) == _installed_pairs()


def test_every_published_pair_gets_one_key() -> None:
    missed = [(old, new) for old, new in _installed_pairs() if name_key(old) != name_key(new)]
    assert missed == []


@pytest.mark.parametrize(("a", "b"), [
    ("關口", "関口"), ("榮", "栄"), ("彌生", "弥生"), ("豐田", "豊田"), ("靜香", "静香"),
    ("舘山", "館山"), ("峯岸", "峰岸"), ("栁田", "柳田"), ("澁谷", "渋谷"), ("穗積", "穂積"),
    ("傳田", "伝田"), ("髙槗", "高橋"), ("𠮷田", "吉田"), ("德川", "徳川"), ("佐々木", "佐佐木"),
    ("葛\U000e0100城", "葛城"), ("\u200b山田\ufeff", "山田"), ("渡邉", "渡辺"),
])
def test_variants_of_one_name_get_one_key(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)


@pytest.mark.parametrize(("a", "b"), [("斉藤", "斎藤"), ("佐藤", "斎藤"), ("土屋", "土谷")])
def test_different_names_stay_apart(a: str, b: str) -> None:
    assert name_key(a) != name_key(b)


def test_hand_variants_are_not_already_published() -> None:
    """``NAME_VARIANTS`` holds only what the published table lacks (or it would be dead code)."""
    published = dict(PUBLISHED)
    assert [old for old in NAME_VARIANTS if old in published] == []


@pytest.mark.parametrize(("a", "b"), [
    ("キヤ", "キャ"), ("オーノ", "オオノ"), ("ヂ", "ジ"), ("ミカヅキ", "ミカズキ"), ("ヲ", "オ"),
    ("さゝき", "ささき"), ("カ゛ワ", "ガワ"), ("ｻｲﾄｳ", "さいとう"), ("\u200bやまだ", "やまだ"),
])
def test_reading_spellings_get_one_key(a: str, b: str) -> None:
    assert reading_key(a) == reading_key(b)
    assert reading_problem(a) is None


def test_different_readings_stay_apart() -> None:
    assert reading_key("おおの") != reading_key("おの")
    assert reading_key("さとう") != reading_key("さと")
