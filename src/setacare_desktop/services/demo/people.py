"""Who a demo consultation is about, and who consulted: synthetic persons and their consents.

A person is a random combination of a common family and given name of their generation, with
readings; the address is a 町丁目 of the district without a real house number; a phone number,
where there is one, cannot exist (the 0000 exchange). Some persons come back (repeat visitors);
the first consultation about a person records their consent to sharing, given or refused.
"""

from __future__ import annotations

import functools
import random
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from setacare_desktop.domain import reference as ref
from setacare_desktop.domain.consent import org_recipient
from setacare_desktop.domain.kana import digits_only, name_key, reading_key, search_text
from setacare_desktop.services.demo.common import Org, Pick
from setacare_desktop.services.demo.tables import Phrase, tables
from setacare_desktop.services.demo.tokens import piece_tokens, union


def fake_phone(rng: random.Random) -> str:
    """A number that cannot exist (the 0000 exchange), so demo data never reaches anyone."""
    return f"{rng.choice(('090', '080', '03'))}-0000-{rng.randrange(10_000):04d}"


@functools.cache
def fold(text: str) -> str:
    """``domain.kana.search_text`` of a piece of text, cached (the pieces repeat a lot)."""
    return search_text(text)


@dataclass(slots=True, eq=False)
class DemoPerson:
    """A person being written; ``row`` is dropped once the row is inserted."""

    row: dict[str, Any] | None
    surname: str
    birth: date | None
    household: str | None
    folded: str  # the name, reading and phone part of the search text
    tokens: tuple[str, ...] = ()  # its index tokens (``tokens.piece_tokens`` of its parts)
    sex: str | None = None
    child: bool = False
    id: int | None = None
    visits: int = 0
    #: The organisations that took a consultation about them, and those they consented to
    #: share with (the day it was withdrawn, or None): who may link them to a new consultation.
    seen_by: set[int] = field(default_factory=set)
    shared: dict[int, date | None] = field(default_factory=dict)

    def visible_to(self, organisation_id: int, day: date) -> bool:
        """Whether the intake form would let that organisation link this person on ``day``
        (``services.persons.require_person_visible``): its own case, or consent to share."""
        if organisation_id in self.seen_by:
            return True
        withdrawn = self.shared.get(organisation_id, day)
        return organisation_id in self.shared and (withdrawn is None or withdrawn > day)


class People:
    """Decides who each consultation is about: a new person, a returning one, or nobody."""

    #: A named consultation is about someone already on record this often (repeat visitors).
    RETURNING = 0.3

    def __init__(self, rng: random.Random, partners: dict[str, dict[ref.OrgKind, Org]],
                 branches: dict[str, Org]) -> None:
        self.rng = rng
        self.partners = partners
        self.branches = branches  # district code → its area branch
        self.t = t = tables()
        self.known: dict[tuple[str, str], list[DemoPerson]] = {}
        self.surname = Pick({(k, r): w for k, r, w in t.person_surnames})
        self.ages = {group: Pick({(lo, hi): w for lo, hi, w in ranges})
                     for group, ranges in t.ages.items()}
        self.households = {group: Pick(w) for group, w in t.households.items()}

    def about(self, district: str, phrase: Phrase, consulter: str, day: date,
              recorded: datetime, organisation_id: int) -> tuple[DemoPerson | None, bool]:
        """(the person, whether new) for one consultation; None when nobody is named.

        A returning person is one the taking organisation may link (its own earlier case, or
        consent to share with it); anyone else is met as a new person, as the form would."""
        rng = self.rng
        category = phrase.groups[0]
        if consulter == "anonymous" or rng.random() < (0.15 if consulter == "neighbour" else 0.03):
            return None, False
        known = self.known.setdefault((district, category), [])
        if known and rng.random() < self.RETURNING:
            person = rng.choice(known)
            said = sex_of_subject(phrase.text)
            if not (person.child and consulter == "self") and (
                    said is None or person.child or person.sex == said) and (
                    "一人暮らし" not in phrase.text or person.household == "single") and (
                    person.visible_to(organisation_id, day)):
                person.visits += 1
                person.seen_by.add(organisation_id)
                return person, False
        person = self._new(district, phrase, consulter, day, recorded)
        known.append(person)
        person.visits = 1
        person.seen_by.add(organisation_id)
        return person, True

    def _new(self, district: str, phrase: Phrase, consulter: str, day: date,
             recorded: datetime) -> DemoPerson:
        rng, t = self.rng, self.t
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
        if not child and (said := sex_of_subject(phrase.text)):
            sex = said  # 「母の物忘れ」 is about a woman
        generation = "old" if birth.year < 1960 else "middle" if birth.year <= 2005 else "young"
        name_sex = sex if sex in ("female", "male") else rng.choice(("female", "male"))
        given, given_reading = rng.choice(t.given[(generation, name_sex)])
        surname, surname_reading = self.surname(rng)
        name, reading = f"{surname} {given}", f"{surname_reading} {given_reading}"
        town, rest = "", ""
        if rng.random() < 0.92:
            town_name, chome = rng.choice(t.towns[district])
            town = f"{town_name}{t.kanji_digits[rng.randrange(chome)]}丁目"
            rest = f"{rng.randint(1, 40)}番{rng.randint(1, 25)}号"
            if rng.random() < 0.3:
                rest += f" {rng.choice(t.buildings)}{town_name}{rng.randint(1, 4)}0{rng.randint(1, 6)}"
        phone = fake_phone(rng) if rng.random() < 0.3 else ""
        household = "single" if "一人暮らし" in phrase.text else self.households[category](rng)
        if age < 18 and household == "single":
            household = "with_family"
        if age_group == "elderly" or rng.random() > 0.08:
            birth_date: date | None = birth
        else:
            birth_date = None  # not told
        parts = [fold(name), fold(name.replace(" ", "")), fold(reading),
                 fold(reading.replace(" ", ""))] + (
            [search_text(phone), digits_only(phone)] if phone else [])
        folded = " ".join(parts)
        row = {
            "district_code": district, "name": name, "reading": reading,
            "name_key": _name_key(name), "reading_key": _reading_key(reading),
            "birth_date": birth_date, "sex": sex, "address_town": town, "address_rest": rest,
            "phone": phone, "phone_digits": digits_only(phone), "household": household,
            "created_at": recorded, "updated_at": recorded,
        }
        return DemoPerson(row, surname, birth_date, household, folded,
                          union(*map(piece_tokens, parts)), sex, child=age < 15)

    def consents(self, person: DemoPerson, district: str, taken_at: Org,
                 consulter: str, relation: str, day: date, last: date, staff_id: int,
                 recorded: datetime) -> list[dict[str, Any]]:
        """Consent records of a person's first consultation: most given, some refused, some
        not asked; a few given ones withdrawn later (the record stays)."""
        rng, t = self.rng, self.t
        roll = rng.random()
        if roll >= 0.92:
            return []
        given = roll < 0.80
        partners = self.partners[district]
        orgs = [partners[ref.OrgKind.ANSHIN]]
        if taken_at.id != orgs[0].id:
            orgs.append(taken_at)
        if rng.random() < 0.4:
            # Everyone of the district, and the area branch that backs it up.
            orgs = [partners[kind] for kind in ref.DISTRICT_PARTNERS] + [self.branches[district]]
        purposes = ["share"] + (["sheet"] if given and rng.random() < 0.3 else [])
        proxy = person.child or (consulter == "family" and rng.random() < 0.5)
        # A representative is family: the relative who consulted, else a parent of the child.
        giver_relation = ((relation if consulter == "family" and relation else "母") if proxy
                          else "")
        method = "written" if rng.random() < 0.25 else "oral"
        withdrawn_on: date | None = None
        if given and day < last and rng.random() < 0.02:
            withdrawn_on = min(last, day + timedelta(days=rng.randint(1, 20)))
        if given:
            person.shared.update({org.id: withdrawn_on for org in orgs})
        return [{
            "recipient": _recipient(org.id), "purpose": purpose, "given": given,
            "giver": "proxy" if proxy else "self", "giver_relation": giver_relation,
            "method": method, "given_on": day, "recorded_by": staff_id,
            "recorded_at": recorded, "withdrawn_on": withdrawn_on,
            "withdrawal_reason": rng.choice(t.withdrawal_reasons) if withdrawn_on else "",
            "withdrawn_by": staff_id if withdrawn_on else None,
        } for org in orgs for purpose in purposes]



_SUBJECT = re.compile(r"(?<![祖父])(母|父|息子|夫)|産後")


@functools.cache
def sex_of_subject(text: str) -> str | None:
    """The sex of whom a main complaint is about, when it says (母, 父, 息子, 夫, 産後)."""
    match = _SUBJECT.search(text)
    if match is None:
        return None
    return "male" if match.group(1) in ("父", "息子", "夫") else "female"


@functools.cache
def _recipient(organisation_id: int) -> str:
    return org_recipient(organisation_id)


@functools.cache
def _name_key(name: str) -> str:
    return name_key(name)


@functools.cache
def _reading_key(reading: str) -> str:
    return reading_key(reading)


def consulter_details(rng: random.Random, consulter: str, phrase: Phrase,
                      person: DemoPerson | None) -> tuple[str, str, str]:
    """(relation, name, contact) of whoever consulted, as the 相談者 fields hold them."""
    t = tables()
    choices = t.relations.get(consulter)
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
        surname = person.surname if person else t.person_surnames[rng.randrange(20)][0]
        name = f"{surname} {rng.choice(t.given[('middle', rng.choice(('female', 'male')))])[0]}"
    if consulter in ("family", "neighbour", "agency") and rng.random() < 0.4:
        contact = fake_phone(rng)
    return relation, name, contact

