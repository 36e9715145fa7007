"""The SQLite search index's grams of a demo consultation, from cached pieces.

``domain.kana.index_tokens`` of a whole folded text costs tens of microseconds, a third of a
large fill when done for every consultation. But a demo text is made of pieces that repeat (the
main complaint, the fragments of 相談内容, a person's name part), and the tokens of a text are the
distinct tokens of its words in order of first appearance: where no word runs across the border
of two pieces, they are the tokens of the pieces, in order, each kept once. So each piece is
tokenised once, and a text's tokens are the ordered union of its pieces' (``tests/services/
test_demo.py`` checks them against ``index_tokens`` of the whole text).
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable

from setacare_desktop.domain.kana import index_tokens

_WORD_CHAR = re.compile(r"[\wー]")


@functools.cache
def piece_tokens(folded: str) -> tuple[str, ...]:
    """The index tokens of one folded piece, in order (cached: the pieces repeat)."""
    return tuple(index_tokens(folded).split(" ")) if folded else ()


def _in_word(char: str) -> bool:
    return char != "_" and _WORD_CHAR.match(char) is not None


@functools.cache
def _joins(left: str, right: str) -> bool:
    """Whether a word runs from the end of folded piece ``left`` into ``right``."""
    return bool(left) and bool(right) and _in_word(left[-1]) and _in_word(right[0])


def joined_tokens(pieces: Iterable[str]) -> tuple[str, ...]:
    """The index tokens of ``"".join(pieces)`` (folded pieces), from each piece's own tokens
    where no word runs across two of them, else of the joined text."""
    parts = [p for p in pieces if p]
    if any(_joins(a, b) for a, b in itertools.pairwise(parts)):
        return piece_tokens("".join(parts))
    if len(parts) == 1:
        return piece_tokens(parts[0])
    return union(*map(piece_tokens, parts))


def union(*parts: tuple[str, ...]) -> tuple[str, ...]:
    """The tokens of a text made of space-separated parts, given each part's tokens: what
    ``index_tokens`` gives for the whole text (no word runs across a space), as a tuple."""
    return tuple(dict.fromkeys(itertools.chain(*parts)))
