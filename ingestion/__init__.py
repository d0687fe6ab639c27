"""Ingestion: load procedure documents, chunk them, embed them and store them in Chroma."""
