"""The demo's referrals (つなぎ): destinations ranked as the app ranks them, in every status.

Consultations answered with つなぎ (and some still being followed) get referrals to destinations
chosen by the real ranking (``domain.ranking.rank``, as
``services.directory.suggest_for_consultation`` asks it), in every status from 作成 to 完了,
対応不可 and 取下げ, each step dated and attributed, with the destination's replies and due dates
(some overdue). A named person is asked for consent for each destination
(``dest:<service id>``): most give it and the referral carries their details; those who refuse
get an anonymised referral, as does every consultation about nobody named.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

from setacare_desktop.domain import reference as ref
from setacare_desktop.domain.consent import (
    ConsentRecord,
    Giver,
    Method,
    Purpose,
    destination_recipient,
    may_share_identifying,
)
from setacare_desktop.domain.directory import Directory
from setacare_desktop.domain.ranking import rank
from setacare_desktop.domain.referral import ReferralMethod, ReferralStatus, is_overdue
from setacare_desktop.services.demo.common import (
    BATCH,
    CLOSING,
    OPENING,
    UTC_OFFSET,
    Pick,
    Target,
    bulk_insert,
    insert_returning_ids,
    seconds,
)
from setacare_desktop.services.demo.consultations import REFERRAL_SHARE, Case
from setacare_desktop.services.demo.tables import tables
from setacare_desktop.services.referrals import ANONYMISED
from setacare_desktop.store.models import ConsentRecordRow, Organisation, Referral, ReferralEvent

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
        seconds=rng.randrange(seconds(CLOSING) - seconds(OPENING))) - UTC_OFFSET


class Referrals:
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
        self.ranked: dict[tuple[Any, ...], list[tuple[int, str, str | None]]] = {}
        #: (person, service id, purpose) → consent record already written (given or refused).
        self.asked: dict[tuple[int, int, str], dict[str, Any]] = {}
        self.pick_outcome = Pick(_OUTCOME_WEIGHTS)
        self.pick_method = Pick(_METHOD_WEIGHTS)
        self.pick_urgent_method = Pick(_URGENT_METHOD_WEIGHTS)

    def destinations(self, case: Case) -> list[int]:
        """Service ids ranked for the case (as the referral screen suggests them), the
        organisation that took the consultation left out: one does not refer to oneself."""
        row, detail = case.row, case.detail
        flags: list[str] | bool = list(detail["urgency"]) or bool(row["urgent"])
        key = (row["district_code"], case.groups, case.elements,
               tuple(flags) if isinstance(flags, list) else flags, row["main_complaint"])
        ranked = self.ranked.get(key)
        if ranked is None:  # the ranking does not depend on who asks: one per case kind
            ranked = self.ranked[key] = [
                (self.ids[s.service.id], s.organization.kind, s.organization.district_code)
                for s in rank(self.directory, district_code=row["district_code"],
                              target_groups=case.groups, elements=case.elements,
                              urgent=flags, text=row["main_complaint"], limit=8)]
        own = self.org_kind[row["organisation_id"]]
        return [service for service, *owner in ranked if tuple(owner) != own
                ][:len(_PICK_WEIGHTS)]

    def build(self, referred: list[tuple[int, Case]]) -> tuple[
            list[dict[str, Any]], list[list[dict[str, Any]]], list[dict[str, Any]]]:
        """(referral rows, the event rows of each, new consent records)."""
        rng = self.rng
        referrals: list[dict[str, Any]] = []
        steps: list[list[dict[str, Any]]] = []
        consents: list[dict[str, Any]] = []
        for cid, case in referred:
            if rng.random() >= REFERRAL_SHARE[case.row["response_code"]]:
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

    def _consent(self, cid: int, case: Case, service_id: int, purpose: Purpose, day: date,
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

    def _one(self, cid: int, case: Case, service_id: int) -> tuple[
            dict[str, Any], list[dict[str, Any]], dict[str, Any] | None]:
        rng, t = self.rng, tables()
        row = case.row
        day: date = row["received_on"]
        staff_id: int = row["staff_id"]
        created_at = min(row["created_at"] + timedelta(minutes=rng.randrange(2, 40)),
                         self.now_utc)
        method = (self.pick_urgent_method if row["urgent"] else self.pick_method)(rng)
        consent = None
        if case.person is None:
            anonymised, basis, note = True, ANONYMISED, t.anonymised_note
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
                anonymised, basis, note = True, ANONYMISED, t.anonymised_note
        due = (None if rng.random() < 0.1 else
               _add_working_days(day, 3 if row["urgent"] else rng.choice((5, 7, 10))))
        category = case.groups[0]
        need = "・".join(ref.label_of(ref.ELEMENTS, code) for code in case.elements[:2])
        request = t.requests.get(category, t.requests["other"]).format(need=need)
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
                reason = rng.choice(t.decline_reasons)
                reply = rng.choice(t.replies[status])
            elif status is _S.WITHDRAWN:
                reason = rng.choice(t.withdraw_reasons)
            elif status in t.replies:
                reply = rng.choice(t.replies[status])
            events.append(self._event(on, at, staff_id, row, previous, status, reason, reply))
            previous = status
        assert previous is not None
        if previous is _S.IN_PROGRESS and rng.random() < 0.3:  # a reply with no status change
            on = _add_working_days(on, rng.randint(2, 6))
            at = max(at + timedelta(minutes=1), _event_time(rng, on))
            if on <= self.last and at <= self.now_utc:
                events.append(self._event(on, at, staff_id, row, previous, previous, "",
                                          rng.choice(t.progress_notes)))
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


def write_referrals(session: Target, writer: Referrals, referred: list[tuple[int, Case]],
                     counts: Counter[str]) -> None:
    """Bulk-insert the referrals of ``referred``, their steps and the consents they needed."""
    referrals, steps, consents = writer.build(referred)
    write_consents(session, consents, counts)
    write_built(session, writer, referrals, steps, counts)


def write_built(session: Target, writer: Referrals, referrals: list[dict[str, Any]],
                steps: list[list[dict[str, Any]]], counts: Counter[str]) -> None:
    """Bulk-insert built referrals (``Referrals.build``) and their steps."""
    for start in range(0, len(referrals), BATCH):
        chunk = referrals[start:start + BATCH]
        ids = insert_returning_ids(session, Referral.__table__, chunk)
        events = [{**event, "referral_id": rid}
                  for rid, chunk_events in zip(ids, steps[start:start + BATCH], strict=True)
                  for event in chunk_events]
        bulk_insert(session, ReferralEvent.__table__, events)
        counts["referral_events"] += len(events)
    counts["referrals"] += len(referrals)
    for referral in referrals:
        status = ReferralStatus(referral["status"])
        counts[f"referral:{status.value}"] += 1
        counts["referrals_anonymised"] += referral["anonymised"]
        counts["referrals_overdue"] += is_overdue(status, referral["reply_due"], writer.last)


def write_consents(session: Target, consents: list[dict[str, Any]],
                   counts: Counter[str]) -> None:
    """Bulk-insert the destination consents the referrals needed (``Referrals.build``)."""
    bulk_insert(session, ConsentRecordRow.__table__, consents)
    given = sum(c["given"] for c in consents)
    counts["destination_consents_given"] += given
    counts["destination_consents_refused"] += len(consents) - given
    counts["consents_given"] += given
    counts["consents_refused"] += len(consents) - given
