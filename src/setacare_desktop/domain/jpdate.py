"""Japanese dates: the ward's local time and the Japanese era (和暦)."""

from __future__ import annotations

import itertools
import re
import unicodedata
from datetime import UTC, date, datetime, timedelta, timezone

JST = timezone(timedelta(hours=9), "JST")

#: The years a typed date may fall in. Outside them a date is a typing mistake (R80, 9999-12-31),
#: and near ``date.max`` a period's "day after" no longer exists.
MIN_YEAR = 1900
MAX_YEAR = 2100

#: (era name, romaji initial, first day), newest first: each era begins on the day its law or
#: ordinance names (令和: 2019-05-01; 平成: 1989-01-08; 昭和: 1926-12-25; 大正: 1912-07-30).
#: 明治 is counted from 1868 (明治元年); the ward's dates begin in 1900 (``MIN_YEAR``), long
#: after the Gregorian calendar (明治6年1月1日), so only its last years are ever typed: people
#: born in 明治 are past 110 and still consult.
ERAS: tuple[tuple[str, str, date], ...] = (
    ("令和", "R", date(2019, 5, 1)),
    ("平成", "H", date(1989, 1, 8)),
    ("昭和", "S", date(1926, 12, 25)),
    ("大正", "T", date(1912, 7, 30)),
    ("明治", "M", date(1868, 1, 25)),
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


class DateParseError(ValueError):
    """The text is not a date we understand; the message is Japanese and names the problem."""


_ERA_BY_NAME = {name: start for name, _initial, start in ERAS}
_ERA_BY_INITIAL = {initial: start for _name, initial, start in ERAS}
_ERA_END: dict[date, date] = {}
for _newer, _older in itertools.pairwise(ERAS):
    _ERA_END[_older[2]] = _newer[2] - timedelta(days=1)

_WAREKI = re.compile(r"^(令和|平成|昭和|大正|明治)(元|\d{1,2})年(\d{1,2})月(\d{1,2})日?$")
_WAREKI_SHORT = re.compile(r"^([RHSTM])(元|\d{1,2})[./\-](\d{1,2})[./\-](\d{1,2})$")
_KANJI_DIGITS = {char: value for value, char in enumerate("〇一二三四五六七八九")}
_KANJI_NUMBER = re.compile(r"[〇一二三四五六七八九十]+")
_WESTERN_KANJI = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$")
_WESTERN_SEP = re.compile(r"^(\d{4})[./\-](\d{1,2})[./\-](\d{1,2})$")
_WESTERN_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def _kanji_number(match: re.Match[str]) -> str:
    """「二十四」→ "24", 「十」→ "10", 「二〇二六」→ "2026" (positional when there is no 十)."""
    text = match.group(0)
    if "十" not in text:
        return "".join(str(_KANJI_DIGITS[char]) for char in text)
    tens, _, units = text.partition("十")
    if "十" in units or len(tens) > 1 or len(units) > 1:
        return text  # not a number a date holds: left for the format check to refuse
    return str((_KANJI_DIGITS[tens] if tens else 1) * 10 + (_KANJI_DIGITS[units] if units else 0))


def _clean(text: str) -> str:
    """Full-width digits, letters and punctuation to ASCII; kanji numerals to digits; spaces
    removed."""
    normalised = unicodedata.normalize("NFKC", text)
    normalised = _KANJI_NUMBER.sub(_kanji_number, normalised)
    return re.sub(r"\s+", "", normalised).upper()


def _era_day(start: date, year_text: str, month: int, day_of_month: int) -> date:
    era_year = 1 if year_text == "元" else int(year_text)
    if era_year < 1:
        raise DateParseError("年が正しくありません")
    try:
        result = date(start.year + era_year - 1, month, day_of_month)
    except ValueError as error:
        raise DateParseError("存在しない日付です") from error
    end = _ERA_END.get(start)
    if result < start or (end is not None and result > end):
        raise DateParseError("その元号の期間外の日付です")
    return result


def parse_date(text: str) -> date:
    """Parse a date as users type it.

    Accepts 令和8年11月24日, R8.11.24, R8/11/24, 2026-11-24, 2026/11/24, 2026年11月24日, 20261124,
    with full-width digits or kanji numerals (令和八年十一月二十四日) too, 元年, and the eras from
    明治 (M45.7.29) to 令和, from 1900 to 2100. Raises DateParseError with a Japanese
    reason.
    """
    day = _parse_date(text)
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise DateParseError(f"{MIN_YEAR}年から{MAX_YEAR}年までの日付を入力してください")
    return day


def _parse_date(text: str) -> date:
    cleaned = _clean(text)
    if not cleaned:
        raise DateParseError("日付を入力してください")
    if match := _WAREKI.match(cleaned):
        era, year, month, day_of_month = match.groups()
        return _era_day(_ERA_BY_NAME[era], year, int(month), int(day_of_month))
    if match := _WAREKI_SHORT.match(cleaned):
        era, year, month, day_of_month = match.groups()
        return _era_day(_ERA_BY_INITIAL[era], year, int(month), int(day_of_month))
    for pattern in (_WESTERN_KANJI, _WESTERN_SEP, _WESTERN_COMPACT):
        if match := pattern.match(cleaned):
            year, month, day_of_month = (int(g) for g in match.groups())
            try:
                return date(year, month, day_of_month)
            except ValueError as error:
                raise DateParseError("存在しない日付です") from error
    raise DateParseError("日付の形式が正しくありません（例: 令和8年11月24日、R8.11.24、2026-11-24）")


def age_on(birth: date, day: date) -> int:
    """Age in completed years on ``day`` (the day before a birthday counts as not yet)."""
    years = day.year - birth.year
    if (day.month, day.day) < (birth.month, birth.day):
        years -= 1
    return years


def wareki_with_western(day: date) -> str:
    """令和8年（2026年）11月25日: the era date with the western year, as forms print it."""
    text = to_wareki(day)
    era_part, _, rest = text.partition("年")
    return f"{era_part}年（{day.year}年）{rest}"


def wareki_short(day: date) -> str:
    """R8.11.24: the era's initial and the year, month and day, as lists show a date (year 1 of
    an era is 1: R1.5.1). A day before the eras known here is written 2026.11.24."""
    for _name, initial, start in ERAS:
        if day >= start:
            return f"{initial}{day.year - start.year + 1}.{day.month}.{day.day}"
    return f"{day.year}.{day.month}.{day.day}"
