"""Blocks that more than one printout shows: the person (対象者), the consulter (相談者) and the
consultation itself, as plain data and as boxed fields."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.platypus import Flowable

from setacare_desktop.reports.common import Styles, checkboxes, field_table, section, text


@dataclass(frozen=True, slots=True)
class SubjectBlock:
    """対象者 as printed; an anonymised sheet carries initials and an age band only."""

    name: str
    reading: str
    birth: str  # 「昭和20年4月1日（81歳）」, or 「80歳代」 on an anonymised sheet
    sex: str
    address: str
    phone: str
    household: str


@dataclass(frozen=True, slots=True)
class ConsulterBlock:
    kind: str
    relation: str
    name: str
    contact: str


@dataclass(frozen=True, slots=True)
class ConsultationBlock:
    received: str  # 和暦 and time
    channel: str
    target_groups: tuple[str, ...]
    elements: tuple[str, ...]
    main_complaint: str
    details: str  # 相談の概要
    progress: str  # これまでの経過・対応
    urgency: tuple[str, ...]  # the flags raised
    urgency_options: tuple[str, ...]  # every flag, for the checkboxes
    urgency_note: str
    #: An anonymised sheet: ``details`` is the 匿名用の概要 and no 主訴 is printed.
    anonymised: bool = False


def subject_section(subject: SubjectBlock | None, styles: Styles,
                    title: str = "対象者") -> list[Flowable]:
    if subject is None:
        return section(title, [text("匿名の相談（対象者の記録なし）", styles.boxed)], styles)
    return section(title, [field_table([
        [("氏名", subject.name), ("ふりがな", subject.reading)],
        [("生年月日", subject.birth), ("性別", subject.sex)],
        [("住所", subject.address)],
        [("電話", subject.phone), ("世帯状況", subject.household)],
    ], styles)], styles)


def consulter_section(consulter: ConsulterBlock, styles: Styles) -> list[Flowable]:
    return section("相談者", [field_table([
        [("区分", consulter.kind), ("続柄・関係", consulter.relation)],
        [("氏名", consulter.name), ("連絡先", consulter.contact)],
    ], styles)], styles)


def consultation_section(c: ConsultationBlock, styles: Styles) -> list[Flowable]:
    """The consultation; the long texts are boxed paragraphs, so they flow onto further pages."""
    urgency = checkboxes(c.urgency_options, c.urgency)
    if c.urgency_note:
        urgency += f"\n{c.urgency_note}"
    body: list[Flowable] = [field_table([
        [("受付日時", c.received), ("受付方法", c.channel)],
        [("対象区分", "・".join(c.target_groups)), ("要素", "・".join(c.elements))],
        [("緊急性", urgency)],
    ], styles)]
    texts = ((("相談の概要（匿名用）", c.details),) if c.anonymised
             else (("主訴", c.main_complaint), ("相談の概要", c.details)))
    for label, value in (*texts, ("これまでの経過・対応", c.progress)):
        body += [text(label, styles.label), text(value or "（記載なし）", styles.boxed)]
    return section("相談内容", body, styles)
