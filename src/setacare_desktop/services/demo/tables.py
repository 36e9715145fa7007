"""The demo's literal tables, read from the JSON files in ``resources/demo/``.

Names, 主訴 phrases, address parts, ages, the fragments of 相談内容, and what referrals and reviews
say are data, not logic: they live in UTF-8 JSON that a reviewer can read (and a translator or a
domain expert can edit) without touching the generator. They are read once, on first use, through
``importlib.resources`` so that an installed wheel and a PyInstaller bundle find them too; nothing
is read when ``setacare`` starts without generating demo data.

The order of every list and mapping is kept exactly as written: the generator draws from them with
a seeded random generator, so the same seed gives the same data only while the order stands
(``tests/services/test_demo.py`` pins it).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from setacare_desktop.domain.referral import ReferralStatus

RESOURCE_PACKAGE = "setacare_desktop.resources"
FOLDER = "demo"


@dataclass(frozen=True, slots=True)
class Phrase:
    """A main complaint (主訴) with what it implies."""

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


@dataclass(frozen=True, slots=True)
class Tables:
    """Every table, typed; see the ``about`` entry of each JSON file for what it holds."""

    staff_surnames: tuple[str, ...]
    staff_given_names: tuple[str, ...]
    phrases: tuple[Phrase, ...]
    person_surnames: tuple[tuple[str, str, float], ...]
    given: dict[tuple[str, str], tuple[tuple[str, str], ...]]
    towns: dict[str, tuple[tuple[str, int], ...]]
    kanji_digits: str
    buildings: tuple[str, ...]
    ages: dict[str, tuple[tuple[int, int, float], ...]]
    households: dict[str, dict[str | None, float]]
    household_text: dict[str | None, str]
    relations: dict[str, dict[str, tuple[str, ...]]]
    situations: dict[str, tuple[str, ...]]
    referral_targets: dict[str, tuple[str, ...]]
    actions: dict[str | None, tuple[str, ...]]
    urgency_notes: dict[str, str]
    next_notes: tuple[str, ...]
    withdrawal_reasons: tuple[str, ...]
    channel_intro: dict[str, str]
    replies: dict[ReferralStatus, tuple[str, ...]]
    progress_notes: tuple[str, ...]
    decline_reasons: tuple[str, ...]
    withdraw_reasons: tuple[str, ...]
    requests: dict[str, str]
    anonymised_note: str
    return_comments: tuple[str, ...]
    no_response_comment: str


def read(name: str) -> dict[str, Any]:
    """One file of ``resources/demo/``, parsed."""
    text = files(RESOURCE_PACKAGE).joinpath(FOLDER, name).read_text(encoding="utf-8")
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError(f"resources/demo/{name}: expected an object")
    return data


def _texts(items: list[str]) -> tuple[str, ...]:
    return tuple(str(item) for item in items)


@functools.cache
def tables() -> Tables:
    """The tables, read on first use and kept (they never change while the program runs)."""
    staff, phrases, persons = read("staff.json"), read("phrases.json"), read("persons.json")
    details, referrals = read("details.json"), read("referrals.json")
    return Tables(
        staff_surnames=_texts(staff["surnames"]),
        staff_given_names=_texts(staff["given_names"]),
        phrases=tuple(Phrase(p["text"], tuple(p["groups"]), tuple(p["elements"]),
                             tuple(p["risk"]), p["voice"]) for p in phrases["phrases"]),
        person_surnames=tuple((name, reading, weight)
                              for name, reading, weight in persons["surnames"]),
        given={(generation, sex): tuple((name, reading) for name, reading in names)
               for generation, by_sex in persons["given"].items()
               for sex, names in by_sex.items()},
        towns={district: tuple((town, chome) for town, chome in towns)
               for district, towns in persons["towns"].items()},
        kanji_digits=persons["kanji_digits"],
        buildings=_texts(persons["buildings"]),
        ages={group: tuple((low, high, weight) for low, high, weight in ranges)
              for group, ranges in persons["ages"].items()},
        households={group: {kind: weight for kind, weight in pairs}
                    for group, pairs in persons["households"].items()},
        household_text={kind: text for kind, text in details["household_text"]},
        relations={kind: {group: _texts(names) for group, names in by_group.items()}
                   for kind, by_group in details["relations"].items()},
        situations={k: _texts(v) for k, v in details["situations"].items()},
        referral_targets={k: _texts(v) for k, v in details["referral_targets"].items()},
        actions={response: _texts(texts) for response, texts in details["actions"]},
        urgency_notes=dict(details["urgency_notes"]),
        next_notes=_texts(details["next_notes"]),
        withdrawal_reasons=_texts(details["withdrawal_reasons"]),
        channel_intro=dict(details["channel_intro"]),
        replies={ReferralStatus(status): _texts(texts)
                 for status, texts in referrals["replies"].items()},
        progress_notes=_texts(referrals["progress_notes"]),
        decline_reasons=_texts(referrals["decline_reasons"]),
        withdraw_reasons=_texts(referrals["withdraw_reasons"]),
        requests=dict(referrals["requests"]),
        anonymised_note=referrals["anonymised_note"],
        return_comments=_texts(referrals["return_comments"]),
        no_response_comment=referrals["no_response_comment"],
    )
