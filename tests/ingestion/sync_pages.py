"""Official pages for the sync tests, written by us: a procedure page with its sections in French or Arabic."""

from __future__ import annotations

FILLER = (
    "La demande est instruite par le service compétent, qui vérifie le dossier et convoque le demandeur si une pièce "
    "manque.",
    "Le récépissé remis au dépôt permet de suivre l'avancement de la demande auprès du guichet ou par téléphone.",
    "Le document est remis en main propre au demandeur, sur présentation de sa carte nationale et du récépissé.",
    "En cas de perte du récépissé, une attestation de dépôt peut être demandée au même guichet, sans frais.",
    "Les horaires d'ouverture du guichet sont affichés à l'entrée et publiés sur le portail de l'administration.",
    "Une demande incomplète n'est pas rejetée : le service indique par écrit les pièces qui manquent au dossier.",
)


def procedure_page(title: str, fee: int, delay: str = "Dix jours ouvrables", paragraphs: int = 4) -> str:
    body = "".join(f"<p>{sentence}</p>" for sentence in FILLER[:paragraphs])
    return f"""<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>{title}</title></head>
<body><nav><a href="/">Accueil</a></nav><main><article>
<h1>{title}</h1>
<h2>Description</h2>{body}
<h2>Pièces à fournir</h2><ul><li>Copie de la carte nationale</li><li>Deux photos d'identité récentes</li></ul>
<h2>Coût</h2><p>Timbre fiscal de {fee} DH.</p>
<h2>Délai</h2><p>{delay}.</p>
</article></main><footer>Portail officiel</footer></body></html>"""


def arabic_page(title: str, fee: int) -> str:
    text = "تدرس المصلحة المختصة الطلب وتتحقق من الملف وتستدعي صاحب الطلب إذا كانت هناك وثيقة ناقصة. " * 4
    return f"""<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>{title}</title></head>
<body><main><article><h1>{title}</h1>
<h2>الوصف</h2><p>{text}</p>
<h2>الوثائق المطلوبة</h2><ul><li>نسخة من البطاقة الوطنية</li><li>صورتان شمسيتان</li></ul>
<h2>التكلفة</h2><p>{fee} درهم</p>
<h2>الآجال</h2><p>عشرة أيام</p>
</article></main></body></html>"""
