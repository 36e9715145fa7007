"""Intake at ward scale: the duplicate-person check and the consultation search.

    python bench/intake_bench.py [--persons 500000] [--cases 2000000] [--quick] [--keep DIR]

Builds a throw-away SQLite database through ``Database.open`` (so the schema, WAL and pragmas are
the program's own), fills it with synthetic but realistic data, and prints figures. It never
asserts: it measures.

1. Persons (SQLAlchemy Core ``insert(Person)`` in chunks) with Japanese family and given names,
   their readings, common kanji variants (髙橋, 齋藤, 渡邊 …), birth dates 1920–2020, all 28
   districts; keys computed with ``domain.kana`` exactly as the services compute them. One staff
   member of 池尻 (``services.staff.add_staff``) then runs ``services.persons.possible_duplicates``
   ~200 times with what a clerk has typed so far (name prefix, variant spelling, katakana reading,
   birth date): median and p95.
2. Consultations: 主訴 and 相談内容 composed from welfare phrases (some common, like 介護 and
   物忘れ, some rare), linked to persons of their district, indexed exactly as the services index
   them (``services.search.indexed_text_of`` → ``domain.kana.grams`` → the FTS5 ``INSERT`` of
   ``store/sqlite.py``). Text is generated in worker processes and written through the sqlite3
   module with ``executemany`` in large transactions (``synchronous=OFF`` and a rollback journal
   for the build only; the program's WAL mode is restored afterwards). Then
   ``services.search.search`` is timed for a common 3-character word, a rare one, an absent one
   and 2-character words, next to the floor: the same FTS5 ``MATCH`` run directly in sqlite3.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import jaconv
from sqlalchemy import insert, select

from setacare_desktop.domain import reference as ref
from setacare_desktop.domain.jpdate import ERAS
from setacare_desktop.domain.kana import (
    SEARCH_VARIANTS as KANJI_VARIANTS,
)
from setacare_desktop.domain.kana import (
    digits_only,
    name_key,
    reading_key,
    search_words,
)
from setacare_desktop.domain.roles import StaffProfile, readable_districts
from setacare_desktop.services import Database
from setacare_desktop.services.persons import possible_duplicates
from setacare_desktop.services.search import indexed_text_of, search
from setacare_desktop.services.staff import NewStaff, add_staff
from setacare_desktop.store.models import Consultation, ConsultationDetail, Organisation, Person
from setacare_desktop.store.search import floor_query, fts_tokens

SEED = 20261124
STAFF_DISTRICT = "ikejiri"
LOOKUPS = 200
SEARCH_RUNS = 20
PERSON_CHUNK = 20_000
CASE_CHUNK = 10_000

# --- names ---------------------------------------------------------------------------------------


def _table(text: str, width: int) -> list[tuple[str, ...]]:
    """Whitespace-separated cells read ``width`` at a time."""
    cells = text.split()
    return [tuple(cells[i:i + width]) for i in range(0, len(cells), width)]


FAMILIES = _table("""
佐藤 さとう 鈴木 すずき 高橋 たかはし 田中 たなか 伊藤 いとう 渡辺 わたなべ 山本 やまもと
中村 なかむら 小林 こばやし 加藤 かとう 吉田 よしだ 山田 やまだ 佐々木 ささき 山口 やまぐち
松本 まつもと 井上 いのうえ 木村 きむら 林 はやし 斎藤 さいとう 清水 しみず 山崎 やまざき
森 もり 池田 いけだ 橋本 はしもと 阿部 あべ 石川 いしかわ 山下 やました 中島 なかじま
石井 いしい 小川 おがわ 前田 まえだ 岡田 おかだ 長谷川 はせがわ 藤田 ふじた 後藤 ごとう
近藤 こんどう 村上 むらかみ 遠藤 えんどう 青木 あおき 坂本 さかもと 斉藤 さいとう 福田 ふくだ
太田 おおた 西村 にしむら 藤井 ふじい 金子 かねこ 岡本 おかもと 藤原 ふじわら 中野 なかの
三浦 みうら 原田 はらだ 中川 なかがわ 松田 まつだ 竹内 たけうち 小野 おの 田村 たむら
中山 なかやま 和田 わだ 石田 いしだ 森田 もりた 上田 うえだ 原 はら 柴田 しばた 酒井 さかい
工藤 くどう 横山 よこやま 宮崎 みやざき 宮本 みやもと 内田 うちだ 高木 たかぎ 安藤 あんどう
島田 しまだ 谷口 たにぐち 大野 おおの 高田 たかだ 丸山 まるやま 今井 いまい 河野 こうの
藤本 ふじもと 村田 むらた 武田 たけだ 上野 うえの 杉山 すぎやま 増田 ますだ 小山 こやま
大塚 おおつか 平野 ひらの 菅原 すがわら 久保 くぼ 松井 まつい 千葉 ちば 岩崎 いわさき
桜井 さくらい 木下 きのした 野口 のぐち 松尾 まつお 菊地 きくち 野村 のむら 新井 あらい
渡部 わたなべ 沢田 さわだ 浜田 はまだ 広瀬 ひろせ 富田 とみた 黒田 くろだ 浅野 あさの
川崎 かわさき 長島 ながしま 国分 こくぶん 辺見 へんみ 高野 たかの 尾崎 おざき 西田 にしだ
""", 2)

GIVENS = _table("""
花子 はなこ f 幸子 さちこ f 和子 かずこ f 節子 せつこ f 洋子 ようこ f 恵子 けいこ f
京子 きょうこ f 久美子 くみこ f 美智子 みちこ f 由美子 ゆみこ f 真由美 まゆみ f 智子 ともこ f
陽子 ようこ f 直美 なおみ f 明美 あけみ f 裕子 ゆうこ f 千代 ちよ f 文子 ふみこ f 静子 しずこ f
恵美 えみ f 愛 あい f 美咲 みさき f 陽菜 ひな f 結衣 ゆい f さくら さくら f 葵 あおい f
凛 りん f 芽衣 めい f 澄江 すみえ f ハル はる f 富子 とみこ f 實子 じつこ f 眞理子 まりこ f
一郎 いちろう m 太郎 たろう m 茂 しげる m 博 ひろし m 清 きよし m 実 みのる m 勇 いさむ m
進 すすむ m 正 ただし m 誠 まこと m 隆 たかし m 浩 ひろし m 修 おさむ m 健一 けんいち m
和夫 かずお m 正男 まさお m 勝 まさる m 昭 あきら m 武 たけし m 弘 ひろし m 翔太 しょうた m
大輝 だいき m 蓮 れん m 悠真 ゆうま m 陽翔 はると m 健太 けんた m 拓也 たくや m 直樹 なおき m
達也 たつや m 和也 かずや m 龍之介 りゅうのすけ m 國男 くにお m 廣 ひろし m
トメ とめ f キヨ きよ f 春子 はるこ f 秋子 あきこ f 冬子 ふゆこ f 光子 みつこ f 房子 ふさこ f
清子 きよこ f 信子 のぶこ f 敏子 としこ f 弘子 ひろこ f 道子 みちこ f 悦子 えつこ f 和代 かずよ f
良子 よしこ f 貞子 さだこ f 昌子 まさこ f 雅子 まさこ f 典子 のりこ f 順子 じゅんこ f
恵理 えり f 麻衣 まい f 彩 あや f 舞 まい f 優子 ゆうこ f 香織 かおり f 綾香 あやか f 沙織 さおり f
美穂 みほ f 理恵 りえ f 奈々 なな f 桃子 ももこ f 琴音 ことね f 心愛 ここあ f 紬 つむぎ f
三郎 さぶろう m 次郎 じろう m 秀夫 ひでお m 義雄 よしお m 幸雄 ゆきお m 正一 しょういち m
敏夫 としお m 忠 ただし m 稔 みのる m 豊 ゆたか m 明 あきら m 孝 たかし m 保 たもつ m 登 のぼる m
健二 けんじ m 英樹 ひでき m 秀樹 ひでき m 浩二 こうじ m 哲也 てつや m 聡 さとし m
剛 つよし m 大介 だいすけ m 亮 りょう m 翔 しょう m 匠 たくみ m 湊 みなと m 樹 いつき m
悠斗 ゆうと m 颯太 そうた m 朝陽 あさひ m 髙志 たかし m 澤男 さわお m
""", 3)

# Zipf-like, 佐藤 first at about 2 % (the ward's commonest names are spread thinner than Zipf)
FAMILY_WEIGHTS = [1 / (rank + 30) for rank in range(len(FAMILIES))]

#: standard form → variant forms (the reverse of domain.kana.KANJI_VARIANTS)
VARIANTS_OF: dict[str, list[str]] = {}
for _variant, _standard in KANJI_VARIANTS.items():
    VARIANTS_OF.setdefault(_standard, []).append(_variant)

HOUSEHOLDS = ["single", "elderly_only", "single_parent", "with_family", "unknown", None]
TOWN_NUMBERS = "一二三四五"


def swap_variants(name: str, rng: random.Random) -> str:
    """The same name as another family writes it: 高橋 ↔ 髙橋, 斎藤 ↔ 齋藤, 渡辺 ↔ 渡邊."""
    out = []
    for ch in name:
        if ch in KANJI_VARIANTS:
            out.append(KANJI_VARIANTS[ch])
        elif ch in VARIANTS_OF:
            out.append(rng.choice(VARIANTS_OF[ch]))
        else:
            out.append(ch)
    return "".join(out)


def era_text(day: date, rng: random.Random) -> str:
    """A birth date as a clerk types it: S20.3.3, 昭和20年3月3日 or 1945/03/03."""
    style = rng.random()
    if style < 0.25:
        return f"{day:%Y/%m/%d}"
    for era, initial, start in ERAS:
        if day >= start:
            year = day.year - start.year + 1
            if style < 0.7:
                return f"{initial}{year}.{day.month}.{day.day}"
            return f"{era}{year}年{day.month}月{day.day}日"
    return f"{day:%Y-%m-%d}"


@dataclass(frozen=True, slots=True)
class SynthPerson:
    id: int
    district: str
    family: str
    given: str
    family_reading: str
    given_reading: str
    name: str  # as stored (may use a kanji variant, any spacing)
    reading: str  # as stored ("" when not asked)
    birth: date
    phone: str


def synth_persons(count: int, rng: random.Random) -> list[SynthPerson]:
    districts = [d.code for d in ref.DISTRICTS]
    first_birth, span_days = date(1920, 1, 1), (date(2020, 12, 31) - date(1920, 1, 1)).days
    people = []
    families = rng.choices(FAMILIES, FAMILY_WEIGHTS, k=count)
    for i in range(count):
        family, family_reading = families[i]
        given, given_reading, _sex = rng.choice(GIVENS)
        stored_family = swap_variants(family, rng) if rng.random() < 0.12 else family
        sep = rng.choices([" ", "\u3000", ""], [70, 20, 10])[0]
        # welfare consultations skew old: two thirds born before 1960
        if rng.random() < 0.67:
            birth = first_birth + timedelta(days=rng.randrange((date(1960, 1, 1) - first_birth).days))
        else:
            birth = first_birth + timedelta(days=rng.randrange(span_days))
        phone_kind = rng.random()
        phone = (f"03-{rng.randrange(3000, 6000)}-{rng.randrange(10000):04d}" if phone_kind < 0.7
                 else f"090-{rng.randrange(1000, 10000)}-{rng.randrange(10000):04d}"
                 if phone_kind < 0.9 else "")
        people.append(SynthPerson(
            i + 1, rng.choice(districts), family, given, family_reading, given_reading,
            f"{stored_family}{sep}{given}",
            f"{family_reading} {given_reading}" if rng.random() < 0.9 else "", birth, phone))
    return people


def person_row(p: SynthPerson, sex: str, rng: random.Random, now: datetime) -> dict[str, Any]:
    district = ref.DISTRICTS_BY_CODE[p.district]
    return {
        "id": p.id, "district_code": p.district, "name": p.name, "reading": p.reading,
        "name_key": name_key(p.name), "reading_key": reading_key(p.reading),
        "birth_date": p.birth, "sex": sex,
        "address_town": f"{district.name}{rng.choice(TOWN_NUMBERS)}丁目",
        "address_rest": f"{rng.randrange(1, 30)}番{rng.randrange(1, 20)}号",
        "phone": p.phone, "phone_digits": digits_only(p.phone),
        "household": rng.choice(HOUSEHOLDS), "created_at": now, "updated_at": now,
    }


# --- consultation text ---------------------------------------------------------------------------

COMPLAINTS = [  # (主訴, weight)
    ("介護保険の申請について", 12), ("物忘れが増えて心配", 10), ("一人暮らしの親の見守り", 8),
    ("生活費が足りない", 6), ("子育ての悩み", 6), ("近所の高齢者が心配", 5),
    ("通院の付き添いについて", 4), ("家賃の滞納がある", 4), ("ゴミ出しができない", 4),
    ("配食サービスを利用したい", 3), ("介護の負担が大きい", 6), ("仕事が見つからない", 3),
    ("不登校の相談", 3), ("障害福祉サービスの利用", 3), ("認知症の家族の介護", 5),
    ("地域活動に参加したい", 2), ("防災の備えが不安", 1), ("医療費の支払いが困難", 2),
    ("住まいを探している", 2), ("虐待が疑われる", 1),
]
RARE_COMPLAINTS = ["成年後見制度について", "ヤングケアラーの相談", "ゴミ屋敷の状態", "８０５０問題"]

SENTENCES = [  # (相談内容の一文, weight); {rel} {age} {who} {family} {next} are filled in
    ("{rel}より電話で相談。", 10), ("{rel}が来所。", 6), ("{age}の{who}が一人暮らしをしている。", 8),
    ("最近、物忘れが増えて同じことを何度も聞く。", 6), ("介護保険の申請方法を知りたい。", 8),
    ("要介護認定を受けているが、サービスが足りない。", 4), ("デイサービスの利用を検討している。", 4),
    ("ヘルパーの利用について説明した。", 4), ("家族の介護疲れが大きく、休みが取れない。", 4),
    ("通院の付き添いが必要。", 4), ("買い物やゴミ出しが難しくなってきた。", 4),
    ("食事をきちんととれていない様子。", 3), ("家賃の支払いが滞っている。", 3),
    ("生活費が足りず、貯金もほとんどない。", 3), ("自立相談支援機関を案内した。", 3),
    ("あんしんすこやかセンターにつないだ。", 5), ("社会福祉協議会の貸付制度を紹介した。", 2),
    ("子どもの発達について心配がある。", 3), ("保育園の入園について相談したい。", 2),
    ("学校に行けない日が続いている。", 2), ("近所の方が見守りをしている。", 3),
    ("民生委員が定期的に訪問している。", 3), ("夜間に大きな声が聞こえるとの連絡。", 1),
    ("転倒して足を痛めてから外出が減った。", 3), ("耳が遠く、電話での会話が難しい。", 2),
    ("銀行の手続きができなくなってきた。", 2), ("地域の体操教室を紹介した。", 2),
    ("ボランティア活動に参加したいとのこと。", 1), ("障害者手帳を持っている。", 2),
    ("就労継続支援の事業所を探している。", 1), ("次回は{next}に訪問予定。", 4),
    ("ケアマネジャーと連絡を取ることになった。", 3), ("本人は支援を拒否している。", 2),
    ("家族とは疎遠で連絡先がわからない。", 2), ("緊急連絡先を確認した。", 3),
    ("{family}さん宅を訪問し、室内の様子を確認した。", 2), ("特に変わりなし。", 2),
]
RARE_SENTENCES = [
    "成年後見制度の利用を検討しており、後見人の候補について相談があった。",
    "ヤングケアラーとして祖母の介護を担っている高校生がいる。",
    "室内に物がたまり、いわゆるゴミ屋敷の状態。",
    "外国籍で日本語での手続きに不安がある。",
]
RELATIONS = ["長女", "長男", "次女", "妻", "夫", "本人", "民生委員", "近隣住民", "ケアマネジャー"]
AGES = ["60代", "70代", "80代", "90代"]
WHOS = ["母", "父", "祖母", "祖父", "本人", "叔母"]
CONSULTER_KINDS = [("self", 30), ("family", 35), ("neighbour", 8), ("minsei", 10),
                   ("agency", 10), ("anonymous", 4), ("other", 3)]
TARGET_GROUPS = [("elderly", 60), ("disability", 10), ("child", 12), ("youth", 4),
                 ("poverty", 10), ("other", 4)]

SENTENCE_TEXTS = [s for s, _ in SENTENCES]
SENTENCE_WEIGHTS = [w for _, w in SENTENCES]
COMPLAINT_TEXTS = [c for c, _ in COMPLAINTS]
COMPLAINT_WEIGHTS = [w for _, w in COMPLAINTS]
RARE_RATE = 0.001  # per consultation, for each rare sentence and complaint

# Shared with the forked text workers (set before the pool starts).
_CTX: dict[str, Any] = {}


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")  # SQLAlchemy's SQLite DateTime format


def make_cases(chunk: tuple[int, int]) -> tuple[list[tuple[Any, ...]], ...]:
    """Rows for consultations ``first .. first+count-1``: consultation, detail, target group,
    search_fts rows. Runs in a worker process."""
    first, count = chunk
    ctx = _CTX
    rng = random.Random(SEED * 31 + first)
    total, start, span = ctx["total"], ctx["start"], ctx["span_seconds"]
    people_by_district, orgs, districts = ctx["people"], ctx["orgs"], ctx["districts"]
    cases, details, groups, fts = [], [], [], []
    cache: dict[str, str] = {}  # the grams of texts seen before (phrases repeat)
    for cid in range(first, first + count):
        received = start + timedelta(seconds=(cid - 1) * span / total)
        received = received.replace(hour=9 + rng.randrange(8), minute=rng.randrange(60),
                                    second=0, microsecond=0)
        district = rng.choice(districts)
        kind = rng.choices(CONSULTER_KINDS, [w for _, w in CONSULTER_KINDS])[0][0]
        person = None if kind == "anonymous" else rng.choice(people_by_district[district])
        complaint = (rng.choice(RARE_COMPLAINTS) if rng.random() < RARE_RATE * 4
                     else rng.choices(COMPLAINT_TEXTS, COMPLAINT_WEIGHTS)[0])
        sentences = rng.choices(SENTENCE_TEXTS, SENTENCE_WEIGHTS, k=rng.randrange(3, 8))
        sentences += [s for s in RARE_SENTENCES if rng.random() < RARE_RATE]
        parts = person[1].split() if person else []
        family = parts[0] if len(parts) > 1 else "近所の方"
        details_text = "".join(sentences).format(
            rel=rng.choice(RELATIONS), age=rng.choice(AGES), who=rng.choice(WHOS), family=family,
            next=f"{rng.randrange(1, 13)}月{rng.randrange(1, 29)}日")
        urgency = '["danger"]' if rng.random() < 0.03 else "[]"
        stamp = _stamp(received)
        org = rng.choice(orgs[district])
        cases.append((cid, stamp, received.date().isoformat(), rng.choice(ctx["channels"]), kind,
                      district, org, ctx["staff_id"], complaint,
                      rng.choice(ctx["responses"]), urgency != "[]", stamp, stamp))
        details.append((cid, person[0] if person else None, "", "", "", details_text, None, "",
                        urgency, "", 1))
        groups.append((cid, rng.choices(TARGET_GROUPS, [w for _, w in TARGET_GROUPS])[0][0]))
        # exactly what the services index (services.search.index_consultation)
        body = indexed_text_of(
            cast(Any, SimpleNamespace(main_complaint=complaint)),
            cast(Any, SimpleNamespace(details=details_text)),
            cast(Any, SimpleNamespace(name=person[1], reading=person[2], phone=person[3]))
            if person else None)
        fts.append((cid, fts_tokens(district, org, body, cache)))
    return cases, details, groups, fts


# --- helpers -------------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.2f} ms"


def timed(fn: Callable[[], object], runs: int) -> tuple[list[float], object]:
    result: object = None
    times = []
    for _ in range(runs):
        begin = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - begin)
    return times, result


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20, method="inclusive")[18] if len(times) > 1 else times[0]


def file_size(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())


# --- 1. persons and the duplicate check ----------------------------------------------------------


def build_persons(db: Database, people: list[SynthPerson], rng: random.Random) -> None:
    sex_of = {given: "female" if sex == "f" else "male" for given, _, sex in GIVENS}
    now = datetime(2026, 11, 24, 12, 0)
    for begin in range(0, len(people), PERSON_CHUNK):
        rows = [person_row(p, sex_of[p.given], rng, now)
                for p in people[begin:begin + PERSON_CHUNK]]
        with db.engine.begin() as connection:
            connection.execute(insert(Person), rows)


#: Ids of the consultations that put the district's persons on record (above any the search
#: part makes, which count from 1).
RECORD_IDS = 50_000_000


def put_on_record(db: Database, actor: StaffProfile, people: list[SynthPerson],
                  rng: random.Random) -> set[int]:
    """Each person of the clerk's district gets one consultation by one of the district's
    organisations, as every real person on record has: the duplicate check offers only persons
    the clerk may see (docs/privacy.md), so a person on record with nobody was never offered.
    Returns the persons the clerk's organisation took (the ones it may be offered)."""
    with db.read() as session:
        orgs = list(session.scalars(select(Organisation.id).where(
            Organisation.district_code == STAFF_DISTRICT)))
    stamp = datetime(2026, 1, 5, 10, 0)
    cases, details, ours = [], [], set()
    for number, p in enumerate(x for x in people if x.district == STAFF_DISTRICT):
        org = rng.choice(orgs)
        cid = RECORD_IDS + number
        cases.append({"id": cid, "received_at": stamp, "received_on": stamp.date(),
                      "channel_code": ref.CHANNELS[0].code, "consulter_kind_code": "self",
                      "district_code": STAFF_DISTRICT, "organisation_id": org,
                      "staff_id": actor.staff_id, "main_complaint": "相談", "response_code": None,
                      "urgent": False, "created_at": stamp, "updated_at": stamp})
        details.append({"consultation_id": cid, "person_id": p.id, "details": "",
                        "urgency": "[]", "version": 1})
        if org == actor.organisation_id:
            ours.add(p.id)
    with db.engine.begin() as connection:
        connection.execute(insert(Consultation), cases)
        connection.execute(insert(ConsultationDetail), details)
    return ours


@dataclass(frozen=True, slots=True)
class Lookup:
    kind: str
    target: int | None  # the person who should be offered (None: a new person)
    name: str = ""
    reading: str = ""
    birth_date: str = ""


def lookups(people: list[SynthPerson], rng: random.Random, count: int,
            visible: set[int]) -> list[Lookup]:
    """What a clerk has typed so far, for persons the clerk may see (and some not on record)."""
    local = [p for p in people if p.id in visible and p.reading]
    foldable = set(KANJI_VARIANTS) | set(VARIANTS_OF)
    variant_spelt = [p for p in local if foldable & set(p.name)] or local
    result = []
    kinds = ["氏名の前方一致", "異体字", "カタカナ読み", "生年月日", "全項目", "新規の人"]
    for i in range(count):
        kind, p = kinds[i % len(kinds)], rng.choice(local)
        if kind == "氏名の前方一致":  # 「佐藤 花」: the given name half typed
            result.append(Lookup(kind, p.id, name=f"{p.family} {p.given[0]}"))
        elif kind == "異体字":  # the stored 髙橋 typed 高橋 (or the other way round)
            q = rng.choice(variant_spelt)
            result.append(Lookup(kind, q.id, name=swap_variants(q.name, rng).replace(" ", "")))
        elif kind == "カタカナ読み":  # ヤマダ ハナコ, or half-width ﾔﾏﾀﾞ ﾊﾅｺ
            reading = jaconv.hira2kata(p.reading)
            result.append(Lookup(kind, p.id, reading=jaconv.z2h(reading) if i % 2 else reading))
        elif kind == "生年月日":  # family name and the birth date in any era form
            result.append(Lookup(kind, p.id, name=p.family, birth_date=era_text(p.birth, rng)))
        elif kind == "全項目":
            result.append(Lookup(kind, p.id, name=p.name,
                                 reading=jaconv.hira2kata(p.reading),
                                 birth_date=era_text(p.birth, rng)))
        else:  # someone new: a plausible name and birth date that may match nobody
            family, family_reading = rng.choice(FAMILIES)
            given, given_reading, _ = rng.choice(GIVENS)
            birth = date(1930, 1, 1) + timedelta(days=rng.randrange(30_000))
            result.append(Lookup(kind, None, name=f"{family} {given}",
                                 reading=f"{family_reading} {given_reading}",
                                 birth_date=era_text(birth, rng)))
    return result


def run_duplicate_check(db: Database, actor: StaffProfile, people: list[SynthPerson],
                        visible: set[int], label: str) -> None:
    rng = random.Random(SEED + 7)
    plan = lookups(people, rng, LOOKUPS, visible)
    for item in plan[:10]:  # warm the page cache and the ORM
        possible_duplicates(db, actor, name=item.name, reading=item.reading,
                            birth_date=item.birth_date)
    per_kind: dict[str, list[float]] = {}
    found: dict[str, list[bool]] = {}
    for item in plan:
        begin = time.perf_counter()
        candidates = possible_duplicates(db, actor, name=item.name, reading=item.reading,
                                         birth_date=item.birth_date)
        per_kind.setdefault(item.kind, []).append(time.perf_counter() - begin)
        if item.target is not None:
            found.setdefault(item.kind, []).append(
                item.target in {c.person_id for c in candidates})
    every = [t for times in per_kind.values() for t in times]
    print(f"  {label}: {len(every)} lookups  median {ms(statistics.median(every))}"
          f"   p95 {ms(p95(every))}   max {ms(max(every))}")
    for kind, times in per_kind.items():
        hits = found.get(kind)
        offered = f"   offered the person {sum(hits)}/{len(hits)}" if hits else ""
        print(f"    {kind:　<8} {len(times):3d}  median {ms(statistics.median(times))}"
              f"   p95 {ms(p95(times))}{offered}")


# --- 2. consultations and search -----------------------------------------------------------------

INSERTS = (
    "INSERT INTO consultation (id, received_at, received_on, channel_code, consulter_kind_code,"
    " district_code, organisation_id, staff_id, main_complaint, response_code, urgent,"
    " created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
    "INSERT INTO consultation_detail (consultation_id, person_id, consulter_relation,"
    " consulter_name, consulter_contact, details, next_date, next_note, urgency, urgency_note,"
    " version) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
    "INSERT INTO consultation_target_group (consultation_id, code) VALUES (?,?)",
    # the statement of store.search._add (the shape of migration 0020)
    "INSERT INTO search_fts (rowid, t) VALUES (?, ?)",
)


def _chunks(total: int) -> Iterator[tuple[int, int]]:
    for first in range(1, total + 1, CASE_CHUNK):
        yield first, min(CASE_CHUNK, total + 1 - first)


def build_cases(path: Path, total: int, workers: int) -> None:
    pool = multiprocessing.get_context("fork").Pool(workers)
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        # bench build only: no fsync, a rollback journal instead of a gigabyte-sized WAL
        connection.execute("PRAGMA journal_mode = DELETE")
        connection.execute("PRAGMA synchronous = OFF")
        connection.execute("PRAGMA cache_size = -1000000")
        connection.execute("PRAGMA temp_store = MEMORY")
        pending: deque[Any] = deque()
        chunks = _chunks(total)
        done = 0
        last_report = time.perf_counter()
        while True:
            while len(pending) < workers * 2:  # bounded look-ahead keeps memory flat
                chunk = next(chunks, None)
                if chunk is None:
                    break
                pending.append(pool.apply_async(make_cases, (chunk,)))
            if not pending:
                break
            rows = pending.popleft().get()
            connection.execute("BEGIN")
            for sql, batch in zip(INSERTS, rows, strict=True):
                connection.executemany(sql, batch)
            connection.execute("COMMIT")
            done += len(rows[0])
            if time.perf_counter() - last_report > 30:
                last_report = time.perf_counter()
                print(f"    … {done:,} consultations written", flush=True)
        # one FTS5 segment, as store.search.rebuild (migration 0020) leaves the index
        connection.execute("INSERT INTO search_fts (search_fts) VALUES ('optimize')")
        connection.execute("PRAGMA journal_mode = WAL")  # the program's mode again
    finally:
        connection.close()
        pool.close()
        pool.join()


FLOOR_SQL = "SELECT rowid FROM search_fts WHERE search_fts MATCH ? ORDER BY rowid DESC LIMIT 100"
SEARCHES = [  # (label, query)
    ("common 3-char", "物忘れ"),
    ("rare 3-char", "後見人"),
    ("absent 3-char", "宇宙船"),
    ("2-char (common)", "介護"),
    ("2-char (rare)", "後見"),
]


def run_searches(db: Database, actor: StaffProfile, path: Path) -> None:
    districts = readable_districts(actor)
    floor_db = sqlite3.connect(path)
    try:
        in_scope = floor_db.execute(
            "SELECT count(*) FROM consultation WHERE district_code IN "
            f"({','.join('?' * len(districts))})", districts).fetchone()[0]
        print(f"  scope: {actor.organisation_name} {actor.login} reads {in_scope:,} consultations")
        print(f"  {'query':<22}{'search()':>12}{'floor':>12}{'page':>6}{'matches in scope':>18}")
        for label, query in SEARCHES:
            words = search_words(query)
            _sql, (expression, _limit) = floor_query(words, districts,
                                                          actor.organisation_id, 100)
            search(db, actor, query)  # warm
            service_times, result = timed(lambda q=query: search(db, actor, q), SEARCH_RUNS)
            floor_db.execute(FLOOR_SQL, (expression,)).fetchall()
            floor_times, floor_rows = timed(
                lambda e=expression: floor_db.execute(FLOOR_SQL, (e,)).fetchall(), SEARCH_RUNS)
            hits = cast(Any, result)[1]
            same = "" if [h.consultation_id for h in hits] == [r[0] for r in floor_rows] else " ≠"
            matches = floor_db.execute("SELECT count(*) FROM search_fts WHERE search_fts MATCH ?",
                                       (expression,)).fetchone()[0]  # candidates, unchecked
            print(f"  {label:<16}「{query}」{ms(statistics.median(service_times)):>12}"
                  f"{ms(statistics.median(floor_times)):>12}{len(hits):>6}{same}{matches:>18,}")
        scan_sql = ("SELECT c.id FROM consultation c JOIN consultation_detail d"
                    " ON d.consultation_id = c.id WHERE c.district_code IN "
                    f"({','.join('?' * len(districts))}) AND d.details LIKE ? "
                    "ORDER BY c.id DESC LIMIT 100")
        scan_times, _ = timed(lambda: floor_db.execute(scan_sql, (*districts, "%宇宙船%"))
                              .fetchall(), 3)
        print(f"  for comparison, no index (LIKE scan of 相談内容), absent word: "
              f"{ms(statistics.median(scan_times))}")
    finally:
        floor_db.close()


# --- main ----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--persons", type=int, default=500_000)
    parser.add_argument("--cases", type=int, default=2_000_000)
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: 20,000 persons and 50,000 consultations")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="text generation processes (default: one per core)")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="build in DIR and keep the database (default: a temporary directory)")
    args = parser.parse_args(argv)
    if args.quick:
        args.persons, args.cases = 20_000, 50_000

    workdir = args.keep or Path(tempfile.mkdtemp(prefix="setacare-intake-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / "bench.db"
    for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        stale.unlink(missing_ok=True)
    print(f"SetaCare intake bench: {args.persons:,} persons, {args.cases:,} consultations "
          f"(SQLite {sqlite3.sqlite_version}, Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} cores)")
    print(f"  database: {path}")
    try:
        db = Database.open(f"sqlite:///{path}")
        admin = add_staff(db, None, NewStaff("bench-admin", "ベンチ 管理者", "管理者", "世田谷",
                                             "総合支所", "bench-password-1"))
        actor = add_staff(db, admin, NewStaff("bench", "ベンチ 職員", "受付", "池尻",
                                              "まちづくりセンター", "bench-password-1"))
        rng = random.Random(SEED)

        print("\n1. duplicate-person check (services.persons.possible_duplicates)")
        begin = time.perf_counter()
        people = synth_persons(args.persons, rng)
        build_persons(db, people, rng)
        in_scope = sum(p.district == STAFF_DISTRICT for p in people)
        visible = put_on_record(db, actor, people, rng)
        print(f"  built {args.persons:,} persons in {time.perf_counter() - begin:.1f} s "
              f"({in_scope:,} in the clerk's district 池尻, each on record with one of its "
              f"organisations; {len(visible):,} with the clerk's own)")
        run_duplicate_check(db, actor, people, visible, "persons only")

        print("\n2. consultation search (services.search.search)")
        with db.read() as session:
            orgs: dict[str, list[int]] = {}
            for org_id, district in session.execute(
                    select(Organisation.id, Organisation.district_code)
                    .where(Organisation.district_code.is_not(None))):
                orgs.setdefault(district, []).append(org_id)
        db.close()  # the build connection needs the file to itself
        people_by_district: dict[str, list[tuple[int, str, str, str]]] = {}
        for p in people:
            people_by_district.setdefault(p.district, []).append(
                (p.id, p.name, p.reading, p.phone))
        _CTX.update(
            total=args.cases, start=datetime(2016, 11, 25, 9, 0),
            span_seconds=(datetime(2026, 11, 24) - datetime(2016, 11, 25)).total_seconds(),
            people=people_by_district, orgs=orgs, districts=sorted(orgs),
            staff_id=actor.staff_id, channels=[t.code for t in ref.CHANNELS],
            responses=[t.code for t in ref.RESPONSES])
        begin = time.perf_counter()
        build_cases(path, args.cases, max(1, args.workers))
        print(f"  built {args.cases:,} consultations (with search index) in "
              f"{time.perf_counter() - begin:.1f} s using {args.workers} text workers")
        print(f"  database size: {file_size(path) / 1e9:.2f} GB")

        db = Database.open(f"sqlite:///{path}")
        try:
            run_searches(db, actor, path)
            print(f"\n1'. duplicate check again, with {args.cases:,} consultations on record "
                  "(candidates show their last consultations)")
            run_duplicate_check(db, actor, people, visible, "with consultations")
        finally:
            db.close()
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
