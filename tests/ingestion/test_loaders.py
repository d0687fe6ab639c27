"""Each loader turns its format into sections, and each kind of bad input is refused with a reason."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest
from pypdf import PdfWriter
from reportlab.pdfgen import canvas

from ingestion.loaders import LoadError, load_document
from tests.conftest import CORPUS

GOOD = (CORPUS / "procedures" / "certificat-residence" / "fr.md").read_text(encoding="utf-8")


def write(tmp_path: Path, relative: str, data: bytes | str) -> Path:
    path = tmp_path / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def load(path: Path, max_bytes: int = 1_000_000):
    return load_document(path, path.name, max_bytes)


def test_markdown_record_loads_with_its_front_matter(tmp_path: Path) -> None:
    doc = load(write(tmp_path, "certificat-residence/fr.md", GOOD))
    assert doc.procedure_id == "certificat-residence" and doc.language == "fr"
    assert doc.record is not None and doc.metadata["category"] == "identity-civil-status"


@pytest.mark.parametrize(("mutate", "reason"), [
    (lambda t: t.replace("title:", "title: [unclosed", 1), "invalid YAML"),
    (lambda t: t.replace("delay:", "delai:", 1), "missing key 'delay'"),
    (lambda t: t.replace("amount_mad: 20", "amount_mad: '20 DH'", 1), "amount_mad"),
    (lambda t: t.replace("source_url: https", "source_url: http", 1), "source_url"),
    (lambda t: t.replace("## Délai", "## Autre", 1), "missing sections"),
    (lambda t: t.split("---", 2)[2], "no YAML front-matter"),
])
def test_bad_markdown_is_refused_with_the_reason(tmp_path: Path, mutate, reason: str) -> None:
    assert "amount_mad: 20" in GOOD
    with pytest.raises(LoadError, match=reason):
        load(write(tmp_path, "certificat-residence/fr.md", mutate(GOOD)))


def test_id_that_disagrees_with_its_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="disagrees with its folder"):
        load(write(tmp_path, "passeport-biometrique/fr.md", GOOD))


def test_language_that_disagrees_with_the_file_name_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="disagrees with the file name"):
        load(write(tmp_path, "certificat-residence/en.md", GOOD))


def test_empty_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="empty file"):
        load(write(tmp_path, "x/fr.md", "  \n"))


def test_non_utf8_text_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="not UTF-8"):
        load(write(tmp_path, "certificat-residence/fr.md", GOOD.encode("utf-8").replace(b"Certificat", b"\xff\xfe")))


def test_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="over the limit"):
        load(write(tmp_path, "certificat-residence/fr.md", GOOD), max_bytes=100)


def test_binary_renamed_pdf_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="not a readable PDF"):
        load(write(tmp_path, "guide.fr.pdf", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4))


def pdf_with_text(lines: list[str]) -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.setTitle("Guide du passeport")
    for n, line in enumerate(lines):
        page.drawString(72, 720 - 20 * n, line)
    page.save()
    return buffer.getvalue()


def test_pdf_text_is_extracted(tmp_path: Path) -> None:
    doc = load(write(tmp_path, "guide-passeport.fr.pdf", pdf_with_text(["Timbre de 500 dirhams", "Photos 35x45"])))
    assert doc.procedure_id == "guide-passeport" and doc.language == "fr"
    assert "500 dirhams" in doc.body and doc.title == "Guide du passeport"


def test_encrypted_pdf_is_refused(tmp_path: Path) -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt("secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(LoadError, match="encrypted PDF"):
        load(write(tmp_path, "guide.fr.pdf", buffer.getvalue()))


def test_html_keeps_the_main_text_and_drops_navigation(tmp_path: Path) -> None:
    html = """<html><head><title>Passeport biométrique | Idarati</title></head><body>
    <nav><a href="/">Accueil</a> <a href="/x">Plan du site navigation principale</a></nav>
    <main><h1>Passeport biométrique</h1><p>Le passeport est délivré par l'annexe administrative du domicile.
    Il faut un timbre électronique de 500 dirhams acheté en ligne avant le dépôt.</p>
    <h2>Pièces à fournir</h2><ul><li>Copie de la CNIE</li><li>Deux photos récentes</li></ul></main>
    <footer>Copyright tous droits réservés. Mentions légales.</footer></body></html>"""
    doc = load(write(tmp_path, "passeport.fr.html", html))
    assert doc.title == "Passeport biométrique"
    assert "## Pièces à fournir" in doc.body and "500 dirhams" in doc.body
    assert "Plan du site" not in doc.body and "Copyright" not in doc.body


def test_docx_headings_become_sections(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_heading("Permis de pêche", level=1)
    document.add_heading("Pièces à fournir", level=2)
    document.add_paragraph("Copie de la CNIE et une photo.")
    buffer = io.BytesIO()
    document.save(buffer)
    doc = load(write(tmp_path, "permis-peche.fr.docx", buffer.getvalue()))
    assert doc.title == "Permis de pêche"
    assert "## Pièces à fournir" in doc.body and "Copie de la CNIE" in doc.body


def test_corrupt_docx_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="not a readable DOCX"):
        load(write(tmp_path, "x.fr.docx", b"PK\x03\x04 this is not really a zip"))


def test_unsupported_type_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="unsupported file type"):
        load(write(tmp_path, "notes.txt", "hello"))
