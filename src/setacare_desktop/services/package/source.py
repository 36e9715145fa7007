"""The review screen's source over an opened package: the offline review, with no database.

The window shows the review through a ``services.review.ReviewSource``; this is the one that
reads a package instead of the database (``setacare package open``). Cases are read-only; each
decision (確認済 / 差戻し, 日次確認) is checked as the database source checks it, signed with the
reviewer's token (``proof``) and written into the package file at once, under the key the file
was opened with; once the package has expired nothing more is saved. Kept apart from the import
and export because it must work on a laptop that has no database at all.
"""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path
from typing import Any

from setacare_desktop.domain.jpdate import utc_to_local
from setacare_desktop.domain.review import Decision, decision_problem, state_of
from setacare_desktop.domain.roles import StaffProfile
from setacare_desktop.services.errors import (
    PermissionDeniedError,
    Problem,
    ServiceError,
    ValidationError,
)
from setacare_desktop.services.files import write_atomically
from setacare_desktop.services.package import clock, codec
from setacare_desktop.services.package.auditrows import AuditRow
from setacare_desktop.services.package.contents import OfflineDecision, Package
from setacare_desktop.services.review import (
    NOT_A_REVIEWER,
    OUT_OF_SCOPE,
    STALE,
    DayReview,
    ReviewRow,
    SignoffRow,
)


class PackageReviewSource:
    """The review screen over an opened package, as ``actor`` (logged in with
    :meth:`Package.login`). Decisions go into the package file at ``path`` at once."""

    offline = True

    def __init__(self, package: Package, actor: StaffProfile, path: Path,
                 passphrase: str) -> None:
        reviewer = package.reviewer(actor.login)
        if reviewer is None or reviewer.staff_id != actor.staff_id:
            raise PermissionDeniedError(NOT_A_REVIEWER)
        self._package = package
        self._actor = actor
        self._reviewer = reviewer
        self._path = Path(path)
        self._passphrase = passphrase
        self.title = (f"日次パッケージ（オフライン）: {package.scope_label} "
                      f"{package.start:%Y-%m-%d}〜{package.end:%Y-%m-%d}")

    @property
    def package(self) -> Package:
        return self._package

    def districts(self) -> tuple[str, ...]:
        return self._reviewer.districts

    def audit_rows(self) -> tuple[AuditRow, ...]:
        """The packaged 操作記録 of the reviewer's districts (and of the area branch, for the
        area's own supervisors)."""
        return self._package.audit_rows(self.districts(),
                                        area_rows=self._reviewer.district_code is None)

    def days(self) -> tuple[date, ...] | None:
        """Every day of the package's range (a quiet day can be signed off too)."""
        return self._package.range_days

    def load(self, day: date, district_code: str | None = None) -> DayReview:
        if not self._package.start <= day <= self._package.end:
            raise ServiceError(f"{day:%Y-%m-%d} はこのパッケージの期間"
                               f"（{self._package.start:%Y-%m-%d}〜{self._package.end:%Y-%m-%d}）"
                               "の外です。")
        if district_code is not None and district_code not in self.districts():
            raise PermissionDeniedError(OUT_OF_SCOPE)
        shown = (district_code,) if district_code else self.districts()
        exported = self._package.exported_day(day)
        rows = [r for r in (exported.rows if exported else ()) if r.district_code in shown]
        signoffs = {code: s for code, s in (exported.signoffs if exported else {}).items()
                    if code in shown}
        latest: dict[int, OfflineDecision] = {}
        for decision in self._package.decisions:
            if decision.day != day or decision.district_code not in shown:
                continue
            if decision.kind == "case" and decision.consultation_id is not None:
                latest[decision.consultation_id] = decision
            elif decision.kind == "signoff":
                signoffs[decision.district_code] = SignoffRow(
                    decision.district_code, day, decision.name, decision.at, decision.comment)
        rows = [self._with(row, latest[row.consultation_id])
                if row.consultation_id in latest else row for row in rows]
        return DayReview(day=day, districts=tuple(shown), rows=tuple(rows), signoffs=signoffs)

    @staticmethod
    def _with(row: ReviewRow, decision: OfflineDecision) -> ReviewRow:
        return ReviewRow(
            consultation_id=row.consultation_id, version=row.version,
            district_code=row.district_code, received_at=row.received_at,
            organisation_name=row.organisation_name, staff_name=row.staff_name,
            person_name=row.person_name, target_labels=row.target_labels,
            main_complaint=row.main_complaint, details=row.details,
            response_label=row.response_label, urgency_labels=row.urgency_labels,
            referral_lines=row.referral_lines, flags=row.flags,
            state=state_of(decision.decision, decision.seen_version, row.version),
            decision=decision.decision, comment=decision.comment, reviewed_by=decision.name,
            reviewed_at=decision.at)

    def _row(self, consultation_id: int) -> ReviewRow:
        for review in self._package.days():
            for row in review.rows:
                if row.consultation_id == consultation_id:
                    return row
        raise ServiceError(f"相談 No.{consultation_id} はこのパッケージにありません。")

    def decide(self, consultation_id: int, decision: Decision, comment: str, *,
               seen_version: int) -> None:
        problem = decision_problem(decision, comment)
        if problem:
            raise ValidationError([Problem("コメント", problem)])
        row = self._row(consultation_id)
        if row.district_code not in self.districts():
            raise PermissionDeniedError(OUT_OF_SCOPE)
        if seen_version != row.version:
            raise ServiceError(STALE)
        self._save(self._decision("case", row.district_code, row.received_at.date(), comment,
                                  consultation_id=consultation_id, decision=decision,
                                  seen_version=seen_version))

    def sign_off(self, day: date, district_code: str, comment: str = "") -> SignoffRow:
        if district_code not in self.districts():
            raise PermissionDeniedError(OUT_OF_SCOPE)
        problem = decision_problem(Decision.CONFIRMED, comment)
        if problem:
            raise ValidationError([Problem("コメント", problem)])
        today = utc_to_local(clock.utc_now()).date()
        problem = self.load(day, district_code).signoff_refusal(district_code, today)
        if problem:
            raise ServiceError(problem)
        made = self._decision("signoff", district_code, day, comment)
        self._save(made)
        return SignoffRow(district_code, day, made.name, made.at, made.comment)

    def _decision(self, kind: str, district_code: str, day: date, comment: str,
                  **case: Any) -> OfflineDecision:
        return self._package.signed(OfflineDecision(
            uid=str(uuid.uuid4()), kind=kind, district_code=district_code, day=day,
            staff_id=self._actor.staff_id, login=self._actor.login, name=self._actor.name,
            at=clock.utc_now(), comment=comment.strip(), **case))

    def _save(self, decision: OfflineDecision) -> None:
        """Into the file at once, or not at all (the decision is dropped again). Not after the
        package's expiry: it could not be imported any more."""
        codec.check_not_expired(self._package.binding)
        self._package.add_decision(decision)
        try:
            write_atomically(self._path, self._package.resealed())
        except OSError as error:
            self._package.drop_decision(decision)
            raise ServiceError(f"パッケージに保存できませんでした（{error.strerror or error}）。"
                               "判断は記録されていません。") from error
