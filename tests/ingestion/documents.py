"""Real HTML, PDF and DOCX files for the tests, made here (no mocks), in French and Arabic."""

from __future__ import annotations

import io

import docx
from reportlab.pdfgen import canvas

HTML_FR = """<html><head><title>Permis de pêche de loisir | Portail</title></head><body>
<nav><a href="/">Accueil</a> <a href="/plan">Plan du site</a></nav>
<main><h1>Permis de pêche de loisir</h1>
<p>Le permis de pêche de loisir autorise la pêche à la ligne dans les eaux continentales du Royaume.
Il est délivré par la direction régionale des eaux et forêts.</p>
<h2>Pièces à fournir</h2><ul><li>Copie de la CNIE</li><li>Une photo d'identité</li>
<li>Quittance de paiement de la redevance</li></ul>
<h2>Coût</h2><p>Redevance annuelle : 150 DH</p>
<h2>Délai</h2><p>Le permis est délivré le jour même du dépôt.</p>
<h2>Où s'adresser</h2><p>Direction régionale des eaux et forêts de la province de résidence.</p>
</main><footer>Tous droits réservés.</footer></body></html>"""

HTML_AR = """<html lang="ar" dir="rtl"><head><title>رخصة حمل السلاح للصيد</title></head><body><main>
<h1>رخصة حمل السلاح للصيد</h1>
<p>تمنح رخصة حمل السلاح للصيد من طرف السلطات الإدارية المحلية للأشخاص الراغبين في ممارسة القنص.</p>
<h2>الوثائق المطلوبة</h2><ul><li>نسخة من البطاقة الوطنية للتعريف الإلكترونية</li><li>شهادة طبية</li>
<li>عقد التأمين على الصيد</li></ul>
<h2>الرسوم</h2><p>واجب التمبر: 300 درهم</p>
<h2>الآجال</h2><p>خمسة عشر يوما من تاريخ إيداع الملف</p>
</main></body></html>"""

HTML_NO_SECTIONS = """<html><head><title>Le guichet des artisans</title></head><body><main>
<h1>Le guichet des artisans</h1>
<p>Le guichet des artisans accueille les maîtres artisans qui souhaitent obtenir la carte professionnelle
d'artisan. Les conseillers expliquent la démarche et orientent vers la chambre d'artisanat de la région.</p>
<p>La carte professionnelle d'artisan facilite l'accès aux foires, aux formations et à la couverture médicale.
Les horaires d'ouverture sont affichés à l'entrée de chaque chambre régionale.</p>
</main></body></html>"""

PDF_LINES_FR = [
    "Autorisation de tournage de films",
    "Le Centre cinematographique marocain delivre l'autorisation de tournage aux producteurs.",
    "Pieces a fournir :",
    "- Demande signee par le producteur",
    "- Synopsis du film",
    "- Liste de l'equipe technique",
    "Cout : 2 000 DH",
    "Delai : 10 jours ouvrables",
    "Ou s'adresser : Centre cinematographique marocain, Rabat",
]


def pdf_bytes(lines: list[str], title: str = "") -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    if title:
        page.setTitle(title)
    for n, line in enumerate(lines):
        page.drawString(60, 760 - 18 * n, line)
    page.save()
    return buffer.getvalue()


def docx_bytes(title: str, sections: list[tuple[str, list[str]]], intro: str = "") -> bytes:
    document = docx.Document()
    document.add_heading(title, level=1)
    if intro:
        document.add_paragraph(intro)
    for heading, paragraphs in sections:
        document.add_heading(heading, level=2)
        for paragraph in paragraphs:
            document.add_paragraph(paragraph, style="List Bullet" if paragraph.startswith("• ") else None)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


DOCX_AR = ("بطاقة ذوي الاحتياجات الخاصة للنقل", [
    ("الوثائق المطلوبة", ["- نسخة من البطاقة الوطنية", "- شهادة الإعاقة", "- صورتان شمسيتان"]),
    ("التكلفة", ["الخدمة بالمجان"]),
    ("الآجال", ["شهر واحد"]),
    ("الجهة المختصة", ["المندوبية الجهوية للتضامن"]),
])
