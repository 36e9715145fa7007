"""Reference data of the ward, from ``shared/DOMAIN.md`` (itself distilled from the seeds).

Everything here is plain data; migration 0001 loads it into the database so that reports and
foreign keys can rely on it. Codes are stable ASCII identifiers (they are stored); labels are what
users see. Changing a label is harmless; changing or removing a code needs a migration.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class Area:
    """One of the 5 areas (地域), served by a branch office (総合支所)."""

    code: str
    name: str
    sort_order: int

    @property
    def branch_name(self) -> str:
        return f"{self.name}総合支所"


@dataclass(frozen=True, slots=True)
class District:
    """One of the 28 districts (地区), each with a welfare consultation window."""

    code: str
    name: str
    area_code: str
    sort_order: int


AREAS: tuple[Area, ...] = (
    Area("setagaya", "世田谷", 1),
    Area("kitazawa", "北沢", 2),
    Area("tamagawa", "玉川", 3),
    Area("kinuta", "砧", 4),
    Area("karasuyama", "烏山", 5),
)

_DISTRICTS_BY_AREA: dict[str, tuple[tuple[str, str], ...]] = {
    "setagaya": (
        ("ikejiri", "池尻"), ("taishido", "太子堂"), ("wakabayashi", "若林"),
        ("kamimachi", "上町"), ("kyodo", "経堂"), ("shimouma", "下馬"), ("kamiuma", "上馬"),
    ),
    "kitazawa": (
        ("umegaoka", "梅丘"), ("daizawa", "代沢"), ("shindaita", "新代田"),
        ("kitazawa", "北沢"), ("matsubara", "松原"), ("matsuzawa", "松沢"),
    ),
    "tamagawa": (
        ("okusawa", "奥沢"), ("kuhonbutsu", "九品仏"), ("todoroki", "等々力"),
        ("kaminoge", "上野毛"), ("yoga", "用賀"), ("futakotamagawa", "二子玉川"),
        ("fukasawa", "深沢"),
    ),
    "kinuta": (
        ("soshigaya", "祖師谷"), ("seijo", "成城"), ("funabashi", "船橋"),
        ("kitami", "喜多見"), ("kinuta", "砧"),
    ),
    "karasuyama": (
        ("kamikitazawa", "上北沢"), ("kamisoshigaya", "上祖師谷"), ("karasuyama", "烏山"),
    ),
}

DISTRICTS: tuple[District, ...] = tuple(
    District(code, name, area_code, order)
    for order, (area_code, code, name) in enumerate(
        ((area, code, name) for area, pairs in _DISTRICTS_BY_AREA.items() for code, name in pairs),
        start=1,
    )
)

AREAS_BY_CODE: dict[str, Area] = {a.code: a for a in AREAS}
DISTRICTS_BY_CODE: dict[str, District] = {d.code: d for d in DISTRICTS}
DISTRICTS_BY_NAME: dict[str, District] = {d.name: d for d in DISTRICTS}
AREAS_BY_NAME: dict[str, Area] = {a.name: a for a in AREAS}


class OrgKind(StrEnum):
    """Kinds of organisation a staff member can belong to."""

    MACHIZUKURI = "machizukuri"  # まちづくりセンター
    ANSHIN = "anshin"  # あんしんすこやかセンター (地域包括支援センター)
    SHAKYO = "shakyo"  # 社会福祉協議会 地区事務局
    JIDOKAN = "jidokan"  # 児童館
    BRANCH = "branch"  # 総合支所 (保健福祉センター): backs the districts of its area up

    @property
    def label(self) -> str:
        return ORG_KIND_LABELS[self]


ORG_KIND_LABELS: dict[OrgKind, str] = {
    OrgKind.MACHIZUKURI: "まちづくりセンター",
    OrgKind.ANSHIN: "あんしんすこやかセンター",
    OrgKind.SHAKYO: "社会福祉協議会",
    OrgKind.JIDOKAN: "児童館",
    OrgKind.BRANCH: "総合支所",
}

#: The four partners (四者連携) present in every district, in the order the seeds name them.
DISTRICT_PARTNERS: tuple[OrgKind, ...] = (
    OrgKind.MACHIZUKURI,
    OrgKind.ANSHIN,
    OrgKind.SHAKYO,
    OrgKind.JIDOKAN,
)


def organisation_name(kind: OrgKind, *, district: District | None = None,
                      area: Area | None = None) -> str:
    """The display name of a district partner or an area branch, e.g. 「池尻まちづくりセンター」."""
    if kind is OrgKind.BRANCH:
        if area is None:
            raise ValueError("an area branch needs its area")
        return area.branch_name
    if district is None:
        raise ValueError("a district partner needs its district")
    if kind is OrgKind.SHAKYO:
        return f"社会福祉協議会 {district.name}地区事務局"
    return f"{district.name}{kind.label}"


@dataclass(frozen=True, slots=True)
class Term:
    """One entry of a code list (target group, element, channel, …)."""

    code: str
    label: str


TARGET_GROUPS: tuple[Term, ...] = (
    Term("elderly", "高齢者"),
    Term("disability", "障害者"),
    Term("child", "子ども・子育て家庭"),
    Term("youth", "若者"),
    Term("poverty", "生活困窮者"),
    Term("other", "その他"),
)
"""Target groups (対象区分). Two or more on one consultation make it 複合 (mixed)."""

MIXED_LABEL = "複合"

ELEMENTS: tuple[Term, ...] = (
    Term("medical", "医療"),
    Term("welfare_service", "福祉サービス"),
    Term("prevention", "予防・健康づくり"),
    Term("housing", "住まい"),
    Term("living_support", "生活支援"),
    Term("employment", "就労"),
    Term("education", "教育"),
    Term("participation", "社会参加"),
    Term("safety", "防犯・防災"),
)
"""The ward's nine elements (9つの要素)."""

CHANNELS: tuple[Term, ...] = (
    Term("visit_counter", "来所"),
    Term("phone", "電話"),
    Term("home_visit", "訪問"),
    Term("mail", "メール・文書"),
    Term("other", "その他"),
)
"""How the consultation reached the window (受付方法)."""

CONSULTER_KINDS: tuple[Term, ...] = (
    Term("self", "本人"),
    Term("family", "家族・親族"),
    Term("neighbour", "近隣住民"),
    Term("minsei", "民生委員"),
    Term("agency", "関係機関"),
    Term("anonymous", "匿名"),
    Term("other", "その他"),
)
"""Who consulted (相談者の区分)."""

RESPONSES: tuple[Term, ...] = (
    Term("information", "情報提供"),
    Term("advice", "助言"),
    Term("referral", "つなぎ"),
    Term("continuing", "継続対応"),
    Term("closed", "終了"),
)
"""What the window did (対応)."""


def label_of(terms: tuple[Term, ...], code: str) -> str:
    """The label of ``code`` in ``terms``; raises KeyError for an unknown code."""
    for term in terms:
        if term.code == code:
            return term.label
    raise KeyError(code)


def is_mixed(target_group_codes: set[str] | frozenset[str]) -> bool:
    """Two or more target groups make a consultation 複合."""
    return len(target_group_codes) >= 2


def is_expansion(org_kind: OrgKind, target_group_codes: set[str] | frozenset[str]) -> bool:
    """相談拡充: a consultation outside the elderly field taken at an あんしんすこやかセンター."""
    return org_kind is OrgKind.ANSHIN and bool(target_group_codes) and (
        "elderly" not in target_group_codes
    )


def find_district(text: str) -> District | None:
    """A district by its code or name, with or without 「地区」 (「池尻」「池尻地区」「ikejiri」)."""
    cleaned = text.strip()
    return DISTRICTS_BY_CODE.get(cleaned) or DISTRICTS_BY_NAME.get(cleaned.removesuffix("地区"))
