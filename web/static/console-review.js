// The console's review queue: an agent (or admin) key opens recent turns, redacted, thumbs-down first; each can be
// marked correct, incomplete or wrong, with a note and, where wrong, the procedure that should have answered or
// "not our domain". A question the assistant did not answer can be linked to a procedure.
// Each answer is rendered by the widget's own renderer (markdown.js), and a clarify turn lists the choices offered,
// so that the agent judges what the citizen saw. Talks only to /v1/agent/reviews and /v1/procedures.
import { ApiFailure, externalLink, h, requestJson } from "/static/dom.js";
import { renderMarkdown, withoutChoiceLines } from "/static/markdown.js";

const KEY_STORAGE = "sahla-agent-key";
const PAGE_SIZE = 20;
const STATUS_NAMES = { answered: "Répondu", not_found: "Non trouvé", clarify: "Clarification", out_of_scope: "Hors sujet",
  refused: "Refusé" };
const VERDICTS = { correct: "Correcte", incomplete: "Incomplète", wrong: "Incorrecte" };
const CITATION_LABELS = { source: "Source", newTab: "(nouvel onglet)" };
const LANGUAGE_NAMES = { fr: "Français", ar: "العربية", en: "English", darija: "Darija", darija_latin: "Darija (latin)",
  amazigh: "Amazigh" };

const $ = (id) => document.getElementById(id);
let agentKey = sessionStorage.getItem(KEY_STORAGE) || "";
let offset = 0;
let loads = 0;  // the latest queue request wins
let procedures = [];  // [{procedure_id, title}] in French, for the "should have been" choices

function agent(path, options = {}) {
  return requestJson(`/v1/agent${path}`, { ...options, key: agentKey }).catch((error) => {
    if (error instanceof ApiFailure && (error.status === 401 || error.status === 403)) {
      closeSession(error.status === 403 ? "Cette clé n'a pas le rôle agent." : "La clé a été refusée.");
    }
    throw error;
  });
}

async function openSession(key) {
  agentKey = key;
  try {
    await agent(`/reviews?limit=1`);
  } catch (error) {
    if (!(error instanceof ApiFailure && [401, 403].includes(error.status))) $("review-signin-status").textContent = error.message;
    return;
  }
  sessionStorage.setItem(KEY_STORAGE, key);
  $("review-signin").hidden = true;
  $("review-signin-status").textContent = "";
  $("review-panel").hidden = false;
  $("review-signout").hidden = false;
  await loadQueue();
}

function closeSession(message) {
  agentKey = "";
  sessionStorage.removeItem(KEY_STORAGE);
  $("review-panel").hidden = true;
  $("review-signout").hidden = true;
  $("review-signin").hidden = false;
  $("agent-key").value = "";
  $("review-signin-status").textContent = message || "";
}

function queueParams() {
  const params = new URLSearchParams({ limit: String(PAGE_SIZE), offset: String(offset) });
  for (const [id, name] of [["rq-status", "status"], ["rq-language", "language"], ["rq-procedure", "procedure_id"], ["rq-reviewed", "reviewed"]]) {
    if ($(id).value) params.set(name, $(id).value);
  }
  if ($("rq-down").checked) params.set("feedback", "down");
  return params;
}

async function loadQueue() {
  const run = ++loads;
  $("review-status").textContent = "Chargement…";
  $("review-queue").setAttribute("aria-busy", "true");
  let body;
  try {
    body = await agent(`/reviews?${queueParams()}`);
  } catch (error) {
    if (run === loads) $("review-status").textContent = error.message;
    return;
  } finally {
    if (run === loads) $("review-queue").setAttribute("aria-busy", "false");
  }
  if (run !== loads) return;  // a newer filter choice is loading
  $("review-queue").replaceChildren(...body.items.map(queueItem));
  const last = Math.min(offset + body.items.length, body.total);
  $("review-status").textContent = body.total ? `Réponses ${offset + 1} à ${last} sur ${body.total}` : "Aucune réponse à revoir.";
  $("rq-prev").disabled = offset === 0;
  $("rq-next").disabled = last >= body.total;
}

function procedureSelect(id, label, selected) {
  const options = [h("option", { value: "", text: "— choisir —" }),
    ...procedures.map((p) => h("option", { value: p.procedure_id, text: `${p.title} (${p.procedure_id})`, selected: p.procedure_id === selected }))];
  return h("div", { class: "field" }, [h("label", { for: id, text: label }), h("select", { id, name: "procedure" }, options)]);
}

function citationList(citations) {
  if (!citations.length) return h("p", { class: "muted", text: "Aucune source citée." });
  return h("ol", { class: "citations" }, citations.map((c) => h("li", { value: String(c.n || "") }, [
    externalLink(c.url, c.title), " ", h("code", { text: c.procedure_id })])));
}

/** The answer as the widget showed it: rendered Markdown, less a clarify turn's choice lines (listed apart). */
function answerBody(item) {
  const text = withoutChoiceLines(item.answer, item.choices);
  return h("div", { class: "answer-text", dir: "auto" },
    [renderMarkdown(text, { citations: item.citations, labels: CITATION_LABELS })]);
}

/** A clarify turn's procedures, in the order the citizen was offered them, with the titles shown on the buttons. */
function choiceList(choices) {
  if (!choices || !choices.length) return null;
  return h("div", { class: "choices" }, [h("p", { class: "choices-title", text: "Démarches proposées au citoyen" }),
    h("ol", null, choices.map((c) => h("li", null, [
      h("span", { dir: "auto", text: c.title || c.procedure_id }), " ", h("code", { text: c.procedure_id })])))]);
}

function reviewSummary(review) {
  if (!review) return null;
  const target = review.expected_procedure_id ? ` → ${review.expected_procedure_id}` : "";
  return h("p", { class: `verdict ${review.verdict}` }, [
    h("strong", { text: `Revue : ${VERDICTS[review.verdict] || review.verdict}${target}` }),
    ` — clé ${review.author_key_id}, ${new Date(review.reviewed_at).toLocaleString("fr-FR")}`,
    review.note ? h("span", { class: "note", dir: "auto", text: ` « ${review.note} »` }) : null]);
}

function reviewForm(item) {
  const id = item.message_id;
  const radios = Object.entries(VERDICTS).map(([value, label]) => h("label", { class: "check" }, [
    h("input", { type: "radio", name: `verdict-${id}`, value, required: true, checked: item.review && item.review.verdict === value }), label]));
  const wrongOnly = h("div", { class: "wrong-only inline-form" }, [
    procedureSelect(`expected-${id}`, "Démarche qui aurait dû répondre", item.review && item.review.expected_procedure_id),
    h("label", { class: "check" }, [h("input", { type: "checkbox", name: "not-our-domain" }), "Hors de notre domaine"])]);
  const form = h("form", { class: "review-form", "data-message": id }, [
    h("fieldset", { class: "verdicts" }, [h("legend", { text: "Cette réponse est" }), ...radios]),
    wrongOnly,
    h("div", { class: "field grow" }, [h("label", { for: `note-${id}`, text: "Note (facultative)" }),
      h("input", { id: `note-${id}`, type: "text", name: "note", maxlength: "500", dir: "auto", value: item.review && item.review.note ? item.review.note : "" })]),
    h("button", { type: "submit", class: "primary", text: "Enregistrer la revue" }),
    h("p", { class: "status", role: "status", "aria-live": "polite" }),
  ]);
  const syncWrong = () => { wrongOnly.hidden = form.elements[`verdict-${id}`].value !== "wrong"; };
  form.addEventListener("change", syncWrong);
  form.addEventListener("submit", (event) => { event.preventDefault(); submitReview(form, item); });
  syncWrong();
  return form;
}

function linkForm(item) {
  const id = item.message_id;
  const form = h("form", { class: "link-form inline-form", "data-message": id }, [
    procedureSelect(`link-${id}`, "Relier cette question à une démarche"),
    h("button", { type: "submit", text: "Relier" }),
    h("p", { class: "status", role: "status", "aria-live": "polite" }),
  ]);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const procedureId = form.elements.procedure.value;
    const status = form.querySelector(".status");
    if (!procedureId) { status.textContent = "Choisissez une démarche."; return; }
    try {
      await agent(`/reviews/${encodeURIComponent(id)}/link`, { method: "POST", body: { procedure_id: procedureId } });
      status.textContent = `Reliée à ${procedureId} : prise en compte à la prochaine réindexation.`;
    } catch (error) {
      status.textContent = error.message;
    }
  });
  return form;
}

async function submitReview(form, item) {
  const verdict = form.elements[`verdict-${item.message_id}`].value;
  const status = form.querySelector(".status");
  const body = { verdict, note: form.elements.note.value.trim() || null };
  if (verdict === "wrong") {
    body.expected_procedure_id = form.elements.procedure.value || null;
    body.not_our_domain = form.elements["not-our-domain"].checked;
  }
  try {
    const updated = await agent(`/reviews/${encodeURIComponent(item.message_id)}`, { method: "PUT", body });
    const summary = form.closest(".queue-item").querySelector(".review-summary");
    summary.replaceChildren(...[reviewSummary(updated.review)].filter(Boolean));
    status.textContent = body.expected_procedure_id ? "Enregistrée : la question deviendra un alias à la prochaine réindexation."
      : "Revue enregistrée.";
  } catch (error) {
    status.textContent = error.message;
  }
}

function queueItem(item) {
  const when = new Date(item.created_at).toLocaleString("fr-FR");
  const feedback = item.feedback ? h("span", { class: `thumb ${item.feedback}`,
    text: item.feedback === "down" ? "Avis : pas utile" : "Avis : utile" }) : null;
  const offersChoicesOnly = Boolean(item.choices && item.choices.length) && !item.citations.length;  // a clarify turn
  return h("li", { class: "queue-item", "data-message": item.message_id, "data-status": item.status }, [
    h("p", { class: "queue-meta" }, [h("span", { class: `badge status-${item.status}`, text: STATUS_NAMES[item.status] || item.status }),
      ` ${LANGUAGE_NAMES[item.form] || item.form} · ${when} `, feedback]),
    item.feedback_comment ? h("p", { class: "muted", dir: "auto", text: `Commentaire : ${item.feedback_comment}` }) : null,
    h("p", { class: "question", dir: "auto" }, [h("strong", { text: "Question : " }), item.question]),
    h("details", { class: "answer", open: item.feedback === "down" }, [h("summary", { text: "Réponse donnée" }),
      answerBody(item), choiceList(item.choices),
      offersChoicesOnly ? null : citationList(item.citations)]),
    h("div", { class: "review-summary" }, [reviewSummary(item.review)].filter(Boolean)),
    reviewForm(item),
    item.status === "answered" ? null : linkForm(item),
  ]);
}

async function init() {
  $("review-signin").addEventListener("submit", (event) => { event.preventDefault(); openSession($("agent-key").value.trim()); });
  $("review-signout").addEventListener("click", () => closeSession("Session agent fermée."));
  $("review-filters").addEventListener("change", () => { offset = 0; loadQueue(); });
  $("review-filters").addEventListener("submit", (event) => event.preventDefault());
  $("rq-prev").addEventListener("click", () => { offset = Math.max(0, offset - PAGE_SIZE); loadQueue(); });
  $("rq-next").addEventListener("click", () => { offset += PAGE_SIZE; loadQueue(); });
  try {
    ({ procedures } = await requestJson("/v1/procedures?lang=fr"));
    procedures.sort((a, b) => a.title.localeCompare(b.title, "fr"));
    for (const p of procedures) $("rq-procedure").append(h("option", { value: p.procedure_id, text: p.title }));
  } catch (error) {
    $("review-signin-status").textContent = error.message;
  }
  if (agentKey) openSession(agentKey);
}

init();
