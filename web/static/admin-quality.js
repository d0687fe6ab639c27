// The admin page's quality section: per week and language form, the share of reviewed answers marked correct,
// thumbs up and down, not-found and clarify rates, and the procedures most often marked wrong, as SVG charts drawn
// here (no chart library); the CSV export of reviewed turns; the aliases learned from corrections and the questions
// marked "not our domain", which an admin may remove; and the corrections audit trail. The figures come with GET /v1/admin/stats ("quality").
import { ApiFailure, h, svg } from "/static/dom.js";

const PALETTE = ["#005a9c", "#b35c00", "#1e6b34", "#7a2a8c", "#545454", "#b3261e"];
const FORM_NAMES = { fr: "Français", ar: "العربية", en: "English", darija: "Darija", darija_latin: "Darija (latin)",
  amazigh: "Amazigh" };
const ACTIONS = { review: "Revue", link: "Question reliée", alias_removed: "Alias retiré", out_of_scope_removed: "Exemple hors sujet retiré" };

const $ = (id) => document.getElementById(id);
let admin = null;  // admin.js's request function, with the admin key
let quality = { weeks: [], top_wrong: [] };

export function initQuality(request) {
  admin = request;
  $("quality-form").addEventListener("change", drawCharts);
  $("export-csv").addEventListener("click", exportCsv);
}

export function showQuality(report) {
  quality = report || { weeks: [], top_wrong: [] };
  const forms = [...new Set(quality.weeks.map((w) => w.form))].sort();
  const chosen = $("quality-form").value;
  $("quality-form").replaceChildren(h("option", { value: "", text: "Toutes" }),
    ...forms.map((f) => h("option", { value: f, text: FORM_NAMES[f] || f, selected: f === chosen })));
  drawCharts();
  fillTable();
  loadAliases();
  loadOutOfScope();
  loadCorrections();
}

// -- charts --------------------------------------------------------------------------------------------------
function selectedWeeks() {
  const form = $("quality-form").value;
  return quality.weeks.filter((w) => !form || w.form === form);
}

/** Sums the counts of the selected forms per week; shares and rates are recomputed from the sums. */
function perWeek(rows) {
  const weeks = new Map();
  for (const row of rows) {
    const sum = weeks.get(row.week) || { turns: 0, reviewed: 0, correct: 0, thumbs_up: 0, thumbs_down: 0, not_found: 0, clarify: 0 };
    sum.turns += row.turns;
    sum.reviewed += row.reviewed;
    sum.correct += row.correct;
    sum.thumbs_up += row.thumbs_up;
    sum.thumbs_down += row.thumbs_down;
    sum.not_found += Math.round(row.not_found_rate * row.turns);
    sum.clarify += Math.round(row.clarify_rate * row.turns);
    weeks.set(row.week, sum);
  }
  return [...weeks.entries()].sort(([a], [b]) => a.localeCompare(b));
}

function drawCharts() {
  const rows = selectedWeeks();
  const weeks = [...new Set(rows.map((r) => r.week))].sort();
  const forms = [...new Set(rows.map((r) => r.form))].sort();
  const share = (form, week) => {
    const row = rows.find((r) => r.form === form && r.week === week);
    return row && row.correct_share != null ? Math.round(row.correct_share * 100) : null;
  };
  $("quality-correct").replaceChildren(...groupedBars("quality-correct-title", weeks,
    forms.map((f) => ({ name: FORM_NAMES[f] || f, values: weeks.map((w) => share(f, w)) })), 100, "%"));
  const sums = perWeek(rows);
  const sumWeeks = sums.map(([week]) => week);
  const maxThumbs = Math.max(1, ...sums.map(([, s]) => Math.max(s.thumbs_up, s.thumbs_down)));
  $("quality-thumbs").replaceChildren(...groupedBars("quality-thumbs-title", sumWeeks, [
    { name: "Utiles", values: sums.map(([, s]) => s.thumbs_up), swatch: 2 },
    { name: "Pas utiles", values: sums.map(([, s]) => s.thumbs_down), swatch: 5 }], maxThumbs, ""));
  const rate = (part, s) => (s.turns ? Math.round((part / s.turns) * 100) : 0);
  $("quality-rates").replaceChildren(...groupedBars("quality-rates-title", sumWeeks, [
    { name: "Non trouvé", values: sums.map(([, s]) => rate(s.not_found, s)), swatch: 1 },
    { name: "Clarification", values: sums.map(([, s]) => rate(s.clarify, s)), swatch: 3 }], 100, "%"));
  $("quality-wrong").replaceChildren(...wrongChart(quality.top_wrong || []));
}

const swatchOf = (series, j) => (series.swatch ?? j) % PALETTE.length;

/** Weeks along the bottom, one bar per series in each week; null values leave a gap (nothing reviewed). */
function groupedBars(titleId, weeks, series, max, unit) {
  if (!weeks.length || !series.length) return [h("p", { class: "muted", text: "Pas encore de données." })];
  // A fixed minimum width keeps text and bars at their size when there are few weeks (the SVG scales to fit).
  const left = 44, top = 10, plotHeight = 150, minGroup = series.length * 12 + 14;
  const plotWidth = Math.max(320, weeks.length * minGroup), groupWidth = plotWidth / weeks.length;
  const width = left + plotWidth + 10, height = top + plotHeight + 30;
  const barWidth = Math.min(28, (groupWidth - 12) / series.length);
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": titleId, class: "chart wide",
    "data-series": String(series.length) });
  // Counts with a small maximum get no middle line: "0.5 thumbs" means nothing.
  const ticks = unit === "%" || max >= 4 ? [0, 0.5, 1] : [0, 1];
  for (const tick of ticks) {
    const y = top + plotHeight * (1 - tick);
    chart.append(svg("line", { x1: left, x2: width - 5, y1: y, y2: y, class: "chart-grid" }),
      svg("text", { x: left - 6, y: y + 4, "text-anchor": "end", class: "chart-axis" }, [`${Math.round(max * tick)}${unit}`]));
  }
  weeks.forEach((week, i) => {
    const centre = left + (i + 0.5) * groupWidth, x0 = centre - (barWidth * series.length) / 2;
    chart.append(svg("text", { x: centre, y: top + plotHeight + 18, "text-anchor": "middle", class: "chart-axis" },
      [week.slice(5)]));
    series.forEach((s, j) => {
      const value = s.values[i];
      if (value == null) return;
      const barHeight = Math.max(2, Math.round((value / max) * plotHeight));  // 0 % stays visible: reviewed, none correct
      chart.append(svg("rect", { x: x0 + j * barWidth, y: top + plotHeight - barHeight, width: Math.max(2, barWidth - 2),
        height: barHeight, fill: PALETTE[swatchOf(s, j)], "data-week": week, "data-series": s.name, "data-value": String(value) },
      [svg("title", null, [`${s.name}, ${week} : ${value}${unit}`])]));
    });
  });
  // Legend colours are classes (pages.css): the page's CSP allows no inline style.
  const legend = h("ul", { class: "legend" }, series.map((s, j) => h("li", null, [
    h("span", { class: `legend-swatch swatch-${swatchOf(s, j)}` }), s.name])));
  return [chart, legend];
}

function wrongChart(entries) {
  if (!entries.length) return [h("p", { class: "muted", text: "Aucune réponse jugée incorrecte." })];
  const max = Math.max(1, ...entries.map((e) => e.count));
  const rowHeight = 28, labelWidth = 210, barWidth = 150;
  const chart = svg("svg", { viewBox: `0 0 ${labelWidth + barWidth + 40} ${entries.length * rowHeight}`, role: "img",
    "aria-labelledby": "quality-wrong-title", class: "chart" });
  entries.forEach((entry, i) => {
    const y = i * rowHeight, width = Math.max(2, Math.round((entry.count / max) * barWidth));
    chart.append(svg("text", { x: labelWidth - 8, y: y + 19, "text-anchor": "end", class: "chart-label" }, [entry.procedure_id]),
      svg("rect", { x: labelWidth, y: y + 5, width, height: rowHeight - 10, rx: 3, fill: "#b3261e", "data-value": String(entry.count) },
        [svg("title", null, [`${entry.procedure_id} : ${entry.count}`])]),
      svg("text", { x: labelWidth + width + 6, y: y + 19, class: "chart-value" }, [String(entry.count)]));
  });
  return [chart];
}

function fillTable() {
  const percent = (value) => (value == null ? "—" : `${Math.round(value * 100)} %`);
  const rows = quality.weeks.map((w) => h("tr", { "data-week": w.week, "data-form": w.form }, [
    h("td", { text: w.week }), h("td", { text: FORM_NAMES[w.form] || w.form }), h("td", { text: String(w.turns) }),
    h("td", { text: String(w.reviewed) }), h("td", { text: percent(w.correct_share) }), h("td", { text: String(w.thumbs_up) }),
    h("td", { text: String(w.thumbs_down) }), h("td", { text: percent(w.not_found_rate) }), h("td", { text: percent(w.clarify_rate) })]));
  $("quality-table").tBodies[0].replaceChildren(...(rows.length ? rows
    : [h("tr", null, [h("td", { colspan: "9", class: "muted", text: "Aucune question sur la période." })])]));
}

// -- CSV export, aliases, audit trail ------------------------------------------------------------------------
async function exportCsv() {
  // The export needs the admin key in a header, so it is fetched here and handed to the browser as a file.
  const key = sessionStorage.getItem("sahla-admin-key") || "";
  $("quality-status").textContent = "Export…";
  try {
    const response = await fetch("/v1/admin/reviews.csv", { headers: { Authorization: `Bearer ${key}` } });
    if (!response.ok) throw new ApiFailure(response.status, "error", `Export refusé (${response.status}).`);
    const url = URL.createObjectURL(await response.blob());
    const link = h("a", { href: url, download: "sahla-reviews.csv", hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    $("quality-status").textContent = "Export prêt : sahla-reviews.csv";
  } catch (error) {
    $("quality-status").textContent = error instanceof ApiFailure ? error.message : "Le service ne répond pas.";
  }
}

async function loadAliases() {
  let aliases;
  try {
    ({ aliases } = await admin("/aliases"));
  } catch (error) {
    $("aliases-status").textContent = error.message;
    return;
  }
  const rows = aliases.map((a) => h("tr", { "data-alias": a.id }, [
    h("td", { dir: "auto", text: a.alias }), h("td", null, [h("code", { text: a.procedure_id })]),
    h("td", null, [h("code", { text: a.author_key_id })]), h("td", { text: new Date(a.created_at).toLocaleString("fr-FR") }),
    h("td", null, [h("button", { type: "button", class: "danger", "aria-label": `Retirer l'alias ${a.alias}`, text: "Retirer",
      onclick: () => removeAlias(a) })])]));
  $("aliases").tBodies[0].replaceChildren(...(rows.length ? rows
    : [h("tr", null, [h("td", { colspan: "5", class: "muted", text: "Aucun alias appris." })])]));
}

async function removeAlias(alias) {
  try {
    await admin(`/aliases/${encodeURIComponent(alias.id)}`, { method: "DELETE" });
    $("aliases-status").textContent = `Alias retiré : « ${alias.alias} ». Il cessera de servir à la prochaine réindexation.`;
  } catch (error) {
    $("aliases-status").textContent = error.message;
  }
  await Promise.all([loadAliases(), loadCorrections()]);
}

async function loadOutOfScope() {
  let examples;
  try {
    ({ examples } = await admin("/out-of-scope"));
  } catch (error) {
    $("aliases-status").textContent = error.message;
    return;
  }
  const rows = examples.map((e) => h("tr", { "data-example": e.id }, [
    h("td", { dir: "auto", text: e.question }), h("td", { text: FORM_NAMES[e.language] || e.language }),
    h("td", null, [h("code", { text: e.author_key_id })]), h("td", { text: new Date(e.created_at).toLocaleString("fr-FR") }),
    h("td", null, [h("button", { type: "button", class: "danger", "aria-label": `Retirer l'exemple ${e.question}`, text: "Retirer",
      onclick: () => removeExample(e) })])]));
  $("out-of-scope").tBodies[0].replaceChildren(...(rows.length ? rows
    : [h("tr", null, [h("td", { colspan: "5", class: "muted", text: "Aucune question marquée." })])]));
}

async function removeExample(example) {
  try {
    await admin(`/out-of-scope/${encodeURIComponent(example.id)}`, { method: "DELETE" });
    $("aliases-status").textContent = `Exemple retiré : « ${example.question} ».`;
  } catch (error) {
    $("aliases-status").textContent = error.message;
  }
  await Promise.all([loadOutOfScope(), loadCorrections()]);
}

async function loadCorrections() {
  let corrections;
  try {
    ({ corrections } = await admin("/corrections?limit=20"));
  } catch (_) {
    return;
  }
  $("corrections").replaceChildren(...(corrections.length ? corrections.map((c) => h("li", { "data-action": c.action }, [
    `${new Date(c.created_at).toLocaleString("fr-FR")} — ${ACTIONS[c.action] || c.action}`,
    c.verdict ? ` (${c.verdict})` : "", c.procedure_id ? ` → ${c.procedure_id}` : "", " — clé ", h("code", { text: c.author_key_id }),
    c.question ? h("span", { class: "muted", dir: "auto", text: ` « ${c.question} »` }) : null]))
    : [h("li", { class: "muted", text: "Aucune correction." })]));
}
