"""Japanese dates: the ward's local time and the Japanese era (和暦)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

JST = timezone(timedelta(hours=9), "JST")

#: (era name, romaji initial, first day), newest first.
ERAS: tuple[tuple[str, str, date], ...] = (
    ("令和", "R", date(2019, 5, 1)),
    ("平成", "H", date(1989, 1, 8)),
    ("昭和", "S", date(1926, 12, 25)),
    ("大正", "T", date(1912, 7, 30)),
)


def utc_to_local(moment: datetime) -> datetime:
    """A naive UTC timestamp (as stored) in the ward's time, naive."""
    return moment.replace(tzinfo=UTC).astimezone(JST).replace(tzinfo=None)


def local_now() -> datetime:
    return datetime.now(JST).replace(tzinfo=None)


def to_wareki(day: date) -> str:
    """令和8年11月25日. Year 1 of an era is written 元年."""
    for name, _initial, start in ERAS:
        if day >= start:
            year = day.year - start.year + 1
            year_text = "元" if year == 1 else str(year)
            return f"{name}{year_text}年{day.month}月{day.day}日"
    return f"{day.year}年{day.month}月{day.day}日"


def fiscal_year(day: date) -> int:
    """The fiscal year (April–March) a day belongs to, by its starting western year."""
    return day.year if day.month >= 4 else day.year - 1
