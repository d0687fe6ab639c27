// The one home of answer rendering, shared by the citizen widget (widget.js imports it at start) and the console's
// review queue, so that an agent sees an answer as the citizen saw it. A small Markdown subset (bold, italic, code,
// lists, headings, http(s) links, [n] citation markers) becomes elements built one by one; text is only ever set
// as text nodes, nothing is parsed as HTML, and only http(s) URLs become links.
import { h, safeUrl } from "/static/dom.js";

const RTL_CHARS = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]/g;
const LTR_CHARS = /[A-Za-z\u00C0-\u024F]/g;

/** "rtl" or "ltr" by the majority of strong letters, so "CNIE ديالي ضاعت" reads right to left; null if none. */
export function directionOf(text) {
  const rtl = (String(text).match(RTL_CHARS) || []).length;
  const ltr = (String(text).match(LTR_CHARS) || []).length;
  if (!rtl && !ltr) return null;
  return rtl > ltr ? "rtl" : "ltr";
}

const INLINE = new RegExp([
  String.raw`\*\*([^*\n]+?)\*\*`, String.raw`(?<![\p{L}\p{N}_])__([^_\n]+?)__(?![\p{L}\p{N}_])`,
  String.raw`\[([^\]\n]+)\]\(([^()\s]+)\)`, String.raw`\[(\d{1,2})\]`,
  String.raw`(?<![\p{L}\p{N}*])\*([^*\n]+?)\*(?![\p{L}\p{N}*])`,
  String.raw`(?<![\p{L}\p{N}_])_([^_\n]+?)_(?![\p{L}\p{N}_])`,
  String.raw`\x60([^\x60\n]+)\x60`,
  String.raw`(https?:\/\/[^\s<>()\[\]"']*[^\s<>()\[\]"'.,;:!?])`,
].join("|"), "gu");

// "2026-11-20" or "10:30" inside Arabic would be reordered ("20-11-2026"): keep such runs left to right.
const NUMERIC_RUN = /\d+(?:[-/.:]\d+)+/g;
function appendText(parent, text) {
  let last = 0;
  for (const m of text.matchAll(NUMERIC_RUN)) {
    if (m.index > last) parent.append(text.slice(last, m.index));
    parent.append(h("bdi", { dir: "ltr", class: "num" }, [m[0]]));
    last = m.index + m[0].length;
  }
  if (last < text.length) parent.append(text.slice(last));
}

function appendInline(parent, text, ctx) {
  let last = 0;
  for (const m of text.matchAll(INLINE)) {
    if (m.index > last) appendText(parent, text.slice(last, m.index));
    last = m.index + m[0].length;
    if (m[1] != null || m[2] != null) parent.append(appendInline(h("strong"), m[1] ?? m[2], ctx));
    else if (m[3] != null) parent.append(link(m[3], m[4]));
    else if (m[5] != null) parent.append(citationMarker(Number(m[5]), m[0], ctx));
    else if (m[6] != null || m[7] != null) parent.append(appendInline(h("em"), m[6] ?? m[7], ctx));
    else if (m[8] != null) parent.append(h("code", { text: m[8] }));
    else parent.append(link(m[9], m[9]));
  }
  if (last < text.length) appendText(parent, text.slice(last));
  return parent;
}

function link(label, href) {
  const url = safeUrl(href);
  if (!url) return document.createTextNode(label);
  return h("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, [label]);
}

function citationMarker(n, raw, ctx) {
  const citation = (ctx.citations || []).find((c) => c && Number(c.n) === n);
  const url = citation && safeUrl(citation.url);
  if (!url) return document.createTextNode(raw);
  const labels = ctx.labels || {};
  return h("a", { class: "cite", href: url, target: "_blank", rel: "noopener noreferrer",
    "aria-label": `${labels.source || "Source"} ${n}: ${citation.title} ${labels.newTab || ""}`.trim() }, [`[${n}]`]);
}

/** The answer's Markdown as a fragment of paragraphs and lists. ctx: { citations (the turn's, so that [n] links to
 * its source), labels: { source, newTab } (the marker's accessible name, in the reader's language) }. */
export function renderMarkdown(text, ctx = {}) {
  const frag = document.createDocumentFragment();
  let paragraph = null, list = null;
  for (const raw of String(text).replace(/\r\n?/g, "\n").split("\n")) {
    const line = raw.trim();
    if (!line) { paragraph = list = null; continue; }
    const item = /^([-*•])\s+(.*)$/.exec(line) || /^(\d{1,3})[.)]\s+(.*)$/.exec(line);
    if (item) {
      const type = /\d/.test(item[1]) ? "ol" : "ul";
      if (!list || list.localName !== type) {
        list = frag.appendChild(h(type, type === "ol" && item[1] !== "1" ? { start: item[1] } : null));
      }
      list.append(appendInline(h("li"), item[2], ctx));
      paragraph = null;
      continue;
    }
    list = null;
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (heading) {
      frag.append(appendInline(h("p", { class: "heading" }), heading[1], ctx));
      paragraph = null;
    } else if (paragraph) {
      paragraph.append(h("br"));
      appendInline(paragraph, line, ctx);
    } else {
      paragraph = frag.appendChild(appendInline(h("p"), line, ctx));
    }
  }
  for (const block of frag.querySelectorAll("p, li")) {
    const dir = directionOf(block.textContent);
    if (dir) block.dir = dir;
  }
  return frag;
}

/** A clarify turn's text lists its choices for clients without buttons; where the choices are shown apart (the
 * widget's buttons, the queue's list), those lines are left out so that each choice shows once. */
export function withoutChoiceLines(text, choices) {
  const titles = new Set((Array.isArray(choices) ? choices : []).map((c) => String(c && c.title).trim()));
  if (!titles.size) return String(text);
  return String(text).split("\n")
    .filter((line) => !titles.has(line.trim().replace(/^(?:\d{1,2}[.)]|[-*•])\s+/, "").replace(/\*\*/g, "").trim()))
    .join("\n");
}
