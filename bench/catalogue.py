"""A synthetic national catalogue: SYNTHETIC TEST DATA for tests and benchmarks, never served by default.

    python -m bench.catalogue --procedures 2500 --out data/synthetic/catalogue.jsonl   # 5,000 lines (fr + ar)

It writes the catalogue import's JSON Lines shape (docs/catalogue.md): one line per procedure and language, in
French and Arabic, about 9 chunks per line once indexed (2,500 procedures give about 45,000 chunks). Procedures
come in families of near-duplicates, as on the national portal: the same kind of procedure ("Licence de ...",
"Certificat de ...", "Paiement de ...", the biometric passport) for several objects, administrations, audiences
(adults, minors, adults under guardianship, residents abroad, companies) and acts (first request, renewal,
duplicate). Fees, delays and documents vary; a share of the lines carry Darija aliases.

Every id starts with `syn-` and every `source_url` is on the reserved `.test` domain, so a synthetic procedure is
recognisable wherever it ends up. The same seed always gives the same file."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.catalogue_vocab import ACTS, ADMINISTRATIONS, AUDIENCES, COMMON_DOCUMENTS, DELAYS, FAMILIES, Family
from ingestion.catalogue import parse_catalogue

SOURCE_HOST = "https://catalogue-synthetique.test/procedures/"
ID_PREFIX = "syn-"
# Who may be a minor or under guardianship: identity papers, schooling and social files, not trade licences.
PERSONAL_CATEGORIES = frozenset({"identity-civil-status", "education", "social"})
DARIJA_SHARE = 0.3


def _space(family: Family) -> list[tuple[Family, tuple[str, str, str], str, tuple[str, str, str], str]]:
    audiences = AUDIENCES if family.category in PERSONAL_CATEGORIES else AUDIENCES[:4]
    return [(family, obj, admin, audience, act) for obj in family.objects for admin in family.administrations
            for audience in audiences for act in family.acts]


def draw_procedures(count: int, seed: int) -> Iterator[tuple[Family, tuple[str, str, str], str,
                                                             tuple[str, str, str], str]]:
    """`count` distinct (family, object, administration, audience, act), taken in turn from each family's shuffled
    space, so every family is represented at any size and its members share objects (near-duplicates)."""
    rng = random.Random(seed)
    spaces = [_space(family) for family in FAMILIES]
    for space in spaces:
        rng.shuffle(space)
    total = sum(len(s) for s in spaces)
    if count > total:
        raise ValueError(f"at most {total} synthetic procedures can be drawn, not {count}")
    drawn = 0
    for position in range(max(len(s) for s in spaces)):
        for space in spaces:
            if position < len(space):
                yield space[position]
                drawn += 1
                if drawn == count:
                    return


def procedure_lines(count: int, seed: int = 16) -> list[dict[str, Any]]:
    """The catalogue as JSON-ready lines: for each procedure its French line, then its Arabic line."""
    rng = random.Random(seed * 7919)
    lines: list[dict[str, Any]] = []
    for family, obj, admin, audience, act in draw_procedures(count, seed):
        procedure_id = f"{ID_PREFIX}{family.key}-{obj[0]}-{audience[0]}-{admin}-{act}"
        facts = _facts(rng, family)
        with_darija = rng.random() < DARIJA_SHARE
        for lang in ("fr", "ar"):
            lines.append(_line(procedure_id, lang, family, obj, admin, audience, act, facts, with_darija))
    return lines


def _facts(rng: random.Random, family: Family) -> dict[str, Any]:
    """What both languages of one procedure share: the same fee, delay, documents and dates."""
    documents = rng.sample(family.documents, k=min(len(family.documents), rng.randint(1, 3)))
    documents += rng.sample(COMMON_DOCUMENTS, k=rng.randint(1, 3))
    return {
        "fee": rng.choice(family.fees), "delay": rng.choice(DELAYS), "documents": documents,
        "validity_days": rng.choice((None, None, 90, 365, 1825, 3650)), "online": rng.random() < 0.25,
        "updated": dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 300)),
    }


def _line(procedure_id: str, lang: str, family: Family, obj: tuple[str, str, str], admin: str,
          audience: tuple[str, str, str], act: str, facts: dict[str, Any], with_darija: bool) -> dict[str, Any]:
    fr = lang == "fr"
    index = 0 if fr else 1
    act_prefix = ACTS[act][index]
    base = (family.fr if fr else family.ar).format(obj=obj[1] if fr else obj[2])
    audience_words = audience[1] if fr else audience[2]
    administration = ADMINISTRATIONS[admin][index]
    short_admin = administration.split(" (")[0]
    title = f"{act_prefix}{base} {audience_words} — {short_admin}"
    fee = facts["fee"]
    line: dict[str, Any] = {
        "id": procedure_id, "lang": lang, "title": title,
        "description": _description(fr, base, audience_words, short_admin, act),
        "category": family.category,
        "portal_path": [family.category, base],
        "price": ("gratuit" if fr else "بالمجان") if fee == 0 else f"{fee} DH",
        "delay": facts["delay"][index],
        "administration_in_charge": administration,
        "receiving_administration": short_admin,
        "documents": [d[index] for d in facts["documents"]],
        "conditions": _conditions(fr, audience_words),
        "steps": _steps(fr, short_admin),
        "notes": ("Un dossier incomplet n'est pas reçu ; gardez le récépissé de dépôt." if fr
                  else "لا يقبل الملف غير الكامل؛ احتفظوا بوصل الإيداع."),
        "source_url": SOURCE_HOST + procedure_id,
        "updated": facts["updated"].isoformat(),
    }
    if facts["validity_days"] is not None:
        line["validity_days"] = facts["validity_days"]
    if facts["online"]:
        line["website"] = f"https://e-services.synthetique.test/{procedure_id}"
    if with_darija:
        line["aliases"] = _darija_aliases(family, obj, act)
    return line


def _description(fr: bool, base: str, audience: str, admin: str, act: str) -> str:
    if fr:
        verb = {"demande": "d'obtenir", "renouvellement": "de renouveler", "duplicata": "de remplacer",
                "modification": "de modifier"}[act]
        return (f"Cette démarche permet {verb} : {base.lower()} {audience}. Le dossier est déposé auprès de "
                f"{admin}, qui l'instruit et notifie sa décision au demandeur.")
    verb = {"demande": "الحصول على", "renouvellement": "تجديد", "duplicata": "تعويض",
            "modification": "تعديل"}[act]
    return f"تمكن هذه المسطرة من {verb} {base} {audience}. يودع الملف لدى {admin} التي تدرسه وتبلغ قرارها للطالب."


def _conditions(fr: bool, audience: str) -> list[str]:
    if fr:
        return [f"Être concerné par la démarche {audience}", "Présenter un dossier complet",
                "Être à jour de ses obligations envers l'administration"]
    return [f"أن يكون الطالب معنيا بالمسطرة {audience}", "تقديم ملف كامل", "تسوية الوضعية تجاه الإدارة"]


def _steps(fr: bool, admin: str) -> list[str]:
    if fr:
        return ["Rassembler les pièces demandées", f"Déposer le dossier auprès de {admin}",
                "Payer les droits éventuels et garder le reçu", "Retirer la décision ou le document à la date indiquée"]
    return ["تجميع الوثائق المطلوبة", f"إيداع الملف لدى {admin}", "أداء الرسوم عند الاقتضاء والاحتفاظ بالوصل",
            "سحب القرار أو الوثيقة في التاريخ المحدد"]


def _darija_aliases(family: Family, obj: tuple[str, str, str], act: str) -> list[str]:
    latin, arabic = family.darija
    verb = ACTS[act][2]
    return [f"kifach {verb} {latin} dyal {obj[0].replace('-', ' ')}", f"{arabic} ديال {obj[2]}"]


def write_catalogue(path: Path, count: int, seed: int = 16) -> int:
    """Writes the catalogue; returns the number of lines."""
    lines = procedure_lines(count, seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for line in lines:
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")
    return len(lines)


def stage_entries(catalogue: Path, folder: Path, source: str = "synthetic") -> int:
    """The catalogue's lines as the import stores them (`<id>/<lang>.json`, the canonical entry), under `folder`,
    so an index run reads exactly what `python -m ingestion import` would give it, without a database.
    Returns the number of entries; a bad line stops here, naming it."""
    parsed = parse_catalogue(catalogue.read_bytes(), source)
    if parsed.errors:
        number, reason = parsed.errors[0]
        raise ValueError(f"{catalogue} line {number}: {reason}")
    shutil.rmtree(folder, ignore_errors=True)
    for entry in parsed.entries:
        target = folder / entry.procedure_id / f"{entry.language}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(entry.content)
    return len(parsed.entries)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.catalogue", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--procedures", type=int, default=2500, help="procedures (each gives a fr and an ar line)")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--out", type=Path, default=Path("data/synthetic/catalogue.jsonl"))
    args = parser.parse_args(argv)
    if args.procedures < 1:
        parser.error("--procedures must be at least 1")
    try:
        written = write_catalogue(args.out, args.procedures, args.seed)
    except ValueError as exc:
        parser.error(str(exc))
    print(f"wrote {written} lines (synthetic test data) to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
