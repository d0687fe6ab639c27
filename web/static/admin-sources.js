// The admin page's official sites: register a page or a sitemap, see each one's last fetch, status and next run,
// open it to read each page's outcome, remove it, and sync now (the job's progress shows like a re-index).
import { ApiFailure, externalLink, h } from "/static/dom.js";

const SOURCE_STATUS = { ok: "À jour", partial: "En partie", failed: "Échec" };
const BADGE = { ok: "succeeded", partial: "partial", failed: "failed" };
const OUTCOMES = {
  added: "Ajoutée", updated: "Mise à jour", unchanged: "Inchangée", not_modified: "Non modifiée", removed: "Retirée",
  failed: "Échec", blocked: "Refusée par robots.txt", empty: "Vide", shrunk: "Réduite de façon suspecte",
  gone: "Introuvable",
};
const KEPT = new Set(["failed", "blocked", "empty", "shrunk", "gone"]);

// What the admin reads for an outcome; `stored` says whether a previous version keeps answering.
function outcomeText(outcome, stored) {
  const text = OUTCOMES[outcome] || outcome || "Pas encore récupérée";
  return KEPT.has(outcome) && stored ? `${text}, version précédente gardée` : text;
}

const $ = (id) => document.getElementById(id);

function formatTime(value) {
  if (!value) return "—";
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toLocaleString("fr-FR");
}

export function initSources({ admin, watchJob }) {
  async function loadSources() {
    let body;
    try {
      body = await admin("/sources");
    } catch (error) {
      $("sources-status").textContent = error.message;
      return;
    }
    const schedule = body.schedule;
    $("sync-schedule").textContent = schedule.enabled
      ? `Synchronisation automatique toutes les ${schedule.interval_minutes} min ; prochaine : ${formatTime(schedule.next_run_at)}.`
      : "Synchronisation automatique désactivée (SAHLA_SYNC_INTERVAL_MINUTES) : synchronisez à la main.";
    const rows = body.sources.map(sourceRow);
    $("sources").tBodies[0].replaceChildren(...(rows.length ? rows
      : [h("tr", null, [h("td", { colspan: "7", class: "muted", text: "Aucune source suivie." })])]));
  }

  function sourceRow(source) {
    const pages = h("details", { "data-source": source.id }, [h("summary", { text: String(source.pages) })]);
    pages.addEventListener("toggle", () => { if (pages.open) showPages(pages, source.id); });
    const status = source.status
      ? [h("span", { class: `badge ${BADGE[source.status] || ""}`, text: SOURCE_STATUS[source.status] || source.status }),
        source.message ? h("p", { class: "muted", dir: "auto", text: source.message }) : null]
      : [h("span", { class: "muted", text: "Jamais récupérée" })];
    const remove = h("button", { type: "button", class: "danger", text: "Retirer", "aria-label": `Retirer ${source.url}` });
    remove.addEventListener("click", () => removeSource(source));
    return h("tr", { "data-source": source.id, "data-status": source.status || "never" }, [
      h("td", { dir: "ltr" }, [externalLink(source.url)]),
      h("td", { text: source.kind === "sitemap" ? "Sitemap" : "Page" }),
      h("td", null, [pages]),
      h("td", { class: "last-fetch", text: formatTime(source.last_run_at) }),
      h("td", { class: "source-status" }, status),
      h("td", { class: "next-run", text: source.next_run_at ? formatTime(source.next_run_at) : "À la demande" }),
      h("td", null, [remove]),
    ]);
  }

  async function showPages(details, id) {
    let source;
    try {
      source = await admin(`/sources/${encodeURIComponent(id)}`);
    } catch (error) {
      details.append(h("p", { class: "muted", text: error.message }));
      return;
    }
    const items = source.page_list.map((page) => h("li", { "data-outcome": page.outcome || "never", dir: "ltr" }, [
      externalLink(page.url), " — ",
      h("strong", { text: outcomeText(page.outcome, Boolean(page.fetched_at)) }),
      page.http_status ? ` (HTTP ${page.http_status})` : "",
      page.procedure_id ? [" · ", h("a", { href: `/console#p=${encodeURIComponent(page.procedure_id)}`, text: `${page.procedure_id}.${page.language}` })] : "",
      page.fetched_at ? ` · version du ${formatTime(page.fetched_at)}` : "",
      page.message ? h("div", { class: "muted", text: page.message }) : null,
    ].flat()));
    details.querySelector("ul")?.remove();
    details.append(h("ul", { class: "errors" }, items));
  }

  async function addSource(event) {
    event.preventDefault();
    const url = $("source-url").value.trim();
    try {
      await admin("/sources", { method: "POST", body: { url, sitemap: $("source-sitemap").checked } });
      $("sources-status").textContent = `Ajoutée : ${url}. Elle sera récupérée à la prochaine synchronisation.`;
      $("source-add").reset();
      await loadSources();
    } catch (error) {
      $("sources-status").textContent = `Refusée : ${error.message}`;
    }
  }

  async function removeSource(source) {
    try {
      await admin(`/sources/${encodeURIComponent(source.id)}`, { method: "DELETE" });
      $("sources-status").textContent = `Retirée : ${source.url} (ses pages ont quitté l'index).`;
    } catch (error) {
      $("sources-status").textContent = error.message;
    }
    await loadSources();
  }

  async function syncNow() {
    try {
      const { job_id: jobId } = await admin("/sources/sync", { method: "POST", body: {} });
      $("sources-status").textContent = "Synchronisation lancée : sa progression s'affiche dans « Réindexation ».";
      await watchJob(jobId);
    } catch (error) {
      $("sources-status").textContent = error instanceof ApiFailure && error.status === 409
        ? "Une tâche d'indexation est déjà en cours ; réessayez quand elle sera terminée." : error.message;
    }
    await loadSources();
  }

  // In the job history: a sync's outcome for each URL, read from the job when opened.
  function resultsDetails(job) {
    const details = h("details", { class: "sync-results" }, [h("summary", { text: "Pages" })]);
    details.addEventListener("toggle", async () => {
      if (!details.open || details.querySelector("ul")) return;
      try {
        const { results = [] } = await admin(`/jobs/${encodeURIComponent(job.job_id)}`);
        details.append(h("ul", { class: "errors" }, results.map((r) => h("li", { "data-outcome": r.outcome, dir: "ltr" },
          [h("code", { text: r.url }), ` : ${outcomeText(r.outcome, Boolean(r.procedure))}${r.http_status ? ` (HTTP ${r.http_status})` : ""}`]))));
      } catch (error) {
        details.append(h("p", { class: "muted", text: error.message }));
      }
    });
    return details;
  }

  $("source-add").addEventListener("submit", addSource);
  $("sync-now").addEventListener("click", syncNow);
  return { loadSources, resultsDetails };
}
