"""Data files shipped with the assistant (lexicon, stop-words, intents, canned messages), loaded and checked once."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).parent / "data"
PROMPTS_DIR = Path(__file__).parent / "prompts"


@cache
def load_data(name: str) -> Any:
    path = DATA_DIR / f"{name}.yaml"
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RuntimeError(f"assistant data file {path.name} cannot be loaded: {exc}") from exc


@cache
def load_prompt(name: str) -> str:
    return (PROMPTS_DIR / name).read_text(encoding="utf-8")
