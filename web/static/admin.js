// The admin page: sign in with an admin key, upload or remove documents, start a re-index and follow its
// progress, read the job history and the usage statistics. Talks only to /v1/admin/* with a Bearer key.
import { ApiFailure, h, requestJson, svg } from "/static/dom.js";
import { initSources } from "/static/admin-sources.js";
import { initQuality, showQuality } from "/static/admin-quality.js";

const KEY_STORAGE = "sahla-admin-key";
const POLL_MS = 300;
const LANGUAGE_NAMES = { fr: "Français", ar: "العربية", en: "English", darija: "Darija", amazigh: "Amazigh" };
const STATUS_NAMES = { answered: "Répondu", not_found: "Non trouvé", out_of_scope: "Hors sujet", refused: "Refusé" };
const STATUS_COLOURS = { answered: "#1e6b34", not_found: "#8a5300", out_of_scope: "#545454", refused: "#b3261e" };
const JOB_STATUS = { queued: "En attente", running: "En cours", succeeded: "Terminée", partial: "Terminée avec erreurs", failed: "Échec" };
const FINISHED = new Set(["succeeded", "partial", "failed"]);
const JOB_KINDS = { reindex: "réindexation", upload: "téléversement", delete: "retrait", import: "catalogue", sync: "synchronisation" };

const $ = (id) => document.getElementById(id);
let adminKey = sessionStorage.getItem(KEY_STORAGE) || "";
let watching = null;  // the job id whose progress is shown

function admin(path, options = {}) {
  return requestJson(`/v1/admin${path}`, { ...options, key: adminKey }).catch((error) => {
    if (error instanceof ApiFailure && error.status === 401) signOut("La clé a été refusée. Reconnectez-vous.");
    throw error;
  });
}

// -- signing in --------------------------------------------------------------------------------------------
async function signIn(key) {
  adminKey = key;
  try {
    await admin("/stats");
  } catch (error) {
    if (!(error instanceof ApiFailure && error.status === 401)) $("signin-status").textContent = error.message;
    return;
  }
  sessionStorage.setItem(KEY_STORAGE, key);
  $("signin").hidden = true;
  $("dashboard").hidden = false;
  $("signout").hidden = false;
  $("stats-title").setAttribute("tabindex", "-1");
  $("stats-title").focus();
  await Promise.all([loadStats(), loadJobs({ follow: true }), loadHidden(), sources.loadSources()]);
}

function signOut(message) {
  adminKey = "";
  watching = null;
  sessionStorage.removeItem(KEY_STORAGE);
  $("dashboard").hidden = true;
  $("signout").hidden = true;
  $("signin").hidden = false;
  $("admin-key").value = "";
  $("signin-status").textContent = message || "";
  $("admin-key").focus();
}

// -- statistics --------------------------------------------------------------------------------------------
function barChart(titleId, entries, colourOf) {
  const max = Math.max(1, ...entries.map(([, value]) => value));
  const rowHeight = 32, labelWidth = 110, barWidth = 190;
  const height = Math.max(1, entries.length) * rowHeight;
  const chart = svg("svg", { viewBox: `0 0 ${labelWidth + barWidth + 60} ${height}`, role: "img", "aria-labelledby": titleId,
    class: "chart" });
  entries.forEach(([label, value, key], i) => {
    const y = i * rowHeight;
    const width = Math.max(value ? 2 : 0, Math.round((value / max) * barWidth));
    chart.append(
      svg("text", { x: labelWidth - 8, y: y + 21, "text-anchor": "end", class: "chart-label" }, [label]),
      svg("rect", { x: labelWidth, y: y + 6, width, height: rowHeight - 12, rx: 3, fill: colourOf(key) }, [svg("title", null, [`${label} : ${value}`])]),
      svg("text", { x: labelWidth + width + 6, y: y + 21, class: "chart-value" }, [String(value)]),
    );
  });
  // The same figures as a table, for screen readers and for copying.
  const table = h("table", { class: "sr-only" }, [h("tbody", null, entries.map(([label, value]) =>
    h("tr", null, [h("th", { scope: "row", text: label }), h("td", { text: String(value) })])))]);
  return [entries.length ? chart : h("p", { class: "muted", text: "Aucune question pour l'instant." }), table];
}

function feedbackSummary(feedback) {
  const up = feedback.up || 0, down = feedback.down || 0, total = up + down;
  if (!total) return [h("p", { class: "muted", text: "Aucun avis pour l'instant." })];
  const ratio = Math.round((up / total) * 100);
  return [
    h("p", { class: "ratio", id: "feedback-ratio" }, [h("strong", { text: `${ratio} %` }), " d'avis positifs"]),
    h("meter", { min: "0", max: "100", value: String(ratio), low: "50", optimum: "100", "aria-labelledby": "feedback-title feedback-ratio" }),
    h("p", { class: "counts" }, [h("span", { id: "feedback-up", text: String(up) }), " utiles · ",
      h("span", { id: "feedback-down", text: String(down) }), " pas utiles"]),
  ];
}

async function loadStats() {
  $("stats-status").textContent = "";
  let stats;
  try {
    stats = await admin("/stats");
  } catch (error) {
    $("stats-status").textContent = error.message;
    return;
  }
  const questions = stats.questions || {};
  const byLanguage = Object.entries(questions.by_language || {}).map(([k, v]) => [LANGUAGE_NAMES[k] || k, v, k]);
  const byStatus = Object.entries(questions.by_status || {}).map(([k, v]) => [STATUS_NAMES[k] || k, v, k]);
  $("by-language").replaceChildren(...barChart("by-language-title", byLanguage, () => "#005a9c"));
  $("by-status").replaceChildren(...barChart("by-status-title", byStatus, (k) => STATUS_COLOURS[k] || "#545454"));
  $("feedback").replaceChildren(...feedbackSummary(stats.feedback || {}));
  const notFound = stats.top_not_found || [];
  showQuality(stats.quality);
  $("not-found").replaceChildren(...(notFound.length ? notFound.map((q) => h("li", { dir: "auto" }, [q.question, h("span",
    { class: "muted", text: ` (${q.count})` })])) : [h("li", { class: "muted", text: "Aucune." })]));
}

// -- documents ---------------------------------------------------------------------------------------------
async function upload(event) {
  event.preventDefault();
  const file = $("upload-file").files[0];
  if (!file) return;
  const form = new FormData();
  form.append("file", file);
  if ($("upload-replace").checked) form.append("replace", "true");
  $("upload-status").textContent = "Envoi et indexation…";
  try {
    const body = await admin("/documents", { method: "POST", body: form });
    $("upload-status").textContent = `Indexé : ${body.procedure_id} (${body.language}).`;
    $("upload").reset();
    loadJobs({ follow: false });
  } catch (error) {
    $("upload-status").textContent = `Refusé : ${error.message}`;
  }
}

// A catalogue file (JSON Lines, docs/catalogue.md): bad lines are named, the others imported.
async function importCatalogue(event) {
  event.preventDefault();
  const file = $("catalogue-file").files[0];
  if (!file) return;
  const form = new FormData();
  form.append("file", file);
  form.append("prune", $("catalogue-prune").checked ? "true" : "false");
  $("catalogue-status").textContent = "Import et indexation…";
  try {
    const body = await admin("/catalogue", { method: "POST", body: form });
    const c = body.counts;
    const lines = body.errors.slice(0, 20).map((e) => `ligne ${e.line} : ${e.message}`).join(" ; ");
    $("catalogue-status").textContent = `Importé : ${c.added} ajoutées, ${c.changed} modifiées, ${c.unchanged} inchangées, `
      + `${c.removed} retirées, ${c.bad_lines} lignes refusées${lines ? ` (${lines})` : ""}.`;
    $("catalogue").reset();
    loadJobs({ follow: false });
  } catch (error) {
    $("catalogue-status").textContent = `Refusé : ${error.message}`;
  }
}

async function removeDocument(event) {
  event.preventDefault();
  const id = $("delete-id").value.trim();
  try {
    await admin(`/documents/${encodeURIComponent(id)}`, { method: "DELETE" });
    $("delete-status").textContent = `Téléversement supprimé : ${id} (la fiche officielle, s'il y en a une, est de retour).`;
    $("delete").reset();
  } catch (error) {
    $("delete-status").textContent = error.message;
  }
}

// Hiding is separate from deleting and always reversible: the list below shows what is hidden, with a button each.
async function setHidden(id, hidden) {
  try {
    await admin(`/procedures/${encodeURIComponent(id)}/hidden`, { method: hidden ? "PUT" : "DELETE" });
    $("hide-status").textContent = hidden ? `Masquée : ${id}.` : `Réaffichée : ${id}.`;
    if (hidden) $("hide").reset();
  } catch (error) {
    $("hide-status").textContent = error.message;
  }
  loadHidden();
}

async function loadHidden() {
  let procedures;
  try {
    ({ procedures } = await admin("/procedures/hidden"));
  } catch (error) {
    $("hide-status").textContent = error.message;
    return;
  }
  $("hidden").replaceChildren(...(procedures.length ? procedures.map((id) => {
    const show = h("button", { type: "button", text: "Réafficher", "aria-label": `Réafficher ${id}` });
    show.addEventListener("click", () => setHidden(id, false));
    return h("li", { "data-procedure": id }, [h("span", { text: `${id} ` }), show]);
  }) : [h("li", { class: "muted", text: "Aucune." })]));
}

// -- re-index and its progress -----------------------------------------------------------------------------
async function startReindex(event) {
  event.preventDefault();
  try {
    const { job_id: jobId } = await admin("/reindex", { method: "POST", body: { full: $("reindex-full").checked } });
    watchJob(jobId);
  } catch (error) {
    if (error instanceof ApiFailure && error.status === 409) {
      $("reindex-status").textContent = "Une réindexation est déjà en cours : sa progression s'affiche ci-dessous.";
      loadJobs({ follow: true });
    } else {
      $("reindex-status").textContent = error.message;
    }
  }
}

function showProgress(job) {
  const bar = $("reindex-progress"), { done = 0, total = 0 } = job.progress || {};
  if (total > 0) {
    bar.max = total;
    bar.value = Math.min(done, total);
  } else if (job.status === "queued" || job.status === "running") {
    bar.removeAttribute("value");  // indeterminate until the job knows how many files it has
  }
  const files = total ? ` ${done} / ${total} fichiers` : "";
  let text = `${JOB_STATUS[job.status] || job.status} :${files}`;
  if (FINISHED.has(job.status)) {
    const c = job.counts || {};
    text += ` — ${c.added || 0} ajoutés, ${c.updated || 0} mis à jour, ${c.deleted || 0} supprimés, ${c.unchanged || 0} inchangés, ${c.failed || 0} en échec.`;
  }
  $("reindex-status").textContent = text;
  $("reindex-progress").dataset.status = job.status;
}

async function watchJob(jobId) {
  watching = jobId;
  $("reindex-start").disabled = true;
  try {
    for (;;) {
      const job = await admin(`/jobs/${encodeURIComponent(jobId)}`);
      if (watching !== jobId) return;
      showProgress(job);
      if (FINISHED.has(job.status)) break;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } catch (error) {
    $("reindex-status").textContent = error.message;
  } finally {
    if (watching === jobId) $("reindex-start").disabled = false;
  }
  await Promise.all([loadJobs({ follow: false }), loadStats()]);
}

function formatTime(value) {
  if (!value) return "—";
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toLocaleString("fr-FR");
}

function jobRow(job) {
  const c = job.counts || {}, p = job.progress || {};
  const errors = job.errors || [];
  const errorCell = errors.length ? h("details", null, [h("summary", { text: `${errors.length} erreur${errors.length > 1 ? "s" : ""}` }),
    h("ul", { class: "errors" }, errors.map((e) => h("li", null, [h("code", { text: e.source }), ` : ${e.message}`])))]) : "—";
  return h("tr", { "data-job": job.job_id, "data-status": job.status }, [
    h("td", null, [h("code", { text: String(job.job_id).slice(0, 8) }), JOB_KINDS[job.kind] ? ` ${JOB_KINDS[job.kind]}` : ""]),
    h("td", null, [h("span", { class: `badge ${job.status}`, text: JOB_STATUS[job.status] || job.status })]),
    h("td", { text: formatTime(job.started_at) }), h("td", { text: formatTime(job.finished_at) }),
    h("td", { text: `${p.done || 0} / ${p.total || 0}` }),
    h("td", { text: [c.added, c.updated, c.deleted, c.unchanged, c.failed].map((n) => n || 0).join(" · ") }),
    h("td", null, [errorCell, job.kind === "sync" ? sources.resultsDetails(job) : null]),
  ]);
}

async function loadJobs({ follow }) {
  let jobs;
  try {
    ({ jobs } = await admin("/jobs"));
  } catch (error) {
    $("reindex-status").textContent = error.message;
    return;
  }
  const rows = jobs.map(jobRow);
  $("jobs").tBodies[0].replaceChildren(...(rows.length ? rows : [h("tr", null, [h("td", { colspan: "7", class: "muted", text: "Aucune tâche." })])]));
  const running = jobs.find((job) => job.status === "queued" || job.status === "running");
  if (follow && running && watching !== running.job_id) watchJob(running.job_id);
}

// -- wiring ------------------------------------------------------------------------------------------------
$("signin").addEventListener("submit", (event) => { event.preventDefault(); signIn($("admin-key").value.trim()); });
$("signout").addEventListener("click", () => signOut("Vous êtes déconnecté."));
$("refresh-stats").addEventListener("click", loadStats);
$("upload").addEventListener("submit", upload);
$("catalogue").addEventListener("submit", importCatalogue);
$("delete").addEventListener("submit", removeDocument);
$("hide").addEventListener("submit", (event) => { event.preventDefault(); setHidden($("hide-id").value.trim(), true); });
$("reindex").addEventListener("submit", startReindex);
const sources = initSources({ admin, watchJob });
initQuality(admin);
if (adminKey) signIn(adminKey);
