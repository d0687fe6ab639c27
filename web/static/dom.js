// Shared by the console and the admin page (and, through markdown.js, the widget's answer rendering): DOM building
// without HTML parsing, and JSON requests that turn the contract's error body into an exception with a readable
// message.

/** Builds an element. Strings become text nodes; attributes are set one by one; nothing is parsed as HTML. */
export function h(tag, props, children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value == null || value === false) continue;
    if (key === "text") el.textContent = value;
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of [].concat(children == null ? [] : children)) if (child != null) el.append(child);
  return el;
}

const SVG_NS = "http://www.w3.org/2000/svg";
export function svg(tag, attrs, children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs || {})) if (value != null) el.setAttribute(key, String(value));
  for (const child of [].concat(children == null ? [] : children)) if (child != null) el.append(child);
  return el;
}

/** The URL if it is http(s), else null: javascript: and data: links never become clickable. */
export function safeUrl(value) {
  try {
    const url = new URL(String(value));
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch (_) {
    return null;
  }
}

/** A link to an official page in a new tab, or plain text when the URL is not http(s). */
export function externalLink(href, label) {
  const url = safeUrl(href);
  return url ? h("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, [label || url]) : document.createTextNode(label || "");
}

export class ApiFailure extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** fetch() for the JSON API: the parsed body (null for 204), or an ApiFailure. */
export async function requestJson(url, { method = "GET", body, headers = {}, key } = {}) {
  const init = { method, headers: { Accept: "application/json", ...headers } };
  if (key) init.headers.Authorization = `Bearer ${key}`;
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers["Content-Type"] = "application/json";
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch (_) {
    throw new ApiFailure(0, "network", "Le service ne répond pas (problème de connexion).");
  }
  if (response.status === 204) return null;
  let payload = null;
  try { payload = await response.json(); } catch (_) { /* not JSON */ }
  if (!response.ok) {
    const error = (payload && payload.error) || {};
    throw new ApiFailure(response.status, error.code || "error", error.message || `Erreur ${response.status}`);
  }
  return payload;
}
