"""Passage selection: the sentences of a record's body that best answer the question.

Each sentence is scored by the question's keywords it holds, weighted by how rare each is in this record (a word
in every sentence, such as the procedure's own name, says nothing), plus the situation's record-side words, plus a
bonus when the sentence lies in one of the record's chunks that the dense search ranked first for this question
(chunk-level dense scoring: the chunk vectors exist already), plus, for French and English answers, a bonus when
the sentence's own vector stands out for the question (sentence-level: assistant/sentence_vectors.py; Arabic and
Darija answers read that bonus alone, only when no word of the question is in the record: assistant/extractive.py).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from assistant.resources import load_data
from assistant.text import fold, folded_phrases, keyword_tokens, padded_question
from core.records import REQUIRED_SECTIONS

_HEADING = re.compile(r"^##\s+(.+?)\s*$")
_NON_WORD = re.compile(r"\W+")
_TABLE_RULE = re.compile(r"^:?-{3,}:?$")  # a table's header rule cell: ---, :---, ---:
# A full stop followed by a lowercase word or a number ends an abbreviation, not a sentence ("bulletin no. 3").
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?؟])\s+(?![a-z0-9])")
SITUATION_WEIGHT = 2.5
# The description opens with every case a procedure covers ("expired, lost, stolen or damaged"): it names the
# situation without answering it, so its sentences never count as the situation's answer (dev and training
# facts: Darija recall +3 points on training, dev unchanged, p95 length -9 words).
OVERVIEW = frozenset(sections[0] for sections in REQUIRED_SECTIONS.values())
STEM_LENGTH = 6
DENSE_BONUS = 0.5
# Sentence vectors (assistant/sentence_vectors.py), for French and English answers: gold procedure forced, key-fact
# recall on the dev half en +3 and fr +1 points, on the training facts en +10 and fr +1; Arabic 0 to -3 and
# Darija -4 to +2 when mixed into every score (e5-small reads Darija questions against Arabic sentences poorly), so
# there they only stand in when the keywords find nothing (VECTORS_AS_FALLBACK in assistant/extractive.py).
SENTENCE_WEIGHT = 1.0
SENTENCE_Z = 0.75
SENTENCE_MIN = 3
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
    # The folded text with every non-word run as one space, and a space in front: a Latin situation word marks the
    # sentence when " " + word is in it. Made once with the sentence (sentences are kept per record), not per
    # question and situation word.
    spaced: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "spaced", " " + _NON_WORD.sub(" ", self.folded))


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
    """The body's sentences with their section: list items are sentences, paragraphs are split, and each row of a
    table reads as one sentence with its column names ("Less than 8 hp — Petrol: 350 DH; Diesel: 700 DH"): quoted
    as Markdown, a row means nothing without its header."""
    return list(_body_sentences(body))


# Kept per body text (an edited record is another text): stemming every sentence of the chosen record was a tenth
# of a chat turn's own time (without the query embedding). About 70 KiB a record (the corpus's bodies): the 128
# records quoted last, about 9 MiB.
@lru_cache(maxsize=128)
def _body_sentences(body: str) -> tuple[Sentence, ...]:
    sentences: list[Sentence] = []
    section = ""
    header: list[str] | None = None
    for line in body.splitlines():
        heading = _HEADING.match(line)
        if heading:
            section, header = heading.group(1), None
            continue
        if line.strip().startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if all(_TABLE_RULE.match(c) for c in cells):
                continue
            if header is None:
                header = cells
                continue
            text = _table_row(header, cells)
        else:
            header = None
            text = re.sub(r"^\d+[.)]\s*", "", line.strip().lstrip("-*").strip())
        for part in _SENTENCE_SPLIT.split(text):
            if len(part) > 3:
                sentences.append(Sentence(section, part, stems(part), fold(part)))
    return tuple(sentences)


def _table_row(header: list[str], cells: list[str]) -> str:
    named = [f"{name}: {value}" for name, value in zip(header[1:], cells[1:], strict=False) if value]
    return f"{cells[0]} — {'; '.join(named)}" if named else cells[0]


def _marks(sentence: Sentence, terms: tuple[str, ...]) -> bool:
    """Whether a situation's record-side words mark the sentence: Arabic ones anywhere in a word (particles are
    glued in front), Latin ones at the start of a word ("late" marks "late filing", not "calculate")."""
    return any((" " + term in sentence.spaced) if term.isascii() and term[:1].isalnum() else (term in sentence.folded)
               for term in terms)


def select_passages(sentences: list[Sentence], question_terms: Iterable[str], situation_terms: Iterable[str] = (),
                    dense_texts: Iterable[str] = (), limit: int = 2,
                    similarity: Mapping[str, float] | None = None) -> list[Passage]:
    """The best `limit` sentences, best first: sentences that hold a question keyword or a situation word, and
    those whose own vector stands out among these sentences' for the question (`similarity`: sentence text ->
    cosine with the question, see `sentence_bonuses`)."""
    if not sentences:
        return []
    terms = {stem(t) for t in question_terms}
    situation = tuple(situation_terms)
    dense = [fold(t) for t in dense_texts]
    bonuses = sentence_bonuses(sentences, similarity)
    scored = []
    for sentence, score, bonus in zip(sentences, keyword_scores(sentences, terms), bonuses, strict=True):
        situation_hit = answers_situation(sentence, situation)
        if situation_hit:
            score += SITUATION_WEIGHT
        if score > 0 and in_dense_chunk(sentence, dense):
            score += DENSE_BONUS
        score += bonus
        if score > 0:
            scored.append(Passage(sentence, score, situation_hit))
    scored.sort(key=lambda p: p.score, reverse=True)
    return scored[:limit]


def keyword_scores(sentences: Sequence[Sentence], terms: AbstractSet[str]) -> list[float]:
    """Each sentence's score for the question's keyword stems: every one it holds, weighted by how rare it is among
    these sentences (a word in every sentence, such as the procedure's own name, says nothing)."""
    frequency = {t: sum(t in s.tokens for s in sentences) for t in terms}
    return [sum(math.log(1 + len(sentences) / frequency[t]) for t in terms & s.tokens) for s in sentences]


def answers_situation(sentence: Sentence, situation_terms: tuple[str, ...]) -> bool:
    """Whether the situation's words mark a sentence outside the description (see OVERVIEW)."""
    return sentence.section not in OVERVIEW and _marks(sentence, situation_terms)


def in_dense_chunk(sentence: Sentence, dense_chunks: Iterable[str]) -> bool:
    """Whether the sentence lies in one of the record's chunks the dense search ranked first (folded)."""
    return any(sentence.folded[:60] in chunk for chunk in dense_chunks)


def vector_z(sentences: Sequence[Sentence], similarity: Mapping[str, float] | None) -> np.ndarray:
    """Each sentence's cosine with the question in standard deviations from these sentences' mean: within one
    record e5 cosines crowd together (0.80 to 0.87), so only the distance from the record's own mean says which
    sentence is about the question. A sentence without a vector, or a list too short to have a mean worth the
    name, gets 0."""
    zeros = np.zeros(len(sentences))
    if not similarity:
        return zeros
    known = np.array([similarity[s.text] for s in sentences if s.text in similarity])
    if len(known) < SENTENCE_MIN or known.std() == 0:
        return zeros
    mean, deviation = known.mean(), known.std()
    return np.array([(similarity[s.text] - mean) / deviation if s.text in similarity else 0.0 for s in sentences])


def sentence_bonuses(sentences: list[Sentence], similarity: Mapping[str, float] | None) -> list[float]:
    """SENTENCE_WEIGHT for each standard deviation a sentence's cosine with the question lies above SENTENCE_Z
    deviations over the mean of these sentences (`vector_z`)."""
    return [SENTENCE_WEIGHT * max(0.0, float(z) - SENTENCE_Z) for z in vector_z(sentences, similarity)]
