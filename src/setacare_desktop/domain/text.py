"""Text a person typed (or a file held), checked before it is stored or printed.

Two kinds of characters are refused wherever text enters: a lone surrogate (bytes that were not
UTF-8, or a JSON ``"\\ud800"``), which no database driver nor terminal can encode, and control
characters (NUL, ESC …), which PostgreSQL refuses, a terminal obeys and a printout hides. Tabs and
line ends are allowed only in the fields written over several lines (相談内容 and the like).
"""

from __future__ import annotations

import unicodedata

MULTILINE_ALLOWED = frozenset("\t\n\r")
NOT_UTF8 = "UTF-8 の文字として読めない部分があります"


def is_utf8_text(text: str) -> bool:
    """False when ``text`` holds a lone surrogate (it cannot be written as UTF-8)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def control_character(text: str, *, multiline: bool = False) -> str | None:
    """The first control character in ``text`` as ``U+0000``, or None."""
    for char in text:
        if unicodedata.category(char) == "Cc" and not (multiline and char in MULTILINE_ALLOWED):
            return f"U+{ord(char):04X}"
    return None


def text_problem(text: str, *, multiline: bool = False) -> str | None:
    """The Japanese reason ``text`` cannot be accepted, or None."""
    if not is_utf8_text(text):
        return NOT_UTF8
    found = control_character(text, multiline=multiline)
    if found:
        return f"制御文字（{found}）は入力できません"
    return None


def is_blank(text: str) -> bool:
    """True when ``text`` shows nothing: only spaces, line ends and invisible format characters
    (U+200B zero-width space, U+FEFF BOM, U+2060 word joiner …), which ``str.strip`` keeps."""
    return all(char.isspace() or unicodedata.category(char) == "Cf" for char in text)
