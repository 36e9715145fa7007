"""Synthetic demo data: staff for every district and consultations in realistic proportions.

Nothing here describes a real person. Staff and the persons consulted about (対象者) are random
combinations of common family and given names, with readings; addresses are a 町丁目 of the
district without a real house number; phone numbers, where there is one, are obviously fake
(``090-0000-1234``, ``03-0000-1234``: the 0000 exchange does not exist). Each consultation has the
intake form's details (相談者, 相談内容 written from fragments, 対応, 緊急性 consistent with the urgent
mark), most named persons have consent records (given to the district's あんしんすこやかセンター and
partners, some refused, a few withdrawn later), some consultations are anonymous, and some persons
come back several times. Consultations answered with つなぎ (and some still being followed) have
referrals to destinations chosen by the real ranking (``domain.ranking.rank``, as
``services.directory.suggest_for_consultation`` asks it), in every status from 作成 to 完了, 対応不可
and 取下げ, each step dated and attributed, with the destination's replies and due dates (some
overdue). A named person is asked for consent for each destination (``dest:<service id>``): most
give it and the referral carries their details; those who refuse get an anonymised referral, as
does every consultation about nobody named. The proportions follow the ward's fiscal-2024
figures (``shared/DOMAIN.md``, volumes; seed 002 lines 388–391): あんしんすこやかセンター 182,110
consultations (相談拡充 3,440, i.e. about 1.9 %), まちづくりセンター 3,354, 社会福祉協議会 3,239;
the seeds give no figure for 児童館, which we assume to be a little smaller still.
The ward sees about 780 consultations a working day.

Everything is written in one transaction with bulk Core inserts, the shared demo password is hashed
once, and the folded search text is built from cached pieces (the same text as
``services.search.indexed_text_of``), so ``setacare demo --cases 100000`` takes seconds. A database
holding accounts other than demo ones is refused: demo data never mixes with real records.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import random
import re
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from setacare_desktop.domain import reference as ref
from setacare_desktop.domain.consent import (
    ConsentRecord,
    Giver,
    Method,
    Purpose,
    destination_recipient,
    may_share_identifying,
    org_recipient,
)
from setacare_desktop.domain.directory import Directory
from setacare_desktop.domain.jpdate import age_on, local_now
from setacare_desktop.domain.kana import digits_only, name_key, reading_key, search_text
from setacare_desktop.domain.passwords import password_problems
from setacare_desktop.domain.ranking import rank
from setacare_desktop.domain.referral import (
    ReferralMethod,
    ReferralStatus,
    is_overdue,
)
from setacare_desktop.domain.roles import Role
from setacare_desktop.services import audit
from setacare_desktop.services import directory as directory_service
from setacare_desktop.services.errors import ServiceError
from setacare_desktop.services.passwords import hash_password
from setacare_desktop.services.referrals import ANONYMISED
from setacare_desktop.store import search as search_store
from setacare_desktop.store.database import Database
from setacare_desktop.store.models import (
    CaseReview,
    ConsentRecordRow,
    Consultation,
    ConsultationDetail,
    ConsultationElement,
    ConsultationTargetGroup,
    DaySignoff,
    Organisation,
    Person,
    Referral,
    ReferralEvent,
    Staff,
    utc_now,
)

DEMO_PASSWORD = "demo-pass-2026"
DEMO_LOGIN_PREFIX = "demo-"
ADMIN_LOGIN = "demo-admin"
DEFAULT_DAYS = 20
#: Ward-wide consultations per working day (about 190,000 a year over about 243 working days).
WARD_CASES_PER_WORKING_DAY = 780
#: Consultations written per bulk insert; bounds memory for very large runs.
BATCH = 10_000

UTC_OFFSET = timedelta(hours=9)  # the ward's local time (JST) is UTC+9, no daylight saving
OPENING = time(8, 30)
CLOSING = time(17, 15)

assert not password_problems(DEMO_PASSWORD, ADMIN_LOGIN)


# --- what the staff of each organisation look like ---------------------------------------------

_ORG_SHORT: dict[ref.OrgKind, str] = {
    ref.OrgKind.MACHIZUKURI: "machi",
    ref.OrgKind.ANSHIN: "anshin",
    ref.OrgKind.SHAKYO: "shakyo",
    ref.OrgKind.JIDOKAN: "jidokan",
    ref.OrgKind.BRANCH: "branch",
}

#: (role, login suffix) of the accounts each kind of organisation gets. The district supervisor sits
#: at the まちづくりセンター, which coordinates the four partners (seed 002 line 319).
_STAFFING: dict[ref.OrgKind, tuple[tuple[Role, str], ...]] = {
    ref.OrgKind.MACHIZUKURI: ((Role.COUNTER, "counter"), (Role.CONSULTANT, "consultant")),
    ref.OrgKind.ANSHIN: (
        (Role.COUNTER, "counter"),
        (Role.CONSULTANT, "consultant"),
        (Role.CONSULTANT, "consultant2"),
        (Role.CONSULTANT, "consultant3"),
    ),
    ref.OrgKind.SHAKYO: ((Role.COUNTER, "counter"), (Role.CONSULTANT, "consultant")),
    ref.OrgKind.JIDOKAN: ((Role.COUNTER, "counter"),),
    ref.OrgKind.BRANCH: ((Role.SUPERVISOR, "supervisor"), (Role.CONSULTANT, "consultant")),
}

_SURNAMES = (
    "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田",
    "佐々木", "山口", "松本", "井上", "木村", "林", "斎藤", "清水", "山崎", "森", "池田", "橋本",
    "阿部", "石川", "山下", "中島", "石井", "小川", "前田", "岡田", "長谷川", "藤田", "後藤", "近藤",
)
_GIVEN_NAMES = (
    "陽子", "恵子", "直美", "由美", "真理", "美穂", "智子", "裕子", "友美", "彩", "舞", "千尋",
    "浩", "健一", "誠", "大輔", "拓也", "直樹", "和也", "翔太", "剛", "修", "聡", "亮",
)


def demo_login(kind: ref.OrgKind, suffix: str, place_code: str) -> str:
    """``demo-ikejiri-anshin-counter``; an area branch: ``demo-setagaya-branch-supervisor``."""
    return f"{DEMO_LOGIN_PREFIX}{place_code}-{_ORG_SHORT[kind]}-{suffix}"


def district_supervisor_login(district_code: str) -> str:
    return f"{DEMO_LOGIN_PREFIX}{district_code}-supervisor"


# --- what the consultations look like ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Phrase:
    text: str
    groups: tuple[str, ...]
    elements: tuple[str, ...]
    risk: tuple[str, ...] = ()  # 緊急性 flags when such a case turns out urgent
    #: Who says this: "self" (the person), "parent" (of a child), "neighbour", "agency",
    #: "family:長女 長男" (a relative, with the likely 続柄), or "" (anyone).
    voice: str = ""

    @property
    def urgent_risk(self) -> bool:
        return bool(self.risk)

    @property
    def relations(self) -> tuple[str, ...]:
        return tuple(self.voice.removeprefix("family:").split()) if self.voice.startswith(
            "family:") else ()


def _p(text: str, groups: str, elements: str, risk: str = "", voice: str = "") -> _Phrase:
    return _Phrase(text, tuple(groups.split()), tuple(elements.split()), tuple(risk.split()),
                   voice)


#: Main complaints (主訴) as a counter clerk would write them down; no names, no addresses.
PHRASES: tuple[_Phrase, ...] = (
    # 高齢者
    _p("一人暮らしの母の物忘れが増えてきた。介護保険の申請方法を知りたい", "elderly",
       "welfare_service medical", voice="family:長女 長男 次女 長男の妻"),
    _p("夫が退院後に自宅で療養することになり、訪問診療と訪問看護について相談したい", "elderly",
       "medical welfare_service", voice="family:妻"),
    _p("足腰が弱って買い物に行けなくなった。配食サービスを利用したい", "elderly",
       "living_support welfare_service", voice="self"),
    _p("近所の一人暮らしの高齢者を数日見かけない。様子を確認してほしい", "elderly",
       "safety living_support", "danger", voice="neighbour"),
    _p("介護している妻の負担が大きく、ショートステイを利用したい", "elderly", "welfare_service"),
    _p("要介護認定の結果について説明を聞きたい", "elderly", "welfare_service"),
    _p("介護予防の体操教室や地域のサロンに参加したい", "elderly", "prevention participation",
       voice="self"),
    _p("転倒が心配なので、手すりの取り付けや住宅改修の補助について知りたい", "elderly",
       "housing welfare_service prevention", voice="self"),
    _p("認知症の父が夜に一人で外へ出てしまう。家族としてどう対応したらよいか", "elderly",
       "medical welfare_service safety", voice="family:長女 長男 次女"),
    _p("年金だけでは家賃が払えず、住み替え先を探している", "elderly", "housing living_support",
       voice="self"),
    _p("親の金銭管理が難しくなってきた。成年後見制度について知りたい", "elderly",
       "living_support welfare_service", voice="family:長女 長男 次女"),
    _p("訪問販売で高額な契約をしてしまったようだ", "elderly", "safety", voice="family:長女 長男"),
    _p("ごみを出せず部屋にたまっている高齢者がいると近隣から相談", "elderly",
       "living_support safety", voice="neighbour"),
    _p("退職後に地域のボランティア活動をしたい", "elderly", "participation", voice="self"),
    _p("かかりつけ医がいないので、近くの医療機関を教えてほしい", "elderly", "medical",
       voice="self"),
    _p("介護サービスの利用料の負担を軽くする制度があるか知りたい", "elderly", "welfare_service"),
    _p("高齢者安心コールに登録したい", "elderly", "safety living_support", voice="self"),
    _p("家族から暴言を受けていると本人が話している", "elderly", "safety welfare_service", "abuse",
       voice="agency"),
    _p("食事がとれておらず体重が減っている。受診をすすめたい", "elderly", "medical prevention",
       voice="agency"),
    _p("災害のときに一人で避難できるか不安", "elderly", "safety", voice="self"),
    _p("歯が悪くなり食事が思うようにとれない。訪問歯科を知りたい", "elderly",
       "medical prevention", voice="self"),
    _p("福祉用具（車いす・歩行器）のレンタルについて知りたい", "elderly", "welfare_service"),
    _p("介護施設への入所を考えているが、費用と手続きが分からない", "elderly",
       "welfare_service housing"),
    # 障害者
    _p("精神疾患のある息子の今後の生活について相談したい", "disability",
       "welfare_service medical", voice="family:母 父"),
    _p("障害福祉サービスの利用手続きを教えてほしい", "disability", "welfare_service"),
    _p("障害者手帳の申請方法を知りたい", "disability", "welfare_service"),
    _p("就労継続支援の事業所を探している", "disability", "employment welfare_service"),
    _p("親亡き後の暮らしが心配で、グループホームについて知りたい", "disability",
       "housing welfare_service", voice="family:母 父"),
    _p("車いすでも参加できる地域の活動を探している", "disability", "participation", voice="self"),
    _p("通院の付き添いを頼める人がいない", "disability", "medical living_support", voice="self"),
    _p("聴覚に障害があり、窓口での手続きに支援がほしい", "disability", "welfare_service",
       voice="self"),
    _p("発達障害の診断を受けた本人が仕事に就けず悩んでいる", "disability",
       "employment medical", voice="family:母 父"),
    # 子ども・子育て家庭
    _p("子どもの発達が気になる。相談できる場所を知りたい", "child", "medical education",
       voice="parent"),
    _p("育児に疲れてしまい、一時預かりを利用したい", "child", "welfare_service living_support",
       voice="self"),
    _p("保育園の入園手続きについて教えてほしい", "child", "welfare_service education",
       voice="parent"),
    _p("不登校の子どもへの関わり方に悩んでいる", "child", "education", voice="parent"),
    _p("近所の家から子どもの泣き声と怒鳴り声が毎晩聞こえる", "child", "safety", "abuse",
       voice="neighbour"),
    _p("ひとり親で、子育てと仕事の両立が難しい", "child", "employment living_support",
       voice="self"),
    _p("放課後に子どもが安心して過ごせる場所を探している", "child", "education participation",
       voice="parent"),
    _p("ファミリー・サポート・センターの利用方法を知りたい", "child", "living_support",
       voice="self"),
    _p("産後に体調がすぐれず、家事の支援を受けたい", "child", "medical living_support",
       voice="self"),
    _p("子どもの友人関係のトラブルについて相談したい", "child", "education", voice="parent"),
    _p("子育てひろばや親子で参加できる催しを知りたい", "child", "participation education",
       voice="self"),
    # 若者
    _p("大学を中退した息子が家にこもりがちで、相談先を知りたい", "youth",
       "participation employment", voice="family:母 父"),
    _p("仕事が長続きせず、働き方について相談したい", "youth", "employment", voice="self"),
    _p("高校生の子が家に居場所がないと言っている", "youth", "participation education",
       voice="family:母 父"),
    _p("祖母の介護を担っていて、学校と両立できない（ヤングケアラー）", "youth",
       "welfare_service education", voice="self"),
    _p("就職活動がうまくいかず、気持ちが落ち込んでいる", "youth", "employment medical",
       "suicidal", voice="self"),
    _p("地域で同世代と交流できる場所を知りたい", "youth", "participation", voice="self"),
    # 生活困窮者
    _p("失業して家賃が払えなくなりそうだ", "poverty", "housing employment living_support",
       voice="self"),
    _p("手持ちのお金がなく、今日の食べ物がない。食料の支援を受けたい", "poverty",
       "living_support", "danger", voice="self"),
    _p("借金の返済が苦しく、家計の立て直しについて相談したい", "poverty", "living_support",
       voice="self"),
    _p("住居確保給付金について知りたい", "poverty", "housing living_support"),
    _p("生活保護の申請について相談したい", "poverty", "living_support"),
    _p("光熱費を滞納していて、電気を止められそうだ", "poverty", "living_support", "danger",
       voice="self"),
    _p("病気で働けなくなり、収入が途絶えた", "poverty", "employment medical living_support",
       voice="self"),
    _p("アパートの立ち退きを求められ、次の住まいが見つからない", "poverty", "housing",
       voice="self"),
    # その他
    _p("近所の空き家の庭木が伸びて通行の妨げになっている", "other", "safety housing", voice="self"),
    _p("町会や地域の活動に参加したい", "other", "participation", voice="self"),
    _p("どこに相談したらよいか分からない悩みがある", "other", "living_support", voice="self"),
    _p("防災訓練や避難所について知りたい", "other", "safety", voice="self"),
    _p("地域の見守り活動にボランティアとして参加したい", "other", "participation", voice="self"),
    # 複合
    _p("80代の母と長くひきこもっている50代の息子の世帯で、今後の生活が心配", "elderly poverty",
       "living_support welfare_service participation", voice="family:長女 次女"),
    _p("認知症の父の介護と子育てが重なり、負担が大きい", "elderly child",
       "welfare_service living_support", voice="family:長女 長男の妻"),
    _p("障害のある子と高齢の親の両方の介護をしている", "elderly disability", "welfare_service",
       voice="family:長女 長男"),
    _p("高齢の母の年金で家族が暮らしており、生活が苦しい", "elderly poverty",
       "living_support employment", voice="family:長男 長女"),
    _p("高齢の夫婦ともに持病があり、夫は障害者手帳も持っている。通院と家事が難しい",
       "elderly disability", "medical living_support welfare_service", voice="family:妻 長女"),
    _p("精神疾患のある母親が子どもの世話をできていないようだ", "disability child",
       "welfare_service medical safety", "abuse", voice="agency"),
    _p("ひとり親家庭で収入が少なく、子どもの学用品を買えない", "child poverty",
       "living_support education", voice="self"),
    _p("障害のある息子の就労がうまくいかず、家計が苦しい", "disability poverty",
       "employment living_support", voice="family:母 父"),
    _p("仕事を失った若者が祖父母の介護を一人で担っている", "youth elderly",
       "employment welfare_service", voice="agency"),
    _p("配偶者からの暴力があり、子どもを連れて家を出たい", "child poverty",
       "safety housing living_support", "dv", voice="self"),
)


def _pools() -> dict[str, list[_Phrase]]:
    pools: dict[str, list[_Phrase]] = {}
    for phrase in PHRASES:
        if len(phrase.groups) == 1:
            pools.setdefault(phrase.groups[0], []).append(phrase)
            continue
        groups = set(phrase.groups)
        pools.setdefault("mixed_elderly" if "elderly" in groups else "mixed_other",
                         []).append(phrase)
        if "child" in groups:
            pools.setdefault("mixed_child", []).append(phrase)
    return pools


_POOLS = _pools()

#: Share of each phrase pool per organisation. At an あんしんすこやかセンター the pools without
#: 高齢者 add up to 1.9 %, the 相談拡充 share of fiscal 2024.
_POOL_WEIGHTS: dict[ref.OrgKind, dict[str, float]] = {
    ref.OrgKind.ANSHIN: {
        "elderly": 0.905, "mixed_elderly": 0.076, "disability": 0.006, "child": 0.003,
        "youth": 0.002, "poverty": 0.004, "other": 0.001, "mixed_other": 0.003,
    },
    ref.OrgKind.MACHIZUKURI: {
        "elderly": 0.35, "mixed_elderly": 0.08, "disability": 0.10, "child": 0.10,
        "youth": 0.05, "poverty": 0.15, "other": 0.12, "mixed_other": 0.05,
    },
    ref.OrgKind.SHAKYO: {
        "elderly": 0.40, "mixed_elderly": 0.05, "disability": 0.12, "child": 0.05,
        "youth": 0.05, "poverty": 0.18, "other": 0.12, "mixed_other": 0.03,
    },
    ref.OrgKind.JIDOKAN: {"child": 0.82, "youth": 0.13, "mixed_child": 0.05},
}

#: Where consultations are taken: fiscal-2024 counts, 児童館 assumed (no figure in the seeds).
ORG_WEIGHTS: dict[ref.OrgKind, float] = {
    ref.OrgKind.ANSHIN: 182_110,
    ref.OrgKind.MACHIZUKURI: 3_354,
    ref.OrgKind.SHAKYO: 3_239,
    ref.OrgKind.JIDOKAN: 2_000,
}

_CHANNEL_WEIGHTS: dict[ref.OrgKind, dict[str, float]] = {
    ref.OrgKind.ANSHIN: {"phone": 50, "visit_counter": 25, "home_visit": 18, "mail": 4,
                         "other": 3},
    ref.OrgKind.MACHIZUKURI: {"visit_counter": 65, "phone": 30, "mail": 3, "other": 2},
    ref.OrgKind.SHAKYO: {"visit_counter": 45, "phone": 40, "home_visit": 8, "mail": 5,
                         "other": 2},
    ref.OrgKind.JIDOKAN: {"visit_counter": 80, "phone": 15, "other": 5},
}
_CONSULTER_WEIGHTS = {"self": 38, "family": 36, "neighbour": 6, "minsei": 5, "agency": 12,
                      "anonymous": 2, "other": 1}
#: Who consults, given who would say the main complaint (_Phrase.voice).
_CONSULTER_BY_VOICE: dict[str, dict[str, float]] = {
    "": _CONSULTER_WEIGHTS,
    "self": {"self": 80, "family": 8, "agency": 7, "other": 2, "anonymous": 3},
    "family": {"family": 86, "agency": 7, "minsei": 3, "other": 2, "anonymous": 2},
    "parent": {"self": 48, "family": 44, "agency": 4, "anonymous": 4},
    "neighbour": {"neighbour": 60, "minsei": 25, "anonymous": 15},
    "agency": {"agency": 60, "minsei": 20, "family": 15, "anonymous": 5},
}
_RESPONSE_WEIGHTS = {"information": 25, "advice": 30, "referral": 18, "continuing": 22,
                     "closed": 5}
_URGENT_RESPONSE_WEIGHTS = {"referral": 60, "continuing": 40}
#: Half-hour slots from 8:30 to 17:00: busy mornings, a lunch dip, a second peak after lunch.
_SLOT_WEIGHTS = (4, 8, 10, 10, 9, 8, 5, 3, 4, 7, 8, 8, 7, 6, 5, 4, 2)
_WEEKDAY_WEIGHTS = (1.15, 1.0, 1.0, 0.95, 0.95)


class _Pick:
    """Weighted choice from fixed weights, with the cumulative sums computed once."""

    def __init__(self, weights: dict[Any, float]) -> None:
        self.keys = list(weights)
        self.cumulative = list(itertools.accumulate(weights.values()))
        self.total = self.cumulative[-1]

    def __call__(self, rng: random.Random) -> Any:
        return self.keys[bisect.bisect_right(self.cumulative, rng.random() * self.total)]


# --- the persons consulted about (synthetic) ---------------------------------------------------

#: (family name, reading, weight). A few kanji variants (齋藤, 渡邊, 髙橋, 山﨑) make the duplicate
#: check worth trying on demo data.
_PERSON_SURNAMES: tuple[tuple[str, str, float], ...] = (
    ("佐藤", "さとう", 9), ("鈴木", "すずき", 8), ("高橋", "たかはし", 7), ("田中", "たなか", 7),
    ("伊藤", "いとう", 6), ("渡辺", "わたなべ", 6), ("山本", "やまもと", 6), ("中村", "なかむら", 6),
    ("小林", "こばやし", 5), ("加藤", "かとう", 5), ("吉田", "よしだ", 5), ("山田", "やまだ", 5),
    ("佐々木", "ささき", 4), ("山口", "やまぐち", 4), ("松本", "まつもと", 4), ("井上", "いのうえ", 4),
    ("木村", "きむら", 4), ("林", "はやし", 4), ("斎藤", "さいとう", 3), ("清水", "しみず", 3),
    ("山崎", "やまざき", 3), ("森", "もり", 3), ("池田", "いけだ", 3), ("橋本", "はしもと", 3),
    ("阿部", "あべ", 3), ("石川", "いしかわ", 3), ("山下", "やました", 3), ("中島", "なかじま", 3),
    ("石井", "いしい", 3), ("小川", "おがわ", 3), ("前田", "まえだ", 3), ("岡田", "おかだ", 3),
    ("長谷川", "はせがわ", 3), ("藤田", "ふじた", 3), ("後藤", "ごとう", 3), ("近藤", "こんどう", 3),
    ("村上", "むらかみ", 2), ("遠藤", "えんどう", 2), ("青木", "あおき", 2), ("坂本", "さかもと", 2),
    ("福田", "ふくだ", 2), ("太田", "おおた", 2), ("西村", "にしむら", 2), ("藤井", "ふじい", 2),
    ("岡本", "おかもと", 2), ("松田", "まつだ", 2), ("中川", "なかがわ", 2), ("原田", "はらだ", 2),
    ("小野", "おの", 2), ("竹内", "たけうち", 2), ("金子", "かねこ", 2), ("和田", "わだ", 2),
    ("中山", "なかやま", 2), ("石田", "いしだ", 2), ("上田", "うえだ", 2), ("森田", "もりた", 2),
    ("齋藤", "さいとう", 0.5), ("斉藤", "さいとう", 1), ("渡邊", "わたなべ", 0.5),
    ("髙橋", "たかはし", 0.5), ("山﨑", "やまざき", 0.5),
)

#: Given names with readings, by generation (born before 1960 / 1960–2005 / after 2005) and sex.
_GIVEN: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {
    ("old", "female"): (
        ("和子", "かずこ"), ("幸子", "さちこ"), ("節子", "せつこ"), ("洋子", "ようこ"), ("弘子", "ひろこ"),
        ("京子", "きょうこ"), ("美代子", "みよこ"), ("久子", "ひさこ"), ("照子", "てるこ"),
        ("文子", "ふみこ"), ("静子", "しずこ"), ("光子", "みつこ"), ("敏子", "としこ"),
        ("和江", "かずえ"), ("悦子", "えつこ"), ("千代", "ちよ"), ("トシ", "とし"), ("キヨ", "きよ"),
    ),
    ("old", "male"): (
        ("清", "きよし"), ("茂", "しげる"), ("勇", "いさむ"), ("博", "ひろし"), ("実", "みのる"),
        ("正雄", "まさお"), ("武", "たけし"), ("進", "すすむ"), ("勝", "まさる"), ("明", "あきら"),
        ("隆", "たかし"), ("豊", "ゆたか"), ("和夫", "かずお"), ("義男", "よしお"),
        ("三郎", "さぶろう"), ("正", "ただし"),
    ),
    ("middle", "female"): (
        ("陽子", "ようこ"), ("恵子", "けいこ"), ("直美", "なおみ"), ("由美", "ゆみ"), ("真理", "まり"),
        ("美穂", "みほ"), ("智子", "ともこ"), ("裕子", "ゆうこ"), ("友美", "ともみ"), ("彩", "あや"),
        ("舞", "まい"), ("千尋", "ちひろ"), ("香織", "かおり"), ("麻衣", "まい"), ("愛", "あい"),
    ),
    ("middle", "male"): (
        ("浩", "ひろし"), ("健一", "けんいち"), ("誠", "まこと"), ("大輔", "だいすけ"),
        ("拓也", "たくや"), ("直樹", "なおき"), ("和也", "かずや"), ("翔太", "しょうた"),
        ("剛", "つよし"), ("修", "おさむ"), ("聡", "さとし"), ("亮", "りょう"), ("達也", "たつや"),
    ),
    ("young", "female"): (
        ("陽菜", "ひな"), ("結衣", "ゆい"), ("芽依", "めい"), ("さくら", "さくら"), ("葵", "あおい"),
        ("凛", "りん"), ("結菜", "ゆいな"), ("美咲", "みさき"), ("花", "はな"),
    ),
    ("young", "male"): (
        ("蓮", "れん"), ("湊", "みなと"), ("陽翔", "はると"), ("大翔", "ひろと"), ("悠真", "ゆうま"),
        ("蒼", "あおい"), ("樹", "いつき"), ("颯太", "そうた"), ("悠人", "ゆうと"),
    ),
}

#: The 町 of each district with its number of 丁目 (a demo approximation of the ward's map).
_TOWNS: dict[str, tuple[tuple[str, int], ...]] = {
    "ikejiri": (("池尻", 4), ("三宿", 2)),
    "taishido": (("太子堂", 5), ("三軒茶屋", 1)),
    "wakabayashi": (("若林", 5), ("三軒茶屋", 2)),
    "kamimachi": (("世田谷", 4), ("桜", 3), ("弦巻", 5)),
    "kyodo": (("経堂", 5), ("宮坂", 3), ("桜丘", 5)),
    "shimouma": (("下馬", 6), ("野沢", 4)),
    "kamiuma": (("上馬", 5), ("駒沢", 5)),
    "umegaoka": (("梅丘", 3), ("豪徳寺", 2)),
    "daizawa": (("代沢", 5),),
    "shindaita": (("代田", 6), ("羽根木", 2)),
    "kitazawa": (("北沢", 5),),
    "matsubara": (("松原", 6),),
    "matsuzawa": (("赤堤", 5), ("桜上水", 5)),
    "okusawa": (("奥沢", 5), ("東玉川", 2)),
    "kuhonbutsu": (("奥沢", 8), ("玉川田園調布", 2)),
    "todoroki": (("等々力", 8), ("尾山台", 3)),
    "kaminoge": (("上野毛", 4), ("中町", 5), ("野毛", 3)),
    "yoga": (("用賀", 4), ("上用賀", 6), ("玉川台", 2)),
    "futakotamagawa": (("玉川", 4), ("瀬田", 5)),
    "fukasawa": (("深沢", 8), ("新町", 3), ("桜新町", 2)),
    "soshigaya": (("祖師谷", 6), ("千歳台", 6)),
    "seijo": (("成城", 9),),
    "funabashi": (("船橋", 7),),
    "kitami": (("喜多見", 9), ("宇奈根", 3)),
    "kinuta": (("砧", 8), ("大蔵", 6), ("岡本", 3)),
    "kamikitazawa": (("上北沢", 5), ("八幡山", 3)),
    "kamisoshigaya": (("上祖師谷", 7), ("粕谷", 4)),
    "karasuyama": (("南烏山", 6), ("北烏山", 9), ("給田", 5)),
}
_KANJI_DIGITS = "一二三四五六七八九"
_BUILDINGS = ("ハイツ", "コーポ", "メゾン", "グリーンハイム", "サンライズ", "パレス")

#: Age ranges of the person consulted about, by the consultation's (first) target group.
_AGES: dict[str, tuple[tuple[int, int, float], ...]] = {
    "elderly": ((65, 74, 20), (75, 84, 45), (85, 94, 30), (95, 101, 5)),
    "disability": ((18, 39, 45), (40, 64, 55)),
    "child": ((0, 5, 35), (6, 12, 45), (13, 17, 20)),
    "child_parent": ((24, 34, 45), (35, 49, 55)),
    "youth": ((16, 24, 55), (25, 39, 45)),
    "poverty": ((25, 49, 35), (50, 64, 40), (65, 79, 25)),
    "other": ((20, 64, 55), (65, 89, 45)),
}
_HOUSEHOLD_WEIGHTS: dict[str, dict[str | None, float]] = {
    "elderly": {"single": 38, "elderly_only": 34, "with_family": 22, "unknown": 3, None: 3},
    "disability": {"with_family": 55, "single": 35, "other": 5, None: 5},
    "child": {"with_family": 72, "single_parent": 24, None: 4},
    "youth": {"with_family": 65, "single": 25, "single_parent": 5, None: 5},
    "poverty": {"single": 50, "with_family": 25, "single_parent": 15, "unknown": 5, None: 5},
    "other": {"with_family": 45, "single": 35, "elderly_only": 10, None: 10},
}
_HOUSEHOLD_TEXT: dict[str | None, str] = {
    "single": "、一人暮らし", "elderly_only": "、高齢の配偶者と二人暮らし",
    "single_parent": "、ひとり親家庭", "with_family": "、家族と同居", "other": "",
    "unknown": "", None: "",
}
#: Who consulted, per kind of consulter: the 続柄 or role written in 相談者.
_RELATIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "family": {
        "elderly": ("長女", "長男", "妻", "夫", "次女", "長男の妻", "孫", "姪"),
        "disability": ("母", "父", "姉", "兄", "妻"),
        "child": ("母", "母", "父", "祖母"),
        "youth": ("母", "父", "祖母"),
        "poverty": ("妻", "夫", "母", "姉"),
        "other": ("家族",),
    },
    "neighbour": {"any": ("隣人", "同じ集合住宅の住人", "町会の役員", "近所の知人")},
    "minsei": {"any": ("担当地区の民生委員",)},
    "agency": {
        "elderly": ("担当ケアマネジャー", "病院の医療ソーシャルワーカー", "訪問看護師",
                    "配食サービスの事業者"),
        "disability": ("相談支援専門員", "就労支援事業所の職員", "病院の精神保健福祉士"),
        "child": ("保育園の園長", "小学校の担任", "子ども家庭支援センター"),
        "youth": ("高校の教員", "若者の相談窓口の職員"),
        "poverty": ("大家・管理会社", "病院の医療ソーシャルワーカー", "ハローワークの職員"),
        "other": ("関係機関",),
    },
    "other": {"any": ("知人", "友人")},
}
_SITUATIONS: dict[str, tuple[str, ...]] = {
    "elderly": ("最近、同じことを何度も聞くようになったとのこと。", "要介護認定は受けていない。",
                "要支援1の認定あり。週1回デイサービスを利用中。", "持病で通院中。服薬の管理が難しくなっている。",
                "日中は一人で過ごしている。", "半年前に転倒し、外出が減った。"),
    "disability": ("精神科に通院中。", "障害者手帳を所持している。", "日中の活動の場がない。",
                   "服薬は続けているが、生活のリズムが崩れがち。"),
    "child": ("保育園に通っている。", "小学生で、学校には通えている。", "父母ともに就労している。",
              "祖父母は遠方に住んでいる。"),
    "youth": ("日中は自宅で過ごすことが多い。", "アルバイトを転々としている。",
              "家族との会話はほとんどないとのこと。"),
    "poverty": ("収入は月10万円程度。", "家賃を2か月滞納している。", "貯金はほとんどない。",
                "親族からの援助は望めない。"),
    "other": ("近隣との関係は良好。", "町会に加入している。", "以前にも同様の相談あり。"),
}
_REFERRAL_TARGETS: dict[str, tuple[str, ...]] = {
    "elderly": ("担当のケアマネジャー", "総合支所保健福祉課", "かかりつけ医"),
    "disability": ("総合支所保健福祉課", "障害者の相談支援事業所"),
    "child": ("子ども家庭支援センター", "総合支所子ども家庭課"),
    "youth": ("若者の相談窓口", "総合支所保健福祉課"),
    "poverty": ("生活困窮者の相談窓口", "総合支所生活支援課"),
    "other": ("関係機関",),
}
_ACTIONS: dict[str | None, tuple[str, ...]] = {
    "information": ("制度の概要と申請窓口を案内した。", "パンフレットを渡し、利用方法を説明した。"),
    "advice": ("今後の対応について助言した。", "家族での話し合いを勧めた。"),
    "referral": ("{target}につないだ。", "本人の了解を得て{target}に連絡した。"),
    "continuing": ("継続して対応する。", "引き続き様子を確認する。"),
    "closed": ("案内のみで終了。",),
    None: ("対応を検討中。",),
}
_URGENCY_NOTES: dict[str, str] = {
    "abuse": "虐待の疑い。総合支所と情報を共有し、本日中に事実を確認する。",
    "dv": "DVの疑い。安全の確保を最優先に、関係機関と連携する。",
    "suicidal": "死にたいとの発言あり。本日中に専門の相談機関へつなぐ。",
    "danger": "生命・身体の危険のおそれ。本日中に訪問して確認する。",
}
_NEXT_NOTES = ("電話で状況を確認する", "自宅を訪問する", "来所の予定", "関係機関と打ち合わせ")
_WITHDRAWAL_REASONS = ("本人から撤回の申し出があったため", "家族と相談した結果、共有を望まないとのこと")


def _fake_phone(rng: random.Random) -> str:
    """A number that cannot exist (the 0000 exchange), so demo data never reaches anyone."""
    return f"{rng.choice(('090', '080', '03'))}-0000-{rng.randrange(10_000):04d}"


@functools.cache
def _fold(text: str) -> str:
    """``domain.kana.search_text`` of a piece of text, cached (the pieces repeat a lot)."""
    return search_text(text)


@dataclass(slots=True, eq=False)
class _DemoPerson:
    """A person being written; ``row`` is dropped once the row is inserted."""

    row: dict[str, Any] | None
    surname: str
    birth: date | None
    household: str | None
    folded: str  # the name, reading and phone part of the search text
    sex: str | None = None
    child: bool = False
    id: int | None = None
    visits: int = 0


@dataclass(slots=True)
class _Case:
    row: dict[str, Any]
    groups: tuple[str, ...]
    elements: tuple[str, ...]
    person: _DemoPerson | None
    detail: dict[str, Any]
    consents: list[dict[str, Any]]
    folded: str  # the whole search text, as services.search.indexed_text_of makes it
    refer: bool = False  # gets referrals (written after every consultation is in)


# --- the result ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DemoLogin:
    login: str
    name: str
    role_label: str
    organisation_name: str


@dataclass(frozen=True, slots=True)
class DemoReport:
    skipped: bool  # ``only_if_empty`` and accounts already existed: nothing was written
    demo_accounts_present: bool  # the database holds demo accounts (new or from an earlier run)
    staff_created: int
    consultations: int
    target_group_rows: int
    element_rows: int
    first_day: date | None
    last_day: date | None
    working_days: int
    by_org_kind: dict[str, int] = field(default_factory=dict)
    expansion: int = 0  # 相談拡充
    mixed: int = 0  # 複合
    urgent: int = 0
    persons: int = 0  # 対象者 written
    repeat_persons: int = 0  # of them, consulted about more than once
    anonymous: int = 0  # consultations about nobody named
    consents_given: int = 0  # consent records (one per recipient and purpose)
    consents_refused: int = 0
    consents_withdrawn: int = 0  # given, then withdrawn (the record stays)
    #: Of the consent records above, those for referral destinations (``dest:<service id>``).
    destination_consents_given: int = 0
    destination_consents_refused: int = 0
    referrals: int = 0
    referrals_by_status: dict[str, int] = field(default_factory=dict)  # ReferralStatus values
    referrals_anonymised: int = 0
    referrals_overdue: int = 0  # open, reply due date passed (on the last day)
    referral_events: int = 0
    reviews_confirmed: int = 0  # supervisor decisions 確認済
    reviews_returned: int = 0  # 差戻し
    days_signed_off: int = 0  # (district, day) pairs signed off (日次確認)
    logins: tuple[DemoLogin, ...] = ()
    password: str = DEMO_PASSWORD


# --- generation ---------------------------------------------------------------------------------


def working_days(last: date, count: int) -> list[date]:
    """The ``count`` working days (Monday–Friday) up to and including ``last``, oldest first.

    Public holidays are not skipped: demo data does not need the holiday calendar.
    """
    days: list[date] = []
    day = last
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day -= timedelta(days=1)
    return days[::-1]


def default_cases(days: int) -> int:
    """About one ward-wide working day's volume per working day."""
    return WARD_CASES_PER_WORKING_DAY * days


def _split(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder, so the parts add up)."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    parts = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: exact[i] - parts[i], reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _seconds(t: time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


def generate(
    db: Database,
    *,
    cases: int | None = None,
    days: int = DEFAULT_DAYS,
    seed: int = 1,
    today: date | None = None,
    now: datetime | None = None,
    only_if_empty: bool = False,
) -> DemoReport:
    """Write demo staff (unless present) and ``cases`` consultations over ``days`` working days.

    The last day is ``today`` (taken in full) or the day of ``now`` (local time, default the
    current time), whose consultations then stop at ``now``. The same seed, day and starting
    database give the same data. Refused with :class:`ServiceError` when the database holds
    accounts other than demo ones.
    """
    if days < 1:
        raise ServiceError("日数は1以上にしてください。")
    if cases is None:
        cases = default_cases(days)
    if cases < 0:
        raise ServiceError("件数は0以上にしてください。")
    if today is not None:
        now = datetime.combine(today, CLOSING)
    elif now is None:
        now = local_now()
    rng = random.Random(seed)
    loaded = directory_service.load(db)  # the referral destinations, as the app ranks them

    with db.transaction() as session:
        staff_total = session.scalar(select(func.count()).select_from(Staff)) or 0
        demo_total = session.scalar(
            select(func.count()).select_from(Staff)
            .where(Staff.login.startswith(DEMO_LOGIN_PREFIX, autoescape=True))
        ) or 0
        if staff_total and only_if_empty:
            return DemoReport(True, demo_total > 0, 0, 0, 0, 0, None, None, 0,
                              logins=_logins(session))
        if staff_total != demo_total:
            raise ServiceError(
                "このデータベースにはデモ以外の職員が登録されているため、デモデータは作成できません。"
                "空のデータフォルダー（--data-dir）を指定してください。"
            )
        orgs = list(session.scalars(select(Organisation).order_by(Organisation.id)))
        staff_created = 0 if demo_total else _create_staff(session, orgs, rng)
        pool = _staff_pool(session)
        referred: list[tuple[int, _Case]] = []
        counts, day_list = _write_consultations(session, rng, orgs, pool, cases, days, now,
                                                referred)
        # A generator of its own, so the consultations stay what they were for a seed.
        writer = _Referrals(random.Random(f"referrals-{seed}"), loaded.directory, loaded.ids,
                            orgs, pool, day_list[-1], now - UTC_OFFSET)
        _write_referrals(session, writer, referred, counts)
        _write_reviews(session, random.Random(f"reviews-{seed}"), day_list, counts)
        detail = (
            f"seed={seed} days={days} staff_created={staff_created} "
            f"consultations={counts['consultations']} persons={counts['persons']} "
            f"consents={counts['consents_given'] + counts['consents_refused']} "
            f"target_groups={counts['target_groups']} elements={counts['elements']} "
            f"referrals={counts['referrals']}"
        )
        audit.record(session, None, "demo_generate", entity="consultation", detail=detail)
        return DemoReport(
            skipped=False,
            demo_accounts_present=True,
            staff_created=staff_created,
            consultations=counts["consultations"],
            target_group_rows=counts["target_groups"],
            element_rows=counts["elements"],
            first_day=day_list[0],
            last_day=day_list[-1],
            working_days=len(day_list),
            by_org_kind={kind.value: counts[f"org:{kind.value}"]
                         for kind in ref.DISTRICT_PARTNERS},
            expansion=counts["expansion"],
            mixed=counts["mixed"],
            urgent=counts["urgent"],
            persons=counts["persons"],
            repeat_persons=counts["repeat_persons"],
            anonymous=counts["anonymous"],
            consents_given=counts["consents_given"],
            consents_refused=counts["consents_refused"],
            consents_withdrawn=counts["consents_withdrawn"],
            destination_consents_given=counts["destination_consents_given"],
            destination_consents_refused=counts["destination_consents_refused"],
            referrals=counts["referrals"],
            referrals_by_status={status.value: counts[f"referral:{status.value}"]
                                 for status in ReferralStatus},
            referrals_anonymised=counts["referrals_anonymised"],
            referrals_overdue=counts["referrals_overdue"],
            referral_events=counts["referral_events"],
            reviews_confirmed=counts["reviews_confirmed"],
            reviews_returned=counts["reviews_returned"],
            days_signed_off=counts["days_signed_off"],
            logins=_logins(session),
        )


def _create_staff(session: Session, orgs: list[Organisation], rng: random.Random) -> int:
    password_hash = hash_password(DEMO_PASSWORD)  # once: argon2 is slow on purpose
    created = utc_now()
    rows: list[dict[str, Any]] = []

    def add(login: str, role: Role, org: Organisation, *, manager: bool = False) -> None:
        rows.append({
            "login": login,
            "name": f"{rng.choice(_SURNAMES)} {rng.choice(_GIVEN_NAMES)}",
            "role": role.value,
            "can_manage_accounts": manager,
            "organisation_id": org.id,
            "password_hash": password_hash,
            "failed_attempts": 0,
            "locked_until": None,
            "active": True,
            "created_at": created,
        })

    admin_org: Organisation | None = None
    for org in orgs:
        kind = ref.OrgKind(org.kind)
        place = org.district_code or org.area_code
        for role, suffix in _STAFFING[kind]:
            add(demo_login(kind, suffix, place), role, org)
        if kind is ref.OrgKind.MACHIZUKURI and org.district_code:
            add(district_supervisor_login(org.district_code), Role.SUPERVISOR, org)
        if kind is ref.OrgKind.BRANCH and admin_org is None:
            admin_org = org
    if admin_org is not None:
        add(ADMIN_LOGIN, Role.ADMINISTRATOR, admin_org, manager=True)
    session.execute(insert(Staff.__table__), rows)
    return len(rows)


def _staff_pool(session: Session) -> dict[int, tuple[list[int], list[int]]]:
    """Per organisation: (ids of counter clerks, ids of consultants) among the demo accounts."""
    pool: dict[int, tuple[list[int], list[int]]] = {}
    rows = session.execute(
        select(Staff.id, Staff.role, Staff.organisation_id)
        .where(Staff.login.startswith(DEMO_LOGIN_PREFIX, autoescape=True), Staff.active)
        .order_by(Staff.id)
    )
    for staff_id, role, org_id in rows:
        counters, consultants = pool.setdefault(org_id, ([], []))
        if role == Role.COUNTER.value:
            counters.append(staff_id)
        elif role in (Role.CONSULTANT.value, Role.SUPERVISOR.value):
            consultants.append(staff_id)
    return pool


class _People:
    """Decides who each consultation is about: a new person, a returning one, or nobody."""

    #: A named consultation is about someone already on record this often (repeat visitors).
    RETURNING = 0.3

    def __init__(self, rng: random.Random, partners: dict[str, dict[ref.OrgKind, Organisation]]
                 ) -> None:
        self.rng = rng
        self.partners = partners
        self.known: dict[tuple[str, str], list[_DemoPerson]] = {}
        self.surname = _Pick({(k, r): w for k, r, w in _PERSON_SURNAMES})
        self.ages = {group: _Pick({(lo, hi): w for lo, hi, w in ranges})
                     for group, ranges in _AGES.items()}
        self.households = {group: _Pick(w) for group, w in _HOUSEHOLD_WEIGHTS.items()}

    def about(self, district: str, phrase: _Phrase, consulter: str, day: date,
              recorded: datetime) -> tuple[_DemoPerson | None, bool]:
        """(the person, whether new) for one consultation; None when nobody is named."""
        rng = self.rng
        category = phrase.groups[0]
        if consulter == "anonymous" or rng.random() < (0.15 if consulter == "neighbour" else 0.03):
            return None, False
        known = self.known.setdefault((district, category), [])
        if known and rng.random() < self.RETURNING:
            person = rng.choice(known)
            said = _sex_of_subject(phrase.text)
            if not (person.child and consulter == "self") and (
                    said is None or person.child or person.sex == said) and (
                    "一人暮らし" not in phrase.text or person.household == "single"):
                person.visits += 1
                return person, False
        person = self._new(district, phrase, consulter, day, recorded)
        known.append(person)
        person.visits = 1
        return person, True

    def _new(self, district: str, phrase: _Phrase, consulter: str, day: date,
             recorded: datetime) -> _DemoPerson:
        rng = self.rng
        category = phrase.groups[0]
        # A child is consulted about by someone else: a parent speaking of "子ども" always is.
        child = category == "child" and consulter != "self" and (
            phrase.voice == "parent" or rng.random() < 0.5)
        age_group = category if category != "child" or child else "child_parent"
        low, high = self.ages[age_group](rng)
        age = rng.randint(low, high)
        birth = date(day.year - age - 1, day.month, min(day.day, 28)) + timedelta(
            days=rng.randrange(1, 365))
        sex_roll = rng.random()
        female_share = 0.6 if category == "elderly" else 0.5
        sex = ("female" if sex_roll < female_share else "male" if sex_roll < 0.97
               else "no_answer" if sex_roll < 0.98 else None)
        if not child and (said := _sex_of_subject(phrase.text)):
            sex = said  # 「母の物忘れ」 is about a woman
        generation = "old" if birth.year < 1960 else "middle" if birth.year <= 2005 else "young"
        name_sex = sex if sex in ("female", "male") else rng.choice(("female", "male"))
        given, given_reading = rng.choice(_GIVEN[(generation, name_sex)])
        surname, surname_reading = self.surname(rng)
        name, reading = f"{surname} {given}", f"{surname_reading} {given_reading}"
        town, rest = "", ""
        if rng.random() < 0.92:
            town_name, chome = rng.choice(_TOWNS[district])
            town = f"{town_name}{_KANJI_DIGITS[rng.randrange(chome)]}丁目"
            rest = f"{rng.randint(1, 40)}番{rng.randint(1, 25)}号"
            if rng.random() < 0.3:
                rest += f" {rng.choice(_BUILDINGS)}{town_name}{rng.randint(1, 4)}0{rng.randint(1, 6)}"
        phone = _fake_phone(rng) if rng.random() < 0.3 else ""
        household = "single" if "一人暮らし" in phrase.text else self.households[category](rng)
        if age < 18 and household == "single":
            household = "with_family"
        if age_group == "elderly" or rng.random() > 0.08:
            birth_date: date | None = birth
        else:
            birth_date = None  # not told
        folded = " ".join([_fold(name), _fold(name.replace(" ", "")), _fold(reading),
                           _fold(reading.replace(" ", ""))]
                          + ([search_text(phone), digits_only(phone)] if phone else []))
        row = {
            "district_code": district, "name": name, "reading": reading,
            "name_key": _name_key(name), "reading_key": _reading_key(reading),
            "birth_date": birth_date, "sex": sex, "address_town": town, "address_rest": rest,
            "phone": phone, "phone_digits": digits_only(phone), "household": household,
            "created_at": recorded, "updated_at": recorded,
        }
        return _DemoPerson(row, surname, birth_date, household, folded, sex, child=age < 15)

    def consents(self, person: _DemoPerson, district: str, taken_at: Organisation,
                 consulter: str, relation: str, day: date, last: date, staff_id: int,
                 recorded: datetime) -> list[dict[str, Any]]:
        """Consent records of a person's first consultation: most given, some refused, some
        not asked; a few given ones withdrawn later (the record stays)."""
        rng = self.rng
        roll = rng.random()
        if roll >= 0.92:
            return []
        given = roll < 0.80
        partners = self.partners[district]
        orgs = [partners[ref.OrgKind.ANSHIN]]
        if taken_at.id != orgs[0].id:
            orgs.append(taken_at)
        if rng.random() < 0.4:
            orgs = [partners[kind] for kind in ref.DISTRICT_PARTNERS]
        purposes = ["share"] + (["sheet"] if given and rng.random() < 0.3 else [])
        proxy = person.child or (consulter == "family" and rng.random() < 0.5)
        # A representative is family: the relative who consulted, else a parent of the child.
        giver_relation = ((relation if consulter == "family" and relation else "母") if proxy
                          else "")
        method = "written" if rng.random() < 0.25 else "oral"
        withdrawn_on: date | None = None
        if given and day < last and rng.random() < 0.02:
            withdrawn_on = min(last, day + timedelta(days=rng.randint(1, 20)))
        return [{
            "recipient": org_recipient(org.id), "purpose": purpose, "given": given,
            "giver": "proxy" if proxy else "self", "giver_relation": giver_relation,
            "method": method, "given_on": day, "recorded_by": staff_id,
            "recorded_at": recorded, "withdrawn_on": withdrawn_on,
            "withdrawal_reason": rng.choice(_WITHDRAWAL_REASONS) if withdrawn_on else "",
            "withdrawn_by": staff_id if withdrawn_on else None,
        } for org in orgs for purpose in purposes]


_SUBJECT = re.compile(r"(?<![祖父])(母|父|息子|夫)|産後")


@functools.cache
def _sex_of_subject(text: str) -> str | None:
    """The sex of whom a main complaint is about, when it says (母, 父, 息子, 夫, 産後)."""
    match = _SUBJECT.search(text)
    if match is None:
        return None
    return "male" if match.group(1) in ("父", "息子", "夫") else "female"


@functools.cache
def _name_key(name: str) -> str:
    return name_key(name)


@functools.cache
def _reading_key(reading: str) -> str:
    return reading_key(reading)


def _consulter_details(rng: random.Random, consulter: str, phrase: _Phrase,
                       person: _DemoPerson | None) -> tuple[str, str, str]:
    """(relation, name, contact) of whoever consulted, as the 相談者 fields hold them."""
    choices = _RELATIONS.get(consulter)
    if not choices:
        return "", "", ""
    category = phrase.groups[0]
    if consulter == "family" and phrase.relations:
        relation = rng.choice(phrase.relations)
    elif consulter == "family" and person is not None and person.child:
        relation = rng.choice(("母", "母", "父"))
    else:
        relation = rng.choice(choices.get(category) or choices.get("any") or ("",))
    name = contact = ""
    if consulter == "family" and rng.random() < 0.5:
        surname = person.surname if person else _PERSON_SURNAMES[rng.randrange(20)][0]
        name = f"{surname} {rng.choice(_GIVEN[('middle', rng.choice(('female', 'male')))])[0]}"
    if consulter in ("family", "neighbour", "agency") and rng.random() < 0.4:
        contact = _fake_phone(rng)
    return relation, name, contact


_CHANNEL_INTRO = {
    "visit_counter": "{who}が来所。", "phone": "{who}から電話。",
    "home_visit": "訪問時に{who}から聞き取り。", "mail": "{who}からメールで相談。",
    "other": "{who}から相談。",
}


def _details(rng: random.Random, *, channel: str, consulter: str, relation: str,
             category: str, person: _DemoPerson | None, day: date, response: str | None,
             urgency: list[str]) -> tuple[str, str]:
    """(相談内容, its folded form): a few sentences as a clerk writes them down.

    Built from pieces that repeat, each folded once (``_fold``); folding is character by
    character, so the folded pieces joined are the folded whole.
    """
    who = {"self": "本人", "anonymous": "匿名の方"}.get(consulter, relation or "相談者")
    pieces = [_CHANNEL_INTRO[channel].format(who=who)]
    if person is None:
        pieces.append("氏名・連絡先は名乗らず。" if consulter == "anonymous"
                      else "本人の氏名は分からないとのこと。")
    elif person.birth is not None:
        pieces.append(f"本人は{age_on(person.birth, day)}歳{_HOUSEHOLD_TEXT[person.household]}。")
    pieces.append(rng.choice(_SITUATIONS[category]))
    if urgency:
        pieces.append(_URGENCY_NOTES[urgency[0]])
    action = rng.choice(_ACTIONS[response])
    if "{target}" in action:
        action = action.format(target=rng.choice(_REFERRAL_TARGETS[category]))
    pieces.append(action)
    return "".join(pieces), "".join(_fold(p) for p in pieces)


def _urgency(rng: random.Random, phrase: _Phrase, urgent: bool) -> list[str]:
    """緊急性 flags of an urgent case: the phrase's own risk, else a plausible one."""
    if not urgent:
        return []
    if phrase.risk:
        return list(phrase.risk)
    return [rng.choices(("danger", "suicidal", "abuse"), (6, 3, 1))[0]]


def _write_consultations(
    session: Session,
    rng: random.Random,
    orgs: list[Organisation],
    pool: dict[int, tuple[list[int], list[int]]],
    cases: int,
    days: int,
    now: datetime,
    referred: list[tuple[int, _Case]] | None = None,
) -> tuple[Counter[str], list[date]]:
    """Write the consultations; returns counts by kind of row and the working days covered.
    The cases to refer are appended to ``referred`` (with their ids)."""
    counts: Counter[str] = Counter()
    # The last day is today unless the window has not opened yet (or it is a weekend).
    last = now.date()
    day_list = working_days(last, days)
    opening_today = datetime.combine(last, OPENING)
    today_share = 1.0
    if day_list[-1] == last:
        open_seconds = _seconds(CLOSING) - _seconds(OPENING)
        elapsed = (now - opening_today).total_seconds()
        if elapsed <= 0:
            day_list = working_days(last - timedelta(days=1), days)
        else:
            today_share = min(1.0, elapsed / open_seconds)
    weights = [_WEEKDAY_WEIGHTS[d.weekday()] for d in day_list]
    if day_list[-1] == last:
        weights[-1] *= today_share
    per_day = _split(cases, weights)

    # Districts differ a little in size; every district keeps all four partners.
    district_weight = {d.code: rng.uniform(0.85, 1.15) for d in ref.DISTRICTS}
    partners: dict[str, dict[ref.OrgKind, Organisation]] = {}
    for org in orgs:
        if org.district_code:
            partners.setdefault(org.district_code, {})[ref.OrgKind(org.kind)] = org
    pick_district = _Pick({code: district_weight[code] for code in partners})
    pick_kind = _Pick(dict(ORG_WEIGHTS))
    pick_pool = {kind: _Pick(w) for kind, w in _POOL_WEIGHTS.items()}
    pick_channel = {kind: _Pick(w) for kind, w in _CHANNEL_WEIGHTS.items()}
    pick_consulter = {voice: _Pick(w) for voice, w in _CONSULTER_BY_VOICE.items()}
    pick_response = _Pick(_RESPONSE_WEIGHTS)
    pick_urgent_response = _Pick(_URGENT_RESPONSE_WEIGHTS)
    pick_slot = _Pick(dict(enumerate(_SLOT_WEIGHTS)))
    element_codes = [e.code for e in ref.ELEMENTS]
    now_utc = now - UTC_OFFSET
    people = _People(rng, partners)
    last_day = day_list[-1]

    buffer: list[_Case] = []
    for day, count in zip(day_list, per_day, strict=True):
        start = datetime.combine(day, OPENING)
        limit = now if day == last else datetime.combine(day, CLOSING)
        span = max(1, int((limit - start).total_seconds()))
        # The day's times first, so that consultations are made (and persons first met, and
        # consents recorded) in the order they happened.
        offsets = []
        for _ in range(count):
            offset = pick_slot(rng) * 1800 + rng.randrange(1800)
            offsets.append(offset if offset < span else rng.randrange(span))
        for offset in sorted(offsets):
            district = pick_district(rng)
            kind = pick_kind(rng)
            org = partners[district][kind]
            counters, consultants = pool.get(org.id, ([], []))
            if consultants and (not counters or rng.random() < (
                    0.85 if kind is ref.OrgKind.ANSHIN else 0.5)):
                staff_id = rng.choice(consultants)
            elif counters:
                staff_id = rng.choice(counters)
            else:
                continue  # an organisation without demo staff takes no demo consultations
            phrase = rng.choice(_POOLS[pick_pool[kind](rng)])
            received = start + timedelta(seconds=offset)
            urgent = (phrase.urgent_risk and rng.random() < 0.15) or rng.random() < 0.002
            elements = list(phrase.elements)
            if rng.random() < 0.1:
                extra = rng.choice(element_codes)
                if extra not in elements:
                    elements.append(extra)
            if day == last and rng.random() < 0.15:
                response = None  # still being handled
            else:
                response = (pick_urgent_response if urgent else pick_response)(rng)
            # Written down a few minutes after it was received; stored as naive UTC.
            recorded = min(received - UTC_OFFSET + timedelta(minutes=rng.randrange(1, 30)),
                           now_utc)
            channel = pick_channel[kind](rng)
            voice = phrase.voice.partition(":")[0]
            consulter = pick_consulter[voice](rng)
            category = phrase.groups[0]
            person, new = people.about(district, phrase, consulter, day, recorded)
            relation, consulter_name, contact = _consulter_details(rng, consulter, phrase,
                                                                   person)
            urgency = _urgency(rng, phrase, urgent)
            details, folded_details = _details(
                rng, channel=channel, consulter=consulter, relation=relation,
                category=category, person=person, day=day, response=response, urgency=urgency)
            next_date = (day + timedelta(days=rng.choice((7, 14)))
                         if response == "continuing" else None)
            row = {
                "received_at": received,
                "received_on": day,
                "channel_code": channel,
                "consulter_kind_code": consulter,
                "district_code": district,
                "organisation_id": org.id,
                "staff_id": staff_id,
                "main_complaint": phrase.text,
                "response_code": response,
                "urgent": urgent,
                "created_at": recorded,
                "updated_at": recorded,
            }
            detail = {
                "consulter_relation": relation, "consulter_name": consulter_name,
                "consulter_contact": contact, "details": details, "next_date": next_date,
                "next_note": rng.choice(_NEXT_NOTES) if next_date else "",
                "urgency": urgency,
                "urgency_note": _URGENCY_NOTES[urgency[0]] if urgency else "",
                "version": 1, "amended_at": None, "amended_by": None,
            }
            consents = (people.consents(person, district, org, consulter, relation, day,
                                        last_day, staff_id, recorded)
                        if person is not None and new else [])
            folded = " ".join(part for part in (
                _fold(phrase.text), folded_details, person.folded if person else "") if part)
            buffer.append(_Case(row, phrase.groups, tuple(elements), person, detail, consents,
                                folded, refer=response in _REFERRAL_SHARE))
            counts[f"org:{kind.value}"] += 1
            counts["urgent"] += urgent
            counts["mixed"] += ref.is_mixed(set(phrase.groups))
            counts["expansion"] += ref.is_expansion(kind, set(phrase.groups))
            counts["anonymous"] += person is None
            counts["persons"] += new
            counts["repeat_persons"] += person is not None and person.visits == 2
            counts["consents_given"] += sum(c["given"] for c in consents)
            counts["consents_refused"] += sum(not c["given"] for c in consents)
            counts["consents_withdrawn"] += sum(c["withdrawn_on"] is not None for c in consents)
        if len(buffer) >= BATCH:
            _flush(session, buffer, counts, referred)
    _flush(session, buffer, counts, referred)
    return counts, day_list


def _insert_returning_ids(session: Session, table: Any, rows: list[dict[str, Any]]) -> list[int]:
    return list(session.scalars(
        insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).all())


def _flush(session: Session, buffer: list[_Case], counts: Counter[str],
           referred: list[tuple[int, _Case]] | None = None) -> None:
    """Insert the buffered consultations with their persons, details, classification rows,
    consents and search text, then empty the buffer. Cases to refer are kept in ``referred``
    with their new ids."""
    if not buffer:
        return
    new_persons = list({id(c.person): c.person for c in buffer
                        if c.person is not None and c.person.id is None}.values())
    if new_persons:
        person_ids = _insert_returning_ids(session, Person.__table__,
                                           [p.row for p in new_persons if p.row is not None])
        for person, person_id in zip(new_persons, person_ids, strict=True):
            person.id, person.row = person_id, None
    ids = _insert_returning_ids(session, Consultation.__table__, [c.row for c in buffer])
    groups = [{"consultation_id": cid, "code": code}
              for cid, case in zip(ids, buffer, strict=True) for code in case.groups]
    elements = [{"consultation_id": cid, "code": code}
                for cid, case in zip(ids, buffer, strict=True) for code in case.elements]
    session.execute(insert(ConsultationTargetGroup.__table__), groups)
    session.execute(insert(ConsultationElement.__table__), elements)
    session.execute(insert(ConsultationDetail.__table__), [
        {**case.detail, "consultation_id": cid,
         "person_id": case.person.id if case.person else None}
        for cid, case in zip(ids, buffer, strict=True)])
    consents = [{**consent, "person_id": case.person.id, "consultation_id": cid}
                for cid, case in zip(ids, buffer, strict=True) if case.person is not None
                for consent in case.consents]
    if consents:
        session.execute(insert(ConsentRecordRow.__table__), consents)
    # Make them findable, as services.search.index_consultation does one by one.
    search_store.index_many(session, [(cid, case.row["district_code"], case.folded)
                                      for cid, case in zip(ids, buffer, strict=True)])
    if referred is not None:
        referred.extend((cid, case) for cid, case in zip(ids, buffer, strict=True)
                        if case.refer)
    counts["consultations"] += len(ids)
    counts["target_groups"] += len(groups)
    counts["elements"] += len(elements)
    buffer.clear()


# --- referrals (つなぎ) ---------------------------------------------------------------------------

#: Share of the consultations with each 対応 that get referrals: every つなぎ but a few (recorded
#: later, outside the demo's window), some cases being followed, a few where advice led to one.
_REFERRAL_SHARE = {"referral": 0.93, "continuing": 0.12, "advice": 0.02}
#: A つなぎ goes to a second destination as well this often.
_SECOND_REFERRAL = 0.15
#: Which of the ranked suggestions (own organisation left out) the clerk picks.
_PICK_WEIGHTS = (70, 20, 10)
_METHOD_WEIGHTS = {ReferralMethod.PHONE: 35, ReferralMethod.SHEET_HANDED: 20,
                   ReferralMethod.FAX: 22, ReferralMethod.EMAIL: 13, ReferralMethod.POST: 10}
_URGENT_METHOD_WEIGHTS = {ReferralMethod.PHONE: 75, ReferralMethod.FAX: 20,
                          ReferralMethod.SHEET_HANDED: 5}
#: Where a referral is heading (before the demo's last day cuts its story short).
_OUTCOME_WEIGHTS = {
    ReferralStatus.DONE: 38, ReferralStatus.IN_PROGRESS: 16, ReferralStatus.ACCEPTED: 10,
    ReferralStatus.SENT: 10, ReferralStatus.CREATED: 4, ReferralStatus.DECLINED: 12,
    ReferralStatus.WITHDRAWN: 10,
}
_S = ReferralStatus
#: The steps to each outcome (alternatives); skipping a step forward is allowed once sent.
_PATHS: dict[ReferralStatus, tuple[tuple[ReferralStatus, ...], ...]] = {
    _S.CREATED: ((_S.CREATED,),),
    _S.SENT: ((_S.CREATED, _S.SENT),),
    _S.ACCEPTED: ((_S.CREATED, _S.SENT, _S.ACCEPTED),),
    _S.IN_PROGRESS: ((_S.CREATED, _S.SENT, _S.ACCEPTED, _S.IN_PROGRESS),
                     (_S.CREATED, _S.SENT, _S.IN_PROGRESS)),
    _S.DONE: ((_S.CREATED, _S.SENT, _S.ACCEPTED, _S.IN_PROGRESS, _S.DONE),
              (_S.CREATED, _S.SENT, _S.ACCEPTED, _S.DONE), (_S.CREATED, _S.SENT, _S.DONE)),
    _S.DECLINED: ((_S.CREATED, _S.SENT, _S.DECLINED),
                  (_S.CREATED, _S.SENT, _S.ACCEPTED, _S.DECLINED)),
    _S.WITHDRAWN: ((_S.CREATED, _S.WITHDRAWN), (_S.CREATED, _S.SENT, _S.WITHDRAWN),
                   (_S.CREATED, _S.SENT, _S.ACCEPTED, _S.WITHDRAWN)),
}
#: Days from the previous step to this one (low, high).
_STEP_DAYS: dict[ReferralStatus, tuple[int, int]] = {
    _S.SENT: (0, 1), _S.ACCEPTED: (1, 3), _S.IN_PROGRESS: (1, 4), _S.DONE: (1, 8),
    _S.DECLINED: (1, 4), _S.WITHDRAWN: (1, 6),
}
_REPLIES: dict[ReferralStatus, tuple[str, ...]] = {
    _S.ACCEPTED: ("受理しました。担当者から本人に連絡します。", "受理しました。来週中に訪問の予定です。",
                  "受け付けました。初回面談の日程を調整中です。"),
    _S.IN_PROGRESS: ("本人と面談し、支援の内容を検討しています。", "訪問して状況を確認しました。継続して対応します。",
                     "関係機関と打ち合わせを行い、支援を開始しました。"),
    _S.DONE: ("サービスの利用につながりました。対応を終了します。", "申請の手続きが完了しました。",
              "本人・家族と話し合い、必要な支援につなぎました。以上で完了とします。"),
    _S.DECLINED: ("当窓口では対応できません。", "対応が難しいため、お返しします。"),
}
_PROGRESS_NOTES = ("経過: 2回目の面談を実施。", "経過: 家族とも連絡がとれました。",
                   "経過: 関係機関との会議を予定しています。")
_DECLINE_REASONS = ("対象要件に該当しないため（他の窓口を案内済み）", "本人と連絡がとれないため",
                    "定員に空きがなく、当面受け入れができないため", "本人が支援を希望しなかったため")
_WITHDRAW_REASONS = ("本人の状況が改善したため", "家族が別の窓口に相談済みのため",
                     "本人から取りやめの申し出があったため")
_REQUESTS: dict[str, str] = {
    "elderly": "本人の状況確認と、{need}についての支援をお願いします。",
    "disability": "障害の状況を踏まえ、{need}について相談に応じていただけますか。",
    "child": "子どもと家庭の状況の確認と、{need}についての支援をお願いします。",
    "youth": "本人の意向を確認のうえ、{need}について相談に応じてください。",
    "poverty": "生活の状況を確認し、{need}についての支援をお願いします。",
    "other": "{need}について、対応をご検討ください。",
}
_ANONYMISED_NOTE = "匿名（個人を特定できる情報を含めない）"
#: The demo's destination consents: given this often, refused otherwise.
_DESTINATION_CONSENT_GIVEN = 0.85


def _add_working_days(day: date, count: int) -> date:
    while count > 0:
        day += timedelta(days=1)
        count -= day.weekday() < 5
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _event_time(rng: random.Random, day: date) -> datetime:
    """Some time of the working day ``day``, as naive UTC."""
    return datetime.combine(day, OPENING) + timedelta(
        seconds=rng.randrange(_seconds(CLOSING) - _seconds(OPENING))) - UTC_OFFSET


class _Referrals:
    """Writes the demo's referrals, their steps and the destination consents they need."""

    def __init__(self, rng: random.Random, directory: Directory, ids: dict[str, int],
                 orgs: list[Organisation], pool: dict[int, tuple[list[int], list[int]]],
                 last: date, now_utc: datetime) -> None:
        self.rng = rng
        self.directory = directory
        self.ids = ids
        self.org_kind = {org.id: (org.kind, org.district_code) for org in orgs}
        self.pool = pool
        self.last = last
        self.now_utc = now_utc
        self.ranked: dict[tuple[Any, ...], list[int]] = {}
        #: (person, service id, purpose) → consent record already written (given or refused).
        self.asked: dict[tuple[int, int, str], dict[str, Any]] = {}
        self.pick_outcome = _Pick(_OUTCOME_WEIGHTS)
        self.pick_method = _Pick(_METHOD_WEIGHTS)
        self.pick_urgent_method = _Pick(_URGENT_METHOD_WEIGHTS)

    def destinations(self, case: _Case) -> list[int]:
        """Service ids ranked for the case (as the referral screen suggests them), the
        organisation that took the consultation left out: one does not refer to oneself."""
        row, detail = case.row, case.detail
        flags: list[str] | bool = list(detail["urgency"]) or bool(row["urgent"])
        key = (row["district_code"], row["organisation_id"], case.groups, case.elements,
               tuple(flags) if isinstance(flags, list) else flags, row["main_complaint"])
        found = self.ranked.get(key)
        if found is None:
            kind, district = self.org_kind[row["organisation_id"]]
            found = [self.ids[s.service.id] for s in rank(
                self.directory, district_code=row["district_code"], target_groups=case.groups,
                elements=case.elements, urgent=flags, text=row["main_complaint"], limit=8)
                if not (s.organization.kind == kind and s.organization.district_code == district)
                ][:len(_PICK_WEIGHTS)]
            self.ranked[key] = found
        return found

    def build(self, referred: list[tuple[int, _Case]]) -> tuple[
            list[dict[str, Any]], list[list[dict[str, Any]]], list[dict[str, Any]]]:
        """(referral rows, the event rows of each, new consent records)."""
        rng = self.rng
        referrals: list[dict[str, Any]] = []
        steps: list[list[dict[str, Any]]] = []
        consents: list[dict[str, Any]] = []
        for cid, case in referred:
            if rng.random() >= _REFERRAL_SHARE[case.row["response_code"]]:
                continue
            ranked = self.destinations(case)
            if not ranked:
                continue
            first = rng.choices(range(len(ranked)), _PICK_WEIGHTS[:len(ranked)])[0]
            chosen = [ranked[first]]
            others = [s for s in ranked if s != chosen[0]]
            if others and case.row["response_code"] == "referral" and (
                    rng.random() < _SECOND_REFERRAL):
                chosen.append(others[0])
            for service_id in chosen:
                referral, events, consent = self._one(cid, case, service_id)
                referrals.append(referral)
                steps.append(events)
                if consent is not None:
                    consents.append(consent)
        return referrals, steps, consents

    def _consent(self, cid: int, case: _Case, service_id: int, purpose: Purpose, day: date,
                 at: datetime) -> tuple[dict[str, Any] | None, dict[str, Any]]:
        """(a new consent record or None, the record that decides) for a named person."""
        person = case.person
        assert person is not None and person.id is not None
        key = (person.id, service_id, purpose.value)
        known = self.asked.get(key)
        if known is not None:
            return None, known
        detail = case.detail
        proxy = person.child or (case.row["consulter_kind_code"] == "family"
                                 and bool(detail["consulter_relation"]))
        record = {
            "person_id": person.id, "consultation_id": cid,
            "recipient": destination_recipient(service_id), "purpose": purpose.value,
            "given": self.rng.random() < _DESTINATION_CONSENT_GIVEN,
            "giver": (Giver.PROXY if proxy else Giver.SELF).value,
            "giver_relation": (detail["consulter_relation"] or "母") if proxy else "",
            "method": (Method.WRITTEN if purpose is Purpose.SHEET else Method.ORAL).value,
            "given_on": day, "recorded_by": case.row["staff_id"], "recorded_at": at,
            "withdrawn_on": None, "withdrawal_reason": "", "withdrawn_by": None,
        }
        self.asked[key] = record
        return record, record

    def _colleague(self, org_id: int, staff_id: int) -> int:
        counters, consultants = self.pool.get(org_id, ([], []))
        colleagues = consultants or counters
        if colleagues and self.rng.random() < 0.3:
            return self.rng.choice(colleagues)
        return staff_id

    def _one(self, cid: int, case: _Case, service_id: int) -> tuple[
            dict[str, Any], list[dict[str, Any]], dict[str, Any] | None]:
        rng = self.rng
        row = case.row
        day: date = row["received_on"]
        staff_id: int = row["staff_id"]
        created_at = min(row["created_at"] + timedelta(minutes=rng.randrange(2, 40)),
                         self.now_utc)
        method = (self.pick_urgent_method if row["urgent"] else self.pick_method)(rng)
        consent = None
        if case.person is None:
            anonymised, basis, note = True, ANONYMISED, _ANONYMISED_NOTE
        else:
            consent, deciding = self._consent(
                cid, case, service_id, method.purpose, day,
                min(created_at - timedelta(minutes=1), self.now_utc))
            decision = may_share_identifying(
                anonymous=False, exceptions=(), recipient=deciding["recipient"],
                purpose=method.purpose, on=day, consents=[ConsentRecord(
                    deciding["recipient"], Purpose(deciding["purpose"]), deciding["given"],
                    Giver(deciding["giver"]), deciding["giver_relation"],
                    Method(deciding["method"]), deciding["given_on"], deciding["recorded_by"],
                    deciding["recorded_at"])])
            if decision.allowed and decision.basis is not None:
                anonymised, basis, note = False, decision.basis.value, decision.reason
            else:
                anonymised, basis, note = True, ANONYMISED, _ANONYMISED_NOTE
        due = (None if rng.random() < 0.1 else
               _add_working_days(day, 3 if row["urgent"] else rng.choice((5, 7, 10))))
        category = case.groups[0]
        need = "・".join(ref.label_of(ref.ELEMENTS, code) for code in case.elements[:2])
        request = _REQUESTS.get(category, _REQUESTS["other"]).format(need=need)
        if row["urgent"]:
            request = "【緊急】" + request + "本日中のご対応をお願いします。"
        if anonymised:
            request += "（氏名等は伏せて概要のみ伝えています）"

        path = rng.choice(_PATHS[self.pick_outcome(rng)])
        events: list[dict[str, Any]] = []
        previous: ReferralStatus | None = None
        on, at = day, created_at
        reason = ""
        for status in path:
            if previous is not None:
                low, high = _STEP_DAYS[status]
                on = _add_working_days(on, rng.randint(low, high))
                if on > self.last:
                    break  # the story goes on after the demo's last day
                at = max(at + timedelta(minutes=1), _event_time(rng, on))
                if at > self.now_utc:
                    break
            reply = reason = ""
            if status is _S.DECLINED:
                reason = rng.choice(_DECLINE_REASONS)
                reply = rng.choice(_REPLIES[status])
            elif status is _S.WITHDRAWN:
                reason = rng.choice(_WITHDRAW_REASONS)
            elif status in _REPLIES:
                reply = rng.choice(_REPLIES[status])
            events.append(self._event(on, at, staff_id, row, previous, status, reason, reply))
            previous = status
        assert previous is not None
        if previous is _S.IN_PROGRESS and rng.random() < 0.3:  # a reply with no status change
            on = _add_working_days(on, rng.randint(2, 6))
            at = max(at + timedelta(minutes=1), _event_time(rng, on))
            if on <= self.last and at <= self.now_utc:
                events.append(self._event(on, at, staff_id, row, previous, previous, "",
                                          rng.choice(_PROGRESS_NOTES)))
        referral = {
            "consultation_id": cid, "service_id": service_id, "referred_on": day,
            "method": method.value, "request": request, "staff_id": staff_id,
            "reply_due": due, "status": previous.value,
            "status_reason": next((e["reason"] for e in reversed(events)
                                   if e["status"] != e["previous_status"]), ""),
            "anonymised": anonymised, "basis": basis, "basis_note": note,
            "created_at": created_at, "updated_at": events[-1]["at"],
        }
        return referral, events, consent

    def _event(self, on: date, at: datetime, staff_id: int, row: dict[str, Any],
               previous: ReferralStatus | None, status: ReferralStatus, reason: str,
               reply: str) -> dict[str, Any]:
        who = staff_id if previous is None else self._colleague(row["organisation_id"], staff_id)
        return {"occurred_on": on, "at": at, "staff_id": who,
                "previous_status": previous.value if previous else None,
                "status": status.value, "reason": reason, "reply": reply}


def _write_referrals(session: Session, writer: _Referrals, referred: list[tuple[int, _Case]],
                     counts: Counter[str]) -> None:
    """Bulk-insert the referrals of ``referred``, their steps and the consents they needed."""
    referrals, steps, consents = writer.build(referred)
    if consents:
        session.execute(insert(ConsentRecordRow.__table__), consents)
    for start in range(0, len(referrals), BATCH):
        chunk = referrals[start:start + BATCH]
        ids = _insert_returning_ids(session, Referral.__table__, chunk)
        events = [{**event, "referral_id": rid}
                  for rid, chunk_events in zip(ids, steps[start:start + BATCH], strict=True)
                  for event in chunk_events]
        session.execute(insert(ReferralEvent.__table__), events)
        counts["referral_events"] += len(events)
    counts["referrals"] += len(referrals)
    for referral in referrals:
        status = ReferralStatus(referral["status"])
        counts[f"referral:{status.value}"] += 1
        counts["referrals_anonymised"] += referral["anonymised"]
        counts["referrals_overdue"] += is_overdue(status, referral["reply_due"], writer.last)
    given = sum(c["given"] for c in consents)
    counts["destination_consents_given"] += given
    counts["destination_consents_refused"] += len(consents) - given
    counts["consents_given"] += given
    counts["consents_refused"] += len(consents) - given


# --- supervisor review -------------------------------------------------------------------------

#: What a demo supervisor writes when returning a consultation.
_RETURN_COMMENTS = (
    "主訴をもう少し具体的に書いてください。",
    "相談者と対象者の関係を追記してください。",
    "次回の予定（日付）を記入してください。",
    "つなぎ先への依頼内容を相談内容にも残してください。",
)
_NO_RESPONSE_COMMENT = "対応が未記入です。記入してください。"
_RETURN_SHARE = 0.04
REVIEW_TIME = time(17, 30)  # the supervisor goes through the day after closing


def _write_reviews(session: Session, rng: random.Random, day_list: list[date],
                   counts: Counter[str]) -> None:
    """Every district's days reviewed and signed off by its supervisor, except the last two:
    the day before the last half reviewed, the last (today) not yet. Most consultations are
    確認済; a few, and half of those without 対応, 差戻し with a comment."""
    if len(day_list) < 2:
        return
    reviewed_days = day_list[:-1]
    supervisors = dict(session.execute(
        select(Organisation.district_code, Staff.id)
        .join(Organisation, Organisation.id == Staff.organisation_id)
        .where(Staff.login.startswith(DEMO_LOGIN_PREFIX, autoescape=True),
               Staff.login.endswith("-supervisor"), Organisation.district_code.is_not(None))).all())
    # A second demo run over the same days reviews only what is not reviewed yet.
    cases = session.execute(
        select(Consultation.id, Consultation.district_code, Consultation.received_on,
               Consultation.response_code)
        .where(Consultation.received_on.in_(reviewed_days),
               Consultation.id.not_in(select(CaseReview.consultation_id)))
        .order_by(Consultation.id)).all()
    half_day = reviewed_days[-1]
    reviews: list[dict[str, Any]] = []
    for cid, district, day, response in cases:
        if day == half_day and rng.random() < 0.5:
            continue
        returned = (not response and rng.random() < 0.5) or rng.random() < _RETURN_SHARE
        comment = ((_NO_RESPONSE_COMMENT if not response else rng.choice(_RETURN_COMMENTS))
                   if returned else "")
        at = datetime.combine(day, REVIEW_TIME) - UTC_OFFSET + timedelta(
            seconds=rng.randrange(3600))
        reviews.append({"decision_uid": str(uuid.uuid4()),
                        "consultation_id": cid, "decision": "returned" if returned else "confirmed",
                        "comment": comment, "version": 1, "reviewed_by": supervisors[district],
                        "reviewed_at": at, "source": "app"})
        counts["reviews_returned" if returned else "reviews_confirmed"] += 1
    # A second demo run over the same days must not sign a day off twice.
    signed = {(district, day) for district, day in session.execute(
        select(DaySignoff.district_code, DaySignoff.day).where(DaySignoff.day.in_(reviewed_days)))}
    signoffs = [{"decision_uid": str(uuid.uuid4()),
                 "district_code": district, "day": day, "signed_by": supervisor,
                 "signed_at": datetime.combine(day, time(18, 30)) - UTC_OFFSET, "comment": "",
                 "source": "app"}
                for day in reviewed_days[:-1] for district, supervisor in supervisors.items()
                if (district, day) not in signed]
    for table, rows in ((CaseReview.__table__, reviews), (DaySignoff.__table__, signoffs)):
        for start in range(0, len(rows), 5000):
            session.execute(insert(table), rows[start:start + 5000])
    counts["days_signed_off"] += len(signoffs)


def _logins(session: Session) -> tuple[DemoLogin, ...]:
    rows = session.execute(
        select(Staff.login, Staff.name, Staff.role, Organisation.name)
        .join(Organisation, Staff.organisation_id == Organisation.id)
        .where(Staff.login.startswith(DEMO_LOGIN_PREFIX, autoescape=True))
        .order_by(Organisation.id, Staff.id)
    )
    return tuple(DemoLogin(login, name, Role(role).label, org_name)
                 for login, name, role, org_name in rows)
