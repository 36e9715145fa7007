"""How well the duplicate check's name keys fold variants, and how often they merge real names.

    pip install kyujipy gimei && python bench/names_bench.py   (in a venv of its own: gimei
    ships a top-level package named "tests" that shadows this repository's tests)

1. Recall on a published table: every (旧字体, 新字体) pair of kyujipy's lists (read from the
   installed kyujipy, not from our copy) whose two forms get the same ``domain.kana.name_key``.
2. False merges: pairs of *different* surnames in gimei's list of Japanese family names (MIT
   licence) that get the same key. Some are the same name written two ways (渡辺/渡邊); the
   listing shows them so a reader can judge each.
3. Reading folds: pairs of readings that registers write two ways and must compare equal.

It never asserts: it measures and prints.
"""

from __future__ import annotations

import importlib.util
import itertools
import pathlib
import sys
from collections import defaultdict

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "src"))

import cson  # type: ignore[import-untyped]
import yaml

from setacare_desktop.domain.kana import name_key, reading_key


def _package_data(package: str) -> pathlib.Path:
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise SystemExit(f"{package} is not installed: pip install {package}")
    return pathlib.Path(spec.origin).parent / "data"


def recall() -> None:
    data = _package_data("kyujipy")
    pairs = [(old, new) for name in ("kyujitai_simplified.cson", "kyujitai_variants.cson")
             for new, old in cson.loads((data / name).read_text(encoding="utf-8"))]
    missed = [(old, new) for old, new in pairs if name_key(old) != name_key(new)]
    print(f"published 旧字体 pairs folded: {len(pairs) - len(missed)}/{len(pairs)} "
          f"(recall {(len(pairs) - len(missed)) / len(pairs):.1%})")
    if missed:
        print("  missed:", " ".join(f"{o}/{n}" for o, n in missed))


def false_merges() -> None:
    names = yaml.safe_load((_package_data("gimei") / "names.yml").read_text(encoding="utf-8"))
    surnames = sorted({entry[0] for entry in names["last_name"]})
    by_key: dict[str, list[str]] = defaultdict(list)
    for surname in surnames:
        by_key[name_key(surname)].append(surname)
    merged = [group for group in by_key.values() if len(group) > 1]
    pairs = sum(len(list(itertools.combinations(group, 2))) for group in merged)
    print(f"gimei surnames: {len(surnames)}; pairs given one key: {pairs}")
    for group in merged:
        print("  ", " = ".join(group))


READING_PAIRS = [("キヤ", "キャ"), ("オーノ", "オオノ"), ("ヂ", "ジ"), ("ヅ", "ズ"), ("ヲ", "オ"),
                 ("さゝき", "ささき"), ("カ゛ワ", "ガワ"), ("ｻｲﾄｳ", "さいとう")]


def readings() -> None:
    folded = [(a, b) for a, b in READING_PAIRS if reading_key(a) == reading_key(b)]
    print(f"reading spellings folded: {len(folded)}/{len(READING_PAIRS)}")


if __name__ == "__main__":
    recall()
    false_merges()
    readings()
