"""Chunks: one record card per structured record, then the body split by section, then by size."""

from __future__ import annotations

from langchain_text_splitters import MarkdownHeaderTextSplitter, RecursiveCharacterTextSplitter

from core.index_store import Chunk
from core.records import ProcedureRecord
from ingestion.loaders import SourceDocument

# Bumped whenever chunk texts or metadata change shape: sources indexed under another version are re-chunked
# and re-embedded by the next incremental run, even though their files did not change.
CHUNKING_VERSION = "2"

# Field labels of the record card, in the record's language.
CARD_LABELS = {
    "fr": {"aliases": "Autres noms", "documents": "Pièces à fournir", "fees": "Coût", "delay": "Délai",
           "where": "Où s'adresser", "online": "Service en ligne", "free": "gratuit"},
    "ar": {"aliases": "أسماء أخرى", "documents": "الوثائق المطلوبة", "fees": "التكلفة", "delay": "الآجال",
           "where": "الجهة المختصة", "online": "الخدمة الإلكترونية", "free": "مجاني"},
    "en": {"aliases": "Also called", "documents": "Documents", "fees": "Cost", "delay": "Processing time",
           "where": "Where to apply", "online": "Online service", "free": "free"},
}


def record_card(record: ProcedureRecord) -> str:
    """The structured record as one short passage, so a short question meets the record's own vocabulary.
    A field the source does not state has no line: the card never says more than the source."""
    labels = CARD_LABELS[record.lang]
    lines = [record.title]
    if record.aliases:
        lines.append(f"{labels['aliases']}: {', '.join(record.aliases)}")
    if record.documents:
        lines.append(f"{labels['documents']}: {'; '.join(record.documents)}")
    if record.fees is not None:
        fees = "; ".join(f"{f.label}: {f.amount_mad:g} MAD" for f in record.fees) or labels["free"]
        lines.append(f"{labels['fees']}: {fees}")
    if record.delay:
        lines.append(f"{labels['delay']}: {record.delay}")
    if record.where:
        lines.append(f"{labels['where']}: {record.where}")
    if record.online_service:
        lines.append(f"{labels['online']}: {record.online_service.name} ({record.online_service.url})")
    return "\n".join(lines)


def chunk_document(doc: SourceDocument, chunk_size: int, chunk_overlap: int) -> list[Chunk]:
    base = {
        "procedure_id": doc.procedure_id, "language": doc.language, "title": doc.title,
        "source_key": doc.key, "source_hash": doc.content_hash, "chunking": CHUNKING_VERSION, **doc.metadata,
    }
    chunks: list[Chunk] = []
    if doc.record is not None:
        # The card carries the whole record and body, so every replica reads records from the index it searches,
        # never from a local copy that could disagree with it. Every document has one, text-only ones too
        # (`structured` false): that is how the listing, the status and the composer find them.
        chunks.append(Chunk(f"{doc.key}#card", record_card(doc.record), {
            **base, "section": "card", "kind": "card", "structured": doc.record.structured,
            "record": doc.record.model_dump_json(exclude_none=True), "body": doc.body,
        }))
    header_splitter = MarkdownHeaderTextSplitter([("##", "section")], strip_headers=True)
    size_splitter = RecursiveCharacterTextSplitter(chunk_size=chunk_size, chunk_overlap=chunk_overlap)
    for part in size_splitter.split_documents(header_splitter.split_text(doc.body)):
        section = str(part.metadata.get("section") or doc.title)
        text = part.page_content.strip()
        if not text:
            continue
        n = len(chunks)
        chunks.append(Chunk(
            f"{doc.key}#{n:03d}",
            # The title and section travel with the text: a passage about "Délai" alone says nothing of which
            # procedure it belongs to.
            f"{doc.title} — {section}\n{text}",
            {**base, "section": section, "kind": "section"},
        ))
    return chunks
