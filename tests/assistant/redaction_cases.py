"""The redaction table: personal data in every spelling people use (each with the part that must not survive),
and text that looks like it but is not (dates, fees, law numbers, delays). Written for Sahla; fictitious values."""

from __future__ import annotations

import re

from assistant.redact import fold_for_matching

ZWJ, ZWNJ, NBSP, NNBSP, SHY = "\u200d", "\u200c", "\u00a0", "\u202f", "\u00ad"

# (message, the part that must not survive redaction, in squashed form: see `squash`)
POSITIVE: list[tuple[str, str]] = [
    # CIN
    ("Ma CIN est AB123456", "ab123456"),
    ("CIN AB-123456 perdue", "ab123456"),
    ("ma carte AB 123 456", "ab123456"),
    ("Numéro de CNIE: ＡＢ１２３４５６", "ab123456"),
    ("cin dyali bk654321", "bk654321"),
    ("بطاقتي رقم JA١٢٣٤٥٦", "ja123456"),
    ("my id is J123456 thanks", "j123456"),
    ("carte AB1234٥٦", "ab123456"),
    (f"CIN A{ZWJ}B123457", "ab123457"),
    ("CIN: EE 12 34 56", "ee123456"),
    ("CIN Z/345678 expirée", "z345678"),
    ("ana 3andi la carte BE.765432", "be765432"),
    # phones
    ("appelez-moi au 0612345678", "612345678"),
    ("tel 06 12 34 56 78", "612345678"),
    ("tel 06.12.34.56.78", "612345678"),
    ("tel 06-12-34-56-78", "612345678"),
    ("tel 06/12/34/56/78", "612345678"),
    ("mon numéro: 212612345678", "612345678"),
    ("call +212612345678 please", "612345678"),
    ("call +212 6 12 34 56 78", "612345678"),
    ("numéro 00 212 6 12 34 56 78", "612345678"),
    ("numéro 00212612345678", "612345678"),
    ("(+212) 612-345-678 est mon numéro", "612345678"),
    ("+212 (0)6 12 34 56 78", "612345678"),
    ("+212(0)612345678", "612345678"),
    (f"06{NBSP}12{NBSP}34{NBSP}56{NBSP}78", "612345678"),
    (f"06{NNBSP}12{NNBSP}34{NNBSP}56{NNBSP}78", "612345678"),
    (f"06{ZWJ}12{ZWJ}34{ZWJ}56{ZWJ}78", "612345678"),
    (f"0612{ZWNJ}345678", "612345678"),
    (f"0612{SHY}345678", "612345678"),
    ("رقمي ٠٦١٢٣٤٥٦٧٨", "612345678"),
    ("رقم الهاتف ۰۶۱۲۳۴۵۶۷۸", "612345678"),
    ("tel ０６１２３４５６７８", "612345678"),
    ("fixe 0537 12 34 56", "537123456"),
    ("ra9mi howa 0712345678", "712345678"),
    ("whatsapp 07 12 34 56 78", "712345678"),
    ("tel +212 5 37 12 34 56", "537123456"),
    # e-mails
    ("mail karim.benali@gmail.com", "karimbenali"),
    ("écrivez à karim.benali at gmail dot com", "karimbenali"),
    ("karim.benali [at] gmail [dot] com", "karimbenali"),
    ("karim.benali(at)gmail(dot)ma", "karimbenali"),
    ("karim.benali @ gmail.com", "karimbenali"),
    ("karim.benali＠gmail.ma", "karimbenali"),
    ("karim.benali arobase menara point ma", "karimbenali"),
    ("KARIM.BENALI@GMAIL.COM", "karimbenali"),
    ("email: s.alaoui@mail.gov.ma", "salaoui"),
    # RIB
    ("RIB 011 780 0000 1234 5678 9012 34", "011780000012345678901234"),
    ("RIB 011.780.0000.1234.5678.9012.34", "011780000012345678901234"),
    ("RIB 011780000012345678901234", "011780000012345678901234"),
    ("RIB 011  780  0000  1234  5678  9012  34", "011780000012345678901234"),
    ("rib: 011-780-0000123456789012-34", "011780000012345678901234"),
    ("RIB ٠١١٧٨٠٠٠٠٠١٢٣٤٥٦٧٨٩٠١٢٣٤", "011780000012345678901234"),
    # CNSS
    ("CNSS: 123 456 789", "123456789"),
    ("CNSS 123456789", "123456789"),
    ("numéro cnss 123.456.789", "123456789"),
    ("رقم الضمان الاجتماعي ١٢٣٤٥٦٧٨٩", "123456789"),
    ("ra9m daman dyali 123456789", "123456789"),
    # numbers a person labels as theirs
    ("ra9m lbita9a dyali 87654321", "87654321"),
    ("رقم البطاقة 87654321", "87654321"),
    ("numéro de passeport 87654321", "87654321"),
    ("my passport number is 87 65 43 21", "87654321"),
    ("code massar G123456789", "g123456789"),
    ("numéro de compte 1234 5678 9012", "123456789012"),
]

NEGATIVE: list[str] = [
    "vérifiée le 2025-11-20",
    "dernière mise à jour 2024-03-05",
    "le 06/12/2024 à 10:30",
    "rendez-vous le 12.05.2025 10 30",
    "en 2025, le passeport coûte 500 DH",
    "in 2023 the fee was 75 MAD",
    "la loi 55-19 relative à la simplification",
    "loi n° 15-95 formant code de commerce",
    "Dahir n° 1-20-06 du 6 mars 2020",
    "القانون رقم 55.19",
    "le timbre coûte 300 DH",
    "Le droit est de 1 200 dirhams",
    "DH 12000 pour la licence",
    "الرسوم 100 درهم",
    "délai: 15 jours ouvrables",
    "3 à 5 semaines",
    "comptez 48 heures",
    "appelez le 3737",
    "code postal 10000 Rabat",
    "BP 10000 Rabat",
    "article 12 du décret",
    "formulaire 2024/15",
    "le 1er janvier 2026",
    "année 2024-2025",
    "page 12 sur 40",
    "Il faut 2 photos 35x45",
    "carte nationale valable 10 ans",
    "passeport biométrique 32 pages",
    "j'ai 25 ans et je suis né en 1999",
    "version 1.2.3 du formulaire",
    "je suis at home",
    "rendez-vous at 10 dot",
    "Online at chikaya.ma, by phone on 37 37",
    "Filing and tracking are done online at rokhas.ma.",
]


def squash(text: str) -> str:
    """The text as the redaction sees it, lowercased, without separators: where a secret must not be found."""
    return re.sub(r"[\s.\-/()\[\]@＠]|at|dot|point|arobase", "", fold_for_matching(text)[0].lower())
