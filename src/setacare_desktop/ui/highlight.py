"""Marking the words a search matched, in the text as the user wrote it.

The search compares folded text (``domain.kana.search_text``: hiragana, NFKC width, kanji
variants, lower case), so 「カイゴ」 in a note matches the query 「かいご」 and 「齋藤」 matches
「斎藤」. To mark the match in the original text, the text is folded piece by piece (a character
with any voiced-sound marks that follow it) keeping where each folded character came from.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from setacare_desktop.domain.kana import search_text

#: Marks that fold into the character before them (half-width and combining voiced marks).
_JOINING = frozenset("\uff9e\uff9f\u3099\u309a\u309b\u309c")


def _pieces(text: str) -> list[tuple[int, int]]:
    """(start, end) of each piece of ``text``: a character and the voiced marks after it."""
    pieces: list[tuple[int, int]] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or text[i] not in _JOINING:
            pieces.append((start, i))
            start = i
    return pieces


def match_spans(text: str, words: Iterable[str]) -> list[tuple[int, int]]:
    """Where the folded ``words`` occur in ``text``: merged (start, end) ranges of ``text``."""
    words = [w for w in words if w]
    if not text or not words:
        return []
    folded: list[str] = []
    origin: list[int] = []  # for each folded character, the piece it came from
    pieces = _pieces(text)
    for number, (start, end) in enumerate(pieces):
        part = search_text(text[start:end]) or " "  # spaces fold to nothing: keep a gap
        folded.append(part)
        origin.extend([number] * len(part))
    haystack = "".join(folded)
    marked = [False] * len(pieces)
    for word in words:
        at = haystack.find(word)
        while at >= 0:
            for position in range(at, at + len(word)):
                marked[origin[position]] = True
            at = haystack.find(word, at + 1)
    spans: list[tuple[int, int]] = []
    for number, (start, end) in enumerate(pieces):
        if not marked[number]:
            continue
        if spans and spans[-1][1] == start:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def highlight_html(text: str, words: Iterable[str]) -> str:
    """``text`` as HTML-escaped rich text with ``<b>…</b>`` around each matched word."""
    parts: list[str] = []
    done = 0
    for start, end in match_spans(text, words):
        parts.append(html.escape(text[done:start]))
        parts.append(f"<b>{html.escape(text[start:end])}</b>")
        done = end
    parts.append(html.escape(text[done:]))
    return "".join(parts)
