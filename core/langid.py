"""Offline identification among the written languages we serve (py3langid restricted to fr, ar, en)."""

from __future__ import annotations

from functools import lru_cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier


@lru_cache(maxsize=1)
def _identifier() -> LanguageIdentifier:
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(["fr", "ar", "en"])
    return identifier


def classify(text: str) -> tuple[str, float]:
    """The most likely of fr/ar/en and its probability."""
    label, probability = _identifier().classify(text[:2000])
    return str(label), float(probability)
