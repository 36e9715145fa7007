"""相談受付票: the record of one consultation, for the window's own file (not sent anywhere)."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.platypus import Flowable

from setacare_desktop.reports.blocks import (
    ConsultationBlock,
    ConsulterBlock,
    SubjectBlock,
    consultation_section,
    consulter_section,
    subject_section,
)
from setacare_desktop.reports.common import (
    Styles,
    build_pdf,
    field_table,
    register_font,
    section,
    text,
)


@dataclass(frozen=True, slots=True)
class IntakeRecord:
    consultation_id: int
    district: str
    organisation: str
    staff: str
    printed_on: str  # 和暦
    subject: SubjectBlock | None
    consulter: ConsulterBlock
    consultation: ConsultationBlock
    response: str
    next_step: str  # 次回予定 (date and note)
    consents: tuple[str, ...]  # one line per consent record, as given (withdrawals included)


def render_intake_record(record: IntakeRecord) -> bytes:
    register_font()
    styles = Styles()
    story: list[Flowable] = [
        text("相談受付票", styles.title),
        field_table([
            [("受付No.", str(record.consultation_id)), ("印刷日", record.printed_on)],
            [("地区", record.district), ("受付機関", record.organisation)],
            [("受付者", record.staff)],
        ], styles),
    ]
    story += subject_section(record.subject, styles)
    story += consulter_section(record.consulter, styles)
    story += consultation_section(record.consultation, styles)
    story += section("対応", [field_table([
        [("対応", record.response or "（未記入）")],
        [("次回予定", record.next_step or "（なし）")],
    ], styles)], styles)
    story += section("本人同意", [text("\n".join(record.consents) or "（記録なし）",
                                       styles.boxed)], styles)
    return build_pdf(story, title=f"相談受付票 No.{record.consultation_id}",
                     document_number=f"受付No. {record.consultation_id}")
