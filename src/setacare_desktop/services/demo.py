"""Synthetic demo data: staff for every district and consultations in realistic proportions.

Nothing here describes a real person: staff names are random combinations of common names, and
consultations carry no personal details, only a main complaint picked from a list of typical
phrases. The proportions follow the ward's fiscal-2024 figures (``shared/DOMAIN.md``, volumes;
seed 002 lines 388–391): あんしんすこやかセンター 182,110 consultations (相談拡充 3,440, i.e. about
1.9 %), まちづくりセンター 3,354, 社会福祉協議会 3,239; the seeds give no figure for 児童館, which we
assume to be a little smaller still. The ward sees about 780 consultations a working day.

Everything is written in one transaction with bulk Core inserts, and the shared demo password is
hashed once, so ``setacare demo --cases 100000`` takes seconds. A database holding accounts other
than demo ones is refused: demo data never mixes with real records.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from setacare_desktop.domain import reference as ref
from setacare_desktop.domain.jpdate import local_now
from setacare_desktop.domain.kana import search_text
from setacare_desktop.domain.passwords import password_problems
from setacare_desktop.domain.roles import Role
from setacare_desktop.services import audit
from setacare_desktop.services.errors import ServiceError
from setacare_desktop.services.passwords import hash_password
from setacare_desktop.store import search as search_store
from setacare_desktop.store.database import Database
from setacare_desktop.store.models import (
    Consultation,
    ConsultationElement,
    ConsultationTargetGroup,
    Organisation,
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
    urgent_risk: bool = False


def _p(text: str, groups: str, elements: str, urgent_risk: bool = False) -> _Phrase:
    return _Phrase(text, tuple(groups.split()), tuple(elements.split()), urgent_risk)


#: Main complaints (主訴) as a counter clerk would write them down; no names, no addresses.
PHRASES: tuple[_Phrase, ...] = (
    # 高齢者
    _p("一人暮らしの母の物忘れが増えてきた。介護保険の申請方法を知りたい", "elderly",
       "welfare_service medical"),
    _p("夫が退院後に自宅で療養することになり、訪問診療と訪問看護について相談したい", "elderly",
       "medical welfare_service"),
    _p("足腰が弱って買い物に行けなくなった。配食サービスを利用したい", "elderly",
       "living_support welfare_service"),
    _p("近所の一人暮らしの高齢者を数日見かけない。様子を確認してほしい", "elderly",
       "safety living_support", True),
    _p("介護している妻の負担が大きく、ショートステイを利用したい", "elderly", "welfare_service"),
    _p("要介護認定の結果について説明を聞きたい", "elderly", "welfare_service"),
    _p("介護予防の体操教室や地域のサロンに参加したい", "elderly", "prevention participation"),
    _p("転倒が心配なので、手すりの取り付けや住宅改修の補助について知りたい", "elderly",
       "housing welfare_service prevention"),
    _p("認知症の父が夜に一人で外へ出てしまう。家族としてどう対応したらよいか", "elderly",
       "medical welfare_service safety"),
    _p("年金だけでは家賃が払えず、住み替え先を探している", "elderly", "housing living_support"),
    _p("親の金銭管理が難しくなってきた。成年後見制度について知りたい", "elderly",
       "living_support welfare_service"),
    _p("訪問販売で高額な契約をしてしまったようだ", "elderly", "safety"),
    _p("ごみを出せず部屋にたまっている高齢者がいると近隣から相談", "elderly",
       "living_support safety"),
    _p("退職後に地域のボランティア活動をしたい", "elderly", "participation"),
    _p("かかりつけ医がいないので、近くの医療機関を教えてほしい", "elderly", "medical"),
    _p("介護サービスの利用料の負担を軽くする制度があるか知りたい", "elderly", "welfare_service"),
    _p("高齢者安心コールに登録したい", "elderly", "safety living_support"),
    _p("家族から暴言を受けていると本人が話している", "elderly", "safety welfare_service", True),
    _p("食事がとれておらず体重が減っている。受診をすすめたい", "elderly", "medical prevention"),
    _p("災害のときに一人で避難できるか不安", "elderly", "safety"),
    _p("歯が悪くなり食事が思うようにとれない。訪問歯科を知りたい", "elderly",
       "medical prevention"),
    _p("福祉用具（車いす・歩行器）のレンタルについて知りたい", "elderly", "welfare_service"),
    _p("介護施設への入所を考えているが、費用と手続きが分からない", "elderly",
       "welfare_service housing"),
    # 障害者
    _p("精神疾患のある息子の今後の生活について相談したい", "disability",
       "welfare_service medical"),
    _p("障害福祉サービスの利用手続きを教えてほしい", "disability", "welfare_service"),
    _p("障害者手帳の申請方法を知りたい", "disability", "welfare_service"),
    _p("就労継続支援の事業所を探している", "disability", "employment welfare_service"),
    _p("親亡き後の暮らしが心配で、グループホームについて知りたい", "disability",
       "housing welfare_service"),
    _p("車いすでも参加できる地域の活動を探している", "disability", "participation"),
    _p("通院の付き添いを頼める人がいない", "disability", "medical living_support"),
    _p("聴覚に障害があり、窓口での手続きに支援がほしい", "disability", "welfare_service"),
    _p("発達障害の診断を受けた本人が仕事に就けず悩んでいる", "disability",
       "employment medical"),
    # 子ども・子育て家庭
    _p("子どもの発達が気になる。相談できる場所を知りたい", "child", "medical education"),
    _p("育児に疲れてしまい、一時預かりを利用したい", "child", "welfare_service living_support"),
    _p("保育園の入園手続きについて教えてほしい", "child", "welfare_service education"),
    _p("不登校の子どもへの関わり方に悩んでいる", "child", "education"),
    _p("近所の家から子どもの泣き声と怒鳴り声が毎晩聞こえる", "child", "safety", True),
    _p("ひとり親で、子育てと仕事の両立が難しい", "child", "employment living_support"),
    _p("放課後に子どもが安心して過ごせる場所を探している", "child", "education participation"),
    _p("ファミリー・サポート・センターの利用方法を知りたい", "child", "living_support"),
    _p("産後に体調がすぐれず、家事の支援を受けたい", "child", "medical living_support"),
    _p("子どもの友人関係のトラブルについて相談したい", "child", "education"),
    _p("子育てひろばや親子で参加できる催しを知りたい", "child", "participation education"),
    # 若者
    _p("大学を中退した息子が家にこもりがちで、相談先を知りたい", "youth",
       "participation employment"),
    _p("仕事が長続きせず、働き方について相談したい", "youth", "employment"),
    _p("高校生の子が家に居場所がないと言っている", "youth", "participation education"),
    _p("祖母の介護を担っていて、学校と両立できない（ヤングケアラー）", "youth",
       "welfare_service education"),
    _p("就職活動がうまくいかず、気持ちが落ち込んでいる", "youth", "employment medical"),
    _p("地域で同世代と交流できる場所を知りたい", "youth", "participation"),
    # 生活困窮者
    _p("失業して家賃が払えなくなりそうだ", "poverty", "housing employment living_support"),
    _p("手持ちのお金がなく、今日の食べ物がない。食料の支援を受けたい", "poverty",
       "living_support", True),
    _p("借金の返済が苦しく、家計の立て直しについて相談したい", "poverty", "living_support"),
    _p("住居確保給付金について知りたい", "poverty", "housing living_support"),
    _p("生活保護の申請について相談したい", "poverty", "living_support"),
    _p("光熱費を滞納していて、電気を止められそうだ", "poverty", "living_support", True),
    _p("病気で働けなくなり、収入が途絶えた", "poverty", "employment medical living_support"),
    _p("アパートの立ち退きを求められ、次の住まいが見つからない", "poverty", "housing"),
    # その他
    _p("近所の空き家の庭木が伸びて通行の妨げになっている", "other", "safety housing"),
    _p("町会や地域の活動に参加したい", "other", "participation"),
    _p("どこに相談したらよいか分からない悩みがある", "other", "living_support"),
    _p("防災訓練や避難所について知りたい", "other", "safety"),
    _p("地域の見守り活動にボランティアとして参加したい", "other", "participation"),
    # 複合
    _p("80代の母と長くひきこもっている50代の息子の世帯で、今後の生活が心配", "elderly poverty",
       "living_support welfare_service participation"),
    _p("認知症の父の介護と子育てが重なり、負担が大きい", "elderly child",
       "welfare_service living_support"),
    _p("障害のある子と高齢の親の両方の介護をしている", "elderly disability", "welfare_service"),
    _p("高齢の母の年金で家族が暮らしており、生活が苦しい", "elderly poverty",
       "living_support employment"),
    _p("高齢の夫婦ともに持病があり、夫は障害者手帳も持っている。通院と家事が難しい",
       "elderly disability", "medical living_support welfare_service"),
    _p("精神疾患のある母親が子どもの世話をできていないようだ", "disability child",
       "welfare_service medical safety", True),
    _p("ひとり親家庭で収入が少なく、子どもの学用品を買えない", "child poverty",
       "living_support education"),
    _p("障害のある息子の就労がうまくいかず、家計が苦しい", "disability poverty",
       "employment living_support"),
    _p("仕事を失った若者が祖父母の介護を一人で担っている", "youth elderly",
       "employment welfare_service"),
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
        counts, day_list = _write_consultations(session, rng, orgs, pool, cases, days, now)
        detail = (
            f"seed={seed} days={days} staff_created={staff_created} "
            f"consultations={counts['consultations']} "
            f"target_groups={counts['target_groups']} elements={counts['elements']}"
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


def _write_consultations(
    session: Session,
    rng: random.Random,
    orgs: list[Organisation],
    pool: dict[int, tuple[list[int], list[int]]],
    cases: int,
    days: int,
    now: datetime,
) -> tuple[Counter[str], list[date]]:
    """Write the consultations; returns counts by kind of row and the working days covered."""
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
    pick_consulter = _Pick(_CONSULTER_WEIGHTS)
    pick_response = _Pick(_RESPONSE_WEIGHTS)
    pick_urgent_response = _Pick(_URGENT_RESPONSE_WEIGHTS)
    pick_slot = _Pick(dict(enumerate(_SLOT_WEIGHTS)))
    element_codes = [e.code for e in ref.ELEMENTS]
    now_utc = now - UTC_OFFSET

    buffer: list[tuple[dict[str, Any], tuple[str, ...], tuple[str, ...]]] = []
    for day, count in zip(day_list, per_day, strict=True):
        start = datetime.combine(day, OPENING)
        limit = now if day == last else datetime.combine(day, CLOSING)
        span = max(1, int((limit - start).total_seconds()))
        day_cases = []
        for _ in range(count):
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
            offset = pick_slot(rng) * 1800 + rng.randrange(1800)
            if offset >= span:
                offset = rng.randrange(span)
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
            row = {
                "received_at": received,
                "received_on": day,
                "channel_code": pick_channel[kind](rng),
                "consulter_kind_code": pick_consulter(rng),
                "district_code": district,
                "organisation_id": org.id,
                "staff_id": staff_id,
                "main_complaint": phrase.text,
                "response_code": response,
                "urgent": urgent,
                "created_at": recorded,
                "updated_at": recorded,
            }
            day_cases.append((row, phrase.groups, tuple(elements)))
            counts[f"org:{kind.value}"] += 1
            counts["urgent"] += urgent
            counts["mixed"] += ref.is_mixed(set(phrase.groups))
            counts["expansion"] += ref.is_expansion(kind, set(phrase.groups))
        day_cases.sort(key=lambda c: c[0]["received_at"])
        buffer.extend(day_cases)
        if len(buffer) >= BATCH:
            _flush(session, buffer, counts)
    _flush(session, buffer, counts)
    return counts, day_list


def _flush(session: Session, buffer: list[tuple[dict[str, Any], tuple[str, ...],
                                                tuple[str, ...]]],
           counts: Counter[str]) -> None:
    """Insert the buffered consultations and their classification rows, then empty the buffer."""
    if not buffer:
        return
    table = Consultation.__table__
    ids = session.scalars(
        insert(table).returning(table.c.id, sort_by_parameter_order=True),
        [row for row, _groups, _elements in buffer],
    ).all()
    groups = [{"consultation_id": cid, "code": code}
              for cid, (_row, codes, _elements) in zip(ids, buffer, strict=True) for code in codes]
    elements = [{"consultation_id": cid, "code": code}
                for cid, (_row, _groups, codes) in zip(ids, buffer, strict=True) for code in codes]
    session.execute(insert(ConsultationTargetGroup.__table__), groups)
    session.execute(insert(ConsultationElement.__table__), elements)
    _index_for_search(session, [(cid, row["district_code"], row["main_complaint"])
                                for cid, (row, _groups, _elements) in zip(ids, buffer,
                                                                          strict=True)])
    counts["consultations"] += len(ids)
    counts["target_groups"] += len(groups)
    counts["elements"] += len(elements)
    buffer.clear()


@functools.cache
def _folded(text: str) -> str:
    """The indexed form of a main complaint (a few dozen distinct phrases, so cached)."""
    return search_text(text)


def _index_for_search(session: Session, rows: list[tuple[int, str, str]]) -> None:
    """Make new consultations findable, as ``services.search.index_consultation`` does one by one."""
    search_store.index_many(session, [(cid, district, _folded(text))
                                      for cid, district, text in rows])


def _logins(session: Session) -> tuple[DemoLogin, ...]:
    rows = session.execute(
        select(Staff.login, Staff.name, Staff.role, Organisation.name)
        .join(Organisation, Staff.organisation_id == Organisation.id)
        .where(Staff.login.startswith(DEMO_LOGIN_PREFIX, autoescape=True))
        .order_by(Organisation.id, Staff.id)
    )
    return tuple(DemoLogin(login, name, Role(role).label, org_name)
                 for login, name, role, org_name in rows)
