"""The review page's texts: a district's sign-off line and the selected consultation's detail,
as the supervisor may see it (a masked row says so and why; an emergency view says so)."""

from __future__ import annotations

import html

from setacare_desktop.domain.jpdate import utc_to_local, wareki_short
from setacare_desktop.domain.visibility import Access
from setacare_desktop.services.review import ReviewRow, SignoffRow
from setacare_desktop.ui.row_model import MARK_COLOR, MASKED_TOOLTIP, MUTED_COLOR

#: Above a consultation shown under an emergency exception (the intake form says the same).
EMERGENCY_BANNER = "緊急時の例外により表示しています"


def _local(moment: object) -> str:
    local = utc_to_local(moment)  # type: ignore[arg-type]
    return f"{wareki_short(local.date())} {local:%H:%M}"


def signoff_text(district_name: str, signoff: SignoffRow | None) -> str:
    if signoff is None:
        return f"{district_name}地区: 日次確認 未"
    text = (f"{district_name}地区: 日次確認済（{signoff.signed_by}、"
            f"{_local(signoff.signed_at)}）")
    if signoff.amended_since:
        text += f" ― 確認後の修正・追加 {signoff.amended_since}件"
    return text


def detail_html(row: ReviewRow) -> str:
    """The selected consultation, read-only, for the detail pane."""
    e = html.escape
    parts = [f"<h3>No.{row.consultation_id} {e(row.person_name)}</h3>",
             f"<p>{wareki_short(row.received_at.date())} {row.received_at:%H:%M} {e(row.district_name)}地区 "
             f"{e(row.organisation_name)}（受付: {e(row.staff_name)}）</p>"]
    if row.masked:
        parts.append(f"<p style='color:{MUTED_COLOR}'><b>{e(MASKED_TOOLTIP)}</b>: "
                     f"{e(row.access_reason)} 確認済・差戻しの記録はできます。</p>")
    elif row.access is Access.EMERGENCY:
        parts.append(f"<p style='color:{MARK_COLOR}'><b>{e(EMERGENCY_BANNER)}</b>"
                     "（この表示は記録されます）</p>")
    if row.flags:
        items = "".join(f"<li><b>{e(f.label)}</b>: {e(f.explanation)}</li>" for f in row.flags)
        parts.append(f"<p style='color:#b00020'><b>要注意</b></p><ul>{items}</ul>")
    parts.append(f"<p><b>対象:</b> {e('・'.join(row.target_labels) or '（なし）')}</p>")
    parts.append(f"<p><b>主訴:</b> {e(row.main_complaint) or '（未記入）'}</p>")
    if row.details:
        parts.append(f"<p><b>相談内容:</b><br>{e(row.details).replace(chr(10), '<br>')}</p>")
    parts.append(f"<p><b>対応:</b> {e(row.response_label) or '（未記入）'}</p>")
    if row.urgency_labels:
        parts.append(f"<p><b>緊急:</b> {e('・'.join(row.urgency_labels))}</p>")
    if row.referral_lines:
        items = "".join(f"<li>{e(line)}</li>" for line in row.referral_lines)
        parts.append(f"<p><b>つなぎ:</b></p><ul>{items}</ul>")
    state = f"<p><b>確認:</b> {e(row.state.label)}"
    if row.decision is not None and row.reviewed_at is not None:
        earlier = "" if row.decision.label == row.state.label else f"前回 {row.decision.label}、"
        state += f"（{e(earlier)}{e(row.reviewed_by)}、{_local(row.reviewed_at)}）"
    parts.append(state + "</p>")
    if row.comment:
        parts.append(f"<p><b>コメント:</b> {e(row.comment)}</p>")
    return "".join(parts)
