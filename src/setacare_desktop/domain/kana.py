"""Names and readings as users type them, and the keys that make them comparable.

- ``normalise_reading``: ふりがな typed in hiragana, katakana or half-width katakana is stored one
  way: full-width hiragana, single spaces (jaconv does the kana conversions).
- ``name_key`` / ``reading_key``: what duplicate checks and searches compare: insensitive to
  hiragana/katakana, full/half width, spaces, and the common kanji variants of names.
"""

from __future__ import annotations

import re
import unicodedata

import jaconv

#: Kanji variants seen in the same family name, folded to one form for comparison only
#: (what is stored and printed is always what the person wrote).
KANJI_VARIANTS: dict[str, str] = {
    **dict.fromkeys("斉齋齊", "斎"),
    **dict.fromkeys("邊邉", "辺"),
    "髙": "高",
    **dict.fromkeys("﨑嵜碕", "崎"),
    "澤": "沢",
    "濱": "浜",
    "廣": "広",
    "國": "国",
    "櫻": "桜",
    "德": "徳",
    "眞": "真",
    "惠": "恵",
    "實": "実",
    "兒": "児",
    "嶋": "島",
    "嶌": "島",
    "藏": "蔵",
    "冨": "富",
    "條": "条",
    "曾": "曽",
    "槇": "槙",
    "桒": "桑",
    "瀨": "瀬",
    "龍": "竜",
    "壽": "寿",
    "圓": "円",
    "淺": "浅",
    "黑": "黒",
    "萬": "万",
}
_VARIANT_TABLE = str.maketrans(KANJI_VARIANTS)
_SPACES = re.compile(r"[\s\u3000・･]+")
_READING_OK = re.compile(r"^[\u3041-\u3096ー ]*$")


def _nfkc_kana(text: str) -> str:
    # jaconv.h2z turns half-width katakana (ｻｲﾄｳ) into full-width, joining voiced marks;
    # NFKC then unifies full-width ASCII digits and letters.
    return unicodedata.normalize("NFKC", jaconv.h2z(text, kana=True, ascii=False, digit=False))


def normalise_reading(text: str) -> str:
    """The stored form of a reading: full-width hiragana, words separated by one space."""
    hira = jaconv.kata2hira(_nfkc_kana(text))
    return _SPACES.sub(" ", hira).strip()


def reading_problem(text: str) -> str | None:
    """A Japanese message if ``text`` is not a reading (after normalising), else None."""
    if not _READING_OK.match(normalise_reading(text)):
        return "ひらがな・カタカナで入力してください"
    return None


def reading_key(text: str) -> str:
    """Comparison key for a reading: hiragana, no spaces."""
    return _SPACES.sub("", normalise_reading(text))


def name_key(text: str) -> str:
    """Comparison key for a name: width-folded, kana-folded, variant-folded, no spaces."""
    folded = jaconv.kata2hira(_nfkc_kana(text)).translate(_VARIANT_TABLE)
    return _SPACES.sub("", folded).lower()


def search_text(text: str) -> str:
    """Fold free text for searching (same folding as names, spaces kept as single spaces)."""
    folded = jaconv.kata2hira(_nfkc_kana(text)).translate(_VARIANT_TABLE).lower()
    return _SPACES.sub(" ", folded).strip()


def digits_only(text: str) -> str:
    """Phone numbers compared by digits: ０３-１２３４ → 031234."""
    return re.sub(r"\D", "", unicodedata.normalize("NFKC", text))


_WORD_CHARS = re.compile(r"[\wー]+")


def search_words(text: str) -> list[str]:
    """Fold free text and split it into words (runs of letters, digits, kana, kanji)."""
    return _WORD_CHARS.findall(search_text(text).replace("_", " "))


def grams(text: str) -> tuple[str, str]:
    """Unigrams and bigrams of the folded words of ``text``, each space-separated.

    The search index stores these instead of relying on a database tokenizer: a query of one
    character looks up unigrams, a longer one the phrase of its bigrams, so one- and two-character
    Japanese words (林, 介護) are indexed too and the same tokens work on SQLite and PostgreSQL.
    Grams never span two words.
    """
    unigrams: list[str] = []
    bigrams: list[str] = []
    for word in search_words(text):
        unigrams.extend(word)
        bigrams.extend(word[i:i + 2] for i in range(len(word) - 1))
    return " ".join(unigrams), " ".join(bigrams)


def query_grams(word: str) -> tuple[str, list[str]]:
    """How to look one folded query word up: ("uni", [char]) or ("bi", [bigram, …])."""
    if len(word) == 1:
        return "uni", [word]
    return "bi", [word[i:i + 2] for i in range(len(word) - 1)]
