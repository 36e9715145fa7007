"""Referral destinations: ranked lookup latency with the shipped directory and with 5,000 services.

    python bench/referral_bench.py [--services 5000] [--lookups 500]

Builds a throw-away SQLite database through ``Database.open`` (the migrations load the shipped
directory, as on a new installation), then times ``services.directory.lookup`` — what the referral
screen calls for a consultation — over typical consultations (the demo's main complaints with
their target groups and elements, in random districts, a few urgent): median and p95 of
``--lookups`` calls. Next to it: the domain ranking alone (``domain.ranking.rank``, the floor) and
free search as the user types (``services.directory.search_destinations``).

Then synthetic services are added until the directory holds ``--services`` (default 5,000): spread
over the 28 districts (district scope), the 5 areas and the whole ward, with random target groups,
elements, modes and keywords, as domain records validated by ``domain.directory.Directory`` and
written with ``store.directory.insert_directory`` (the code migration 0005 loads the shipped
directory with). The first lookup after the change reloads the directory from the database (timed
on its own); the lookups after it use the cached one. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from setacare_desktop.domain import reference as ref
from setacare_desktop.domain.directory import (
    ELEMENT_CODES,
    TARGET_GROUP_CODES,
    Directory,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceMode,
)
from setacare_desktop.domain.ranking import rank
from setacare_desktop.services import Database
from setacare_desktop.services import directory as directory_service
from setacare_desktop.services.demo import PHRASES
from setacare_desktop.store.directory import insert_directory
from setacare_desktop.store.models import Base

SEED = 20261125
SERVICES_PER_ORG = 4
_KINDS = ("相談室", "支援センター", "サロン", "家族会", "就労支援事業所", "子育てひろば", "訪問看護ステーション",
          "居宅介護支援事業所", "フードパントリー", "学習支援教室", "居場所", "配食サービス")
_KEYWORDS = ("介護", "認知症", "ひきこもり", "就労", "家賃", "食料", "子育て", "不登校", "発達", "障害",
             "見守り", "配食", "通院", "ボランティア", "借金", "住まい", "虐待", "防災")
_QUERIES = ("ま", "まち", "まちづくり", "あんしん", "アンシン", "ひきこもり", "就労", "ｹﾞﾝｷ")


def _typical_cases(rng: random.Random, count: int) -> list[dict[str, object]]:
    districts = [d.code for d in ref.DISTRICTS]
    cases = []
    for _ in range(count):
        phrase = rng.choice(PHRASES)
        urgent = list(phrase.risk) if phrase.risk and rng.random() < 0.3 else []
        cases.append({"district_code": rng.choice(districts),
                      "target_groups": phrase.groups, "elements": phrase.elements,
                      "urgent": urgent, "text": phrase.text})
    return cases


def _synthetic(rng: random.Random, count: int) -> Directory:
    """``count`` services (and their organisations and locations), spread over the ward."""
    groups, elements = sorted(TARGET_GROUP_CODES), sorted(ELEMENT_CODES)
    orgs: list[Organization] = []
    services: list[Service] = []
    locations: list[Location] = []
    org: Organization | None = None
    area = ServiceArea.ward()
    for n in range(count):
        if n % SERVICES_PER_ORG == 0:
            roll = rng.random()
            if roll < 0.6:
                district = rng.choice(ref.DISTRICTS)
                area, place = ServiceArea.district(district.code), f"{district.name}地区"
            elif roll < 0.85:
                branch = rng.choice(ref.AREAS)
                area, place = ServiceArea.area(branch.code), f"{branch.name}地域"
            else:
                area, place = ServiceArea.ward(), "区内"
            org = Organization(f"bench-org-{n // SERVICES_PER_ORG}",
                               f"{place}{rng.choice(_KINDS)}{n // SERVICES_PER_ORG}",
                               f"べんちそしき{n // SERVICES_PER_ORG}",
                               description="ベンチマーク用の架空の団体")
            orgs.append(org)
            locations.append(Location(f"{org.id}-loc", org.id, org.name, "架空"))
        assert org is not None
        primary_groups = frozenset(rng.sample(groups, rng.choice((1, 1, 2, 3))))
        primary_elements = frozenset(rng.sample(elements, rng.choice((1, 2, 2, 3))))
        services.append(Service(
            f"bench-svc-{n}", org.id, f"{org.name} {rng.choice(_KINDS)}{n}", f"べんち{n}",
            "ベンチマーク用の架空のサービス。" + "・".join(rng.sample(_KEYWORDS, 3)) + "の相談に応じる。",
            "区内在住の方", area, primary_groups, primary_elements,
            secondary_groups=frozenset(rng.sample(groups, rng.choice((0, 0, 1, 2)))) -
            primary_groups,
            secondary_elements=frozenset(rng.sample(elements, rng.choice((0, 1, 2)))) -
            primary_elements,
            mode=rng.choice(list(ServiceMode)),
            keywords=tuple(rng.sample(_KEYWORDS, rng.choice((0, 1, 2, 3)))),
            location_ids=(f"{org.id}-loc",),
            phones=(Phone("03-0000-0000", description="架空"),),
            schedules=(Schedule("平日 8:30〜17:15"),),
        ))
    return Directory(tuple(orgs), tuple(services), tuple(locations))


def _times(calls: list[Callable[[], object]]) -> list[float]:
    times = []
    for call in calls:
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return times


def _ms(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return (f"中央値 {statistics.median(times) * 1000:7.2f} ms  p95 {p95 * 1000:7.2f} ms  "
            f"(最大 {max(times) * 1000:.2f} ms, {len(times)} 回)")


def _measure(db: Database, cases: list[dict[str, object]], label: str) -> list[tuple[str, str]]:
    started = time.perf_counter()
    loaded = directory_service.load(db)  # the first call after a change reads the tables
    load_seconds = time.perf_counter() - started
    directory = loaded.directory
    first = cases[0]
    started = time.perf_counter()
    directory_service.lookup(db, **first)  # type: ignore[arg-type]
    first_lookup = time.perf_counter() - started  # folds the services' text once
    lookups = _times([lambda c=c: directory_service.lookup(db, **c)  # type: ignore[misc]
                      for c in cases])
    ranked = _times([lambda c=c: rank(directory, **c) for c in cases])  # type: ignore[misc]
    typing = _times([lambda q=q: directory_service.search_destinations(
        db, q, district_code="ikejiri") for q in _QUERIES * 10])
    return [
        (f"{label}: サービス数", f"{len(directory.services):,}"),
        ("  ディレクトリの読み込み（変更後の初回）", f"{load_seconds * 1000:7.1f} ms"),
        ("  最初の lookup（検索用テキストの準備を含む）", f"{first_lookup * 1000:7.1f} ms"),
        ("  services.directory.lookup", _ms(lookups)),
        ("  domain.ranking.rank のみ", _ms(ranked)),
        ("  search_destinations（入力中の検索）", _ms(typing)),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description="つなぎ先の検索時間（数値を表示するだけ）")
    parser.add_argument("--services", type=int, default=5000, help="大きいディレクトリのサービス数")
    parser.add_argument("--lookups", type=int, default=500, help="計測する lookup の回数")
    options = parser.parse_args()
    rng = random.Random(SEED)
    cases = _typical_cases(rng, options.lookups)
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="setacare-referral-bench-") as folder:
        db = Database.open(f"sqlite:///{Path(folder) / 'setacare.db'}")
        try:
            rows += _measure(db, cases, "出荷時のディレクトリ")
            shipped = len(directory_service.load(db).directory.services)
            extra = max(0, options.services - shipped)
            started = time.perf_counter()
            synthetic = _synthetic(rng, extra)
            with db.engine.begin() as connection:
                insert_directory(connection, Base.metadata.tables, synthetic,
                                 include_taxonomies=False)
            rows.append((f"架空のサービス {extra:,} 件の作成と書き込み",
                         f"{time.perf_counter() - started:7.2f} s"))
            rows += _measure(db, cases, f"{options.services:,} サービスのディレクトリ")
        finally:
            db.close()
    print()
    width = max(len(label) + sum(1 for c in label if ord(c) > 0x2E80) for label, _ in rows)
    for label, value in rows:
        pad = width - len(label) - sum(1 for c in label if ord(c) > 0x2E80)
        print(f"{label}{' ' * pad}  {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
