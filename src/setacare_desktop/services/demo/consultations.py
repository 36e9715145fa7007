"""The demo's consultations: when, where, by whom, about what, in the ward's proportions.

The proportions follow the ward's fiscal-2024 figures (``shared/DOMAIN.md``, volumes; seed 002 lines
388–391): あんしんすこやかセンター 182,110 consultations (相談拡充 3,440, about 1.9 %),
まちづくりセンター 3,354, 社会福祉協議会 3,239; the seeds give no figure for 児童館, which we assume to
be a little smaller still. The weights stay here, next to the figures they come from; the texts
they choose between are data (``resources/demo/``, read by ``tables``).

Consultations are written in batches of bulk Core inserts with their persons, details,
classification rows, consents and search text (built from cached folded pieces, the same text as
``services.search.indexed_text_of``), all inside the caller's one transaction.
"""

from __future__ import annotations

import functools
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from setacare_desktop.domain import reference as ref
from setacare_desktop.domain.jpdate import age_on
from setacare_desktop.services.demo.common import (
    BATCH,
    CLOSING,
    OPENING,
    UTC_OFFSET,
    Org,
    Phases,
    Pick,
    Shipment,
    Target,
    bulk_insert,
    days_covered,
    insert_returning_ids,
)
from setacare_desktop.services.demo.people import DemoPerson, People, consulter_details, fold
from setacare_desktop.services.demo.tables import Phrase, tables
from setacare_desktop.services.demo.tokens import joined_tokens, piece_tokens, union
from setacare_desktop.store import search as search_store
from setacare_desktop.store.models import (
    ConsentRecordRow,
    Consultation,
    ConsultationDetail,
    ConsultationElement,
    ConsultationTargetGroup,
    Organisation,
    Person,
)
from setacare_desktop.store.stats_summary import SummaryKey

#: Share of the consultations with each 対応 that get referrals: every つなぎ but a few (recorded
#: later, outside the demo's window), some cases being followed, a few where advice led to one.
REFERRAL_SHARE = {"referral": 0.93, "continuing": 0.12, "advice": 0.02}


@functools.cache
def pools() -> dict[str, list[Phrase]]:
    """The phrases by pool: one per target group, and the mixed ones (複合)."""
    found: dict[str, list[Phrase]] = {}
    for phrase in tables().phrases:
        if len(phrase.groups) == 1:
            found.setdefault(phrase.groups[0], []).append(phrase)
            continue
        groups = set(phrase.groups)
        found.setdefault("mixed_elderly" if "elderly" in groups else "mixed_other",
                         []).append(phrase)
        if "child" in groups:
            found.setdefault("mixed_child", []).append(phrase)
    return found


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
#: Who consults, given who would say the main complaint (Phrase.voice).
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


@dataclass(slots=True)
class Case:
    """A consultation being written, with the rows that go with it."""

    row: dict[str, Any]
    groups: tuple[str, ...]
    elements: tuple[str, ...]
    person: DemoPerson | None
    detail: dict[str, Any]
    consents: list[dict[str, Any]]
    folded: str  # the whole search text, as services.search.indexed_text_of makes it
    grams: str  # its SQLite index tokens (``domain.kana.index_tokens``), from cached pieces
    refer: bool = False  # gets referrals (written after every consultation is in)


class Referred(Protocol):
    """Where :func:`write_consultations` puts the cases to refer, with their ids: a list, or
    a large fill's worker sending them to the fill (``ShippedReferred``)."""

    def extend(self, cases: Iterable[tuple[int, Case]], /) -> None: ...


def _split(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder, so the parts add up)."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    parts = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: exact[i] - parts[i], reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _details(rng: random.Random, *, channel: str, consulter: str, relation: str,
             category: str, person: DemoPerson | None, day: date, response: str | None,
             urgency: list[str]) -> tuple[str, str, tuple[str, ...]]:
    """(相談内容, its folded form, its index tokens): a few sentences as a clerk writes them
    down.

    Built from pieces that repeat, each folded once (``people.fold``); folding is character by
    character, so the folded pieces joined are the folded whole.
    """
    t = tables()
    who = {"self": "本人", "anonymous": "匿名の方"}.get(consulter, relation or "相談者")
    pieces = [t.channel_intro[channel].format(who=who)]
    if person is None:
        pieces.append("氏名・連絡先は名乗らず。" if consulter == "anonymous"
                      else "本人の氏名は分からないとのこと。")
    elif person.birth is not None:
        pieces.append(f"本人は{age_on(person.birth, day)}歳{t.household_text[person.household]}。")
    pieces.append(rng.choice(t.situations[category]))
    if urgency:
        pieces.append(t.urgency_notes[urgency[0]])
    action = rng.choice(t.actions[response])
    if "{target}" in action:
        action = action.format(target=rng.choice(t.referral_targets[category]))
    pieces.append(action)
    folded = [fold(p) for p in pieces]
    return "".join(pieces), "".join(folded), joined_tokens(folded)


def _urgency(rng: random.Random, phrase: Phrase, urgent: bool) -> list[str]:
    """緊急性 flags of an urgent case: the phrase's own risk, else a plausible one."""
    if not urgent:
        return []
    if phrase.risk:
        return list(phrase.risk)
    return [rng.choices(("danger", "suicidal", "abuse"), (6, 3, 1))[0]]


def write_consultations(
    session: Target,
    rng: random.Random,
    orgs: list[Organisation],
    pool: dict[int, tuple[list[int], list[int]]],
    cases: int,
    days: int,
    now: datetime,
    referred: Referred | None = None,
    summary: Counter[SummaryKey] | None = None,
    *,
    index: bool = True,
    phases: Phases | None = None,
) -> tuple[Counter[str], list[date]]:
    """Write the consultations; returns counts by kind of row and the working days covered.
    The cases to refer are appended to ``referred`` (with their ids), and each consultation's
    statistics key is counted in ``summary`` (for ``stats_summary.add_keys``). ``index`` as
    for :func:`_flush`; the inserts' time is counted in ``phases`` as ``insert``."""
    phases = phases or Phases()
    counts: Counter[str] = Counter()
    t = tables()
    last = now.date()
    day_list, today_share = days_covered(now, days)
    weights = [_WEEKDAY_WEIGHTS[d.weekday()] for d in day_list]
    if day_list[-1] == last:
        weights[-1] *= today_share
    per_day = _split(cases, weights)

    # Districts differ a little in size; every district keeps all four partners.
    district_weight = {d.code: rng.uniform(0.85, 1.15) for d in ref.DISTRICTS}
    partners: dict[str, dict[ref.OrgKind, Org]] = {}
    for org in map(Org.of, orgs):
        if org.district_code:
            partners.setdefault(org.district_code, {})[ref.OrgKind(org.kind)] = org
    pick_district = Pick({code: district_weight[code] for code in partners})
    pick_kind = Pick(dict(ORG_WEIGHTS))
    pick_pool = {kind: Pick(w) for kind, w in _POOL_WEIGHTS.items()}
    pick_channel = {kind: Pick(w) for kind, w in _CHANNEL_WEIGHTS.items()}
    pick_consulter = {voice: Pick(w) for voice, w in _CONSULTER_BY_VOICE.items()}
    pick_response = Pick(_RESPONSE_WEIGHTS)
    pick_urgent_response = Pick(_URGENT_RESPONSE_WEIGHTS)
    pick_slot = Pick(dict(enumerate(_SLOT_WEIGHTS)))
    element_codes = [e.code for e in ref.ELEMENTS]
    now_utc = now - UTC_OFFSET
    branch_of_area = {org.area_code: org for org in map(Org.of, orgs) if org.district_code is None}
    branches = {d.code: branch_of_area[d.area_code] for d in ref.DISTRICTS
                if d.area_code in branch_of_area}
    people = People(rng, partners, branches)
    last_day = day_list[-1]

    buffer: list[Case] = []
    keys: Counter[tuple[Any, ...]] = Counter()
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
            phrase = rng.choice(pools()[pick_pool[kind](rng)])
            # To the minute, as the form and ``case add`` take it.
            received = start + timedelta(minutes=offset // 60)
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
            person, new = people.about(district, phrase, consulter, day, recorded, org.id)
            relation, consulter_name, contact = consulter_details(rng, consulter, phrase,
                                                                   person)
            urgency = _urgency(rng, phrase, urgent)
            details, folded_details, details_tokens = _details(
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
                "next_note": rng.choice(t.next_notes) if next_date else "",
                "urgency": urgency,
                "urgency_note": t.urgency_notes[urgency[0]] if urgency else "",
                "version": 1, "amended_at": None, "amended_by": None,
            }
            consents = (people.consents(person, district, org, consulter, relation, day,
                                        last_day, staff_id, recorded)
                        if person is not None and new else [])
            folded_complaint = fold(phrase.text)
            folded = " ".join(part for part in (
                folded_complaint, folded_details, person.folded if person else "") if part)
            grams = " ".join(union(piece_tokens(folded_complaint), details_tokens,
                                   person.tokens if person else ()))
            buffer.append(Case(row, phrase.groups, tuple(elements), person, detail, consents,
                                folded, grams, refer=response in REFERRAL_SHARE))
            # Plain tuples while generating (made statistics keys once, below).
            keys[day, district, kind, channel, response, phrase.groups, tuple(elements)] += 1
            counts["urgent"] += urgent
            counts["anonymous"] += person is None
            counts["persons"] += new
            counts["repeat_persons"] += person is not None and person.visits == 2
            if consents:
                given = sum(c["given"] for c in consents)
                counts["consents_given"] += given
                counts["consents_refused"] += len(consents) - given
                counts["consents_withdrawn"] += sum(c["withdrawn_on"] is not None
                                                    for c in consents)
        if len(buffer) >= BATCH:
            with phases("insert"):
                _flush(session, buffer, counts, referred, index=index)
    with phases("insert"):
        _flush(session, buffer, counts, referred, index=index)
    for (day, district, kind, channel, response, groups, elements), n in keys.items():
        counts[f"org:{kind.value}"] += n
        counts["mixed"] += n * ref.is_mixed(set(groups))
        counts["expansion"] += n * ref.is_expansion(kind, set(groups))
        if summary is not None:
            summary[SummaryKey(day, district, kind.value, channel, response or "",
                               frozenset(groups), frozenset(elements))] += n
    return counts, day_list


def _flush(session: Target, buffer: list[Case], counts: Counter[str],
           referred: Referred | None = None, *, index: bool = True) -> None:
    """Insert the buffered consultations with their persons, details, classification rows,
    consents and search text, then empty the buffer. Cases to refer are kept in ``referred``
    with their new ids. With ``index`` False they are not indexed: the caller builds the index
    from the consultations' rows once every row is in (``store.search.rebuild``)."""
    if not buffer:
        return
    new_persons = list({id(c.person): c.person for c in buffer
                        if c.person is not None and c.person.id is None}.values())
    if new_persons:
        person_ids = insert_returning_ids(session, Person.__table__,
                                           [p.row for p in new_persons if p.row is not None])
        for person, person_id in zip(new_persons, person_ids, strict=True):
            person.id, person.row = person_id, None
    ids = insert_returning_ids(session, Consultation.__table__, [c.row for c in buffer])
    pairs = list(zip(ids, buffer, strict=True))
    groups = [{"consultation_id": cid, "code": code} for cid, case in pairs for code in case.groups]
    elements = [{"consultation_id": cid, "code": code}
                for cid, case in pairs for code in case.elements]
    bulk_insert(session, ConsultationTargetGroup.__table__, groups)
    bulk_insert(session, ConsultationElement.__table__, elements)
    bulk_insert(session, ConsultationDetail.__table__, [
        {**case.detail, "consultation_id": cid,
         "person_id": case.person.id if case.person else None} for cid, case in pairs])
    bulk_insert(session, ConsentRecordRow.__table__, [
        {**consent, "person_id": case.person.id, "consultation_id": cid}
        for cid, case in pairs if case.person is not None for consent in case.consents])
    if index:  # findable at once, as services.search.index_consultation does one by one
        if isinstance(session, Shipment):  # the fill indexes them while this generates on
            session.send(("grams", [(cid, case.row["district_code"],
                                     case.row["organisation_id"], case.grams)
                                    for cid, case in pairs]))
        else:
            search_store.index_many(session, [
                (cid, case.row["district_code"], case.row["organisation_id"], case.folded)
                for cid, case in pairs])
    for _cid, case in pairs:  # what the referrals no longer need
        case.consents, case.folded, case.grams = [], "", ""
    if referred is not None:
        referred.extend((cid, case) for cid, case in pairs if case.refer)
    counts["consultations"] += len(ids)
    counts["target_groups"] += len(groups)
    counts["elements"] += len(elements)
    buffer.clear()
