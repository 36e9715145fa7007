"""A problem with what was typed or read: the one type every layer reports input errors with.

``field`` identifies the field by a stable key (``"person.name"``, ``"main_complaint"``), so a
form finds its widget by the key and never by the Japanese text on the screen; ``label`` is that
text, looked up in :data:`LABELS`. Where no form field is involved (a place in an imported file,
a command-line option) the field is that place itself and serves as its own label.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: The intake form's fields: key -> the label the form shows and every message names.
LABELS: dict[str, str] = {
    "received_at": "受付日時",
    "channel": "受付方法",
    "district": "地区",
    "consulter_kind": "相談者の区分",
    "consulter_relation": "続柄・機関名",
    "consulter_name": "相談者氏名",
    "consulter_contact": "相談者の連絡先",
    "target_groups": "対象区分",
    "elements": "相談内容の分類",
    "main_complaint": "主訴",
    "details": "相談内容",
    "response": "対応",
    "next_date": "次回予定",
    "next_note": "次回予定のメモ",
    "urgency": "緊急性",
    "urgency_note": "緊急性のメモ",
    "consents": "本人同意",
    "person_id": "対象者ID",
    "person.name": "氏名",
    "person.reading": "ふりがな",
    "person.birth_date": "生年月日",
    "person.sex": "性別",
    "person.address_town": "住所（町丁目）",
    "person.address_rest": "住所（番地以降）",
    "person.phone": "電話",
    "person.household": "世帯状況",
}


@dataclass(frozen=True, slots=True)
class Problem:
    field: str
    message: str
    label: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not self.label:
            object.__setattr__(self, "label", LABELS.get(self.field, self.field))

    def __str__(self) -> str:
        return f"{self.label}: {self.message}"
