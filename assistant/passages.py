"""Passage selection: the sentences of a record's body that best answer the question.

Each sentence is scored by the question's keywords it holds, weighted by how rare each is in this record (a word
in every sentence, such as the procedure's own name, says nothing), plus the situation's record-side words, plus a
bonus when the sentence lies in one of the record's chunks that the dense search ranked first for this question
(chunk-level dense scoring: the chunk vectors exist already, so no sentence needs embedding at query time).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from assistant.resources import load_data
from assistant.text import fold, folded_phrases, keyword_tokens, padded_question
from core.records import REQUIRED_SECTIONS

_HEADING = re.compile(r"^##\s+(.+?)\s*$")
_NON_WORD = re.compile(r"\W+")
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?؟])\s+")
SITUATION_WEIGHT = 2.5
# The description opens with every case a procedure covers ("expired, lost, stolen or damaged"): it names the
# situation without answering it, so its sentences never count as the situation's answer (dev and training
# facts: Darija recall +3 points on training, dev unchanged, p95 length -9 words).
_OVERVIEW = frozenset(sections[0] for sections in REQUIRED_SECTIONS.values())
STEM_LENGTH = 6
DENSE_BONUS = 0.5
ARABIC_MIN_STEM = 3
# Folded (ة is ه, أ is ا); longest first.
_ARABIC_PREFIXES = ("وال", "بال", "فال", "كال", "لل", "ال", "و")  # not a lone ب, ف or ل: often a root letter
_ARABIC_SUFFIXES = ("هما", "ات", "ين", "ون", "ها", "هم", "ه", "ي")


@dataclass(frozen=True)
class Sentence:
    section: str
    text: str
    tokens: frozenset[str]  # stems (see `stem`)
    folded: str


def stem(token: str) -> str:
    """A light stem: Latin-script words keep their first letters (French and English inflect at the end:
    "salarié", "salariés"); Arabic words lose the particles glued in front ("و", "ب", "لل", "بال"...) and a
    plural or pronoun ending, so that "بالأداء", "الأداء" and "أداء" meet (one prefix, one ending: the same
    cut on both sides matters more than the grammar)."""
    if token.isascii():
        return token[:STEM_LENGTH] if token.isalpha() else token
    for prefix in _ARABIC_PREFIXES:
        if token.startswith(prefix) and len(token) - len(prefix) >= ARABIC_MIN_STEM:
            token = token[len(prefix):]
            break
    for suffix in _ARABIC_SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= ARABIC_MIN_STEM:
            return token[: -len(suffix)]
    return token


def stems(text: str) -> frozenset[str]:
    return frozenset(stem(t) for t in keyword_tokens(text))


@lru_cache(maxsize=1)
def _body_terms() -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    return tuple((folded_phrases(tuple(entry["terms"])), tuple(t for w in entry["record"] for t in keyword_tokens(w)))
                 for entry in load_data("body_terms"))


def record_terms(question: str) -> list[str]:
    """The words the records' bodies use for the everyday or Darija words of the question ("نخلص" -> "أداء",
    "vendu" -> "cession"), from assistant/data/body_terms.yaml: body sentences are scored on both."""
    padded = padded_question(question)
    return list(dict.fromkeys(t for phrases, record in _body_terms() if any(p in padded for p in phrases)
                              for t in record))


@dataclass(frozen=True)
class Passage:
    sentence: Sentence
    score: float
    situation_hit: bool


def body_sentences(body: str) -> list[Sentence]:
    """The body's sentences with their section: list items are sentences, paragraphs are split."""
    sentences: list[Sentence] = []
    section = ""
    for line in body.splitlines():
        heading = _HEADING.match(line)
        if heading:
            section = heading.group(1)
            continue
        text = line.strip().lstrip("-*").strip()
        text = re.sub(r"^\d+[.)]\s*", "", text)
        for part in _SENTENCE_SPLIT.split(text):
            if len(part) > 3:
                sentences.append(Sentence(section, part, stems(part), fold(part)))
    return sentences


def _marks(sentence: Sentence, terms: tuple[str, ...]) -> bool:
    """Whether a situation's record-side words mark the sentence: Arabic ones anywhere in a word (particles are
    glued in front), Latin ones at the start of a word ("late" marks "late filing", not "calculate")."""
    starts = " " + _NON_WORD.sub(" ", sentence.folded)
    return any((" " + term in starts) if term.isascii() and term[:1].isalnum() else (term in sentence.folded)
               for term in terms)


def select_passages(sentences: list[Sentence], question_terms: Iterable[str], situation_terms: Iterable[str] = (),
                    dense_texts: Iterable[str] = (), limit: int = 2) -> list[Passage]:
    """The best `limit` sentences, best first; only sentences that hold a question keyword or a situation word."""
    if not sentences:
        return []
    terms = {stem(t) for t in question_terms}
    situation = tuple(situation_terms)
    document_frequency = {t: sum(t in s.tokens for s in sentences) for t in terms}
    dense = [fold(t) for t in dense_texts]
    scored = []
    for sentence in sentences:
        score = sum(math.log(1 + len(sentences) / document_frequency[t]) for t in terms & sentence.tokens)
        situation_hit = sentence.section not in _OVERVIEW and _marks(sentence, situation)
        if situation_hit:
            score += SITUATION_WEIGHT
        if score <= 0:
            continue
        if any(sentence.folded[:60] in chunk for chunk in dense):
            score += DENSE_BONUS
        scored.append(Passage(sentence, score, situation_hit))
    scored.sort(key=lambda p: p.score, reverse=True)
    return scored[:limit]
