"""The objects a request needs, built once per process (or handed in by tests)."""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field

from assistant.context import Turn
from assistant.llm import ChatModel, MistralChatModel
from assistant.pipeline import AnswerPipeline
from assistant.retrieval import HybridRetriever
from core.embedders import Embedder, build_embedder
from core.index_store import ChromaIndex, connect
from core.settings import Settings


class ConversationMemory:
    """Recent turns per conversation, in this process. Bounded: the oldest conversations are forgotten."""

    def __init__(self, max_conversations: int = 10_000, max_turns: int = 6) -> None:
        self._turns: OrderedDict[str, list[Turn]] = OrderedDict()
        self._lock = threading.Lock()
        self._max_conversations, self._max_turns = max_conversations, max_turns

    def history(self, conversation_id: str) -> list[Turn]:
        with self._lock:
            return list(self._turns.get(conversation_id, []))

    def append(self, conversation_id: str, turn: Turn) -> None:
        with self._lock:
            turns = self._turns.pop(conversation_id, [])
            self._turns[conversation_id] = [*turns, turn][-self._max_turns:]
            while len(self._turns) > self._max_conversations:
                self._turns.popitem(last=False)

    @staticmethod
    def new_id() -> str:
        return uuid.uuid4().hex


@dataclass
class Services:
    settings: Settings
    embedder: Embedder
    index: ChromaIndex
    pipeline: AnswerPipeline
    conversations: ConversationMemory = field(default_factory=ConversationMemory)

    @property
    def retriever(self) -> HybridRetriever:
        return self.pipeline.retriever


def build_services(settings: Settings, embedder: Embedder | None = None,
                   chat_model: ChatModel | None = None) -> Services:
    embedder = embedder or build_embedder(settings)
    index = ChromaIndex(connect(settings), settings.index_name, embedder.name, embedder.dimension)
    if chat_model is None and settings.mistral_api_key:
        chat_model = MistralChatModel(settings.mistral_api_key.get_secret_value(), settings.mistral_model,
                                      settings.mistral_server_url, settings.mistral_timeout_seconds)
    pipeline = AnswerPipeline(HybridRetriever(embedder, index), chat_model)
    return Services(settings, embedder, index, pipeline)
