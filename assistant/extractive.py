"""Extractive answers: the direct answer first, then only what a person needs to act, composed from the chosen
record's fields and the sentences of its body that answer the question. No model involved.

What leads: the part the question asks for (fees, documents...); else the body sentences that answer the person's
situation (lost, abroad, for a minor...); else a body sentence that matches the question well; else, for a general
question, where to go and what it costs. A part the record does not give is said to be missing, never invented.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from assistant.catalog import StoredRecord
from assistant.forms import language_form
from assistant.passages import (
    OVERVIEW,
    Passage,
    Sentence,
    answers_situation,
    body_sentences,
    record_terms,
    select_passages,
    stem,
    stems,
)
from assistant.resources import load_data
from assistant.sentence_ranker import SECTION_OF_PART, SentenceQuery, SentenceRanker, shipped_ranker
from assistant.situations import Situation
from assistant.text import (
    SKELETON_LETTERS,
    fold,
    folded_phrases,
    keyword_tokens,
    padded_question,
    skeleton,
    skeleton_phrase,
    words,
)
from core.records import REQUIRED_SECTIONS, ProcedureRecord

# In the order they lead: "how long is it valid" asks the validity, not the delay; "where do I pay" the place.
INTENTS = ("documents", "validity", "delay", "where", "fees", "online", "conditions")
# What a general question gets after its lead: the essentials a person needs to act.
GENERAL = ("documents", "online")
GENERAL_LEAD = ("where", "fees")
# "...and how much?" after another part: dev and training facts, gold procedure forced, same recall and leads for 2
# more words at the median; the delay's and the conditions' weak words ("temps", "can i") name no second question.
WEAK_AFTER_STRONG = ("fees",)
_AND = ("w ", "o ", "et ", "and ", "و ", "و")  # folded; Arabic's "و" is also glued to the next word
STRONG_PASSAGE_TERMS = 2  # distinct question keywords a body sentence needs to lead a general question
UNIQUE_TERM_SCORE = 1.0  # ...or a score worth a question word found in that sentence alone
NOTES_FOR = {"fees", "delay", "validity"}  # notes qualify figures; other answers do not repeat them
SITUATION_PARTS_WITH_INTENT = 1
PASSAGES = 2  # body sentences quoted at most for the question, and for the situation
SHORT_ANSWER_WORDS = 100  # an answer shorter than this also quotes the best-matching body sentence not yet shown
# Beside the sentences matched by keywords, the one that assistant/sentence_ranker.py finds most likely to hold what
# was asked joins the lead from this probability. Gold procedure forced, ranker fitted without them, on the 231
# training fact questions of facts_s4-s6: key-fact recall 0.80 -> 0.81, a key fact in the first paragraph 0.77 ->
# 0.79, 6 more words at the median; 0.2 gained one more point for 2 more words, 0.5 and above nothing
# (scripts/fit_sentence_ranker.py prints the sweep).
# Its two likeliest from 0.2 (2026-12-02): on the same held-out questions recall 0.83 -> 0.86 and leads 0.82 -> 0.85
# for 5 more words at the median (dev half unchanged, training facts +2 points); its three likeliest gained one more
# point of recall for 3 to 8 more words in French, already the longest.
LEAD_PROBABILITY = 0.2
LEARNED_LEAD_SENTENCES = 2
# Arabic and Darija answers read sentence vectors in the keyword scores only when no word of the question is found
# in the record: mixed into every score they cost Arabic 0 to 3 points and Darija up to 4 (e5-small reads Darija
# against Arabic sentences poorly); as the fallback alone, gold procedure forced, Darija-Arabic recall gained 1 point
# on dev and 2 on the training facts (leads +2), Arabic and Darija-Latin unchanged. The sentence ranker reads them
# for every language, weighted per form.
VECTORS_AS_FALLBACK = ("ar", "darija")
ONLINE_STEPS = 2  # steps done on the online service shown with it, the ones matching the question first
REPEATED_SHARE = 0.8  # of a body sentence's words already in the field: it says nothing new
CONDITION_SECTIONS = (1, 7)  # conditions are stated in their section and, as exceptions, in "good to know"
ONLINE_MARKERS = ("en ligne", "online", "الكترون", "الانترنت", "منصه", "بوابه", "plateforme", "portail", "portal",
                  "platform", "website")  # folded: a step that is done on the online service


@dataclass(frozen=True)
class Ask:
    """What the question asks with (its keywords, the procedure's own name removed, and its situation's words),
    and the record's body sentences it is matched against, split once per answer."""

    terms: list[str]
    situation_terms: list[str]
    sentences: list[Sentence]
    similarity: Mapping[str, float] | None = None  # sentence text -> cosine with the question

    def section_passages(self, part: str, language: str, limit: int,
                         sections: tuple[int, ...] = ()) -> tuple[list[Sentence], list[Passage]]:
        """The body section answering `part` (or the `sections` named), and its sentences that best match the
        question."""
        headings = {REQUIRED_SECTIONS[language][n] for n in sections or (SECTION_OF_PART[part],)}
        section = [s for s in self.sentences if s.section in headings]
        return section, select_passages(section, self.terms, self.situation_terms, limit=limit,
                                        similarity=self.similarity)


@dataclass
class Composed:
    text: str
    shown: set[str] = field(default_factory=set)  # record parts shown (documents, fees, ...)


NOT_PARTS = ("weak", "owed", "how", "not_asking")  # intents.yaml keys that are not a record part


@lru_cache(maxsize=1)
def _intent_words() -> dict[str, list[str]]:
    data: dict[str, list[str]] = {k: v for k, v in load_data("intents").items() if k not in NOT_PARTS}
    missing = set(INTENTS) - set(data)
    if missing:
        raise RuntimeError(f"intents.yaml lacks {sorted(missing)}")
    return data


@lru_cache(maxsize=1)
def _not_asking() -> tuple[str, ...]:
    """The idioms taken out of a question before its parts are matched. A bare string would be read letter by
    letter and take single letters out of every question: named instead."""
    idioms = load_data("intents").get("not_asking", [])
    if not isinstance(idioms, list) or not all(isinstance(p, str) for p in idioms):
        raise RuntimeError("intents.yaml: 'not_asking' must be a list of phrases")
    return folded_phrases(tuple(idioms))


@lru_cache(maxsize=1)
def _weak_intent_words() -> dict[str, list[str]]:
    """Words that point at a part only when no other word of the question does ("combien", "dossier")."""
    weak: dict[str, list[str]] = load_data("intents").get("weak", {})
    unknown = set(weak) - set(INTENTS)
    if unknown:
        raise RuntimeError(f"intents.yaml: weak names unknown intents {sorted(unknown)}")
    return weak


@lru_cache(maxsize=1)
def intent_vocabulary() -> frozenset[str]:
    """Every word of every intent phrase: a message made of these alone asks about something said before."""
    groups = [*_intent_words().values(), *_weak_intent_words().values()]
    return frozenset(w for phrases in groups for p in phrases for w in words(p))


@lru_cache(maxsize=1)
def _how_can_phrases() -> tuple[str, ...]:
    """Each weak conditions phrase right after a "how" word (" comment puis je "), folded once, not per question."""
    weak_conditions = _intent_phrases()[1].get("conditions", ())
    return tuple(f" {fold(how).strip()}{phrase}" for how in load_data("intents").get("how", [])
                 for phrase in weak_conditions)


@lru_cache(maxsize=1)
def _obtain_words() -> frozenset[str]:
    return frozenset(fold(w).strip() for group in load_data("obtain_words").values() for w in group)


@lru_cache(maxsize=1)
def _intent_phrases() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    strong = {intent: folded_phrases(tuple(phrases)) for intent, phrases in _intent_words().items()}
    weak = {intent: folded_phrases(tuple(phrases)) for intent, phrases in _weak_intent_words().items()}
    return strong, weak


# "Où" written with its accent asks where; folded, it is "ou" ("or"), which only weakly points at the place.
_ACCENTED_WHERE = re.compile(r"(?<!\w)où(?!\w)", re.IGNORECASE)


@lru_cache(maxsize=1)
def _owed_phrases() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Phrases asking whether a payment is owed, their Arabizi skeletons, and the words that ask an amount instead."""
    owed = load_data("intents").get("owed", {})
    if not isinstance(owed, dict) or not all(
            isinstance(owed.get(key, []), list) and all(isinstance(p, str) for p in owed.get(key, []))
            for key in ("phrases", "unless")):
        raise RuntimeError("intents.yaml: 'owed' must map 'phrases' and 'unless' to lists of phrases")
    phrases = folded_phrases(tuple(owed.get("phrases", [])))
    skeletons = tuple(skeleton_phrase(p) for p in phrases if p.isascii())
    return phrases, skeletons, folded_phrases(tuple(owed.get("unless", [])))


def _asks_if_owed(folded: str, bare: str) -> bool:
    phrases, skeletons, unless = _owed_phrases()
    return ((any(p in folded for p in phrases) or any(p in bare for p in skeletons))
            and not any(p in folded for p in unless))


@lru_cache(maxsize=1)
def _intent_skeletons() -> dict[str, tuple[str, ...]]:
    """The Latin-script strong phrases whose words all keep SKELETON_LETTERS letters without vowels."""
    return {intent: tuple(skeleton_phrase(p) for p in phrases if p.isascii()
                          and all(len(skeleton(w)) >= SKELETON_LETTERS for w in p.split()))
            for intent, phrases in _intent_phrases()[0].items()}


def detect_intents(question: str, arabizi: bool = False) -> list[str]:
    """The parts asked for, in the order they lead; weak words count when no strong word matched, and a weak word
    for the cost also after "and" ("fin ndir la légalisation, w ch7al?": where, then fees; "شحال من وقت" stays the
    delay alone). A Latin
    Darija question (`arabizi`) also matches by skeleton (see `skeleton`); French and English are spelled, and their
    skeletons would meet unrelated words ("dois", "apply")."""
    folded = padded_question(question)  # once, not once per intent
    for idiom in _not_asking():
        folded = folded.replace(idiom, " ")
    strong, weak = _intent_phrases()
    bare = skeleton_phrase(folded) if arabizi else ""
    skeletons = _intent_skeletons() if arabizi else {}
    found = [intent for intent in INTENTS if any(p in folded for p in strong[intent])
             or any(p in bare for p in skeletons.get(intent, ()))
             or (intent == "where" and _ACCENTED_WHERE.search(question))]
    if found[:1] == ["fees"] and _asks_if_owed(folded, bare):  # "where do I pay" still asks where
        found = ["conditions", *(i for i in found if i != "conditions")]
    if not found:
        asked = folded
        for phrase in _how_can_phrases():
            asked = asked.replace(phrase, " ")
        return [intent for intent in INTENTS if any(p in asked for p in weak.get(intent, ()))]
    rest = folded  # without the strong phrases: "et combien de temps" asks the delay alone
    for phrase in (p for intent in found for p in strong[intent]):
        rest = rest.replace(phrase, "  ")
    return found + [intent for intent in WEAK_AFTER_STRONG if intent not in found
                    and any(f" {c}{p.strip()} " in rest for c in _AND for p in weak.get(intent, ()))]


def compose_extractive(stored: StoredRecord, language: str, question: str = "", intents: list[str] | None = None,
                       situations: list[Situation] | None = None, dense_texts: list[str] | None = None,
                       marker: int = 1,
                       similarity: Callable[[list[str]], Mapping[str, float] | None] | None = None,
                       ranker: SentenceRanker | None = None) -> Composed:
    """`language` is the answer's: fr, ar, en or darija (Darija frames the Arabic record). `similarity`: given the
    body's sentences, the cosine of each with the question, when its vectors are at hand
    (assistant/sentence_vectors.py). `ranker`: the shipped sentence ranker by default."""
    record, t = stored.record, load_data("templates")[language]
    intents, situations = list(intents or []), list(situations or [])
    sentences = body_sentences(stored.body)
    fallback_only = language in VECTORS_AS_FALLBACK

    title_terms = stems(record.title)
    own_terms = [term for term in keyword_tokens(question) if stem(term) not in title_terms]
    question_terms = list(dict.fromkeys(own_terms + [t for t in record_terms(question) if stem(t) not in title_terms]))
    situation_terms = [term for s in situations for term in s.terms]
    all_cosines = similarity([s.text for s in sentences]) if similarity is not None and sentences else None
    mixed = None if fallback_only else all_cosines
    ask = Ask(question_terms, situation_terms, sentences, mixed)
    query = SentenceQuery(frozenset(stem(t) for t in question_terms), tuple(situation_terms),
                          frozenset(p for s in situations for p in s.parts), tuple(intents),
                          tuple(fold(t) for t in dense_texts or []), all_cosines, language_form(question, language))
    learned_ranking = rank_passages(sentences, query, record.lang, ranker or shipped_ranker())
    likely = {p.sentence.text: p.score for p in learned_ranking}
    learned = [p for p in learned_ranking[:LEARNED_LEAD_SENTENCES] if p.score >= LEAD_PROBABILITY]
    ranked = select_passages(sentences, question_terms, situation_terms, dense_texts or [], limit=len(sentences),
                             similarity=mixed)
    # No word of the question in the record: the sentences whose vector stands out, as its best matches.
    fallback = fallback_only and not ranked and _asks_beyond_name(record, title_terms, own_terms)
    if fallback:
        ranked = [p for p in select_passages(sentences, (), limit=len(sentences), similarity=all_cosines)
                  if p.sentence.section not in OVERVIEW]
    passages = ranked[:PASSAGES]
    # The situation's best sentences, even below the question's best matches.
    situational = [p for p in ranked if p.situation_hit][:PASSAGES]
    wanted = {stem(t) for t in own_terms}
    strong = passages if fallback else [p for p in passages if len(p.sentence.tokens & wanted) >= STRONG_PASSAGE_TERMS
                                        or p.score >= UNIQUE_TERM_SCORE * math.log(1 + len(sentences))]
    if (situational and strong and strong[0] is passages[0] and not passages[0].situation_hit
            and passages[0].sentence.section not in OVERVIEW):
        # A better match for the question's own words comes first; not the description, which restates the
        # question ("a new card when the old one is lost") without answering the situation.
        situational = [passages[0], situational[0]]
    intro = t["intro"].format(title=record.title, n=marker)
    composed = Composed("")
    blocks: list[str] = []
    if not record.structured:
        # A text-only document (no recognised sections): its best passages, else its opening text, answer; a part
        # asked for is said to be missing.
        opening = _first_sentences(re.sub(r"^##.*$", "", stored.body, flags=re.MULTILINE), 3)
        blocks.append(f"{intro} — {_quote(situational or passages) or opening}")
        blocks += [_part(i, stored, t, ask, composed) for i in intents]
    elif intents:
        lead = f"{intro} — {_part(intents[0], stored, t, ask, composed)}"
        # The body sentences that answer the situation or match the question well join the lead, unless the part's
        # own line already quotes them.
        extra = [p for p in _with_learned(situational or strong[:1], learned, likely) if p.sentence.text not in lead]
        blocks.append(f"{lead}\n{_quote(extra)}" if extra else lead)
        blocks += [_part(i, stored, t, ask, composed) for i in intents[1:]]
    elif situational or strong:
        blocks.append(f"{intro} — {_quote(_with_learned(situational or strong[:1], learned, likely))}")
    else:
        general = f"{intro} — " + " ".join(_part(p, stored, t, ask, composed) for p in GENERAL_LEAD)
        blocks.append("\n".join([general, *(p.sentence.text for p in learned if p.sentence.text not in general)]))
    rest = [p for s in situations for p in s.parts if p not in intents] if situations else (
        [] if intents else list(GENERAL))
    if intents:
        rest = rest[:SITUATION_PARTS_WITH_INTENT]  # the part asked for leads; the situation adds its first part
    for part in dict.fromkeys(rest if record.structured else []):
        if part not in composed.shown and _stated(record, part):
            blocks.append(_part(part, stored, t, ask, composed))
    if record.structured:
        blocks += _best_unshown(ranked, blocks)
    if record.notes and NOTES_FOR & set(intents):
        blocks.append(t["notes"].format(notes=_first_sentences(record.notes, 1)))
    blocks.append(t["source"].format(date=record.last_reviewed.isoformat()) if record.last_reviewed
                  else t["source_undated"])
    composed.text = "\n\n".join(b for b in _without_repeats(blocks, sentences) if b)
    return composed


def _asks_beyond_name(record: ProcedureRecord, title_terms: frozenset[str], own_terms: list[str]) -> bool:
    """"كيف أحصل على جواز السفر؟" names the procedure and asks for it: no word left to pick a body sentence with.
    Only asked when the vector fallback could apply, so the aliases are not read for every answer."""
    name_terms = title_terms | {stem(t) for alias in record.aliases for t in keyword_tokens(alias)}
    return any(stem(t) not in name_terms and t not in _obtain_words() for t in own_terms)


def rank_passages(sentences: list[Sentence], query: SentenceQuery, language: str,
                  ranker: SentenceRanker) -> list[Passage]:
    """Every body sentence, most likely to answer first (`language`: the record's)."""
    scores = ranker.score(sentences, query, language)
    passages = [Passage(s, float(p), answers_situation(s, query.situation_terms))
                for s, p in zip(sentences, scores, strict=True)]
    return sorted(passages, key=lambda p: p.score, reverse=True)


def _without_repeats(blocks: list[str], sentences: list[Sentence]) -> list[str]:
    """Each body sentence quoted once: a later block drops a sentence an earlier one already quoted (the lead's
    situation sentence was often the conditions' first one too: 76 of 649 dev fact answers said a sentence twice).
    A list item is kept whole; a line left with only its label goes."""
    kept: list[str] = []
    for block in blocks:
        earlier = "\n".join(kept)
        repeated = [s.text for s in sentences if s.text in block and s.text in earlier]
        if repeated:
            block = "\n".join(line for line in (_drop(line, repeated) for line in block.split("\n")) if line)
        kept.append(block)
    return kept


def _drop(line: str, texts: list[str]) -> str:
    """The line without the repeated sentences; "" when nothing but its label would be left (the block said nothing
    new); a list item whole."""
    present = [t for t in texts if t in line]
    if not present or line.lstrip().startswith("- "):
        return line
    shorter = line
    for text in present:
        shorter = shorter.replace(text, "")
    shorter = re.sub(r"\s{2,}", " ", shorter).strip()
    shorter = re.sub(r"\s*—\s*$", "", shorter)
    return "" if not shorter or shorter.endswith((":**", ":", "—")) else shorter


def _with_learned(passages: list[Passage], learned: list[Passage], likely: dict[str, float]) -> list[Passage]:
    """The sentences chosen by keywords and the ranker's own, the ranker's likeliest first: a birth declaration's
    "minor" sentence ("a child of unknown father...") no longer opens an answer about registering a baby. Same
    recall and leads on the dev and held-out training facts (the order is within one paragraph)."""
    texts = {p.sentence.text for p in passages}
    merged = passages + [p for p in learned if p.sentence.text not in texts]
    return sorted(merged, key=lambda p: likely.get(p.sentence.text, 0.0), reverse=True)


def _best_unshown(ranked: list[Passage], blocks: list[str]) -> list[str]:
    """A short answer has room for the body sentence that best matches the question, when no block shows it: the
    parts chosen by keywords often miss the one line a question unlike ours needs (on the dev half: key-fact recall
    +1 point overall and +3 in Darija, for 9 more words at the median, at 70 words; at 100, on the dev half and on
    the training facts written apart from it, another +1 point each for 5 to 8 more words at the median; two
    sentences added words and no facts)."""
    shown = "\n\n".join(blocks)
    if len(shown.split()) >= SHORT_ANSWER_WORDS:
        return []
    best = next((p.sentence.text for p in ranked if p.sentence.text not in shown), None)
    return [best] if best else []


def _stated(record: ProcedureRecord, part: str) -> bool:
    """Whether the record states a part (a document-made record may not): unstated parts are only mentioned
    when asked for."""
    if part in ("online", "conditions"):
        return True  # answered from the body, or "no online service in the record", which is itself useful
    return getattr(record, part, None) is not None


def _quote(passages: list[Passage]) -> str:
    return " ".join(p.sentence.text for p in passages)


def _section_sentence(stored: StoredRecord, intent: str, ask: Ask, field_text: str) -> str:
    """The sentence of the body section answering `intent` that best matches the question, when it says more
    than the structured field (the body often holds the exemption, the range or the office)."""
    section, matched = ask.section_passages(intent, stored.record.lang, limit=1)
    if not section:
        return ""
    sentence = matched[0].sentence if matched else section[0]
    return "" if _repeats(sentence, field_text) else sentence.text


def _repeats(sentence: Sentence, field_text: str) -> bool:
    """Whether a body sentence mostly says again what the field says (the records often word both alike)."""
    field = stems(field_text)
    if not sentence.tokens or sentence.folded in fold(field_text):
        return True
    return len(sentence.tokens & field) / len(sentence.tokens) >= REPEATED_SHARE


def _part(intent: str, stored: StoredRecord, t: dict[str, str], ask: Ask, composed: Composed) -> str:
    composed.shown.add(intent)
    record = stored.record
    if intent == "documents":
        if not record.documents:  # None: not in the source; [] cannot be a corpus record
            return t["documents"] + " " + t["not_stated"]
        listed = t["documents"] + "\n" + "\n".join(f"- {d}" for d in record.documents)
        detail = _documents_detail(stored, ask)
        return f"{listed}\n{detail}" if detail else listed
    if intent == "fees":
        fees = _fees(stored, t)
        return _with_sentence(t["fees"].format(fees=fees), _fees_sentences(stored, ask, fees))
    if intent == "online":
        service = record.online_service
        line = t["online"].format(name=service.name, url=service.url) if service else t["no_online"]
        return _with_sentence(line, _online_step(stored, ask))
    if intent in ("delay", "where", "validity"):
        value = getattr(record, intent, None)
        line = t[intent].format(**{intent: value or t["not_stated"]})
        return _with_sentence(line, _section_sentence(stored, intent, ask, value or ""))
    return t["conditions"].format(conditions=_conditions(stored, ask) or t["not_stated"])


def _documents_detail(stored: StoredRecord, ask: Ask) -> str:
    """The sentence of the body's documents section that matches the question, when the list does not say it
    already (the body often names the lease, the purchase deed or the proposed names the list only sums up)."""
    _, matched = ask.section_passages("documents", stored.record.lang, limit=1)
    documents = stored.record.documents or []
    if not matched or any(_repeats(matched[0].sentence, d) for d in documents):
        return ""
    return matched[0].sentence.text


def _fees_sentences(stored: StoredRecord, ask: Ask, fees: str) -> str:
    """The body's first word on the cost (often "the request is free"), and the sentence matching the question
    when it is another one."""
    section, matched = ask.section_passages("fees", stored.record.lang, limit=1)
    chosen = dict.fromkeys([*section[:1], *(p.sentence for p in matched)])
    return " ".join(s.text for s in chosen if not _repeats(s, fees))


def _with_sentence(line: str, sentence: str) -> str:
    return f"{line} — {sentence}" if sentence else line


def _fees(stored: StoredRecord, t: dict[str, str]) -> str:
    fees = stored.record.fees
    if fees is None:
        return t["not_stated"]
    if not fees:
        return t["fees_unknown"]
    if all(f.amount_mad == 0 for f in fees):
        return t["free"]
    return "; ".join(f"{f.label}: {f.amount_mad:g} MAD" for f in fees)


def _conditions(stored: StoredRecord, ask: Ask) -> str:
    """The conditions that match the question (in their section or among the exceptions of "good to know"),
    else the first ones of the section."""
    _, matched = ask.section_passages("conditions", stored.record.lang, limit=2, sections=CONDITION_SECTIONS)
    section, _ = ask.section_passages("conditions", stored.record.lang, limit=0)
    return " ".join([p.sentence.text for p in matched] or [s.text for s in section[:3]])


def _online_step(stored: StoredRecord, ask: Ask) -> str:
    """The steps done on the online service (what to do there), those matching the question first."""
    service = stored.record.online_service
    host = fold(str(service.url)).split("//")[-1].removeprefix("www.").strip("/") if service else ""
    section, matched = ask.section_passages("online", stored.record.lang, limit=3)
    online = [s for s in section if any(m in s.folded for m in ONLINE_MARKERS) or (host and host in s.folded)]
    best = [p.sentence for p in matched if p.sentence in online] or online[:1]
    return " ".join(s.text for s in best[:ONLINE_STEPS])


def _first_sentences(text: str, count: int) -> str:
    flat = " ".join(line.strip().lstrip("-*0123456789. ") for line in text.splitlines() if line.strip())
    return " ".join(re.split(r"(?<=[.!?؟])\s+", flat)[:count])
