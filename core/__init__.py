"""Shared parts of Sahla: settings, the procedure record schema and the adapters (embedder, vector index)."""
