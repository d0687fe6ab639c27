"""The answer cache on its own: what it keys on, what it keeps, how much."""

from __future__ import annotations

from assistant.answer_cache import AnswerCache
from assistant.context import AnswerContext, Turn


def turn(status: str = "answered", **fields: object) -> AnswerContext:
    return AnswerContext(message="passeport", status=status, answer=f"{status} answer", **fields)  # type: ignore[arg-type]


def test_the_key_is_the_question_up_to_case_spacing_and_final_punctuation() -> None:
    cache = AnswerCache(8)
    key = cache.key_for("Comment renouveler ma CIN ?", "auto", "g1", frozenset(), False)
    assert key == cache.key_for("  comment renouveler   ma cin", "auto", "g1", frozenset(), False)
    assert key != cache.key_for("Comment renouveler ma CIN ?", "ar", "g1", frozenset(), False)
    assert key != cache.key_for("Comment renouvelér ma CIN ?", "auto", "g1", frozenset(), False)  # accents count


def test_no_key_for_a_follow_up_personal_data_or_an_unknown_generation() -> None:
    cache = AnswerCache(8)
    assert cache.key_for("passeport", "auto", "g1", frozenset(), True) is None
    assert cache.key_for("mon CIN AB123456 est perdue", "auto", "g1", frozenset(), False) is None
    assert cache.key_for("appelez le 0612345678", "auto", "g1", frozenset(), False) is None
    assert cache.key_for("passeport", "auto", None, frozenset(), False) is None
    assert AnswerCache(0).key_for("passeport", "auto", "g1", frozenset(), False) is None


def test_only_normal_answers_are_kept() -> None:
    cache = AnswerCache(8)
    key = cache.key_for("passeport", "auto", "g1", frozenset(), False)
    assert key is not None
    for kept in (turn("answered"), turn("not_found"), turn("out_of_scope")):
        assert cache.put(key, kept)
    for refused in (turn("clarify"), turn("refused"), turn(mode="fallback"), turn(flags={"degraded": True}),
                    turn(history=[Turn("avant")])):
        assert not cache.put(key, refused)


def test_a_new_generation_or_mark_misses_and_drops_the_old_generation() -> None:
    cache = AnswerCache(8)
    old = cache.key_for("passeport", "auto", "g1", frozenset(), False)
    assert old is not None and cache.put(old, turn())
    served = cache.get(old, "Passeport")
    assert served is not None and served.answer == "answered answer" and served.message == "Passeport"
    marked = cache.key_for("passeport", "auto", "g1", frozenset({"passeport"}), False)
    assert marked is not None and cache.get(marked, "passeport") is None
    new = cache.key_for("passeport", "auto", "g2", frozenset(), False)
    assert new is not None and cache.get(new, "passeport") is None and len(cache) == 0


def test_the_least_recently_used_entry_goes_first() -> None:
    cache = AnswerCache(2)
    keys = [cache.key_for(q, "auto", "g1", frozenset(), False) for q in ("a", "b", "c")]
    assert all(k is not None for k in keys)
    cache.put(keys[0], turn())  # type: ignore[arg-type]
    cache.put(keys[1], turn())  # type: ignore[arg-type]
    assert cache.get(keys[0], "a") is not None  # type: ignore[arg-type]
    cache.put(keys[2], turn())  # type: ignore[arg-type]
    assert cache.get(keys[1], "b") is None and cache.get(keys[0], "a") is not None  # type: ignore[arg-type]
