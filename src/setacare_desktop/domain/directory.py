"""The referral directory (つなぎ先), shaped like Open Referral HSDS 3.0, as plain frozen dataclasses.

HSDS tables and where they live here (``docs/referrals.md`` has the full mapping):

- ``organization`` → :class:`Organization` (``parent_organization_id`` → ``parent_id``);
- ``service`` → :class:`Service`; ``eligibility_description`` → ``eligibility``;
- ``location`` / ``address`` → :class:`Location` / :class:`Address` (no address is shipped);
- ``phone`` → :class:`Phone` (none is shipped: the seeds give no phone numbers);
- ``schedule`` → :class:`Schedule` (free text ``description`` only);
- ``service_area`` → :class:`ServiceArea`: one district, one area (its districts) or the whole ward;
- ``taxonomy`` / ``taxonomy_term`` → :class:`Taxonomy` / :class:`TaxonomyTerm`: the target groups
  (``reference.TARGET_GROUPS``) and the nine elements (``reference.ELEMENTS``) are taxonomies;
- ``attribute`` → :class:`Attribute`: :meth:`Service.attribute_links` turns a service's target
  groups, elements, mode, role, reading and keywords into attribute rows. A target group or element
  is *primary* (what the service is for) or *secondary* (accepted as well, e.g. the 相談拡充 groups of
  an あんしんすこやかセンター); the attribute's ``value`` says which.

Ids are stable ASCII slugs (``ikejiri-anshin``); :func:`hsds_uuid` derives the UUIDs an HSDS export
needs from them, so the same record always gets the same UUID.

Nothing shipped has a confirmed contact: ``contact_confirmed`` is False and :data:`UNCONFIRMED`
(要確認) is what the UI shows until a supervisor confirms or imports real data.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from setacare_desktop.domain import reference as ref

#: The badge shown on any contact detail not yet confirmed by a supervisor.
UNCONFIRMED = "要確認"
CONFIRMED = "確認済"
#: A confirmed contact counts for a year; then it shows 要確認 again until confirmed anew.
CONFIRMATION_VALID_DAYS = 365


def confirmation_current(confirmed: bool, confirmed_at: datetime | None, now: datetime) -> bool:
    """Whether a contact confirmed at ``confirmed_at`` still counts at ``now`` (both naive UTC,
    the database's clock): confirmed, and not more than :data:`CONFIRMATION_VALID_DAYS` ago. A
    confirmation without a date cannot be dated, so it does not count (migration 0019 dated
    every earlier one)."""
    if not confirmed or confirmed_at is None:
        return False
    return now - confirmed_at <= timedelta(days=CONFIRMATION_VALID_DAYS)

#: Namespace of the UUIDs derived from our ASCII ids (fixed for ever: changing it changes every
#: exported id).
HSDS_NAMESPACE = uuid.UUID("6f1c4a52-3b0e-5d8a-9c47-5e7a2d1b9f30")

_ID = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")

TARGET_GROUP_CODES: frozenset[str] = frozenset(t.code for t in ref.TARGET_GROUPS)
ELEMENT_CODES: frozenset[str] = frozenset(t.code for t in ref.ELEMENTS)


def hsds_uuid(table: str, record_id: str) -> str:
    """The UUID an HSDS export uses for ``record_id`` of ``table`` (deterministic)."""
    return str(uuid.uuid5(HSDS_NAMESPACE, f"{table}:{record_id}"))


# --- taxonomies -----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Taxonomy:
    """HSDS ``taxonomy``: a code list terms come from."""

    id: str
    name: str
    description: str
    version: str = "1"
    extra: str = ""  # see Service.extra


@dataclass(frozen=True, slots=True)
class TaxonomyTerm:
    """HSDS ``taxonomy_term``; ``code`` is the code used in the rest of the program."""

    id: str
    taxonomy_id: str
    code: str
    name: str
    description: str
    extra: str = ""  # see Service.extra


TARGET_GROUP_TAXONOMY = Taxonomy(
    "setacare-target-group", "対象区分",
    "相談の対象者の区分（高齢者・障害者・子ども・子育て家庭・若者・生活困窮者・その他）。",
)
ELEMENT_TAXONOMY = Taxonomy(
    "setacare-element", "9つの要素", "世田谷版地域包括ケアシステムの9つの要素。",
)
MODE_TAXONOMY = Taxonomy(
    "setacare-service-mode", "サービスの形態", "相談支援・事業・居場所・関係機関向けの別。",
)
ROLE_TAXONOMY = Taxonomy(
    "setacare-role", "役割", "つなぎの規則が参照する役割（子ども家庭支援センター等）。",
)
SEARCH_TAXONOMY = Taxonomy(
    "setacare-search", "検索語", "よみがな・キーワード（属性の value に語を入れる）。",
)


class ServiceMode(StrEnum):
    """What kind of destination a service is; the ranking prefers consultation services."""

    CONSULTATION = "consultation"  # 相談支援: a professional takes the case over and assesses it
    PROGRAMME = "programme"  # 事業・サービス: registration or membership (会員制) and a service
    PLACE = "place"  # 居場所・活動の場: a place people go to
    NETWORK = "network"  # 関係機関向け: a council or a professionals' network, not a window

    @property
    def label(self) -> str:
        return _MODE_LABELS[self]


_MODE_LABELS = {
    ServiceMode.CONSULTATION: "相談支援",
    ServiceMode.PROGRAMME: "事業・サービス",
    ServiceMode.PLACE: "居場所・活動の場",
    ServiceMode.NETWORK: "関係機関向け",
}


class Role(StrEnum):
    """Roles the ranking rules refer to (urgency, the branch's backup). Other services have ""."""

    MACHIZUKURI = "machizukuri"  # まちづくりセンター
    ANSHIN = "anshin"  # あんしんすこやかセンター (総合相談)
    ZAITAKU = "zaitaku"  # 在宅療養相談窓口 (at each あんしんすこやかセンター)
    SHAKYO = "shakyo"  # 社会福祉協議会 地区事務局
    JIDOKAN = "jidokan"  # 児童館
    HOKENFUKUSHI = "hokenfukushi"  # 総合支所 保健福祉課
    SEIKATSUSHIEN = "seikatsushien"  # 総合支所 生活支援課
    KODOMO_KATEI = "kodomo_katei"  # 総合支所 子ども家庭支援センター
    KENKOZUKURI = "kenkozukuri"  # 総合支所 健康づくり課
    SHOGAI_SOUDAN = "shogai_soudan"  # 地域障害者相談支援センター
    HOKENJO = "hokenjo"  # 保健所


#: The area branch's sections (and the area's disability centre): the districts' backup.
BRANCH_ROLES: frozenset[str] = frozenset({
    Role.HOKENFUKUSHI, Role.SEIKATSUSHIEN, Role.KODOMO_KATEI, Role.KENKOZUKURI,
    Role.SHOGAI_SOUDAN,
})


def _term_id(taxonomy: Taxonomy, code: str) -> str:
    return f"{taxonomy.id}.{code}"


STANDARD_TAXONOMIES: tuple[Taxonomy, ...] = (
    TARGET_GROUP_TAXONOMY, ELEMENT_TAXONOMY, MODE_TAXONOMY, ROLE_TAXONOMY, SEARCH_TAXONOMY,
)
STANDARD_TERMS: tuple[TaxonomyTerm, ...] = (
    *(TaxonomyTerm(_term_id(TARGET_GROUP_TAXONOMY, t.code), TARGET_GROUP_TAXONOMY.id, t.code,
                   t.label, f"対象区分: {t.label}") for t in ref.TARGET_GROUPS),
    *(TaxonomyTerm(_term_id(ELEMENT_TAXONOMY, t.code), ELEMENT_TAXONOMY.id, t.code, t.label,
                   f"9つの要素: {t.label}") for t in ref.ELEMENTS),
    *(TaxonomyTerm(_term_id(MODE_TAXONOMY, m.value), MODE_TAXONOMY.id, m.value, m.label,
                   f"サービスの形態: {m.label}") for m in ServiceMode),
    *(TaxonomyTerm(_term_id(ROLE_TAXONOMY, r.value), ROLE_TAXONOMY.id, r.value, r.value,
                   "つなぎの規則が参照する役割") for r in Role),
    TaxonomyTerm(_term_id(SEARCH_TAXONOMY, "reading"), SEARCH_TAXONOMY.id, "reading", "よみがな",
                 "名称のよみがな（ひらがな）"),
    TaxonomyTerm(_term_id(SEARCH_TAXONOMY, "keyword"), SEARCH_TAXONOMY.id, "keyword", "キーワード",
                 "検索とつなぎ先の提案に使う語"),
)


@dataclass(frozen=True, slots=True)
class Attribute:
    """HSDS ``attribute``: links a record to a taxonomy term, with an optional value."""

    taxonomy_term_id: str
    value: str = ""
    link_type: str = ""
    extra: str = ""  # see Service.extra


# --- places, contact, hours ---------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Address:
    """HSDS ``address`` (Japanese order kept in ``address_1``). Never shipped: 要確認."""

    address_1: str
    city: str = "世田谷区"
    state_province: str = "東京都"
    postal_code: str = ""
    country: str = "JP"
    address_2: str = ""


@dataclass(frozen=True, slots=True)
class Location:
    """HSDS ``location``: where an organisation receives people."""

    id: str
    organization_id: str
    name: str
    description: str = ""
    address: Address | None = None
    alternate_name: str = ""
    latitude: float | None = None
    longitude: float | None = None
    extra: str = ""  # see Service.extra (languages, accessibility, further addresses …)

    def phones(self) -> tuple[Phone, ...]:
        """The location's own phones (HSDS ``location.phones``, kept in ``extra``): where most
        converted 1.x data puts every number, so a service without phones of its own is
        reached through them."""
        try:
            kept = json.loads(self.extra) if self.extra else {}
        except ValueError:
            return ()
        listed = kept.get("phones") if isinstance(kept, dict) else None
        if not isinstance(listed, list):
            return ()
        return tuple(Phone(str(p["number"]), str(p.get("type") or "voice"),
                           str(p.get("description") or ""))
                     for p in listed if isinstance(p, dict) and p.get("number"))


@dataclass(frozen=True, slots=True)
class Phone:
    """HSDS ``phone``. ``type`` is HSDS's own code list (voice, fax, text, …)."""

    number: str
    type: str = "voice"
    description: str = ""
    extra: str = ""  # see Service.extra (extension, languages …)


@dataclass(frozen=True, slots=True)
class Schedule:
    """HSDS ``schedule``: the text a clerk reads (``description``, e.g. 「24時間365日」), and the
    structured days and hours when known (``byday`` ``MO,TU``; ``opens_at`` ``09:00``)."""

    description: str
    byday: str = ""
    opens_at: str = ""
    closes_at: str = ""
    extra: str = ""  # see Service.extra (freq, valid_from, notes …)


class Scope(StrEnum):
    DISTRICT = "district"
    AREA = "area"
    WARD = "ward"


@dataclass(frozen=True, slots=True)
class ServiceArea:
    """HSDS ``service_area``: the districts, the areas, or the whole ward a service serves."""

    scope: Scope
    codes: frozenset[str] = frozenset()  # district codes or area codes; empty for the ward

    @classmethod
    def district(cls, code: str) -> ServiceArea:
        return cls(Scope.DISTRICT, frozenset({code}))

    @classmethod
    def area(cls, code: str) -> ServiceArea:
        return cls(Scope.AREA, frozenset({code}))

    @classmethod
    def ward(cls) -> ServiceArea:
        return cls(Scope.WARD)

    def covers(self, district_code: str) -> bool:
        if self.scope is Scope.WARD:
            return True
        if self.scope is Scope.DISTRICT:
            return district_code in self.codes
        district = ref.DISTRICTS_BY_CODE.get(district_code)
        return district is not None and district.area_code in self.codes

    @property
    def name(self) -> str:
        """Japanese, e.g. 「池尻地区」「世田谷地域」「世田谷区全域」."""
        if self.scope is Scope.WARD:
            return "世田谷区全域"
        if self.scope is Scope.DISTRICT:
            return "・".join(ref.DISTRICTS_BY_CODE[c].name for c in self._ordered()) + "地区"
        return "・".join(ref.AREAS_BY_CODE[c].name for c in self._ordered()) + "地域"

    def _ordered(self) -> list[str]:
        table: dict[str, int] = (
            {d.code: d.sort_order for d in ref.DISTRICTS} if self.scope is Scope.DISTRICT
            else {a.code: a.sort_order for a in ref.AREAS}
        )
        return sorted(self.codes, key=lambda c: table.get(c, 999))


# --- organisations and services ---------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Organization:
    """HSDS ``organization``. ``kind`` is a ``reference.OrgKind`` value for the district partners
    and the area branches (so staff organisations and destinations line up), else ""."""

    id: str
    name: str
    reading: str
    description: str = ""
    alternate_name: str = ""
    kind: str = ""
    district_code: str = ""
    area_code: str = ""
    parent_id: str = ""
    website: str = ""
    email: str = ""
    extra: str = ""  # see Service.extra


@dataclass(frozen=True, slots=True)
class Service:
    """HSDS ``service``: what a clerk refers a case to.

    ``target_groups`` / ``elements`` are what the service is *for* (primary);
    ``secondary_groups`` / ``secondary_elements`` are accepted as well and rank lower.
    ``keywords`` are words of a consultation's main complaint that point to this service
    (stems, matched as substrings after kana/width folding: 「ひきこも」 matches 「ひきこもっている」).
    """

    id: str
    organization_id: str
    name: str
    reading: str
    description: str
    eligibility: str
    service_area: ServiceArea
    target_groups: frozenset[str]
    elements: frozenset[str]
    secondary_groups: frozenset[str] = frozenset()
    secondary_elements: frozenset[str] = frozenset()
    mode: ServiceMode = ServiceMode.CONSULTATION
    role: str = ""
    alternate_name: str = ""
    keywords: tuple[str, ...] = ()
    application_process: str = ""
    location_ids: tuple[str, ...] = ()
    phones: tuple[Phone, ...] = ()
    schedules: tuple[Schedule, ...] = ()
    attributes: tuple[Attribute, ...] = ()
    contact_confirmed: bool = False
    status: str = "active"  # HSDS: active, inactive, defunct, temporarily closed
    url: str = ""
    email: str = ""
    #: The HSDS fields of an imported record that the directory does not use itself (fees,
    #: languages, required_documents, the original service_areas …), as canonical JSON text
    #: (sorted keys; "" for none): kept so that an export gives back what was imported.
    extra: str = ""
    #: When (naive UTC) and by which staff member the contact was last confirmed (None: never,
    #: or not recorded); see :meth:`contact_confirmed_at`.
    confirmed_at: datetime | None = None
    confirmed_by: int | None = None

    @property
    def all_groups(self) -> frozenset[str]:
        return self.target_groups | self.secondary_groups

    @property
    def all_elements(self) -> frozenset[str]:
        return self.elements | self.secondary_elements

    @property
    def unclassified(self) -> bool:
        """No target group and no element at all: imported data not yet classified (未分類).

        Allowed so that any HSDS directory can be imported; such a service is found by free search
        (and listed when a consultation asks for nothing), never suggested for a group or element.
        A service with groups but no element (or the reverse) is a mistake, not unclassified.
        """
        return not (self.all_groups or self.all_elements)

    @property
    def contact_status(self) -> str:
        """「確認済」 or 「要確認」: what the UI's badge says about phone, address and hours."""
        return CONFIRMED if self.contact_confirmed else UNCONFIRMED

    def contact_confirmed_at(self, now: datetime) -> bool:
        """Confirmed and the confirmation less than a year old at ``now`` (naive UTC)."""
        return confirmation_current(self.contact_confirmed, self.confirmed_at, now)

    def attribute_links(self) -> tuple[Attribute, ...]:
        """Every HSDS attribute row of this service: ``attributes`` (as imported, in their order)
        first, then ours from its taxonomies."""
        rows: list[Attribute] = []
        for taxonomy, primary, secondary in (
            (TARGET_GROUP_TAXONOMY, self.target_groups, self.secondary_groups),
            (ELEMENT_TAXONOMY, self.elements, self.secondary_elements),
        ):
            rows += [Attribute(_term_id(taxonomy, c), "primary", taxonomy.id)
                     for c in sorted(primary)]
            rows += [Attribute(_term_id(taxonomy, c), "secondary", taxonomy.id)
                     for c in sorted(secondary - primary)]
        rows.append(Attribute(_term_id(MODE_TAXONOMY, self.mode.value), "", MODE_TAXONOMY.id))
        if self.role:
            rows.append(Attribute(_term_id(ROLE_TAXONOMY, self.role), "", ROLE_TAXONOMY.id))
        rows.append(Attribute(_term_id(SEARCH_TAXONOMY, "reading"), self.reading, "reading"))
        rows += [Attribute(_term_id(SEARCH_TAXONOMY, "keyword"), word, "keyword")
                 for word in self.keywords]
        return (*self.attributes, *rows)


class DirectoryError(ValueError):
    """A directory that breaks its own rules; ``problems`` lists each, in Japanese, with its id."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def directory_problems(
    organizations: Iterable[Organization],
    services: Iterable[Service],
    locations: Iterable[Location] = (),
) -> list[str]:
    """Everything wrong with these records, one Japanese message each (empty: all is well).

    Used by :class:`Directory` itself and meant for importers, which must report every problem
    with its place before changing anything.
    """
    problems: list[str] = []
    orgs, svcs, locs = list(organizations), list(services), list(locations)

    def unique(kind: str, ids: list[str]) -> set[str]:
        seen: set[str] = set()
        for record_id in ids:
            if not _ID.match(record_id):
                problems.append(f"{kind} {record_id!r}: IDは半角英小文字・数字・ハイフンで指定してください")
            if record_id in seen:
                problems.append(f"{kind} {record_id!r}: IDが重複しています")
            seen.add(record_id)
        return seen

    org_ids = unique("organization", [o.id for o in orgs])
    loc_ids = unique("location", [loc.id for loc in locs])
    unique("service", [s.id for s in svcs])
    for org in orgs:
        if org.parent_id and org.parent_id not in org_ids:
            problems.append(f"organization {org.id}: 親組織 {org.parent_id} がありません")
        if org.district_code and org.district_code not in ref.DISTRICTS_BY_CODE:
            problems.append(f"organization {org.id}: 地区 {org.district_code} は存在しません")
        if org.area_code and org.area_code not in ref.AREAS_BY_CODE:
            problems.append(f"organization {org.id}: 地域 {org.area_code} は存在しません")
    for loc in locs:
        if loc.organization_id not in org_ids:
            problems.append(f"location {loc.id}: 組織 {loc.organization_id} がありません")
    for svc in svcs:
        where = f"service {svc.id}"
        if svc.organization_id not in org_ids:
            problems.append(f"{where}: 組織 {svc.organization_id} がありません")
        if not svc.name.strip():
            problems.append(f"{where}: 名称がありません")
        if not svc.unclassified:
            if not svc.target_groups:
                problems.append(f"{where}: 対象区分が1つもありません")
            if not svc.elements:
                problems.append(f"{where}: 要素が1つもありません")
        problems += [f"{where}: 対象区分 {c} は存在しません"
                     for c in sorted(svc.all_groups - TARGET_GROUP_CODES)]
        problems += [f"{where}: 要素 {c} は存在しません"
                     for c in sorted(svc.all_elements - ELEMENT_CODES)]
        area = svc.service_area
        valid = (set() if area.scope is Scope.WARD else
                 set(ref.DISTRICTS_BY_CODE) if area.scope is Scope.DISTRICT else
                 set(ref.AREAS_BY_CODE))
        if area.scope is not Scope.WARD and not area.codes:
            problems.append(f"{where}: 対象地域が空です")
        problems += [f"{where}: 対象地域 {c} は存在しません" for c in sorted(area.codes - valid)]
        problems += [f"{where}: 所在地 {lid} がありません"
                     for lid in svc.location_ids if lid not in loc_ids]
        if svc.status not in ("active", "inactive", "defunct", "temporarily closed"):
            problems.append(f"{where}: 状態 {svc.status!r} は使えません")
    return problems


@dataclass(frozen=True, slots=True)
class Directory:
    """The whole directory: immutable, validated on creation, with lookups by id."""

    organizations: tuple[Organization, ...]
    services: tuple[Service, ...]
    locations: tuple[Location, ...] = ()
    taxonomies: tuple[Taxonomy, ...] = STANDARD_TAXONOMIES
    terms: tuple[TaxonomyTerm, ...] = STANDARD_TERMS
    _orgs: dict[str, Organization] = field(init=False, repr=False, compare=False)
    _services: dict[str, Service] = field(init=False, repr=False, compare=False)
    _locations: dict[str, Location] = field(init=False, repr=False, compare=False)
    #: Derived, rebuildable data other modules memoise per directory (e.g. folded search text).
    memo: dict[str, object] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        problems = directory_problems(self.organizations, self.services, self.locations)
        if problems:
            raise DirectoryError(problems)
        object.__setattr__(self, "_orgs", {o.id: o for o in self.organizations})
        object.__setattr__(self, "_services", {s.id: s for s in self.services})
        object.__setattr__(self, "_locations", {loc.id: loc for loc in self.locations})
        object.__setattr__(self, "memo", {})

    def organization(self, organization_id: str) -> Organization:
        return self._orgs[organization_id]

    def service(self, service_id: str) -> Service:
        return self._services[service_id]

    def location(self, location_id: str) -> Location:
        return self._locations[location_id]

    def organization_of(self, service: Service) -> Organization:
        return self._orgs[service.organization_id]

    def services_of(self, organization_id: str) -> tuple[Service, ...]:
        return tuple(s for s in self.services if s.organization_id == organization_id)
