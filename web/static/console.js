// The civil servants' console: search procedures in any language, filter them, and read one record in French,
// Arabic and English side by side. Talks only to /v1/search, /v1/procedures and /v1/procedures/{id}.
import { ApiFailure, externalLink, h, requestJson, safeUrl } from "/static/dom.js";

const CATEGORIES = {
  "identity-civil-status": "Identité et état civil", justice: "Justice", transport: "Transport",
  business: "Entreprise", social: "Protection sociale", housing: "Logement et urbanisme", taxes: "Impôts",
  education: "Éducation", civic: "Citoyenneté",
};
const LANGUAGES = { fr: "Français", ar: "العربية", en: "English" };
const LABELS = {
  fr: { administration: "Administration", audience: "Public", documents: "Pièces à fournir", fees: "Frais",
    free: "Gratuit", currency: "MAD", delay: "Délai", validity: "Validité", where: "Où s'adresser",
    online: "Service en ligne", none: "Aucun", legal: "Base légale", source: "Source officielle",
    reviewed: "vérifiée le", notes: "Remarques", body: "Texte complet de la fiche", missing: "Fiche absente dans cette langue.",
    not_stated: "Non précisé dans la source", provenance: "D'où vient chaque champ" },
  ar: { administration: "الإدارة", audience: "الفئة المعنية", documents: "الوثائق المطلوبة", fees: "الرسوم",
    free: "مجانا", currency: "درهم", delay: "الآجال", validity: "مدة الصلاحية", where: "الجهة المختصة",
    online: "الخدمة الإلكترونية", none: "لا توجد", legal: "السند القانوني", source: "المصدر الرسمي",
    reviewed: "تمت المراجعة في", notes: "ملاحظات", body: "النص الكامل للبطاقة", missing: "البطاقة غير متوفرة بهذه اللغة.",
    not_stated: "غير مذكور في المصدر", provenance: "مصدر كل حقل" },
  en: { administration: "Administration", audience: "Audience", documents: "Documents", fees: "Fees",
    free: "Free", currency: "MAD", delay: "Processing time", validity: "Validity", where: "Where to apply",
    online: "Online service", none: "None", legal: "Legal basis", source: "Official source",
    reviewed: "reviewed on", notes: "Notes", body: "Full text of the record", missing: "No record in this language.",
    not_stated: "Not stated in the source", provenance: "Where each field came from" },
};

const AUDIENCES = {
  fr: { citizens: "Citoyens", residents: "Résidents", "residents-abroad": "Marocains résidant à l'étranger",
    companies: "Entreprises", "self-employed": "Indépendants", students: "Étudiants" },
  ar: { citizens: "المواطنون", residents: "المقيمون", "residents-abroad": "مغاربة العالم", companies: "المقاولات",
    "self-employed": "العاملون لحسابهم الخاص", students: "الطلبة" },
  en: { citizens: "Citizens", residents: "Residents", "residents-abroad": "Moroccans abroad", companies: "Companies",
    "self-employed": "Self-employed", students: "Students" },
};

const $ = (id) => document.getElementById(id);
const byId = new Map();  // procedure_id -> its entry in /v1/procedures (French titles, administrations, languages)
let searchCounter = 0;

function fillFilters(procedures) {
  for (const [slug, label] of Object.entries(CATEGORIES)) $("category").append(h("option", { value: slug, text: label }));
  const administrations = [...new Set(procedures.map((p) => p.administration))].sort((a, b) => a.localeCompare(b, "fr"));
  for (const name of administrations) $("administration").append(h("option", { value: name, text: name }));
}

async function findProcedures() {
  const q = $("q").value.trim(), category = $("category").value, lang = $("lang").value;
  if (q) {
    const params = new URLSearchParams({ q, k: "20" });
    if (lang) params.set("lang", lang);
    if (category) params.set("category", category);
    const body = await requestJson(`/v1/search?${params}`);
    return body.results.map((r) => ({ id: r.procedure_id, title: r.title, language: r.language, category: r.category,
      administration: r.administration, snippet: r.snippet }));
  }
  const params = new URLSearchParams({ lang: lang || "fr" });
  if (category) params.set("category", category);
  const body = await requestJson(`/v1/procedures?${params}`);
  return body.procedures.map((p) => ({ id: p.procedure_id, title: p.title, language: lang || "fr", category: p.category,
    administration: p.administration, snippet: "" }));
}

async function runSearch() {
  const run = ++searchCounter;
  $("status").textContent = "Recherche…";
  let items;
  try {
    items = await findProcedures();
  } catch (error) {
    if (run === searchCounter) $("status").textContent = error instanceof ApiFailure ? error.message : "Erreur inattendue.";
    return;
  }
  if (run !== searchCounter) return;  // a newer search has started meanwhile
  const administration = $("administration").value;
  if (administration) items = items.filter((item) => (byId.get(item.id) || {}).administration === administration);
  $("results").replaceChildren(...items.map(resultItem));
  $("status").textContent = items.length ? `${items.length} démarche${items.length > 1 ? "s" : ""}` : "Aucune démarche ne correspond.";
}

function resultItem(item) {
  const dir = item.language === "ar" ? "rtl" : "ltr";
  return h("li", { class: "result" }, [
    h("a", { href: `#p=${encodeURIComponent(item.id)}`, class: "result-title", lang: item.language, dir, text: item.title }),
    h("p", { class: "result-meta" }, [CATEGORIES[item.category] || item.category, " · ",
      h("span", { lang: item.language, dir: "auto", text: item.administration })]),
    item.snippet ? h("p", { class: "snippet", lang: item.language, dir, text: item.snippet }) : null,
  ]);
}

async function openRecord(id) {
  const entry = byId.get(id);
  const languages = Object.keys(LANGUAGES);
  const records = await Promise.all(languages.map((lang) =>
    requestJson(`/v1/procedures/${encodeURIComponent(id)}?lang=${lang}`).catch(() => null)));
  if (!records.some(Boolean)) {
    $("status").textContent = "Cette fiche n'existe pas.";
    return;
  }
  const first = records.find(Boolean);
  $("record-title").textContent = (entry && entry.title) || first.title;
  $("record-meta").replaceChildren(`${CATEGORIES[first.category] || first.category} · `, h("code", { text: id }));
  $("record-columns").replaceChildren(...languages.map((lang, i) => recordColumn(lang, records[i])));
  $("record").hidden = false;
  $("record-title").focus();
}

function recordColumn(lang, record) {
  const t = LABELS[lang], dir = lang === "ar" ? "rtl" : "ltr";
  const column = h("article", { class: "column", lang, dir, "data-lang": lang }, [h("p", { class: "column-lang", text: LANGUAGES[lang] })]);
  if (!record) {
    column.append(h("p", { class: "muted", text: t.missing }));
    return column;
  }
  // A record from an uploaded document or a catalogue line may lack any field: null means "not in the source".
  const missing = () => h("span", { class: "muted", text: t.not_stated });
  const list = (values) => values == null ? missing()
    : values.length ? h("ul", null, values.map((v) => h("li", { dir: "auto", text: v }))) : h("p", { text: t.none });
  const fees = record.fees == null ? missing()
    : record.fees.length && record.fees.every((f) => f.amount_mad === 0) ? h("p", { text: t.free })
    : list(record.fees.map((f) => `${f.label} : ${f.amount_mad} ${t.currency}`));
  const online = record.online_service ? externalLink(record.online_service.url, record.online_service.name) : t.none;
  const text = (value) => value == null ? missing() : value;
  const source = record.source_url
    ? h("span", null, [externalLink(record.source_url), ...(record.last_reviewed ? [` (${t.reviewed} `, h("bdi", { dir: "ltr", text: record.last_reviewed }), ")"] : [])])
    : missing();
  const rows = [
    [t.administration, text(record.administration)], [t.audience, (record.audience || []).map((a) => AUDIENCES[lang][a] || a).join(lang === "ar" ? "، " : ", ")], [t.documents, list(record.documents)],
    [t.fees, fees], [t.delay, text(record.delay)], [t.validity, text(record.validity)], [t.where, text(record.where)], [t.online, online],
    [t.legal, list(record.legal_basis)],
    [t.source, source],
  ];
  if (record.notes) rows.push([t.notes, record.notes]);
  column.append(h("h3", { text: record.title }),
    h("dl", null, rows.flatMap(([label, value]) => [h("dt", { text: label }), h("dd", null, [value])])),
    h("details", null, [h("summary", { text: t.body }), h("div", { class: "body-text", text: record.body })]),
    provenance(record, t));
  return column;
}

// Where each field came from: the file or URL, its date, and how it was read (front-matter, a section, a
// catalogue field). A page kept in sync names its URL (a link) and the day its version was fetched.
function provenance(record, t) {
  const sources = Object.entries(record.field_sources || {});
  const rows = sources.map(([field, s]) => h("li", { dir: "ltr", class: "field-source", "data-field": field },
    [h("code", { text: field }), " — ", safeUrl(s.source) ? externalLink(s.source) : s.source,
      `${s.date ? ` (${s.date})` : ""}${s.via ? ` · ${s.via}` : ""}`]));
  return h("details", { class: "provenance" }, [h("summary", { text: t.provenance }),
    rows.length ? h("ul", null, rows) : h("p", { class: "muted", text: t.not_stated })]);
}

function openFromHash() {
  const match = /^#p=(.+)$/.exec(location.hash);
  if (match) openRecord(decodeURIComponent(match[1]));
}

async function init() {
  // Listeners first: a search typed while the list loads must not submit the form as a page load.
  $("search-form").addEventListener("submit", (event) => { event.preventDefault(); runSearch(); });
  for (const id of ["category", "administration", "lang"]) $(id).addEventListener("change", runSearch);
  window.addEventListener("hashchange", openFromHash);
  try {
    const { procedures } = await requestJson("/v1/procedures?lang=fr");
    for (const p of procedures) byId.set(p.procedure_id, p);
    fillFilters(procedures);
  } catch (error) {
    $("status").textContent = error.message;
  }
  await runSearch();
  openFromHash();
}

init();
