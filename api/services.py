"""The objects a request needs, built once per process (or handed in by tests)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from api.corrections import KnownOutOfScope
from api.metrics import Metrics
from api.ratelimit import RateLimiter
from assistant.answer_cache import AnswerCache, CacheKey
from assistant.catalog import RecordCatalog
from assistant.checks import OFFICIAL_DOMAINS, OFFICIAL_PHONES, OfficialContacts
from assistant.llm import ChatModel, MistralChatModel
from assistant.pipeline import AnswerPipeline, PipelineConfig
from assistant.retrieval import HybridRetriever
from core.embedders import Embedder, build_embedder
from core.index_store import ChromaIndex, connect
from core.query_batching import batched_queries
from core.settings import KNOWN_DEFAULT_KEYS, Settings
from storage.conversations import ConversationStore
from storage.database import Database
from storage.documents import DocumentStore
from storage.jobs import JobStore
from storage.keys import KeyStore
from storage.quality import QualityStats
from storage.reviews import ReviewStore
from storage.sources import SourceStore

logger = logging.getLogger(__name__)


class UnsafeConfigurationError(RuntimeError):
    """The service must not start like this (production without a usable admin key)."""


@dataclass
class Services:
    settings: Settings
    embedder: Embedder
    index: ChromaIndex
    pipeline: AnswerPipeline
    database: Database
    metrics: Metrics
    limiter: RateLimiter

    def __post_init__(self) -> None:
        self.conversations = ConversationStore(self.database)
        self.keys = KeyStore(self.database)
        self.jobs = JobStore(self.database, timedelta(seconds=self.settings.job_stale_seconds))
        self.documents = DocumentStore(self.database)
        self.sources = SourceStore(self.database)
        self.reviews = ReviewStore(self.database)
        self.quality = QualityStats(self.database)
        # Agents' "not our domain" marks reach the answer pipeline's gate through this provider.
        self.out_of_scope = KnownOutOfScope(self.reviews)
        self.answer_cache = AnswerCache(self.settings.answer_cache_size)
        self.pipeline.is_known_out_of_scope = self.out_of_scope.is_known_out_of_scope

    @property
    def retriever(self) -> HybridRetriever:
        return self.pipeline.retriever

    @property
    def catalog(self) -> RecordCatalog:
        return self.pipeline.catalog

    def answer_cache_key(self, message: str, language: str, has_history: bool) -> CacheKey | None:
        """Where this turn's answer is kept, or None when it may not be (see assistant/answer_cache.py)."""
        if self.answer_cache.size <= 0 or has_history:
            return None
        try:
            generation, _ = self.retriever.snapshot.current()
        except Exception:  # the vector store is down and nothing was loaded: the pipeline will say so itself
            return None
        return self.answer_cache.key_for(message, language, generation, self.out_of_scope.marks(), has_history)

    def close(self) -> None:
        self.database.close()


def build_services(settings: Settings, embedder: Embedder | None = None, chat_model: ChatModel | None = None,
                   database: Database | None = None) -> Services:
    embedder = embedder if embedder is not None else batched_queries(build_embedder(settings), settings)
    index = ChromaIndex(connect(settings), settings.index_name, embedder.name, embedder.dimension)
    if chat_model is None and settings.mistral_api_key:
        chat_model = MistralChatModel(settings.mistral_api_key.get_secret_value(), settings.mistral_model,
                                      settings.mistral_server_url, settings.mistral_timeout_seconds)
    database = database if database is not None else Database(settings.sqlalchemy_url)
    database.migrate()
    metrics = Metrics()
    limiter = RateLimiter(settings.redis_url, on_fallback=metrics.rate_limit_fallbacks.inc)
    official = OfficialContacts(OFFICIAL_DOMAINS + tuple(settings.extra_official_domains),
                                OFFICIAL_PHONES + tuple(settings.extra_official_phones))
    pipeline = AnswerPipeline(HybridRetriever(embedder, index), chat_model,
                              PipelineConfig(official=official, examples_cache=settings.data_dir))
    services = Services(settings, embedder, index, pipeline, database, metrics, limiter)
    check_production_safety(services)
    return services


def check_production_safety(services: Services) -> None:
    """In production an admin key must exist, and the bootstrap key, if set, must not be a published one."""
    settings = services.settings
    if settings.env != "production":
        return
    bootstrap = settings.admin_key.get_secret_value() if settings.admin_key else None
    if bootstrap is not None and (bootstrap.lower() in KNOWN_DEFAULT_KEYS or len(bootstrap) < 24):
        raise UnsafeConfigurationError(
            "SAHLA_ADMIN_KEY is a known default or shorter than 24 characters; refusing to start in production")
    if bootstrap is None and not services.keys.has_active_admin():
        raise UnsafeConfigurationError(
            "no admin key: create one with `python -m api keys create --role admin` or set SAHLA_ADMIN_KEY")
