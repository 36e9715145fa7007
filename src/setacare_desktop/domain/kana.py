"""Names and readings as users type them, and the keys that make them comparable.

- ``normalise_reading``: ふりがな typed in hiragana, katakana or half-width katakana is stored one
  way: full-width hiragana, single spaces (jaconv does the kana conversions).
- ``name_key`` / ``reading_key``: what duplicate checks and searches compare: insensitive to
  hiragana/katakana, full/half width, spaces, and the common kanji variants of names.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

import jaconv

from setacare_desktop.domain.kanji_variants_table import PUBLISHED

#: Kanji variants folded for the *search index* only. Frozen: the index stores text folded with
#: it, so changing it would need every consultation re-indexed (a search of 關 does not find 関).
SEARCH_VARIANTS: dict[str, str] = {
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
_SEARCH_TABLE = str.maketrans(SEARCH_VARIANTS)

#: 異体字 that registers and people write for the same family name but that the published
#: 旧字体 table does not list (it covers 旧字体 of the 常用・人名用 kanji only). Each is a variant
#: of one name, never a different name.
NAME_VARIANTS: dict[str, str] = {
    "邉": "辺",  # 渡邉 / 渡辺: 邉 is a 異体字 of 邊 (whose 新字体 is 辺)
    "髙": "高",  # はしご高: 髙橋 / 高橋
    **dict.fromkeys("﨑嵜碕", "崎"),  # たつさき and its relatives: 山﨑 / 山崎
    **dict.fromkeys("嶋嶌", "島"),  # 中嶋 / 中島
    "冨": "富",  # 冨田 / 富田
    "桒": "桑",  # 桒原 / 桑原
    "舘": "館",  # 舘山 / 館山 (舘 is the 俗字 of 館)
    "峯": "峰",  # 峯岸 / 峰岸
    "栁": "柳",  # 栁田 / 柳田
    "槗": "橋",  # 髙槗 / 高橋
    "𠮷": "吉",  # つちよし: 𠮷田 / 吉田
}

#: Published pairs deliberately *not* folded, with the reason. (Empty so far: 斉/斎 stay apart
#: because the table folds 齊 to 斉 and 齋 to 斎, never 斉 to 斎; the old hand list merged them.)
KEEP_APART: dict[str, str] = {}


def _name_table() -> dict[int, str]:
    variants = {old: new for old, new in PUBLISHED if old not in KEEP_APART}
    variants.update(NAME_VARIANTS)
    return str.maketrans(variants)


#: The translation table name keys fold kanji with (also used to spot a name in free text).
NAME_TABLE = _name_table()

#: What a name or reading may carry unseen: zero-width spaces and joiners, BOMs (format
#: characters, category Cf) and variation selectors (葛󠄀城: U+E0100 after 葛).
_INVISIBLE = re.compile("[\u200b-\u200f\u2060-\u206f\ufeff\ufe00-\ufe0f\U000e0100-\U000e01ef]")

#: Small kana read as their full-size kana (キヤ / キャ), and the kana registers spell two ways.
_READING_FOLD = str.maketrans({
    **dict(zip("ぁぃぅぇぉっゃゅょゎゕゖ", "あいうえおつやゆよわかけ", strict=True)),
    "ぢ": "じ", "づ": "ず", "を": "お",
})
_VOWEL_ROWS = ("あかさたなはまやらわがざだばぱ", "いきしちにひみりぎじぢびぴ", "うくすつぬふむゆるぐずづぶぷ",
               "えけせてねへめれげぜでべぺ", "おこそとのほもよろをごぞどぼぽ")
_VOWEL_OF = {kana: "あいうえお"[row] for row, chars in enumerate(_VOWEL_ROWS) for kana in chars}
_VOWEL_OF.update(dict(zip("ぁぃぅぇぉゃゅょ", "あいうえおあうお", strict=True)))


_SPACES = re.compile(r"[\s\u3000・･]+")
_READING_OK = re.compile(r"^[\u3041-\u3096\u309d\u309eー ]*$")


def _nfkc_kana(text: str) -> str:
    # jaconv.h2z turns half-width katakana (ｻｲﾄｳ) into full-width, joining voiced marks;
    # a separately typed 濁点/半濁点 (か゛) becomes the combining mark NFKC joins (が);
    # NFKC then unifies full-width ASCII digits and letters.
    text = jaconv.h2z(text, kana=True, ascii=False, digit=False)
    text = text.replace("\u309b", "\u3099").replace("\u309c", "\u309a")
    return unicodedata.normalize("NFKC", _INVISIBLE.sub("", text))


def _fold_reading(hira: str) -> str:
    """Spellings of one reading made equal: small kana, ぢ/じ, づ/ず, を/お, 長音 (おーの → おおの)
    and the iteration marks ゝ/ゞ (さゝき → ささき)."""
    out: list[str] = []
    for char in hira:
        if char == "ー":
            if out and out[-1] in _VOWEL_OF:
                out.append(_VOWEL_OF[out[-1]])
            continue
        if char in "ゝゞ":
            if out:
                out.append(out[-1])
            continue
        out.append(char)
    return "".join(out).translate(_READING_FOLD)


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
    """Comparison key for a reading: hiragana, no spaces, spelling variants folded."""
    return _fold_reading(_SPACES.sub("", normalise_reading(text)))


def _repeat_iteration_mark(text: str) -> str:
    """佐々木 → 佐佐木: 々 repeats the kanji before it."""
    out: list[str] = []
    for char in text:
        out.append(out[-1] if char == "々" and out else char)
    return "".join(out)


def name_key(text: str) -> str:
    """Comparison key for a name: width-folded, kana-folded, 旧字体 and 異体字 folded (kyujipy's
    published table plus ``NAME_VARIANTS``), invisible characters and 々 resolved, no spaces."""
    folded = _repeat_iteration_mark(jaconv.kata2hira(_nfkc_kana(text))).translate(NAME_TABLE)
    return _SPACES.sub("", folded).lower()


def search_text(text: str) -> str:
    """Fold free text for searching (same folding as names, spaces kept as single spaces)."""
    folded = jaconv.kata2hira(_nfkc_kana(text)).translate(_SEARCH_TABLE).lower()
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


def index_tokens(folded: str) -> str:
    """The tokens the SQLite index keeps of a folded text (``search_text``; since migration
    0020), space-separated: the distinct bigrams of its words and the last character of each.

    No unigram of every character: a one-character query ``c`` is the prefix query ``c*``, which
    finds every word holding ``c`` before its last character (a bigram starts with it) or as its
    last character (its own token). Each token once: the index keeps no positions.
    """
    tokens: dict[str, None] = {}
    for word in _WORD_CHARS.findall(folded.replace("_", " ")):  # search_words, without refolding
        tokens.update((word[i:i + 2], None) for i in range(len(word) - 1))
        tokens[word[-1]] = None
    return " ".join(tokens)


def search_parts(main_complaint: str, details: str | None, name: str | None,
                 reading: str | None, phone: str | None) -> str:
    """The text a consultation is found by, unfolded: 主訴, 相談内容 and, with a person, the
    name and reading (also without their space, so 「福田弘子」 finds 「福田 弘子」) and phone."""
    parts = [main_complaint, details or ""]
    if name is not None:
        parts += [name, name.replace(" ", ""), reading or "", (reading or "").replace(" ", ""),
                  phone or "", digits_only(phone or "")]
    return " ".join(p for p in parts if p)


def _plain(char: str) -> bool:
    """A character that folding leaves alone and that never joins the one before it."""
    code = ord(char)
    return (char.isascii() or 0x3041 <= code <= 0x3096 or 0x30A1 <= code <= 0x30FA
            or 0x3400 <= code <= 0x4DBF or 0x4E00 <= code <= 0x9FFF or char in "ー、。「」（）　・")


def _typed_forms(word: str) -> list[str]:
    """The spellings of a folded word (itself, its katakana) that a text may hold as typed."""
    return [form for form in dict.fromkeys((word, jaconv.hira2kata(word)))
            if search_text(form) == word and all(map(_plain, form))]


def _as_typed(text: str, forms: list[str]) -> bool:
    """True when ``text`` holds one of ``forms`` at a place where folding ``text`` keeps it
    (what follows it does not join it): a sure yes without folding; False: fold to know."""
    for form in forms:
        start = text.find(form)
        while start >= 0:
            end = start + len(form)
            if end == len(text) or _plain(text[end]):
                return True
            start = text.find(form, start + 1)
    return False


def search_matcher(words: list[str]) -> Callable[[str], bool]:
    """A test of whether a text, once folded (``search_text``), holds every folded word: what a
    search finds, exactly. Most words are in the text as typed, so most texts are never
    folded. (A folded word is a run of word characters: in the text, it is within one word.)"""
    forms = [(word, _typed_forms(word)) for word in words]

    def holds(text: str) -> bool:
        folded: str | None = None
        for word, typed in forms:
            if _as_typed(text, typed):
                continue
            if folded is None:
                folded = search_text(text)
            if word not in folded:
                return False
        return True

    return holds


def query_tokens(word: str) -> tuple[list[str], bool]:
    """How the SQLite index looks one folded query word up: (tokens, prefix).

    One character: ``([c], True)``, the prefix query. Two: the bigram itself. Longer: its
    distinct bigrams, all of which a matching text holds; a text holding them apart (「介護」
    and 「護保」 but not 「介護保」) matches them too, so longer words are checked against the
    text afterwards (``store.search``).
    """
    if len(word) == 1:
        return [word], True
    return list(dict.fromkeys(word[i:i + 2] for i in range(len(word) - 1))), False
