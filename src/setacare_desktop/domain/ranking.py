"""Which destinations suit a consultation (ranked, each with a reason), and free search.

``rank`` scores every service that serves the consultation's district, from these parts (the
numbers are the constants below; ``docs/referrals.md`` explains the choices):

1. **Target groups** (up to ``GROUP_POINTS``): the share of the consultation's groups the service
   serves, a primary group counting fully and a secondary one half. A service serving none of the
   groups is left out (unless a keyword or an urgency rule points to it): a job centre for older
   people is no suggestion for a disabled young adult.
2. **Focus** (``FOCUS_POINTS``): a service *for* this group (1–3 primary groups) beats one open to
   everybody. This is why 障害者 × 就労 puts 障害者就労支援センター before 三茶おしごとカフェ.
3. **Elements** (up to ``ELEMENT_POINTS``): the share of the nine elements matched, primary fully,
   secondary half.
4. **Keywords** (``KEYWORD_POINTS`` each, at most two): words of the main complaint (主訴) that
   point to a service (「ひきこもり」 → リンク, 「発達」 → げんき).
5. **Urgency** (``URGENCY_POINTS`` …): 虐待の疑い, DV, 自殺念慮 and 生命・身体の危険 raise the area
   branch's section that must act (see ``urgency_bonuses``).
6. **Locality** (``LOCAL_POINTS``): the district's own partners, then the area's branch, then
   ward-wide services. It decides between equally good matches; it does not lift a generalist
   above a specialist that matches both group and element.
7. **Mode**: a consultation service (a professional takes the case over) gets ``CONSULTATION_POINTS``;
   a council or professionals' network (居住支援協議会, 地区連携医) loses ``NETWORK_PENALTY``.
8. **複合** (two or more target groups): the area branch gets ``MIXED_BRANCH_POINTS``: hard, mixed
   cases go to the branch's backup (seed 000:234-243).

Ties go to the nearer service, then to the directory's order.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from enum import IntEnum
from typing import cast

from setacare_desktop.domain import reference as ref
from setacare_desktop.domain.directory import (
    BRANCH_ROLES,
    ELEMENT_CODES,
    TARGET_GROUP_CODES,
    Directory,
    Organization,
    Role,
    Scope,
    Service,
    ServiceMode,
)
from setacare_desktop.domain.kana import name_key, search_words

GROUP_POINTS = 40
ELEMENT_POINTS = 40
FOCUS_POINTS = {1: 15, 2: 10, 3: 5}  # by the number of the service's primary groups
KEYWORD_POINTS = 25
MAX_KEYWORDS = 2
CONSULTATION_POINTS = 4
NETWORK_PENALTY = 15
MIXED_BRANCH_POINTS = 6
URGENCY_POINTS = 60  # the section that must act
URGENCY_BACKUP_POINTS = 50  # the branch's backup when no section is specifically responsible
URGENCY_SUPPORT_POINTS = 30  # a second destination worth contacting too


class Locality(IntEnum):
    """How near a service is to the consultation's district (lower is nearer)."""

    DISTRICT = 0
    AREA = 1
    WARD = 2

    @property
    def label(self) -> str:
        return {Locality.DISTRICT: "地区", Locality.AREA: "地域（総合支所）",
                Locality.WARD: "区全域"}[self]


LOCAL_POINTS = {Locality.DISTRICT: 10, Locality.AREA: 6, Locality.WARD: 0}

URGENCY_LABELS: dict[str, str] = {
    "abuse": "虐待の疑い",
    "dv": "DV",
    "suicidal": "自殺念慮",
    "danger": "生命・身体の危険",
}
"""The urgency flags of an intake (``intake.URGENCY_FLAGS``)."""


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One ranked destination with why it was suggested."""

    service: Service
    organization: Organization
    score: int
    reason: str  # e.g. 「障害者 × 就労 → 世田谷区障害者就労支援センター」
    locality: Locality
    urgent: bool = False  # raised by an urgency rule
    notes: tuple[str, ...] = ()  # e.g. 「池尻地区の窓口」「連絡先 要確認」

    @property
    def contact_status(self) -> str:
        return self.service.contact_status


def locality_of(service: Service, district_code: str) -> Locality | None:
    """Where ``service`` stands for a consultation of ``district_code``; None: not served."""
    if not service.service_area.covers(district_code):
        return None
    return {Scope.DISTRICT: Locality.DISTRICT, Scope.AREA: Locality.AREA,
            Scope.WARD: Locality.WARD}[service.service_area.scope]


def urgency_bonuses(flags: Collection[str],
                    groups: Collection[str]) -> dict[str, tuple[int, tuple[str, ...]]]:
    """Points per service role, and the flags that raised it, for a consultation about ``groups``.

    - 虐待の疑い: a child → 子ども家庭支援センター; an older or disabled person → 保健福祉課
      (and the あんしんすこやかセンター as well for an older person); group not yet known →
      both sections.
    - DV: a child in the household → 子ども家庭支援センター; always 保健福祉課 as the branch's
      backup.
    - 自殺念慮: 健康づくり課 (地区担当保健師), and 保健所.
    - 生命・身体の危険: the section for the group (child → 子ども家庭支援センター, poverty →
      生活支援課, otherwise 保健福祉課). An emergency call (110/119) comes before any referral.
    """
    groups = set(groups)
    unknown = not (groups - {"other"})
    points_by_role: dict[str, int] = {}
    flags_by_role: dict[str, list[str]] = {}

    def give(flag: str, role: Role, points: int) -> None:
        points_by_role[role] = max(points_by_role.get(role, 0), points)
        flags_by_role.setdefault(role, []).append(flag)

    if "abuse" in flags:
        if "child" in groups or unknown:
            give("abuse", Role.KODOMO_KATEI, URGENCY_POINTS)
        if groups & {"elderly", "disability"} or unknown:
            give("abuse", Role.HOKENFUKUSHI,
                 URGENCY_BACKUP_POINTS if unknown else URGENCY_POINTS)
        if "elderly" in groups:
            give("abuse", Role.ANSHIN, URGENCY_SUPPORT_POINTS)
    if "dv" in flags:
        if "child" in groups:
            give("dv", Role.KODOMO_KATEI, URGENCY_POINTS)
        give("dv", Role.HOKENFUKUSHI, URGENCY_BACKUP_POINTS)
    if "suicidal" in flags:
        give("suicidal", Role.KENKOZUKURI, URGENCY_POINTS)
        give("suicidal", Role.HOKENJO, URGENCY_SUPPORT_POINTS)
    if "danger" in flags:
        if "child" in groups:
            give("danger", Role.KODOMO_KATEI, URGENCY_POINTS)
        if "poverty" in groups:
            give("danger", Role.SEIKATSUSHIEN, URGENCY_BACKUP_POINTS)
        if groups & {"elderly", "disability"} or unknown:
            give("danger", Role.HOKENFUKUSHI, URGENCY_BACKUP_POINTS)
    return {role: (points, tuple(flags_by_role[role])) for role, points in points_by_role.items()}


def _flags(urgent: Collection[str] | bool) -> frozenset[str]:
    """``True`` (urgent, nature not recorded) is read as 生命・身体の危険, the widest flag."""
    if isinstance(urgent, bool):
        return frozenset({"danger"}) if urgent else frozenset()
    unknown = set(urgent) - set(URGENCY_LABELS)
    if unknown:
        raise ValueError(f"unknown urgency flags: {sorted(unknown)}")
    return frozenset(urgent)


def _fit(asked: frozenset[str], primary: frozenset[str],
         secondary: frozenset[str]) -> tuple[float, list[str]]:
    """Share of ``asked`` served (primary 1, secondary ½) and the codes matched."""
    matched = [c for c in asked if c in primary or c in secondary]
    share = sum(1.0 if c in primary else 0.5 for c in matched) / len(asked)
    return share, matched


def _ordered(codes: Iterable[str], terms: tuple[ref.Term, ...]) -> list[str]:
    order = {t.code: i for i, t in enumerate(terms)}
    return sorted(codes, key=lambda c: order.get(c, 99))


def _labels(codes: Iterable[str], terms: tuple[ref.Term, ...]) -> str:
    return "・".join(ref.label_of(terms, c) for c in _ordered(codes, terms))


@dataclass(frozen=True, slots=True)
class _Folded:
    """A service's text folded once for searching; fields joined by "|" so no word spans two."""

    names: str
    readings: str
    keywords: tuple[str, ...]
    body: str


def keyword_stem(word: str) -> str:
    """The folded form a keyword is matched by: a final hiragana is dropped from words of three
    or more characters, so 「ひきこもり」 matches 「ひきこもっている」 and 「預かり」 「預かって」."""
    key = name_key(word)
    if len(key) >= 3 and "\u3041" <= key[-1] <= "\u3096":
        return key[:-1]
    return key


def _fold(*parts: str) -> str:
    return "|".join(name_key(p) for p in parts if p)


def _folded(directory: Directory) -> tuple[_Folded, ...]:
    """The folded text of every service, computed on first use and kept with the directory."""
    cached = directory.memo.get("ranking.folded")
    if cached is None:
        rows = []
        for service in directory.services:
            org = directory.organization_of(service)
            rows.append(_Folded(
                _fold(service.name, service.alternate_name, org.name, org.alternate_name),
                _fold(service.reading, org.reading),
                tuple(keyword_stem(w) for w in service.keywords),
                _fold(service.description, service.eligibility, org.description,
                      service.service_area.name),
            ))
        cached = tuple(rows)
        directory.memo["ranking.folded"] = cached
    return cast(tuple[_Folded, ...], cached)


def _keyword_hits(service: Service, folded_keywords: tuple[str, ...],
                  folded_text: str) -> list[str]:
    if not folded_text:
        return []
    return [word for word, key in zip(service.keywords, folded_keywords, strict=True)
            if key and key in folded_text][:MAX_KEYWORDS]


def rank(
    directory: Directory,
    *,
    district_code: str,
    target_groups: Collection[str] = (),
    elements: Collection[str] = (),
    urgent: Collection[str] | bool = (),
    text: str = "",
    limit: int | None = 10,
) -> list[Suggestion]:
    """Destinations for a consultation of ``district_code``, best first.

    ``target_groups`` and ``elements`` are reference codes; ``urgent`` the intake's urgency flags
    (or a bare bool); ``text`` the main complaint, whose words may match services' keywords.
    With nothing to match on, the district's own partners and the area's branch are returned in
    their usual order. Services of other districts and areas are never suggested.
    """
    if district_code not in ref.DISTRICTS_BY_CODE:
        raise ValueError(f"unknown district: {district_code}")
    groups = frozenset(target_groups)
    wanted = frozenset(elements)
    if groups - TARGET_GROUP_CODES:
        raise ValueError(f"unknown target groups: {sorted(groups - TARGET_GROUP_CODES)}")
    if wanted - ELEMENT_CODES:
        raise ValueError(f"unknown elements: {sorted(wanted - ELEMENT_CODES)}")
    flags = _flags(urgent)
    folded = name_key(text)
    bonuses = urgency_bonuses(flags, groups)
    mixed = ref.is_mixed(groups - {"other"})
    nothing_asked = not (groups or wanted or flags or folded)
    district_name = ref.DISTRICTS_BY_CODE[district_code].name

    scored: list[tuple[int, int, int, Suggestion]] = []
    folded_services = _folded(directory)
    for index, service in enumerate(directory.services):
        if service.status != "active":
            continue
        locality = locality_of(service, district_code)
        if locality is None:
            continue
        score = 0
        left: list[str] = []
        notes: list[str] = []
        keywords = _keyword_hits(service, folded_services[index].keywords, folded)
        urgency, raised_by = bonuses.get(service.role, (0, ()))

        if groups:
            share, matched = _fit(groups, service.target_groups, service.secondary_groups)
            if not matched and not keywords and not urgency:
                continue
            score += round(GROUP_POINTS * share)
            if groups & service.target_groups:
                score += FOCUS_POINTS.get(len(service.target_groups), 0)
            if matched:
                left.append(_labels(matched, ref.TARGET_GROUPS))
        if wanted:
            share, matched = _fit(wanted, service.elements, service.secondary_elements)
            score += round(ELEMENT_POINTS * share)
            if matched:
                left.append(_labels(matched, ref.ELEMENTS))
        if keywords:
            score += KEYWORD_POINTS * len(keywords)
            left.append("・".join(f"「{w}」" for w in keywords))
        if urgency:
            score += urgency
            left.append("・".join(URGENCY_LABELS[f] for f in raised_by))
            notes.append("緊急: 優先してつなぐ")
        if score == 0 and not nothing_asked:
            continue
        score += LOCAL_POINTS[locality]
        if service.mode is ServiceMode.CONSULTATION:
            score += CONSULTATION_POINTS
        elif service.mode is ServiceMode.NETWORK:
            score -= NETWORK_PENALTY
            notes.append("関係機関向け")
        if mixed and service.role in BRANCH_ROLES and (groups & service.all_groups or urgency):
            score += MIXED_BRANCH_POINTS
            notes.append("複合 → 総合支所のバックアップ")

        if locality is Locality.DISTRICT:
            notes.insert(0, f"{district_name}地区の窓口")
        elif locality is Locality.AREA:
            notes.insert(0, "地域のバックアップ（総合支所）")
        if not service.contact_confirmed:
            notes.append("連絡先 要確認")
        reason = (" × ".join(left) if left else f"{district_name}地区") + f" → {service.name}"
        suggestion = Suggestion(
            service, directory.organization_of(service), score, reason, locality,
            urgent=bool(urgency), notes=tuple(notes),
        )
        scored.append((-score, int(locality), index, suggestion))

    scored.sort(key=lambda item: item[:3])
    found = [item[3] for item in scored]
    return found if limit is None else found[:limit]


# --- free search --------------------------------------------------------------------------------

class MatchedIn(IntEnum):
    """Where a search matched, best first."""

    NAME_START = 0  # the name starts with the first word
    NAME = 1  # every word is in the name (or the organisation's name or alias)
    READING = 2  # … in the names or the readings
    KEYWORD = 3  # … in names, readings or keywords
    TEXT = 4  # … anywhere, description and eligibility included

    @property
    def label(self) -> str:
        return {MatchedIn.NAME_START: "名称", MatchedIn.NAME: "名称", MatchedIn.READING: "よみ",
                MatchedIn.KEYWORD: "キーワード", MatchedIn.TEXT: "説明"}[self]


@dataclass(frozen=True, slots=True)
class SearchHit:
    service: Service
    organization: Organization
    matched_in: MatchedIn


def search(
    directory: Directory,
    text: str,
    *,
    district_code: str | None = None,
    limit: int | None = 50,
) -> list[SearchHit]:
    """Services whose name, reading, keywords or description contain every word of ``text``.

    Insensitive to hiragana/katakana, full/half width and spaces (``kana.name_key``). Better
    matches come first (``MatchedIn``); with ``district_code``, services serving that district
    come before the rest within each tier (nothing is filtered out: a clerk may look up any
    destination). An empty query finds nothing.
    """
    words = [name_key(w) for w in search_words(text)]
    words = [w for w in words if w]
    if not words:
        return []
    hits: list[tuple[int, int, int, SearchHit]] = []
    for index, (service, folded) in enumerate(zip(directory.services, _folded(directory),
                                                  strict=True)):
        names = folded.names
        readings = names + "|" + folded.readings
        keywords = readings + "|" + "|".join(folded.keywords)
        tiers = (
            (MatchedIn.NAME, names),
            (MatchedIn.READING, readings),
            (MatchedIn.KEYWORD, keywords),
            (MatchedIn.TEXT, keywords + "|" + folded.body),
        )
        matched = next((tier for tier, hay in tiers if all(w in hay for w in words)), None)
        if matched is None:
            continue
        if matched is MatchedIn.NAME and name_key(service.name).startswith(words[0]):
            matched = MatchedIn.NAME_START
        if district_code is None:
            nearness = 0
        else:
            locality = locality_of(service, district_code)
            nearness = 3 if locality is None else int(locality)
        hits.append((int(matched), nearness, index,
                     SearchHit(service, directory.organization_of(service), matched)))
    hits.sort(key=lambda item: item[:3])
    found = [item[3] for item in hits]
    return found if limit is None else found[:limit]
