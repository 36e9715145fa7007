"""Synthetic demo data: staff for every district and consultations in realistic proportions.

Nothing here describes a real person. Staff and the persons consulted about (対象者) are random
combinations of common family and given names, with readings; addresses are a 町丁目 of the
district without a real house number; phone numbers, where there is one, are obviously fake
(``090-0000-1234``, ``03-0000-1234``: the 0000 exchange does not exist). Each consultation has the
intake form's details (相談者, 相談内容 written from fragments, 対応, 緊急性 consistent with the urgent
mark), most named persons have consent records (given to the district's あんしんすこやかセンター and
partners, some refused, a few withdrawn later), some consultations are anonymous, and some persons
come back several times. Consultations answered with つなぎ have referrals in every status, and the
supervisors have reviewed the earlier days. The ward sees about 780 consultations a working day.

Everything is written in one transaction, the shared demo password is hashed once, and the
folded search text is built from cached pieces. Rows go in by executemany: on SQLite as plain
DB-API tuples converted by the columns' own types (``common.bulk_insert``), on PostgreSQL through
SQLAlchemy's batched insert. Into an empty index the search index is built once after the rows
(``store.search.rebuild``). From 100,000 cases on (SQLite on Linux) a forked worker generates
the consultations and sends each batch's rows ready for the DB-API, with their search index
tokens (the ordered union of their pieces' tokens, each piece tokenised once: ``tokens``); the
fill writes and indexes them, builds and writes the batch's referrals and reviews it, while
the worker generates the next (``worker``), so both processors work and little is left to do
after the worker ends. The fill uses a large SQLite page cache meanwhile
(``store.sqlite_bulk``; memory only, durability unchanged) and pauses Python's cycle collector
(``common.without_cycle_collection``: its full collections walk every object the fill holds).
``setacare demo`` prints the wall and CPU seconds of each phase from 100,000 cases on. A
database holding accounts other than demo ones is refused: demo data never mixes with real
records.

The modules: ``fill`` (the use case), ``staff``, ``people``, ``consultations``, ``referrals`` and
``reviews`` (what each part writes), ``worker`` (the large fill's second process), ``tokens``
(the search index tokens from cached pieces), ``common``
(clock, weighted choice, bulk inserts, phase timings) and ``tables`` (the
names, phrases and texts, read from ``resources/demo/*.json``). The same seed and day give the
same rows (``tests/services/test_demo.py`` pins a digest of them).
"""

from __future__ import annotations

from setacare_desktop.services.demo.common import BATCH, CLOSING, OPENING, UTC_OFFSET, working_days
from setacare_desktop.services.demo.consultations import ORG_WEIGHTS
from setacare_desktop.services.demo.fill import (
    DEFAULT_DAYS,
    WARD_CASES_PER_WORKING_DAY,
    DemoReport,
    default_cases,
    generate,
)
from setacare_desktop.services.demo.reviews import REVIEW_TIME
from setacare_desktop.services.demo.staff import (
    ADMIN_LOGIN,
    DEMO_LOGIN_PREFIX,
    DEMO_PASSWORD,
    DemoLogin,
    demo_login,
    district_supervisor_login,
)
from setacare_desktop.services.demo.tables import Phrase, Tables, tables


def __getattr__(name: str) -> object:
    # PHRASES is read from resources/demo/phrases.json on first use, not when the command line
    # imports this package (bench/referral_bench.py and the tests import it by name).
    if name == "PHRASES":
        return tables().phrases
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ADMIN_LOGIN",
    "BATCH",
    "CLOSING",
    "DEFAULT_DAYS",
    "DEMO_LOGIN_PREFIX",
    "DEMO_PASSWORD",
    "OPENING",
    "ORG_WEIGHTS",
    "PHRASES",
    "REVIEW_TIME",
    "UTC_OFFSET",
    "WARD_CASES_PER_WORKING_DAY",
    "DemoLogin",
    "DemoReport",
    "Phrase",
    "Tables",
    "default_cases",
    "demo_login",
    "district_supervisor_login",
    "generate",
    "tables",
    "working_days",
]
