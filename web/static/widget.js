/*! Sahla citizen widget. Embed with one tag:
 *   <script src="https://HOST/widget.js" data-api="https://HOST" data-lang="auto" async></script>
 * Optional attributes: data-title, data-color (any CSS colour), data-position ("right" or "left"),
 * data-help-url and data-help-phone (the human channel; idarati.ma and 37 37 by default).
 * No framework and no third-party request. What the service returns is inserted as text nodes, or as elements
 * built one by one from a small Markdown subset (/static/markdown.js, imported from this script's own host and
 * shared with the console); nothing is ever parsed as HTML. */
(() => {
  "use strict";
  if (!window.customElements || customElements.get("sahla-widget")) return;

  const SCRIPT = document.currentScript;
  const LANGS = ["fr", "ar", "en", "darija"];
  const LANG_NAMES = { fr: "Français", ar: "العربية", en: "English", darija: "Darija (الدارجة)" };
  const RTL_LANGS = new Set(["ar", "darija"]);
  const HTML_LANG = { fr: "fr", ar: "ar", en: "en", darija: "ary" };
  const DEFAULT_HELP_URL = "https://www.idarati.ma";
  const DEFAULT_HELP_PHONE = "37 37";
  const SVG_NS = "http://www.w3.org/2000/svg";

  const T = {
    fr: {
      title: "Sahla · Démarches administratives", launcher: "Une question sur une démarche ?",
      close: "Fermer l'assistant", reset: "Nouvelle conversation", language: "Langue", log: "Conversation",
      input: "Votre question", placeholder: "Ex. : comment renouveler ma carte d'identité ?", send: "Envoyer",
      help: "Parler à une personne :", call: "Appeler le",
      welcome: "Bonjour ! Je réponds à vos questions sur les démarches administratives au Maroc, à partir des fiches officielles.",
      you: "Vous :", bot: "Sahla :", sources: "Sources", source: "Source", newTab: "(nouvel onglet)",
      rate: "Cette réponse vous a-t-elle aidé ?", up: "Oui, utile", down: "Non, pas utile",
      comment: "Un commentaire ? (facultatif)", sendFeedback: "Envoyer l'avis", thanks: "Merci pour votre avis.",
      feedbackFailed: "L'avis n'a pas pu être envoyé. Réessayez.", thinking: "Je cherche dans les fiches officielles…",
      networkError: "La réponse n'a pas pu arriver (problème de connexion).",
      busy: "Trop de questions en peu de temps. Patientez un instant puis réessayez.",
      failed: "Une erreur est survenue.", retry: "Réessayer",
      next: "Questions suivantes", choose: "Choisissez la démarche",
    },
    ar: {
      title: "سهلة · المساطر الإدارية", launcher: "لديك سؤال حول مسطرة إدارية؟",
      close: "إغلاق المساعد", reset: "محادثة جديدة", language: "اللغة", log: "المحادثة",
      input: "سؤالك", placeholder: "مثال: كيف أجدد بطاقتي الوطنية؟", send: "إرسال",
      help: "التحدث إلى شخص:", call: "الاتصال بالرقم",
      welcome: "مرحبا! أجيب عن أسئلتك حول المساطر الإدارية في المغرب انطلاقا من البطاقات الرسمية.",
      you: "أنت:", bot: "سهلة:", sources: "المصادر", source: "المصدر", newTab: "(علامة تبويب جديدة)",
      rate: "هل كان هذا الجواب مفيدا؟", up: "نعم، مفيد", down: "لا، غير مفيد",
      comment: "تعليق (اختياري)", sendFeedback: "إرسال الرأي", thanks: "شكرا على رأيك.",
      feedbackFailed: "تعذر إرسال الرأي. حاول مرة أخرى.", thinking: "أبحث في البطاقات الرسمية…",
      networkError: "تعذر وصول الجواب (مشكل في الاتصال).",
      busy: "أسئلة كثيرة في وقت قصير. انتظر قليلا ثم أعد المحاولة.",
      failed: "حدث خطأ.", retry: "إعادة المحاولة",
      next: "أسئلة أخرى", choose: "اختر المسطرة",
    },
    en: {
      title: "Sahla · Public services", launcher: "A question about a procedure?",
      close: "Close the assistant", reset: "New conversation", language: "Language", log: "Conversation",
      input: "Your question", placeholder: "E.g. how do I renew my ID card?", send: "Send",
      help: "Talk to a person:", call: "Call",
      welcome: "Hello! I answer your questions about administrative procedures in Morocco, from the official records.",
      you: "You:", bot: "Sahla:", sources: "Sources", source: "Source", newTab: "(new tab)",
      rate: "Did this answer help you?", up: "Yes, helpful", down: "No, not helpful",
      comment: "A comment? (optional)", sendFeedback: "Send feedback", thanks: "Thank you for your feedback.",
      feedbackFailed: "Your feedback could not be sent. Try again.", thinking: "Searching the official records…",
      networkError: "The answer could not arrive (connection problem).",
      busy: "Too many questions in a short time. Wait a moment, then try again.",
      failed: "Something went wrong.", retry: "Try again",
      next: "Follow-up questions", choose: "Choose the procedure",
    },
    darija: {
      title: "سهلة · الإجراءات الإدارية", launcher: "عندك سؤال على شي إجراء؟",
      close: "سد المساعد", reset: "محادثة جديدة", language: "اللغة", log: "المحادثة",
      input: "السؤال ديالك", placeholder: "مثلا: كيفاش نجدد لاكارط؟", send: "صيفط",
      help: "بغيتي تهضر مع شي واحد؟", call: "عيط لـ",
      welcome: "مرحبا! سولني على الإجراءات الإدارية فالمغرب، ونجاوبك من البطاقات الرسمية.",
      you: "نتا:", bot: "سهلة:", sources: "المصادر", source: "المصدر", newTab: "(تبويب جديد)",
      rate: "واش هاد الجواب عاونك؟", up: "إيه، نفعني", down: "لا، ما نفعنيش",
      comment: "شي تعليق؟ (إلا بغيتي)", sendFeedback: "صيفط الرأي", thanks: "شكرا على الرأي ديالك.",
      feedbackFailed: "الرأي ما تصيفطش. عاود جرب.", thinking: "كنقلب فالبطاقات الرسمية…",
      networkError: "الجواب ما وصلش (مشكل فالكونيكسيون).",
      busy: "بزاف ديال الأسئلة فوقت قصير. تسنى شوية وعاود جرب.",
      failed: "وقع شي مشكل.", retry: "عاود جرب",
      next: "تقدر تسول حتى", choose: "ختار الإجراء",
    },
  };

  const ICONS = {
    chat: "M4 4h16a1 1 0 0 1 1 1v10a1 1 0 0 1-1 1H9l-5 4v-4H4a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1z",
    close: "M6 6l12 12M18 6L6 18",
    reset: "M4 12a8 8 0 1 0 2.3-5.6M4 4v5h5",
    send: "M4 12l16-8-6 16-2-6z",
    thumb: "M7 10v10H3V10zM7 10l4-7a2 2 0 0 1 3 2l-1 5h6a2 2 0 0 1 2 2.3l-1.3 6A2 2 0 0 1 17.7 20H7",
  };

  const STYLES = `
:host { all: initial; }
.root { --accent: #006233; --on-accent: #ffffff; --link: #005a9c; --focus: #111111;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans Arabic", Tahoma, Arial, sans-serif;
  color: #1b1b1b; }
*, *::before, *::after { box-sizing: border-box; }
[hidden] { display: none !important; }
button, select, textarea, input { font: inherit; color: inherit; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; box-shadow: 0 0 0 2px #ffffff; }
.sr-only { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
svg { width: 20px; height: 20px; flex: none; fill: none; stroke: currentColor; stroke-width: 2;
  stroke-linecap: round; stroke-linejoin: round; }
.launcher { position: fixed; bottom: 20px; right: 20px; z-index: 2147483000; display: flex; align-items: center;
  gap: 8px; min-height: 48px; padding: 10px 18px; border: 2px solid var(--on-accent); border-radius: 999px;
  background: var(--accent); color: var(--on-accent); font-weight: 600; cursor: pointer;
  box-shadow: 0 4px 14px rgba(0, 0, 0, .28); }
.launcher svg { fill: currentColor; stroke: none; }
.panel { position: fixed; bottom: 20px; right: 20px; z-index: 2147483001; display: flex; flex-direction: column;
  width: 390px; max-width: calc(100vw - 24px); height: min(640px, calc(100vh - 40px)); overflow: hidden;
  background: #ffffff; border: 1px solid #8a8a8a; border-radius: 14px; box-shadow: 0 10px 40px rgba(0, 0, 0, .3); }
.root.left .launcher, .root.left .panel { right: auto; left: 20px; }
.root.open .launcher { display: none; }
header { display: flex; align-items: center; gap: 6px; padding: 10px 10px 10px 16px; padding-inline: 16px 10px;
  background: var(--accent); color: var(--on-accent); }
h2 { flex: 1; margin: 0; font-size: 16px; font-weight: 700; line-height: 1.3; }
.icon { display: inline-flex; align-items: center; justify-content: center; width: 40px; height: 40px; padding: 0;
  border: 0; border-radius: 8px; background: transparent; color: inherit; cursor: pointer; }
.icon:hover { background: rgba(127, 127, 127, .22); }
.bar { display: flex; align-items: center; gap: 8px; padding: 8px 16px; border-bottom: 1px solid #d6d6d6;
  background: #f3f4f6; font-size: 14px; }
.bar select { min-height: 36px; padding: 4px 8px; border: 1px solid #6b6b6b; border-radius: 6px; background: #ffffff; }
.log { position: relative; flex: 1; overflow-y: auto; padding: 14px 12px; background: #fafafa; overscroll-behavior: contain; }
.row { display: flex; margin: 0 0 12px; }
.row.user { justify-content: flex-end; }
.msg { max-width: 88%; padding: 10px 12px; border-radius: 12px; overflow-wrap: anywhere; }
.user .msg { background: var(--accent); color: var(--on-accent); white-space: pre-wrap; }
.bot .msg { flex: 1; max-width: 100%; background: #ffffff; border: 1px solid #d0d0d0; }
.msg p { margin: 0 0 8px; } .msg p:last-child { margin-bottom: 0; }
.msg ul, .msg ol { margin: 0 0 8px; padding-inline-start: 22px; }
.msg .heading { font-weight: 700; }
.num { white-space: nowrap; }
.msg code { font-family: ui-monospace, monospace; background: #eeeeee; padding: 0 3px; border-radius: 3px; }
a { color: var(--link); text-decoration: underline; text-underline-offset: 2px; }
.cite { font-size: 12px; font-weight: 700; text-decoration: none; vertical-align: super; line-height: 0; }
.cite:hover { text-decoration: underline; }
.sources { margin: 10px 0 0; padding-top: 8px; border-top: 1px solid #e0e0e0; font-size: 13px; }
.sources h3 { margin: 0 0 4px; font-size: 13px; }
.sources ol { margin: 0; padding-inline-start: 22px; }
.chips { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 10px; }
.chips h3 { width: 100%; margin: 0; font-size: 13px; }
.chip { max-width: 100%; min-height: 36px; padding: 6px 12px; border: 1px solid var(--link); border-radius: 18px;
  background: #ffffff; color: var(--link); text-align: start; cursor: pointer; }
.chip:hover { background: #eef3f8; }
.choices { flex-direction: column; }
.choices .chip { min-height: 44px; border-radius: 8px; font-weight: 600; }
.pending { color: #4a4a4a; font-style: italic; }
.feedback { display: flex; flex-wrap: wrap; align-items: center; gap: 4px; margin-top: 8px; font-size: 13px; color: #454545; }
.feedback .icon { width: 36px; height: 36px; border: 1px solid #8a8a8a; color: #333333; }
.feedback .icon[aria-pressed="true"] { background: var(--accent); border-color: var(--accent); color: var(--on-accent); }
.feedback .down svg { transform: rotate(180deg); }
.feedback form { display: flex; flex-direction: column; gap: 6px; width: 100%; }
.feedback textarea { min-height: 56px; padding: 6px 8px; border: 1px solid #6b6b6b; border-radius: 6px; resize: vertical; }
.feedback .thanks { margin: 0; color: #1e5e2f; font-weight: 600; }
.error { background: #fff4f4; border: 1px solid #b3261e; color: #5c1a16; }
.btn { align-self: flex-start; min-height: 36px; padding: 6px 14px; border: 0; border-radius: 8px;
  background: var(--accent); color: var(--on-accent); font-weight: 600; cursor: pointer; }
.error .btn { margin-top: 8px; }
.btn[disabled] { opacity: .6; cursor: default; }
.composer { display: flex; align-items: flex-end; gap: 8px; padding: 10px 12px; border-top: 1px solid #d6d6d6; }
.composer textarea { flex: 1; min-height: 44px; max-height: 140px; padding: 10px; border: 1px solid #6b6b6b;
  border-radius: 10px; resize: none; line-height: 1.35; }
.composer textarea::placeholder { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.composer .send { width: 44px; height: 44px; background: var(--accent); color: var(--on-accent); border-radius: 10px; }
[dir="rtl"] .composer .send svg { transform: scaleX(-1); }
.help { margin: 0; padding: 6px 12px 10px; font-size: 13px; color: #3b3b3b; text-align: center; }
.help a { font-weight: 600; }
@media (max-width: 520px) {
  .panel { inset: 0; width: 100%; max-width: none; height: 100%; border: 0; border-radius: 0; }
  .root.left .panel { left: 0; }
  .launcher { width: 56px; height: 56px; padding: 0; justify-content: center; }
  .launcher span { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  .launcher svg { width: 26px; height: 26px; }
  .msg { max-width: 94%; }
}
@media (prefers-reduced-motion: no-preference) { .launcher { transition: transform .15s; } .launcher:hover { transform: translateY(-2px); } }
`;

  // -- small helpers ----------------------------------------------------------------------------------------
  function h(tag, props, children) {
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

  function icon(name) {
    const svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    const path = document.createElementNS(SVG_NS, "path");
    path.setAttribute("d", ICONS[name]);
    svg.append(path);
    return svg;
  }

  /** The URL if it is http(s), else null: a javascript: or data: link never becomes clickable. */
  function safeUrl(value, base) {
    try {
      const url = new URL(String(value), base);
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch (_) {
      return null;
    }
  }

  // -- answer rendering: web/static/markdown.js, shared with the console's review queue ------------------------
  // Loaded from the script's own origin before the element is defined, so every answer is rendered by it. Should it
  // fail to load, answers show as plain text (nothing is parsed as HTML either way) rather than no widget at all.
  let directionOf = () => null;
  let renderMarkdown = plainText;
  let withoutChoiceLines = (text) => String(text);

  function plainText(text) {
    const frag = document.createDocumentFragment();
    for (const line of String(text).split(/\r?\n/)) if (line.trim()) frag.append(h("p", { text: line.trim() }));
    return frag;
  }

  function loadRenderer() {
    const base = SCRIPT && SCRIPT.src ? SCRIPT.src : location.href;
    return import(new URL("/static/markdown.js", base).href).then((renderer) => {
      ({ directionOf, renderMarkdown, withoutChoiceLines } = renderer);
    }, (error) => {
      console.warn("Sahla: the answer renderer did not load; answers show as plain text.", error);
    });
  }

  // -- Server-Sent Events over fetch (EventSource cannot POST) -----------------------------------------------
  async function readEvents(body, onEvent) {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buffer = "", carry = "";
    for (;;) {
      const { value, done } = await reader.read();
      let chunk = carry + (value ? decoder.decode(value, { stream: true }) : "");
      carry = "";
      if (!done && chunk.endsWith("\r")) { carry = "\r"; chunk = chunk.slice(0, -1); }
      buffer += chunk.replace(/\r\n?/g, "\n");
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        dispatchEvent(buffer.slice(0, end), onEvent);
        buffer = buffer.slice(end + 2);
      }
      if (done) { if (buffer.trim()) dispatchEvent(buffer, onEvent); return; }
    }
  }

  function dispatchEvent(block, onEvent) {
    let name = "message";
    const data = [];
    for (const line of block.split("\n")) {
      if (!line || line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") name = value;
      else if (field === "data") data.push(value);
    }
    if (data.length) onEvent(name, JSON.parse(data.join("\n")));
  }

  const list = (value) => (Array.isArray(value) ? value : []);

  class RequestError extends Error {
    constructor(kind, status, message) { super(message || kind); this.kind = kind; this.status = status; }
  }

  // -- colours: keep text on the accent and links readable (WCAG AA, 4.5:1) whatever data-color says ----------
  function luminance(rgb) {
    const [r, g, b] = rgb.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }
  function contrast(a, b) {
    const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  }

  // -- the element -------------------------------------------------------------------------------------------
  class SahlaWidget extends HTMLElement {
    constructor() {
      super();
      this.attachShadow({ mode: "open" });
      this.busy = false;
    }

    connectedCallback() {
      if (this.root) return;
      this.config = this.readConfig();
      this.storageKey = `sahla-widget:${this.config.api}`;
      this.state = this.loadState();
      this.build();
      this.applyColour();
      this.applyLanguage();
      this.renderLog();
      if (this.state.open) this.setOpen(true, false);
    }

    readConfig() {
      const d = this.dataset;
      const base = SCRIPT && SCRIPT.src ? new URL(SCRIPT.src).origin : location.origin;
      const api = (safeUrl(d.api || base, location.href) || base).replace(/\/+$/, "");
      const phone = (d.helpPhone || DEFAULT_HELP_PHONE).replace(/[^\d +]/g, "").trim() || DEFAULT_HELP_PHONE;
      return {
        api, lang: LANGS.includes(d.lang) ? d.lang : "auto", title: d.title || "", colour: d.color || "",
        position: d.position === "left" ? "left" : "right",
        helpUrl: safeUrl(d.helpUrl || DEFAULT_HELP_URL) || safeUrl(DEFAULT_HELP_URL), helpPhone: phone,
      };
    }

    pageLanguage() {
      if (this.config.lang !== "auto") return this.config.lang;
      const page = (document.documentElement.lang || navigator.language || "fr").toLowerCase();
      if (page.startsWith("ary")) return "darija";
      const short = page.slice(0, 2);
      return LANGS.includes(short) ? short : "fr";
    }

    // -- state, kept in sessionStorage so that the conversation survives a reload ---------------------------
    loadState() {
      const fresh = { conversationId: null, uiLang: this.pageLanguage(), chosenLang: null, open: false, messages: [] };
      try {
        const saved = JSON.parse(sessionStorage.getItem(this.storageKey) || "null");
        if (saved && Array.isArray(saved.messages)) {
          const last = saved.messages[saved.messages.length - 1];
          // The page was left while an answer was on its way: offer to ask again rather than a silent gap.
          if (last && last.role === "user") {
            saved.messages.push({ role: "error", kind: "networkError", question: last.send || last.text, lang: last.lang });
          }
          return { ...fresh, ...saved };
        }
      } catch (_) { /* storage disabled or corrupt: start afresh */ }
      return fresh;
    }

    saveState() {
      const messages = this.state.messages.filter((m) => !m.pending);
      try {
        sessionStorage.setItem(this.storageKey, JSON.stringify({ ...this.state, messages }));
      } catch (_) { /* private mode or quota: the conversation just won't survive a reload */ }
    }

    get t() { return T[this.state.uiLang] || T.fr; }

    // -- building the static parts ---------------------------------------------------------------------------
    build() {
      const sheet = STYLES;
      if (this.shadowRoot.adoptedStyleSheets !== undefined && window.CSSStyleSheet && CSSStyleSheet.prototype.replaceSync) {
        const constructed = new CSSStyleSheet();
        constructed.replaceSync(sheet);  // not an inline <style>: works under a host page's strict CSP
        this.shadowRoot.adoptedStyleSheets = [constructed];
      } else {
        this.shadowRoot.append(h("style", { text: sheet }));
      }
      const el = this.els = {};
      el.launcherText = h("span");
      el.launcher = h("button", { type: "button", class: "launcher", "aria-expanded": "false", "aria-controls": "sahla-panel",
        onclick: () => this.setOpen(!this.state.open, true) }, [icon("chat"), el.launcherText]);
      el.title = h("h2", { id: "sahla-title" });
      el.reset = h("button", { type: "button", class: "icon reset", onclick: () => this.resetConversation() }, [icon("reset")]);
      el.close = h("button", { type: "button", class: "icon close", onclick: () => this.setOpen(false, true) }, [icon("close")]);
      el.langLabel = h("label", { for: "sahla-lang" });
      el.lang = h("select", { id: "sahla-lang", onchange: () => this.chooseLanguage(el.lang.value) },
        LANGS.map((code) => h("option", { value: code, lang: HTML_LANG[code], dir: RTL_LANGS.has(code) ? "rtl" : "ltr",
          text: LANG_NAMES[code] })));
      el.log = h("div", { class: "log", role: "log", "aria-live": "polite", "aria-relevant": "additions", tabindex: "0" });
      el.inputLabel = h("label", { for: "sahla-input", class: "sr-only" });
      el.input = h("textarea", { id: "sahla-input", rows: "1", maxlength: "2000", dir: "auto", autocomplete: "off" });
      el.input.addEventListener("keydown", (event) => {
        if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); this.submit(); }
      });
      el.send = h("button", { type: "submit", class: "icon send" }, [icon("send")]);
      el.form = h("form", { class: "composer", onsubmit: (event) => { event.preventDefault(); this.submit(); } },
        [el.inputLabel, el.input, el.send]);
      el.helpText = h("span");
      el.helpLink = h("a", { href: this.config.helpUrl, target: "_blank", rel: "noopener noreferrer", class: "human" },
        [new URL(this.config.helpUrl).hostname.replace(/^www\./, "")]);
      el.phoneLink = h("a", { href: `tel:${this.config.helpPhone.replace(/\s/g, "")}`, class: "phone" }, [this.config.helpPhone]);
      el.help = h("p", { class: "help" }, [el.helpText, " ", el.helpLink, " · ", el.phoneLink]);
      el.panel = h("section", { class: "panel", id: "sahla-panel", role: "dialog", "aria-labelledby": "sahla-title", hidden: true },
        [h("header", null, [el.title, el.reset, el.close]), h("div", { class: "bar" }, [el.langLabel, el.lang]),
          el.log, el.form, el.help]);
      el.panel.addEventListener("keydown", (event) => {
        if (event.key === "Escape") { event.stopPropagation(); this.setOpen(false, true); }
      });
      this.root = h("div", { class: `root ${this.config.position}` }, [el.launcher, el.panel]);
      this.shadowRoot.append(this.root);
    }

    applyColour() {
      const colour = this.config.colour;
      if (!colour || !(window.CSS && CSS.supports("color", colour))) return;
      const probe = h("span");
      probe.style.color = colour;  // CSSOM, not a style attribute: allowed by a strict CSP
      this.shadowRoot.append(probe);
      const measured = getComputedStyle(probe).color;
      probe.remove();
      // Only a colour whose contrast can be measured is used (oklch() and the like keep the default).
      if (!/^rgba?\(/.test(measured)) return;
      const rgb = measured.match(/[\d.]+/g).slice(0, 3).map(Number);
      const white = [255, 255, 255], ink = [17, 17, 17];
      this.root.style.setProperty("--accent", colour);
      this.root.style.setProperty("--on-accent", contrast(rgb, white) >= 4.5 ? "#ffffff" : "#111111");
      if (contrast(rgb, white) >= 4.5) this.root.style.setProperty("--link", colour);
      if (contrast(rgb, ink) < 4.5 && contrast(rgb, white) < 4.5) this.root.style.setProperty("--on-accent", "#000000");
    }

    applyLanguage() {
      const t = this.t, lang = this.state.uiLang, dir = RTL_LANGS.has(lang) ? "rtl" : "ltr";
      const el = this.els;
      this.root.setAttribute("dir", dir);  // the whole panel mirrors in Arabic and Darija
      this.root.setAttribute("lang", HTML_LANG[lang]);
      el.launcherText.textContent = t.launcher;
      el.title.textContent = this.config.title || t.title;
      el.reset.setAttribute("aria-label", t.reset);
      el.reset.title = t.reset;
      el.close.setAttribute("aria-label", t.close);
      el.close.title = t.close;
      el.langLabel.textContent = t.language;
      el.lang.value = lang;
      el.log.setAttribute("aria-label", t.log);
      el.inputLabel.textContent = t.input;
      el.input.placeholder = t.placeholder;
      el.send.setAttribute("aria-label", t.send);
      el.send.title = t.send;
      el.helpText.textContent = t.help;
      el.phoneLink.setAttribute("aria-label", `${t.call} ${this.config.helpPhone}`);
    }

    chooseLanguage(lang) {
      if (!LANGS.includes(lang)) return;
      this.state.uiLang = lang;
      this.state.chosenLang = lang;
      this.applyLanguage();
      this.renderLog();
      this.saveState();
    }

    setOpen(open, moveFocus) {
      this.state.open = open;
      this.els.panel.hidden = !open;
      this.root.classList.toggle("open", open);
      this.els.launcher.setAttribute("aria-expanded", String(open));
      this.saveState();
      if (!moveFocus) return;
      if (open) { this.els.input.focus(); this.scrollToEnd(); } else this.els.launcher.focus();
    }

    resetConversation() {
      if (this.busy) return;  // an answer on its way belongs to the current conversation
      this.state.messages = [];
      this.state.conversationId = null;
      this.saveState();
      this.renderLog();
      this.els.input.focus();
    }

    // -- the conversation ------------------------------------------------------------------------------------
    renderLog() {
      const log = this.els.log;
      log.replaceChildren();
      const dir = RTL_LANGS.has(this.state.uiLang) ? "rtl" : "ltr";
      log.append(h("div", { class: "row bot welcome" }, [h("div", { class: "msg", dir, lang: HTML_LANG[this.state.uiLang] },
        [h("p", { text: this.t.welcome })])]));
      for (const message of this.state.messages) log.append(this.renderMessage(message));
      this.scrollToEnd();
    }

    renderMessage(message) {
      const t = this.t;
      if (message.role === "user") {
        return h("div", { class: "row user" }, [h("div", { class: "msg", dir: directionOf(message.text) || "auto" },
          [h("span", { class: "sr-only", text: t.you + " " }), message.text])]);
      }
      if (message.role === "error") {
        const retry = h("button", { type: "button", class: "btn retry", onclick: () => this.retry(message) }, [t.retry]);
        return h("div", { class: "row bot", "data-role": "error" }, [h("div", { class: "msg error", role: "alert" },
          [h("p", { text: t[message.kind] || t.failed }), message.detail ? h("p", { text: message.detail }) : null,
            message.retryable === false ? null : retry])]);
      }
      return this.renderAnswer(message);
    }

    renderAnswer(message) {
      const t = this.t;
      const ctx = { citations: message.citations || [], labels: t };
      const fallbackDir = RTL_LANGS.has(message.language) ? "rtl" : (message.language ? "ltr" : "auto");
      const bubble = h("div", { class: "msg", dir: directionOf(message.text) || fallbackDir,
        lang: HTML_LANG[message.language] || null, "aria-busy": message.pending ? "true" : null },
      [h("span", { class: "sr-only", text: t.bot + " " })]);
      if (message.pending && !message.text) bubble.append(h("p", { class: "pending", text: t.thinking }));
      else bubble.append(h("div", { class: "answer" }, [renderMarkdown(withoutChoiceLines(message.text, list(message.choices)), ctx)]));
      if (!message.pending && ctx.citations.length) bubble.append(this.renderSources(ctx.citations));
      // Only the latest answer offers its next steps: anything sent afterwards removes them (see ask).
      const chips = !message.pending && message === this.state.messages[this.state.messages.length - 1] && this.renderChips(message);
      if (chips) bubble.append(chips);
      // A clarifying question is not an answer to rate: the answer to the chosen procedure is.
      if (!message.pending && message.messageId && message.status !== "clarify") bubble.append(this.renderFeedback(message));
      return h("div", { class: "row bot", "data-status": message.status || null }, [bubble]);
    }

    /** A clarify turn's procedures to choose from, else an answer's follow-up questions; real buttons in a labelled
     * group, so they are reached by Tab in order and announced with the answer. A choice sends its procedure id. */
    renderChips(message) {
      const t = this.t, choices = list(message.choices).filter((c) => c && c.procedure_id);
      const items = choices.length ? choices.map((c) => [String(c.title || c.procedure_id), String(c.procedure_id)])
        : list(message.suggestions).filter((s) => typeof s === "string" && s.trim()).map((s) => [s, s]);
      if (!items.length) return null;
      const label = choices.length ? t.choose : t.next;
      // The next turn keeps this turn's language: a procedure id alone ("cnie-renouvellement") reads as French.
      const lang = this.state.chosenLang || (LANGS.includes(message.language) ? message.language : null);
      const buttons = items.slice(0, 3).map(([text, send]) => h("button", { type: "button", class: "chip",
        dir: directionOf(text) || "auto", onclick: (event) => this.followUp(text, send, event.detail === 0, lang) }, [text]));
      return h("div", { class: choices.length ? "chips choices" : "chips", role: "group", "aria-label": label,
        dir: RTL_LANGS.has(message.language || this.state.uiLang) ? "rtl" : "ltr" },
      [choices.length ? null : h("h3", { text: label, "aria-hidden": "true" }), ...buttons]);
    }

    /** A chip pressed from the keyboard leaves focus in the input (the chip is gone); a tap does not, so that a
     * phone's keyboard does not cover the answer. */
    followUp(shown, send, byKeyboard, lang) {
      if (this.busy) return;
      this.ask(send, false, shown, lang);
      if (byKeyboard) this.els.input.focus();
    }

    renderSources(citations) {
      const t = this.t;
      const items = citations.map((c) => {
        const url = safeUrl(c.url);
        const title = String(c.title || c.procedure_id || "");
        const label = url ? h("a", { href: url, target: "_blank", rel: "noopener noreferrer", dir: directionOf(title) || "auto" },
          [title, h("span", { class: "sr-only", text: " " + t.newTab })]) : title;
        return h("li", { value: String(c.n) }, [label]);
      });
      return h("div", { class: "sources" }, [h("h3", { text: t.sources }), h("ol", null, items)]);
    }

    renderFeedback(message) {
      const t = this.t, box = h("div", { class: "feedback", dir: RTL_LANGS.has(this.state.uiLang) ? "rtl" : "ltr" });
      const feedback = message.feedback || {};
      if (feedback.sent) {
        box.append(h("p", { class: "thanks", role: "status", text: t.thanks }));
        return box;
      }
      const choose = (rating) => {
        message.feedback = { rating, sent: false };
        this.saveState();
        // The thumb counts at once; a comment sent afterwards updates the same feedback (one per answer).
        fetch(`${this.config.api}/v1/feedback`, { method: "POST",
          headers: { "Content-Type": "application/json", Accept: "application/json" },
          body: JSON.stringify({ message_id: message.messageId, rating, comment: null }) }).catch(() => {});
        const fresh = this.renderFeedback(message);
        box.replaceWith(fresh);
        fresh.querySelector("textarea").focus();
      };
      const thumb = (rating) => h("button", { type: "button", class: `icon ${rating}`, "aria-label": t[rating], title: t[rating],
        "aria-pressed": String(feedback.rating === rating), onclick: () => choose(rating) }, [icon("thumb")]);
      box.append(h("span", { text: t.rate }), thumb("up"), thumb("down"));
      if (!feedback.rating) return box;
      const id = `sahla-comment-${message.messageId}`;
      const comment = h("textarea", { id, maxlength: "1000", dir: "auto" });
      const status = h("p", { class: "status", role: "status" });
      const send = h("button", { type: "submit", class: "btn" }, [t.sendFeedback]);
      box.append(h("form", { onsubmit: (event) => {
        event.preventDefault();
        this.sendFeedback(message, comment.value.trim(), send, status);
      } }, [h("label", { for: id, text: t.comment }), comment, send, status]));
      return box;
    }

    async sendFeedback(message, comment, button, status) {
      button.disabled = true;
      status.textContent = "";
      try {
        const response = await fetch(`${this.config.api}/v1/feedback`, { method: "POST",
          headers: { "Content-Type": "application/json", Accept: "application/json" },
          body: JSON.stringify({ message_id: message.messageId, rating: message.feedback.rating, comment: comment || null }) });
        if (!response.ok) throw new RequestError("failed", response.status);
        message.feedback.sent = true;
        this.saveState();
        const row = button.closest(".feedback");
        const fresh = this.renderFeedback(message);
        row.replaceWith(fresh);
      } catch (_) {
        status.textContent = this.t.feedbackFailed;
        button.disabled = false;
      }
    }

    scrollToEnd() {
      const log = this.els.log;
      log.scrollTop = log.scrollHeight;
    }

    /** Keeps the question in view while its answer grows below it, so reading starts at the top. */
    revealAnswer(row) {
      const log = this.els.log, anchor = row.previousElementSibling || row;
      log.scrollTop = Math.min(anchor.offsetTop - 8, log.scrollHeight - log.clientHeight);
    }

    submit() {
      const text = this.els.input.value.trim();
      if (!text || this.busy) return;
      this.els.input.value = "";
      this.ask(text, false);
    }

    retry(errorMessage) {
      if (this.busy) return;
      this.state.messages = this.state.messages.filter((m) => m !== errorMessage);
      this.renderLog();
      this.ask(errorMessage.question, true, null, errorMessage.lang);
    }

    requestLanguage() { return this.state.chosenLang || "auto"; }

    async ask(question, isRetry, shown, lang) {
      this.busy = true;
      this.els.send.disabled = true;
      for (const chips of this.els.log.querySelectorAll(".chips")) chips.remove();
      if (!isRetry) {
        const user = shown ? { role: "user", text: shown, send: question, lang } : { role: "user", text: question };
        this.state.messages.push(user);
        this.els.log.append(this.renderMessage(user));
      }
      const answer = { role: "bot", text: "", citations: [], pending: true, language: lang || this.state.chosenLang };
      this.state.messages.push(answer);
      this.saveState();
      let row = this.renderMessage(answer);
      this.els.log.append(row);
      this.revealAnswer(row);
      const refresh = () => { const fresh = this.renderMessage(answer); row.replaceWith(fresh); row = fresh; this.revealAnswer(row); };
      try {
        await this.streamAnswer(question, answer, refresh, lang);
        answer.pending = false;
        refresh();
      } catch (error) {
        this.state.messages = this.state.messages.filter((m) => m !== answer);
        const failure = { ...this.describeFailure(error, question), lang };
        this.state.messages.push(failure);
        const errorRow = this.renderMessage(failure);
        row.replaceWith(errorRow);
        this.revealAnswer(errorRow);
      } finally {
        this.busy = false;
        this.els.send.disabled = false;
        this.saveState();
      }
    }

    describeFailure(error, question) {
      const kind = error instanceof RequestError ? error.kind : "networkError";
      const retryable = !(error instanceof RequestError && error.status >= 400 && error.status < 500 && error.status !== 429);
      return { role: "error", kind, question, retryable, detail: retryable ? "" : error.message };
    }

    async streamAnswer(question, answer, refresh, lang) {
      let response;
      try {
        response = await fetch(`${this.config.api}/v1/chat`, { method: "POST",
          headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
          body: JSON.stringify({ message: question, conversation_id: this.state.conversationId,
            language: lang || this.requestLanguage(), stream: true }) });
      } catch (_) {
        throw new RequestError("networkError", 0);
      }
      if (response.status === 404 && this.state.conversationId) {
        // The conversation is gone (retention, another deployment): carry on in a new one.
        this.state.conversationId = null;
        return this.streamAnswer(question, answer, refresh, lang);
      }
      if (!response.ok) {
        let message = "";
        try { message = String(((await response.json()).error || {}).message || ""); } catch (_) { /* not JSON */ }
        throw new RequestError(response.status === 429 ? "busy" : "failed", response.status, message);
      }
      let finished = false;
      await readEvents(response.body, (name, data) => {
        if (name === "meta") {
          this.state.conversationId = data.conversation_id;
          answer.messageId = data.message_id;
          answer.language = data.language;
        } else if (name === "citations") {
          answer.citations = list(data);
        } else if (name === "choices" || name === "suggestions") {
          answer[name] = list(data);
        } else if (name === "delta") {
          answer.text += String(data.text || "");
          refresh();
        } else if (name === "replace") {
          // The model's text failed a check or the model failed: the checked answer takes its place.
          answer.text = String(data.text || "");
          refresh();
        } else if (name === "done") {
          Object.assign(answer, { text: String(data.answer || ""), citations: list(data.citations), status: data.status,
            language: data.language, messageId: data.message_id,
            suggestions: list(data.suggestions || answer.suggestions), choices: list(data.choices || answer.choices) });
          this.state.conversationId = data.conversation_id;
          finished = true;
        } else if (name === "error") {
          throw new RequestError("failed", 500, "");
        }
      }).catch((error) => {
        throw error instanceof RequestError ? error : new RequestError("networkError", 0);
      });
      if (!finished) throw new RequestError("networkError", 0);
    }
  }

  function define() {
    if (customElements.get("sahla-widget")) return;  // the tag twice on one page: the first one defines it
    customElements.define("sahla-widget", SahlaWidget);
    if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
  }

  function mount() {
    if (document.querySelector("sahla-widget")) return;
    const widget = document.createElement("sahla-widget");
    for (const [key, value] of Object.entries((SCRIPT && SCRIPT.dataset) || {})) widget.dataset[key] = value;
    document.body.append(widget);
  }
  loadRenderer().then(define);
})();
