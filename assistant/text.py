"""Text hygiene and normalisation for keyword search.

`sanitize` runs before anything else: it removes invisible characters that can smuggle instructions (Unicode tag
characters) or reorder what a person sees (bidi controls). `keyword_tokens` produces the tokens BM25 sees, for
records and questions alike: Arabic letters unified, French accents folded, Arabizi transliterated to Arabic
script and kept beside the original.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import arabizi

from assistant.resources import load_data

_INVISIBLE = re.compile(
    "[\U000e0000-\U000e007f"  # Unicode tag characters
    "\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c"  # bidi embeddings, overrides, isolates, marks
    "\u200b\u200c\u200d\u2060-\u2064\ufeff\u00ad\u034f\u180e"  # zero-width characters, soft hyphen, joiners, BOM
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"  # control characters other than tab and newlines
)
_ARABIC_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_TATWEEL = "\u0640"
_ARABIC_UNIFY = {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ؤ": "و", "ئ": "ي",
                 "گ": "ك", "ڭ": "ك", "پ": "ب", "ڤ": "ف", "ژ": "ز"}
_ARABIC_VARIANT = re.compile(f"[{''.join(_ARABIC_UNIFY)}]")
_ARABIC_LETTERS = "\u0621-\u063a\u0641-\u064a\u0660-\u0669\u0671-\u06d3\u06fa-\u06ff"
_WORD = re.compile(f"[0-9a-z{_ARABIC_LETTERS}\u2d30-\u2d7f]+")
_ARABIZI_WORD = re.compile(r"^(?=.*[a-z])(?=.*[23579])[a-z0-9]+$")
_ARABIC = re.compile(f"[{_ARABIC_LETTERS}]")
_APOSTROPHE = re.compile("['’`]")
# The combining marks `fold` drops: Latin, Greek, Cyrillic and Hebrew accents; Arabic's own (from U+0600 on) are
# _ARABIC_DIACRITICS. fold runs over every record a turn cites and was a fifth of a chat turn's CPU besides the
# embedding: a regex class and a regex over the few Arabic variants replace a Python test per character and a
# str.translate with a dict (both as slow per character), same result, ~5 x faster on a record.
_LATIN_COMBINING = re.compile("[" + "".join(re.escape(chr(code)) for code in range(0x0600)
                                            if unicodedata.combining(chr(code))) + "]")
LONG_WORD = 4  # letters beyond which a leading ف or ب is read as a particle too


def sanitize(text: str) -> str:
    return _INVISIBLE.sub("", unicodedata.normalize("NFC", text))


def fold(text: str) -> str:
    """Lowercase, no Latin accents, one Arabic spelling per letter, apostrophes as spaces."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = unicodedata.normalize("NFC", _LATIN_COMBINING.sub("", text))
    text = _ARABIC_DIACRITICS.sub("", text).replace(_TATWEEL, "")
    text = _ARABIC_VARIANT.sub(lambda match: _ARABIC_UNIFY[match.group()], text)
    # Arabic's definite article is glued to the word; "l'" and "d'" are French's. Split them so that
    # "l'passport" meets "passport".
    return _APOSTROPHE.sub(" ", text)


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    data = load_data("stopwords")
    return frozenset(fold(w).strip() for group in data.values() for w in group)


def is_stopword(word: str) -> bool:
    return word in _stopwords()


def keyword_tokens(text: str) -> list[str]:
    """Tokens for BM25: folded words without stop-words, plus Arabic-script readings of Arabizi words."""
    tokens: list[str] = []
    for word in words(text):
        if word in _stopwords():
            continue
        tokens.append(_strip_article(word))
        if _ARABIZI_WORD.match(word):
            reading = fold(arabizi.transliterate_word(word))
            if _ARABIC.search(reading):
                tokens.append(_strip_article(reading))
    return tokens


def _strip_article(word: str) -> str:
    """'الباسبور' and 'باسبور' are one word for search; so are 'وللبطاقه' prefixes beyond the article."""
    if _ARABIC.match(word) and len(word) > 4 and word.startswith("ال"):
        return word[2:]
    return word


@lru_cache(maxsize=1)
def _lexicon() -> list[tuple[re.Pattern[str], str]]:
    entries = []
    for entry in load_data("lexicon"):
        alternatives = sorted({" ".join(words(t)) for t in entry["terms"]} - {""}, key=len, reverse=True)
        pattern = re.compile(r"(?<!\S)(?:" + "|".join(re.escape(a) for a in alternatives) + r")(?!\S)")
        entries.append((pattern, str(entry["expand"])))
    return entries


def expand_with_lexicon(text: str) -> str:
    """The question plus the administrative vocabulary of every everyday term it uses."""
    folded = " ".join(words(text))
    extra = [expansion for pattern, expansion in _lexicon() if pattern.search(folded)]
    return text if not extra else text + " " + " ".join(extra)


def padded_words(text: str) -> str:
    """The text's folded words, space-joined, with a space at each end: whole-phrase tests become `in`."""
    return " " + " ".join(words(text)) + " "


def padded_question(text: str) -> str:
    """`padded_words`, then again with the particles glued to Arabic words taken off: the conjunction "و"
    ("وسالات" also reads "سالات"); "ف", "ب" or "ل" before an alif or the article ("فإيطاليا" also reads
    "إيطاليا", "لابني" "ابني"); "ف" or "ب" before a longer word ("فبلجيكا"). A phrase list then needs no copy of
    each word with a particle in front."""
    folded = words(text)
    bare = [_without_particle(w) for w in folded]
    return " " + " ".join(folded) + " " + (" ".join(bare) + " " if bare != folded else "")


def _without_particle(word: str) -> str:
    if len(word) > 3 and (word[0] == "و" or (word[0] in "فبل" and word[1] == "ا")
                          or (word[0] in "فب" and len(word) > LONG_WORD)):
        return word[1:]
    return word


@lru_cache(maxsize=64)
def folded_phrases(phrases: tuple[str, ...]) -> tuple[str, ...]:
    """Each phrase as `padded_words` gives it (empty ones dropped). Phrase lists come from data files: folding
    them once, not on every message, was a tenth of an answer's time."""
    return tuple(padded for p in phrases if (padded := padded_words(p)).strip())


def matches_any(text: str, phrases: list[str] | tuple[str, ...]) -> bool:
    folded = padded_words(text)
    return any(p in folded for p in folded_phrases(tuple(phrases)))


_ARABIZI_LETTERS = {"5": "kh", "7": "h", "9": "q"}
_VOWELS = re.compile(r"[aeiouy]")
_DOUBLED = re.compile(r"(.)\1+")  # a doubled consonant is written once or twice: "khassni", "khasni"
SKELETON_LETTERS = 3  # shorter skeletons ("dl" of "delai") would meet unrelated words


def skeleton(word: str) -> str:
    """A Latin-script Darija word without its vowels or doubled letters, its digit letters spelled out: Arabizi
    has no fixed spelling, and "kat3tal", "kat3tel" and "kat3atal" (how long it takes), or "sali7", "sal7a" and "saleh"
    (valid) are one word to a reader. Arabic-script words and numbers are left as they are."""
    if not word.isascii() or word.isdigit():
        return word
    for digit, letters in _ARABIZI_LETTERS.items():
        word = word.replace(digit, letters)
    return _DOUBLED.sub(r"\1", _VOWELS.sub("", word))


def skeleton_phrase(padded: str) -> str:
    return " " + " ".join(skeleton(w) for w in padded.split()) + " "
