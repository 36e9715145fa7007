"""What identifies a person in a text: the check of the 匿名用の概要 before an anonymised sheet
is printed.

The anonymised liaison sheet never carries the consultation's own free text; the clerk writes a
separate summary for it, and this check lists everything in that summary that points at the
person, each as a :class:`Problem` naming what was found and how to write it instead:

- the person's or the consulter's name: any part of at least two characters (a name written
  without a space: any two characters in a row), and the reading's parts in kana (hiragana,
  katakana, half-width alike);
- an exact age (「84歳」「８４才」「八十四歳」; an age band such as 「80歳代」 is fine);
- a date (「令和8年11月24日」「2026-11-24」「11月24日」「11/24」「昭和20年生まれ」);
- a phone number (a run of digits that looks like one, full- or half-width, with or without
  hyphens or brackets);
- an address (「二丁目」「3番地」「3番4号」「2-3-4」, or the person's own address after the town).

It errs on the side of asking: a word flagged by mistake is rewritten, a name missed is sent.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import jaconv

from setacare_desktop.domain.kana import NAME_TABLE
from setacare_desktop.domain.problems import Problem
from setacare_desktop.domain.visibility import initials

#: The field every finding names (the text box of the same label).
FIELD = "匿名用の概要"

_SEPARATORS = re.compile(r"[\s\u3000・･]+")
_KANJI_DIGITS = "〇一二三四五六七八九十百"
_NUM = rf"(?:\d+|[{_KANJI_DIGITS}]+)"
_DASH = r"\-‐‑‒–—―−ー"

_AGE = re.compile(rf"{_NUM}\s*(?:歳|才)(?!代|台|以上|未満)")
_DATES = (
    re.compile(r"\d{4}\s*[年/.\-]\s*\d{1,2}\s*[月/.\-](?:\s*\d{1,2}\s*日?)?"),
    re.compile(r"(?:令和|平成|昭和|大正|明治)\s*(?:\d{1,2}|元)\s*年"
               r"(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)?(?:生まれ|生)?"),
    re.compile(r"(?<![A-Za-z])[RHSTM]\s*\d{1,2}\s*[./]\s*\d{1,2}(?:\s*[./]\s*\d{1,2})?"),
    re.compile(rf"{_NUM}\s*月\s*{_NUM}\s*日"),
    re.compile(r"(?<![\d/])\d{1,2}/\d{1,2}(?![\d/])"),
    re.compile(r"\d{4}\s*年\s*(?:生まれ|生)"),
)
_DIGIT_RUN = re.compile(rf"[(（]?\d[\d()（）{_DASH}]*\d")
_ADDRESSES = (
    re.compile(rf"{_NUM}\s*丁目"),
    re.compile(rf"{_NUM}\s*番地(?:\s*の?\s*{_NUM})?"),
    re.compile(r"(?<!第)\d+\s*番(?:\s*\d+\s*号?)?(?!目|線|手|組)"),
    re.compile(rf"[{_KANJI_DIGITS}]+番[{_KANJI_DIGITS}\d]+号?"),
    re.compile(r"(?<!第)\d+\s*号(?!館|車|線|機|被)"),
)


@dataclass(frozen=True, slots=True)
class Identifying:
    """What identifies the person of one consultation (empty strings where not recorded)."""

    person_name: str = ""
    person_reading: str = ""
    consulter_name: str = ""
    phone: str = ""
    address_rest: str = ""  # the address after the town (番地, building)


@dataclass(frozen=True, slots=True)
class _Finding:
    start: int
    end: int
    message: str


class _Text:
    """The text folded for matching (NFKC, katakana → hiragana, kanji variants, lower case),
    with each folded character's place in the text as written, to quote what was found."""

    def __init__(self, text: str) -> None:
        self.original = jaconv.h2z(text, kana=True, ascii=False, digit=False)
        folded: list[str] = []
        self.origin: list[int] = []
        for index, char in enumerate(self.original):
            for part in _fold(char):
                folded.append(part)
                self.origin.append(index)
        self.folded = "".join(folded)

    def quote(self, start: int, end: int) -> str:
        return self.original[self.origin[start]:self.origin[end - 1] + 1].strip()


def _fold(text: str) -> str:
    return jaconv.kata2hira(unicodedata.normalize("NFKC", text)).translate(NAME_TABLE).lower()


def _name_parts(name: str, *, bigrams: bool) -> list[str]:
    """The parts of a name worth looking for: each part of two or more characters; a name
    written without a space also by any two characters in a row (kanji names only)."""
    parts = [_fold(p) for p in _SEPARATORS.split(name.strip()) if p]
    found = {p for p in parts if len(p) >= 2}
    if bigrams and len(parts) == 1 and len(parts[0]) >= 3:
        found |= {parts[0][i:i + 2] for i in range(len(parts[0]) - 1)}
    return sorted(found, key=len, reverse=True)


def _words(text: _Text, words: list[str], message: str) -> list[_Finding]:
    findings = []
    for word in words:
        for match in re.finditer(re.escape(word), text.folded):
            findings.append(_Finding(match.start(), match.end(), message))
    return findings


def _patterns(text: _Text, patterns: tuple[re.Pattern[str], ...], message: str
              ) -> list[_Finding]:
    return [_Finding(m.start(), m.end(), message)
            for pattern in patterns for m in pattern.finditer(text.folded)]


def _number(text: str) -> int:
    """「84」 or 「八十四」 as a number (up to 百)."""
    if text.isdigit():
        return int(text)
    value = {c: i for i, c in enumerate("〇一二三四五六七八九")}
    total = current = 0
    for char in text:
        if char in value:
            current = current * 10 + value[char]
        else:  # 十 or 百: the digits before (none: one) times ten or a hundred
            total += (current or 1) * (10 if char == "十" else 100)
            current = 0
    return total + current


def _ages(text: _Text) -> list[_Finding]:
    findings = []
    for match in _AGE.finditer(text.folded):
        number = re.match(rf"\d+|[{_KANJI_DIGITS}]+", match.group())
        age = _number(number.group()) if number else 0
        band = "100歳以上" if age >= 100 else f"{age // 10 * 10}歳代"
        findings.append(_Finding(match.start(), match.end(),
                                 f"は正確な年齢です。「{band}」のように年代で書いてください"))
    return findings


def _digit_runs(text: _Text, phone_digits: str) -> list[_Finding]:
    """Phone numbers and 〇-〇-〇 addresses: runs of digits joined by hyphens or brackets."""
    findings = []
    for match in _DIGIT_RUN.finditer(text.folded):
        run, start = match.group(), match.start()
        if run[0] == "(" and ")" not in run:  # 「（090-…）」: the bracket is the sentence's
            run, start = run[1:], start + 1
        digits = re.sub(r"\D", "", run)
        groups = len([g for g in re.split(rf"[()（）{_DASH}]+", run) if g])
        phone = ((len(digits) >= 10 and digits.startswith("0"))
                 or (len(digits) >= 8 and (groups <= 2 or len(digits) >= 9))
                 or (len(phone_digits) >= 4 and phone_digits in digits))
        if phone:
            findings.append(_Finding(start, match.end(),
                                     "は電話番号のようです。電話番号は書かないでください"))
        elif groups >= 3:
            findings.append(_Finding(start, match.end(),
                                     "は住所（番地）のようです。住所は書かないでください"))
    return findings


def findings(text: str, facts: Identifying) -> list[Problem]:
    """Everything in ``text`` that identifies the person of ``facts``, in the order it appears,
    each once; an empty list when nothing does."""
    folded = _Text(text)
    person = initials(facts.person_reading) if facts.person_reading else "Y.T."
    checks = [
        *_words(folded, _name_parts(facts.person_name, bigrams=True),
                f"は対象者の氏名の一部です。「本人」やイニシャル（{person}）で書いてください"),
        *_words(folded, _name_parts(facts.person_reading, bigrams=False),
                f"は対象者のふりがなの一部です。「本人」やイニシャル（{person}）で書いてください"),
        *_words(folded, _name_parts(facts.consulter_name, bigrams=True),
                "は相談者の氏名の一部です。「相談者」「長女」など続柄で書いてください"),
        *_words(folded, _name_parts(facts.address_rest, bigrams=False),
                "は対象者の住所です。住所は書かないでください"),
        *_patterns(folded, _DATES, "は日付です。日付は書かないでください（「先月」「昨年の春」などで書いてください）"),
        *_ages(folded),
        *_digit_runs(folded, re.sub(r"\D", "", unicodedata.normalize("NFKC", facts.phone))),
        *_patterns(folded, _ADDRESSES, "は住所（番地など）のようです。住所は書かないでください"),
    ]
    taken: list[tuple[int, int]] = []
    problems: list[tuple[int, Problem]] = []
    seen: set[str] = set()
    for finding in checks:  # the first check to claim a place wins (a date is not a phone)
        if any(finding.start < end and start < finding.end for start, end in taken):
            continue
        taken.append((finding.start, finding.end))
        message = f"「{folded.quote(finding.start, finding.end)}」{finding.message}"
        if message not in seen:
            seen.add(message)
            problems.append((finding.start, Problem(FIELD, message)))
    return [p for _, p in sorted(problems, key=lambda item: item[0])]


def summary_problems(text: str, facts: Identifying) -> list[Problem]:
    """The 匿名用の概要 as it must be before an anonymised sheet is printed: written, and
    nothing in it identifying the person."""
    if not text.strip():
        return [Problem(FIELD, "入力してください（匿名の連携シートには、相談の記録の代わりに"
                               "この概要を載せます）")]
    return findings(text, facts)

