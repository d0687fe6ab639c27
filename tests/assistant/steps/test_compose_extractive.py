"""The extractive composer over a hand-built record: the answer leads with what was asked."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.catalog import StoredRecord
from assistant.context import AnswerContext
from assistant.extractive import compose_extractive, detect_intents, skeleton
from assistant.messages import Messages
from assistant.passages import body_sentences
from assistant.retrieval import Retrieval
from assistant.sentence_ranker import FEATURES, SentenceRanker
from assistant.situations import detect_situations
from assistant.steps.compose_extractive import ComposeExtractive

from .conftest import candidate, make_record


def _compose(question: str, language: str = "fr", **overrides: object) -> str:
    stored = make_record(**overrides)
    return compose_extractive(stored, language, question, detect_intents(question),
                              detect_situations(question)).text


def test_a_fee_question_leads_with_the_fee_and_shows_nothing_else_of_the_card() -> None:
    answer = _compose("Combien coûte le passeport ?")
    lead = answer.split("\n\n")[0]
    assert "500 MAD" in lead and "[1]" in lead and "Pièces à fournir" not in answer


def test_an_expired_passport_is_answered_as_a_renewal_not_as_a_validity_period() -> None:
    answer = _compose("Mon passeport a expiré, que dois-je faire ?")
    assert "Ancien passeport" in answer.split("\n\n")[0] and "500 MAD" in answer and "5 ans" not in answer


def test_a_minor_question_quotes_the_body_sentence_about_the_legal_representative_first() -> None:
    answer = _compose("Est-ce qu'un mineur peut avoir un passeport sans son père ?")
    assert "représentant légal" in answer.split("\n\n")[0]


def test_living_abroad_leads_with_the_consulate() -> None:
    answer = _compose("J'habite en France, où faire mon passeport ?")
    assert "consulat" in answer.split("\n\n")[0]


def test_a_part_missing_from_the_record_is_said_to_be_missing_never_invented() -> None:
    answer = _compose("Combien coûte le passeport ?", fees=[])
    assert "MAD" not in answer and "n'est pas fixé" in answer


def test_darija_frames_the_arabic_record_with_darija_labels() -> None:
    answer = _compose("ch7al kaykhlles?", language="darija")
    assert "شحال كتخلص" in answer and "500 MAD" in answer


def test_notes_are_not_repeated_on_an_answer_about_documents() -> None:
    assert "À vérifier" not in _compose("Quels documents pour le passeport ?")
    assert "À vérifier" in _compose("Combien coûte le passeport ?")


def test_combien_de_temps_asks_the_delay_not_the_fee() -> None:
    assert detect_intents("Le passeport, combien de temps ?")[0] == "delay"
    assert detect_intents("Le passeport coûte combien ?") == ["fees"]


def test_a_weak_word_alone_still_points_at_its_part() -> None:
    assert detect_intents("ch7al lpassport?") == ["fees"]


def test_arabizi_spellings_of_one_word_point_at_the_same_part() -> None:
    # "katakhod" is listed for the delay; the vowels and the digit letters of a Latin Darija word vary freely.
    assert detect_intents("lpaspor ch7al kat5od?", arabizi=True) == ["delay"]
    assert detect_intents("lpaspor ch7al kat5od?", arabizi=True) == detect_intents("lpaspor ch7al katakhod?")
    # "salha" is listed for the validity: "sali7" and "sal7a" are the same word; "khassni" is "khasni".
    assert detect_intents("l'attestation mazal sali7?", arabizi=True) == ["validity"]
    assert detect_intents("wach lkarta ba9a sal7a?", arabizi=True) == ["validity"]
    assert detect_intents("chno khasni nddi?", arabizi=True) == ["documents"]


def test_a_skeleton_never_matches_a_short_word_or_arabic_script() -> None:
    # "fin" (where) has a two-letter skeleton: "fan" or "fun" must not read as "where".
    assert detect_intents("ana fan dyal lkora", arabizi=True) == []
    # French and English are matched as spelled: "dois" would be "ds", "apply" "pl".
    assert detect_intents("je dois faire quoi ?") == [] and detect_intents("lpaspor ch7al kat5od?") == ["fees"]
    assert skeleton("صالحة") == "صالحة" and skeleton("2024") == "2024"


def test_ou_with_its_accent_asks_where_beside_another_part_and_without_it_only_when_nothing_else_is_asked() -> None:
    assert detect_intents("Où faut-il déclarer le décès et dans quel délai ?") == ["delay", "where"]
    assert detect_intents("Dans quel délai, carte ou passeport ?") == ["delay"]


def test_asking_whether_a_payment_is_owed_asks_the_conditions_before_the_fee() -> None:
    assert detect_intents("Est-ce qu'on doit payer la taxe d'habitation tout de suite ?")[:2] == ["conditions", "fees"]
    assert detect_intents("tomobil hybride, wach khasni nkhelles lvinyit?", arabizi=True)[0] == "conditions"
    assert detect_intents("Combien faut-il payer ?") == ["fees"]  # the amount
    assert detect_intents("Where do I have to pay the housing tax?")[0] == "where"


@pytest.mark.parametrize("owed", [["pay"], {"phrases": "pay"}, {"phrases": ["pay"], "unless": [3]}])
def test_a_malformed_owed_entry_in_intents_yaml_is_named_when_loaded(owed: object,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant import extractive

    monkeypatch.setattr(extractive, "load_data", lambda name: {"owed": owed})
    extractive._owed_phrases.cache_clear()
    try:
        with pytest.raises(RuntimeError, match="intents.yaml: 'owed'"):
            extractive._owed_phrases()
    finally:
        extractive._owed_phrases.cache_clear()


def test_how_long_is_it_valid_asks_the_validity_first() -> None:
    assert detect_intents("How long is the passport valid?")[0] == "validity"


def test_a_situation_is_read_through_the_glued_arabic_conjunction() -> None:
    assert "expired" in [s.name for s in detect_situations("كان عندي باسبور وسالات")]


@pytest.mark.parametrize("question", ["awel mara ndir lakart, chno khassni?", "l'awel mera ghadi ndir lpassport",
                                      "awal mera f hyati ndir permis"])
def test_a_latin_darija_first_time_is_read_however_it_is_spelled(question: str) -> None:
    assert "first_time" in [s.name for s in detect_situations(question, arabizi=True)]


def test_a_spelling_skeleton_is_only_read_for_latin_darija_and_only_for_phrases() -> None:
    # "awel mara" is only a skeleton match; "ghda" (tomorrow) is one word, whose skeleton "ghd" is also "ghadi".
    assert detect_situations("awel mara ndir lakart") == []
    assert "urgent" not in [s.name for s in detect_situations("ghadi ndir lakart, chno khassni?", arabizi=True)]


def test_an_online_answer_adds_the_step_done_on_the_service() -> None:
    body = BODY_WITH_STEPS
    answer = _compose("Peut-on faire le passeport en ligne ?", body=body)
    assert "Remplir le formulaire sur passeport.ma" in answer.split("\n\n")[0]


def test_a_conditions_answer_reads_the_exceptions_of_good_to_know() -> None:
    answer = _compose("Quelles conditions pour un passeport provisoire en urgence ?", body=BODY_WITH_STEPS)
    assert "passeport provisoire" in answer.split("\n\n")[0]


BODY_WITH_STEPS = """## Conditions
- Être de nationalité marocaine.

## Étapes
1. Acheter le timbre électronique.
2. Remplir le formulaire sur passeport.ma, puis l'imprimer.
3. Déposer le dossier à l'annexe administrative.

## Bon à savoir
- En cas d'urgence justifiée, un passeport provisoire peut être délivré.
"""


def test_a_situation_adds_one_part_to_the_part_asked_for_not_all_of_its_parts() -> None:
    answer = _compose("J'ai perdu mon passeport, combien ça coûte ?")
    assert "500 MAD" in answer.split("\n\n")[0] and "Pièces à fournir" in answer and "Où s'adresser" not in answer


def test_the_situation_sentence_joins_the_lead_even_below_the_question_best_matches() -> None:
    body = ("## Délai\n- Le délai de dépôt du dossier au guichet est court.\n"
            "- Au guichet, le dossier suit un délai après le dépôt.\n"
            "- Le délai du guichet pour un dossier court dès le dépôt.\n"
            "## Bon à savoir\n- En cas de perte, joindre la déclaration de perte.\n")
    answer = _compose("J'ai perdu mon passeport, quel délai pour le dépôt du dossier au guichet ?", body=body)
    assert "déclaration de perte" in answer.split("\n\n")[0]


def test_the_description_that_restates_a_lost_card_never_leads_before_the_sentence_that_answers_it() -> None:
    body = ("## Description\nCette démarche donne une nouvelle carte d'identité quand l'ancienne est perdue ou volée.\n"
            "## Conditions\n- En cas de perte, déclarer d'abord la perte à la police.\n"
            "## Bon à savoir\n- Les photos doivent être récentes.\n")
    answer = _compose("J'ai perdu ma carte d'identité, comment avoir une nouvelle carte ?", body=body)
    lead = answer.split("\n\n")[0]
    assert "déclarer d'abord la perte à la police" in lead and "Cette démarche" not in lead


def test_a_particle_glued_to_a_place_or_a_person_does_not_hide_the_situation() -> None:
    assert "abroad" in [s.name for s in detect_situations("كنسكن فبلجيكا وبغيت نجدد الباسبور")]
    assert "minor" in [s.name for s in detect_situations("بغيت باسبور لابني")]


def test_a_short_answer_also_quotes_the_body_sentence_matching_the_question_that_no_part_shows() -> None:
    # "Marocains" is in two body sentences: a weak match, which never joins the lead on its own.
    answer = _compose("Quels papiers pour le passeport des Marocains ?")
    blocks = answer.split("\n\n")
    assert "Formulaire signé" in blocks[0] and "titre de voyage des citoyens marocains" in blocks[1]


def test_a_long_answer_quotes_no_extra_sentence() -> None:
    many = [f"Pièce justificative numéro {n} délivrée par l'administration compétente" for n in range(12)]
    answer = _compose("Quels papiers pour le passeport des Marocains ?", documents=many)
    assert "Pièce justificative numéro 11" in answer and "titre de voyage" not in answer


class _Catalog:
    def __init__(self, stored: StoredRecord) -> None:
        self.stored = stored

    def record_for(self, procedure_id: str, language: str) -> StoredRecord | None:
        return self.stored if procedure_id == self.stored.record.id else None

    def get(self, procedure_id: str, language: str) -> StoredRecord | None:
        return self.record_for(procedure_id, language)


class _Vectors:
    """Records which answers asked for sentence vectors; `fail` makes the embedding raise."""

    def __init__(self, fail: bool = False) -> None:
        self.asked: list[list[str]] = []
        self.fail = fail

    def similarities(self, query_vector: np.ndarray, texts: list[str]) -> dict[str, float]:
        self.asked.append(texts)
        if self.fail:
            raise RuntimeError("engine crashed")
        return {t: (0.9 if "représentant légal" in t else 0.8) for t in texts}


def _step_answer(question: str, language: str, vectors: _Vectors) -> AnswerContext:
    step = ComposeExtractive(_Catalog(make_record()), Messages(), vectors)  # type: ignore[arg-type]
    context = AnswerContext(message=question)
    context.language = language
    context.retrieval = Retrieval([candidate("passeport-biometrique")], ["passeport"],
                                  query_vector=np.ones(4, dtype=np.float32))
    context.chosen = context.retrieval.candidates[0]
    step.compose(context)
    return context


def test_a_french_answer_quotes_the_sentence_whose_vector_stands_out_for_the_question() -> None:
    vectors = _Vectors()
    context = _step_answer("Et pour le fiston ?", "fr", vectors)
    assert vectors.asked and "représentant légal" in context.answer


ARABIC_BODY = """## الوصف
جواز السفر البيومتري هو وثيقة السفر للمواطنين المغاربة.

## الشروط
- أن يكون الطالب مغربي الجنسية.
- يقدم القاصر من طرف نائبه الشرعي، ويجب حضوره.

## الجهة المختصة
- الملحقة الإدارية لمحل السكنى.
"""


def _darija(question: str) -> str:
    stored = make_record(body=ARABIC_BODY, lang="ar", title="جواز السفر البيومتري")
    return compose_extractive(stored, "darija", question, detect_intents(question, arabizi=True),
                              detect_situations(question),
                              similarity=lambda texts: {t: 0.9 if "نائبه" in t else 0.8 for t in texts}).text


def test_a_darija_question_sharing_no_word_with_the_arabic_record_leads_with_the_sentence_whose_vector_stands_out(
) -> None:
    assert "نائبه الشرعي" in _darija("wach khoya ymchi m3aya?").split("\n\n")[0]


@pytest.mark.parametrize(("question", "language"), [("كيف أحصل على جواز السفر؟", "ar"), ("كيفاش ناخد الباسبور؟", "darija"),
                                                     ("kifach nakhod lpassport?", "darija")])
def test_a_question_that_only_names_the_procedure_leads_with_where_and_cost_not_a_sentence_whose_vector_stands_out(
        question: str, language: str) -> None:
    # The minor's sentence stands out by its vector, but nothing in the question asks about it: before, the answer
    # to "how do I get a passport?" was the urgent temporary passport's sentence.
    stored = make_record(body=ARABIC_BODY, lang="ar", title="جواز السفر البيومتري")
    answer = compose_extractive(stored, language, question, detect_intents(question, arabizi=question.isascii()),
                                detect_situations(question),
                                similarity=lambda texts: {t: 0.9 if "نائبه" in t else 0.8 for t in texts}).text
    lead = answer.split("\n\n")[0]
    assert "500 MAD" in lead and "Annexe administrative" in lead and "نائبه" not in lead


@pytest.mark.parametrize("question", ["Comment puis-je obtenir un passeport ?", "How can I get a passport?",
                                      "كيف يمكنني الحصول على جواز السفر؟"])
def test_how_can_i_get_it_asks_for_the_procedure_not_its_conditions(question: str) -> None:
    assert detect_intents(question) == []


@pytest.mark.parametrize("question", ["Est-ce qu'un mineur peut avoir un passeport ?", "Can I apply for my son?",
                                      "هل يمكن للقاصر الحصول على جواز السفر؟"])
def test_can_i_without_how_still_asks_the_conditions(question: str) -> None:
    assert detect_intents(question) == ["conditions"]


def test_a_darija_question_whose_words_are_in_the_record_is_answered_from_them_not_from_vectors() -> None:
    answer = _darija("فين الملحقة الإدارية؟")
    assert "الملحقة الإدارية" in answer.split("\n\n")[0] and "نائبه" not in answer


def test_a_darija_answer_reads_sentence_vectors_for_the_ranker_and_the_amazigh_answer_never() -> None:
    vectors = _Vectors()
    context = _step_answer("wach khoya ymchi m3aya?", "darija", vectors)
    assert len(vectors.asked) == 1 and "représentant légal" in context.answer.split("\n\n")[0]
    _step_answer("ⴰⵙⵙⵉⴼⴹ", "amazigh", vectors)  # the Amazigh answer quotes two records, never with vectors
    assert len(vectors.asked) == 1


class _Ranker(SentenceRanker):
    """Scores each sentence by one feature only."""

    def __init__(self, feature: str, weight: float) -> None:
        weights = np.zeros(len(FEATURES))
        weights[FEATURES.index(feature)] = weight
        super().__init__(weights, 0.0)


def test_the_sentence_the_ranker_is_sure_of_joins_the_lead_beside_the_part_asked() -> None:
    question = "Combien coûte le passeport ?"
    stored = make_record()
    # Only the "where" section's sentences sit in section 6; the ranker is sure of them and of nothing else.
    sure = _Ranker("section_6", 10.0)
    answer = compose_extractive(stored, "fr", question, detect_intents(question), ranker=sure).text
    lead = answer.split("\n\n")[0]
    assert "500 MAD" in lead and "annexe administrative de votre lieu" in lead


def test_a_sentence_the_ranker_doubts_stays_out_of_the_lead() -> None:
    question = "Combien coûte le passeport ?"
    doubtful = _Ranker("section_6", -10.0)
    lead = compose_extractive(make_record(), "fr", question, detect_intents(question), ranker=doubtful).text
    assert "annexe administrative de votre lieu" not in lead.split("\n\n")[0]


def test_a_failing_embedder_still_gets_the_keyword_answer(caplog: pytest.LogCaptureFixture) -> None:
    context = _step_answer("Combien coûte le passeport ?", "fr", _Vectors(fail=True))
    assert context.mode == "extractive" and "500 MAD" in context.answer and context.citations
    assert "sentence_vectors_failed" in caplog.text


@pytest.mark.parametrize("question", ["J'habite en France, où faire mon passeport ?",
                                      "Où déposer le passeport d'un mineur ?", "Mon passeport est perdu, où aller ?"])
def test_the_lead_never_quotes_a_body_sentence_twice(question: str) -> None:
    stored = make_record()
    lead = compose_extractive(stored, "fr", question, detect_intents(question), detect_situations(question),
                              ranker=_Ranker("section_6", 10.0)).text.split("\n\n")[0]
    for sentence in body_sentences(stored.body):
        assert lead.count(sentence.text) <= 1, (sentence.text, lead)


@pytest.mark.parametrize("question", ["Et pour mon fils mineur ?", "Passeport pour un mineur, il faut quoi ?",
                                      "J'habite à l'étranger, comment faire ?"])
def test_an_answer_never_says_a_body_sentence_twice(question: str) -> None:
    stored = make_record()
    answer = compose_extractive(stored, "fr", question, detect_intents(question), detect_situations(question)).text
    for sentence in body_sentences(stored.body):
        assert answer.count(sentence.text) <= 1, (sentence.text, answer)


@pytest.mark.parametrize(("question", "intents"), [
    ("fin ndir la légalisation dyal signature, w ch7al?", ["where", "fees"]),
    ("فين نديرها وشحال؟", ["where", "fees"]),
    ("Where do I apply and how much?", ["where", "fees"]),
    ("Quels documents et combien de temps ?", ["documents", "delay"]),
    ("شحال من وقت كتاخد؟", ["delay"]),
])
def test_and_how_much_after_another_part_also_asks_the_cost(question: str, intents: list[str]) -> None:
    assert detect_intents(question, arabizi=question.isascii()) == intents


@pytest.mark.parametrize("question", ["wach tasjil f l'école bflous?", "wach lmin7a blflous wla fabor?"])
def test_is_it_paid_in_one_darija_word_asks_the_cost(question: str) -> None:
    assert detect_intents(question, arabizi=True)[0] == "fees"


@pytest.mark.parametrize(("question", "arabizi"), [
    ("wach khassni ndir tasri7 ila khdemt m3a joj patronat?", True),
    ("bent khti 3ndha 15 ans, wach t9der tmchi bo7dha?", True),
    ("واش خاصها تمشي هي بنفسها للمقاطعة؟", False),
    ("بغيت نسمي بنتي هاد السمية، واش غادي يقبلوها؟", False),
    ("chno ghadi yw9e3 ila ma sjeltch?", True),
])
def test_a_darija_must_or_may_question_in_any_person_asks_the_conditions(question: str, arabizi: bool) -> None:
    """"واش خاصني/خاصها", "wach t9der", "will they accept it", "what happens if": Darija conjugates the modal, so the
    first person alone ("wach n9der") left 17 of the 49 Darija dev and training questions asking the conditions with no
    part asked (now 3)."""
    assert detect_intents(question, arabizi=arabizi) == ["conditions"]


@pytest.mark.parametrize(("question", "intents"), [
    ("Ma famille n'est pas inscrite au RSU, est-ce que je peux quand même avoir la bourse ?", ["conditions"]),
    ("Je suis salarié, est-ce que je dois faire une déclaration ?", ["conditions"]),
    ("Je pars à la fin du mois, c'est possible ?", ["conditions"]),
    ("Quand est-ce que je reçois ma carte ?", ["delay"]),
    ("fin ndir lpassport?", ["where"]),
])
def test_an_idiom_holding_an_intent_word_does_not_ask_that_part(question: str, intents: list[str]) -> None:
    """"quand même" is not "when", "la fin du mois" is no place (intents.yaml `not_asking`); "quand" and the Darija
    "fin" still ask them."""
    assert detect_intents(question, arabizi=question.isascii()) == intents


@pytest.mark.parametrize("idioms", ["quand meme", [["quand meme"]], [3]])
def test_a_malformed_not_asking_entry_in_intents_yaml_is_named_when_loaded(idioms: object,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant import extractive

    monkeypatch.setattr(extractive, "load_data", lambda name: {"not_asking": idioms})
    extractive._not_asking.cache_clear()
    try:
        with pytest.raises(RuntimeError, match="intents.yaml: 'not_asking'"):
            extractive._not_asking()
    finally:
        extractive._not_asking.cache_clear()


@pytest.mark.parametrize(("question", "intents"), [
    ("واش خاصها تمشي بنفسها للقيادة باش تاخد شهادة الحياة؟", ["conditions"]),
    ("شحال من وقت نقدر نسوق بالبيرمي الأجنبي؟", ["delay"]),
])
def test_darija_to_get_is_not_it_takes_and_how_much_time_is_how_long(question: str, intents: list[str]) -> None:
    """"باش تاخد" is "to get", not "it takes" (كتاخد stays the delay); "شحال من وقت" asks how long."""
    assert detect_intents(question) == intents


@pytest.mark.parametrize(("question", "arabizi"), [
    ("كيفاش نصرح بالدخل ديالي أونلاين؟", False),
    ("كيفاش نسجل ولدي فالمدرسة بلا ما نمشي", False),
    ("kifach ndir chikaya bla manmchi?", True),
])
def test_online_in_darija_spelling_asks_the_online_service(question: str, arabizi: bool) -> None:
    assert detect_intents(question, arabizi=arabizi) == ["online"]
