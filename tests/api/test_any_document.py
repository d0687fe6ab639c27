"""Any document becomes an answerable procedure: HTML, PDF and DOCX uploads (French and Arabic) are listed, and
answered with the fee, documents and delay they state, citing the upload; a page without sections is answered
from its passages. An upload that cannot be indexed says so and the previous version keeps answering."""

from __future__ import annotations

import numpy as np

from tests.conftest import ADMIN
from tests.ingestion.documents import (
    DOCX_AR,
    HTML_AR,
    HTML_FR,
    HTML_NO_SECTIONS,
    PDF_LINES_FR,
    docx_bytes,
    pdf_bytes,
)


def upload(client, name: str, data: bytes | str):
    body = data.encode() if isinstance(data, str) else data
    return client.post("/v1/admin/documents", headers=ADMIN, files={"file": (name, body, "application/octet-stream")})


def ask(client, message: str) -> dict:
    response = client.post("/v1/chat", json={"message": message})
    assert response.status_code == 200
    return response.json()


def listed(client) -> dict[str, dict]:
    return {p["procedure_id"]: p for p in client.get("/v1/procedures").json()["procedures"]}


def test_html_pdf_and_docx_uploads_are_listed_and_answered_with_their_fields(client) -> None:
    assert upload(client, "permis-peche.fr.html", HTML_FR).status_code == 201
    assert upload(client, "autorisation-tournage.fr.pdf", pdf_bytes(PDF_LINES_FR)).status_code == 201
    assert upload(client, "carte-transport-handicap.ar.docx", docx_bytes(*DOCX_AR)).status_code == 201
    procedures = listed(client)
    for procedure_id in ("permis-peche", "autorisation-tournage", "carte-transport-handicap"):
        assert procedures[procedure_id]["structured"] is True
    fee = ask(client, "Combien coûte le permis de pêche de loisir ?")
    assert fee["status"] == "answered" and "150" in fee["answer"]
    assert fee["citations"][0]["procedure_id"] == "permis-peche"
    documents = ask(client, "Quelles pièces pour l'autorisation de tournage de films ?")
    assert documents["status"] == "answered" and "Synopsis du film" in documents["answer"]
    assert documents["citations"][0]["procedure_id"] == "autorisation-tournage"
    delay = ask(client, "ما هي آجال بطاقة ذوي الاحتياجات الخاصة للنقل؟")
    assert delay["status"] == "answered" and "شهر واحد" in delay["answer"]
    assert delay["citations"][0]["procedure_id"] == "carte-transport-handicap"


def test_an_arabic_page_is_answered_in_arabic_with_its_fee(client) -> None:
    assert upload(client, "rokhsat-sayd.ar.html", HTML_AR).status_code == 201
    turn = ask(client, "شحال كتكلف رخصة حمل السلاح للصيد؟")
    assert turn["status"] == "answered" and "300" in turn["answer"]
    assert turn["citations"][0]["procedure_id"] == "rokhsat-sayd"


def test_a_field_the_document_does_not_state_is_said_to_be_missing(client) -> None:
    assert upload(client, "permis-peche.fr.html", HTML_FR).status_code == 201
    turn = ask(client, "Quelle est la durée de validité du permis de pêche de loisir ?")
    assert turn["status"] == "answered" and "la fiche ne le précise pas" in turn["answer"]


def test_a_page_without_sections_is_listed_as_text_only_and_answered_from_its_passages(client) -> None:
    assert upload(client, "guichet-artisans.fr.html", HTML_NO_SECTIONS).status_code == 201
    assert listed(client)["guichet-artisans"]["structured"] is False
    record = client.get("/v1/procedures/guichet-artisans").json()
    assert record["documents"] is None and record["field_sources"]["title"]["source"].startswith("uploads/")
    turn = ask(client, "Que fait le guichet des artisans pour la carte professionnelle d'artisan ?")
    assert turn["status"] == "answered" and turn["citations"][0]["procedure_id"] == "guichet-artisans"
    assert "maîtres artisans" in turn["answer"]


class FailingEmbedder:
    """Embeds questions, refuses passages: an index job that cannot finish."""

    def __init__(self, inner) -> None:
        self.inner, self.name, self.dimension = inner, inner.name, inner.dimension

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)

    def embed_passages(self, texts):
        raise RuntimeError("embedding service down")


def test_an_upload_that_cannot_be_indexed_is_an_error_and_the_previous_version_keeps_answering(client) -> None:
    assert upload(client, "permis-peche.fr.html", HTML_FR).status_code == 201
    services = client.app.state.services
    real = services.embedder
    services.embedder = FailingEmbedder(real)
    try:
        response = upload(client, "permis-peche.fr.html", HTML_FR.replace("150 DH", "900 DH"))
    finally:
        services.embedder = real
    assert response.status_code == 503 and response.json()["error"]["code"] == "index_unavailable"
    message = response.json()["error"]["message"]
    assert "previous version keeps answering" in message and "embedding service down" not in message
    job = client.get("/v1/admin/jobs", headers=ADMIN).json()["jobs"][0]
    assert job["kind"] == "upload" and job["status"] == "failed" and job["errors"]
    assert [f["amount_mad"] for f in client.get("/v1/procedures/permis-peche").json()["fees"]] == [150.0]
    # The stored upload is the previous one again, so the next re-index serves it too.
    stored = services.documents.upload_for("permis-peche", "fr")
    assert stored is not None and b"150 DH" in stored.content


def test_a_catalogue_file_through_the_admin_upload_names_its_bad_lines_and_imports_the_rest(client) -> None:
    from tests.ingestion.test_catalogue import corpus_lines, jsonl

    lines = corpus_lines(4)
    data = jsonl(lines) + b'{"id": "x", "lang": "fr"}\n'
    response = client.post("/v1/admin/catalogue", headers=ADMIN,
                           files={"file": ("portail.jsonl", data, "application/jsonl")})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["counts"]["added"] == 4 and body["counts"]["bad_lines"] == 1 and body["status"] == "partial"
    assert body["errors"] == [{"line": 5, "message": "missing key 'title'"}]
    assert {line["id"] for line in lines} <= set(listed(client))
    again = client.post("/v1/admin/catalogue", headers=ADMIN, data={"prune": "true"},
                        files={"file": ("portail.jsonl", jsonl(lines[:3]), "application/jsonl")}).json()
    assert again["counts"] == {"added": 0, "changed": 0, "unchanged": 3, "removed": 1, "kept_missing": 0,
                               "bad_lines": 0}
    assert again["removed"] == [f"{lines[3]['id']}.{lines[3]['lang']}"]
    assert lines[3]["id"] not in listed(client)


def test_a_catalogue_file_with_no_valid_line_is_a_400_naming_the_lines(client) -> None:
    response = client.post("/v1/admin/catalogue", headers=ADMIN,
                           files={"file": ("bad.jsonl", b"not json\n{}\n", "application/jsonl")})
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_catalogue"
    assert "line 1" in response.json()["error"]["message"] and "line 2" in response.json()["error"]["message"]
