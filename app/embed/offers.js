/*
 * <covenant-offers>: the care-leavers offers finder for a council's web page.
 *
 *   <script type="module" src="https://REGISTRY/embed/v1/offers.js"></script>
 *   <covenant-offers covenant="lancashire-care-leavers">
 *     <a href="https://REGISTRY/embed/v1/offers?covenant=lancashire-care-leavers">Find offers for care leavers</a>
 *   </covenant-offers>
 *
 * Attributes: covenant, priority and offer-type fix those filters (their fields are not shown); area sets where
 * the search starts (default: the covenant's own council); page-size (1 to 100, default 10); lang (the
 * language of the finder's own words: English only for now); heading-level (1 to 5, default 2). After each
 * answer it fires `covenant-offers-results` (detail.count: the offers shown).
 * Styling: the custom properties in :host below, and ::part(form | field | label | hint | input | button |
 * status | results | card | card-title | tag | link | report | more | tell | empty | message).
 * Each offer links to the registry's page for reporting a problem with it, and the finder to its page for
 * telling the council something; both are plain links, whose thank-you pages offer a way back here.
 *
 * It asks nothing of anyone but the registry it was loaded from (its public JSON API), sets no cookies, stores
 * nothing and tracks no one. The element's own content (a plain link to the same finder as a page) is what
 * people see when scripts are off.
 */

const ORIGIN = new URL(import.meta.url).origin;

const OFFER_TYPES = {
  apprenticeship: "Apprenticeships",
  job: "Jobs",
  guaranteed_interview: "Guaranteed job interviews",
  work_experience: "Work experience",
  insight_day: "Insight days (see what a job is like)",
  internship: "Internships",
  traineeship: "Traineeships",
  training: "Training and courses",
  bursary: "Bursaries (money for studying)",
  mentoring: "Mentoring (someone to help you plan)",
  accommodation: "Somewhere to live",
  guarantor: "A guarantor for renting a home",
  financial_support: "Money and help with bills",
  discount: "Discounts",
  leisure: "Sport, leisure and days out",
  advice: "Advice and support",
  other: "Something else",
};

const TEXT = {
  en: {
    title: "Find offers for care leavers",
    lead: (covenant) => `Help from organisations that signed the ${covenant}.`,
    area: "Where you live",
    areaHint: "Your postcode or your council, like PR1 2HE or Preston. Leave it empty to see offers everywhere.",
    age: "Your age",
    ageHint: "We show offers you are old enough for. Leave it empty to see all ages.",
    type: "What you are looking for",
    anything: "Anything",
    priority: "Topic",
    anyPriority: "Any topic",
    q: "Search words",
    qHint: "For example: driving, laptop, chef.",
    search: "Find offers",
    more: "Show more offers",
    loading: "Looking for offers…",
    showing: (n, more) =>
      `Showing ${n} offer${n === 1 ? "" : "s"}.` + (more ? " Use “Show more offers” to see more." : ""),
    none: "No offers match your search.",
    tryTitle: "You could try:",
    tips: [
      "leaving your age empty",
      "choosing “Anything” or “Any topic”",
      "fewer search words, or none",
      "leaving “Where you live” empty to see offers everywhere",
    ],
    adviser: "Your personal adviser can also tell you what help there is.",
    failed: "The offers could not be loaded just now. Check your connection and try again.",
    setup: "This finder is set up wrongly: the council's covenant is not known.",
    error: "Error: ",
    from: (organisation) => `From ${organisation}`,
    who: "Who it is for",
    where: "Where",
    dates: "Dates",
    how: "How to get it",
    findOut: "Find out more",
    about: (title) => ` about ${title}`,
    report: "Report a problem with this offer",
    tellLead: "Something you want the council to know about help for care leavers? ",
    tell: "Tell the council something",
    ages: (low, high) => `Ages ${low} to ${high}`,
    someStatuses: (list) => ` Only for some care leavers (${list}): your personal adviser can tell you if this is you.`,
    starts: (day) => `Starts ${day}. `,
    applyBy: (day) => `Apply by ${day}.`,
    open: "Open now",
    paused: "Paused: not taking anyone at the moment",
    full: "Full at the moment",
    deadlinePassed: "Closed: the date to apply has passed",
    areaUnknown: (typed) =>
      `We could not find “${typed}”. Check the postcode, or type the name of your council, like Preston or Leeds.`,
    areaSeveral: (typed) => `“${typed}” could be more than one council. Choose yours below, or type a postcode instead.`,
    areaMoved: (typed, now) => `“${typed}” has changed: it is now part of ${now}. Choose it below.`,
    candidates: "Councils you may mean",
    ageWrong: "Enter your age as a number from 0 to 30, like 19.",
    qWrong: "Use fewer words: up to 200 letters, on one line.",
    otherWrong: "Check this answer.",
    audiences: { care_leavers: "care leavers", children_in_care: "children in care", send: "young people with SEND" },
    statuses: { eligible: "eligible", relevant: "relevant", former_relevant: "former relevant", qualifying: "qualifying" },
    months: "January February March April May June July August September October November December".split(" "),
  },
};

const CSS = `
:host {
  --covenant-offers-text: #0b0c0c;
  --covenant-offers-muted: #505a5f;
  --covenant-offers-background: #fff;
  --covenant-offers-link: #1d70b8;
  --covenant-offers-accent: #00703c;
  --covenant-offers-accent-text: #fff;
  --covenant-offers-border: #b1b4b6;
  --covenant-offers-error: #aa2a16;
  --covenant-offers-focus: #ffdd00;
  --covenant-offers-focus-text: #0b0c0c;
  --covenant-offers-open: #005a30;
  --covenant-offers-open-background: #cce2d8;
  --covenant-offers-closed: #383f43;
  --covenant-offers-closed-background: #e5e6e7;
  display: block; color: var(--covenant-offers-text); background: var(--covenant-offers-background);
  font: inherit; line-height: 1.5; max-width: 48rem;
}
:host([hidden]) { display: none; }
*, *::before, *::after { box-sizing: border-box; }
h2, h3, h4, h5, h6 { line-height: 1.25; margin: 0 0 8px; }
.title { font-size: 1.5em; }
.card-title { font-size: 1.15em; }
p { margin: 0 0 8px; }
a { color: var(--covenant-offers-link); overflow-wrap: anywhere; text-underline-offset: 0.15em; }
:focus-visible {
  outline: 3px solid var(--covenant-offers-focus); outline-offset: 0;
  box-shadow: 0 0 0 6px var(--covenant-offers-focus-text);
}
a:focus-visible { background: var(--covenant-offers-focus); color: var(--covenant-offers-focus-text); text-decoration: none; }
.hidden-text {
  position: absolute; width: 1px; height: 1px; margin: 0; padding: 0; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; border: 0;
}
.lead, .hint, .organisation { color: var(--covenant-offers-muted); }
form { margin: 16px 0; }
.field { margin: 0 0 20px; }
.field.invalid { border-left: 5px solid var(--covenant-offers-error); padding-left: 12px; }
label { display: block; font-weight: 700; margin: 0 0 4px; }
.hint { display: block; margin: 0 0 6px; }
.message { display: block; color: var(--covenant-offers-error); font-weight: 700; margin: 0 0 6px; }
input, select {
  font: inherit; color: inherit; background: var(--covenant-offers-background); min-height: 44px; width: 100%;
  max-width: 24rem; padding: 6px 8px; border: 2px solid var(--covenant-offers-text); border-radius: 0;
}
.age input { max-width: 8rem; }
.invalid input { border-color: var(--covenant-offers-error); }
button {
  font: inherit; font-weight: 700; min-height: 44px; min-width: 44px; padding: 8px 16px; cursor: pointer;
  color: var(--covenant-offers-accent-text); background: var(--covenant-offers-accent);
  border: 2px solid transparent; border-radius: 0; box-shadow: 0 2px 0 var(--covenant-offers-text);
}
button:hover { filter: brightness(0.9); }
.candidates { list-style: none; margin: 0 0 8px; padding: 0; display: flex; flex-wrap: wrap; gap: 8px; }
.candidates button {
  color: var(--covenant-offers-text); background: var(--covenant-offers-closed-background); font-weight: 400;
}
.status { font-weight: 700; min-height: 1.5em; }
.results { list-style: none; margin: 0; padding: 0; }
.card {
  border: 1px solid var(--covenant-offers-border); border-left: 5px solid var(--covenant-offers-link);
  padding: 16px; margin: 0 0 16px;
}
dl { margin: 8px 0 0; }
dt { font-weight: 700; }
dd { margin: 0 0 8px; overflow-wrap: anywhere; }
section { container-type: inline-size; }
@container (min-width: 34rem) {
  dl { display: grid; grid-template-columns: max-content 1fr; column-gap: 16px; }
  dd { margin: 0 0 4px; }
}
.tag { display: inline-block; padding: 2px 8px; font-weight: 700; }
.tag.open { color: var(--covenant-offers-open); background: var(--covenant-offers-open-background); }
.tag.closed { color: var(--covenant-offers-closed); background: var(--covenant-offers-closed-background); }
.link { display: inline-block; padding: 10px 0; min-height: 44px; }
.tell { margin-top: 16px; }
.empty ul { padding-left: 20px; margin: 0 0 8px; }
[hidden] { display: none !important; }
@media (prefers-reduced-motion: reduce) {
  *, *::before, *::after { animation: none !important; transition: none !important; scroll-behavior: auto !important; }
}
`;

let sharedSheet;

function adopt(root) {
  if ("adoptedStyleSheets" in root && typeof CSSStyleSheet.prototype.replaceSync === "function") {
    sharedSheet ??= new CSSStyleSheet();
    if (!sharedSheet.cssRules.length) sharedSheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sharedSheet];
  } else {
    root.append(make("style", {}, CSS));
  }
}

/** An element with attributes and children (text is always text: nothing here is parsed as HTML). */
function make(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value == null) continue;
    element.setAttribute(name, value === true ? "" : String(value));
  }
  element.append(...children.flat(Infinity).filter((child) => child != null && child !== false));
  return element;
}

function longDate(text, words) {
  if (!text) return null;
  const [year, month, day] = text.slice(0, 10).split("-").map(Number);
  return `${day} ${words.months[month - 1]} ${year}`;
}

function today() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

function safeUrl(text) {
  try {
    const url = new URL(text);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
}

/** A page of the registry's public forms, whose thank-you page links back to the page the finder is on. */
function formUrl(path, query = {}) {
  return `${ORIGIN}${path}?${new URLSearchParams({ ...query, return: location.href })}`;
}

async function readJson(path, options = {}) {
  const response = await fetch(ORIGIN + path, { credentials: "omit", referrerPolicy: "origin", ...options });
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  return { status: response.status, body };
}

let count = 0;

class CovenantOffers extends HTMLElement {
  static observedAttributes = ["covenant", "area", "priority", "offer-type", "page-size", "lang", "heading-level"];

  constructor() {
    super();
    this.number = ++count;
    this.attachShadow({ mode: "open" });
    adopt(this.shadowRoot);
    this.searchNumber = 0;
    this.codes = new Map(); // council names the finder offered, and the codes they stand for
  }

  connectedCallback() {
    if (!this.built) this.start();
  }

  attributeChangedCallback() {
    if (this.built) this.start();
  }

  get words() {
    return TEXT[(this.getAttribute("lang") || "en").toLowerCase().split("-")[0]] || TEXT.en;
  }

  get pageSize() {
    const size = Number.parseInt(this.getAttribute("page-size") || "10", 10);
    return Number.isInteger(size) && size >= 1 && size <= 100 ? size : 10;
  }

  get headingLevel() {
    const level = Number.parseInt(this.getAttribute("heading-level") || "2", 10);
    return level >= 1 && level <= 5 ? level : 2;
  }

  id(name) {
    return `covenant-offers-${this.number}-${name}`;
  }

  start() {
    this.built = true;
    this.build();
    this.prepare().then(() => this.search(false));
  }

  field(name, label, control, hint) {
    const hintId = hint ? this.id(`${name}-hint`) : null;
    const message = make("span", { class: "message", id: this.id(`${name}-error`), part: "message", hidden: true });
    control.id = this.id(name);
    control.name = name;
    control.setAttribute("part", "input");
    if (hintId) control.setAttribute("aria-describedby", hintId);
    const wrapper = make(
      "div",
      { class: `field ${name}`, part: "field" },
      make("label", { for: control.id, part: "label" }, label),
      hint ? make("span", { class: "hint", id: hintId, part: "hint" }, hint) : null,
      message,
      name === "area" ? make("ul", { class: "candidates", hidden: true, "aria-label": this.words.candidates }) : null,
      control,
    );
    return wrapper;
  }

  build() {
    const words = this.words;
    const level = this.headingLevel;
    const root = this.shadowRoot;
    for (const child of [...root.childNodes]) if (child.nodeName !== "STYLE") child.remove();

    const text = (name, extra = {}) => make("input", { type: "text", autocomplete: "off", spellcheck: "false", ...extra });
    const typeSelect = make(
      "select",
      {},
      make("option", { value: "" }, words.anything),
      Object.entries(OFFER_TYPES).map(([value, label]) => make("option", { value }, label)),
    );
    this.prioritySelect = make("select", {}, make("option", { value: "" }, words.anyPriority));
    this.form = make(
      "form",
      { part: "form", novalidate: true, role: "search", "aria-label": words.title },
      this.field("area", words.area, text("area"), words.areaHint),
      this.field("age", words.age, text("age", { inputmode: "numeric" }), words.ageHint),
      this.getAttribute("offer-type") ? null : this.field("offer_type", words.type, typeSelect),
      this.getAttribute("priority") ? null : this.field("priority", words.priority, this.prioritySelect),
      this.field("q", words.q, make("input", { type: "search", autocomplete: "off" }), words.qHint),
      make("button", { type: "submit", part: "button" }, words.search),
    );
    this.priorityField = this.form.querySelector(".field.priority");
    if (this.priorityField) this.priorityField.hidden = true; // until the covenant's priorities are known
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.search(false);
    });
    this.lead = make("p", { class: "lead", part: "lead", hidden: true });
    this.status = make("p", { class: "status", part: "status", role: "status", "aria-live": "polite" });
    this.results = make("ol", { class: "results", part: "results", "aria-labelledby": this.id("title") });
    this.empty = make(
      "div",
      { class: "empty", part: "empty", hidden: true },
      make("p", {}, words.tryTitle),
      make("ul", {}, words.tips.map((tip) => make("li", {}, tip))),
      make("p", {}, words.adviser),
    );
    this.more = make("button", { type: "button", part: "more", hidden: true }, words.more);
    this.more.addEventListener("click", () => this.search(true));
    const covenant = this.getAttribute("covenant");
    const tellUrl = covenant ? formUrl("/embed/v1/you-said", { covenant }) : null;
    const tell = tellUrl
      ? make("p", { class: "tell" }, words.tellLead, make("a", { href: tellUrl, part: "tell", class: "link" }, words.tell))
      : null;
    root.append(
      make(
        "section",
        { lang: TEXT[this.getAttribute("lang")] ? this.getAttribute("lang") : "en", "aria-labelledby": this.id("title") },
        make(`h${level}`, { class: "title", id: this.id("title"), part: "heading" }, words.title),
        this.lead,
        this.form,
        this.status,
        this.results,
        this.empty,
        this.more,
        tell,
      ),
    );
    this.cardLevel = Math.min(level + 1, 6);
  }

  control(name) {
    return this.form.elements.namedItem(name);
  }

  /** The covenant's title and priorities, and its council as the place to start from. */
  async prepare() {
    const covenant = this.getAttribute("covenant");
    const area = this.getAttribute("area");
    if (area) this.control("area").value = area;
    if (!covenant) return;
    try {
      const found = await readJson(`/v1/covenants/${encodeURIComponent(covenant)}`);
      if (found.status !== 200) {
        this.setupError = true;
        return;
      }
      this.lead.textContent = this.words.lead(found.body.title);
      this.lead.hidden = false;
      for (const priority of found.body.priorities || []) {
        this.prioritySelect.append(make("option", { value: priority.code }, priority.title));
      }
      if (this.priorityField && (found.body.priorities || []).length) this.priorityField.hidden = false;
      if (!area) await this.startFromCouncil(found.body.authority.id);
    } catch {
      // The search that follows says the offers could not be loaded.
    }
  }

  async startFromCouncil(authorityId) {
    const authority = await readJson(`/v1/authorities/${encodeURIComponent(authorityId)}`);
    const code = authority.status === 200 ? authority.body.gss_code : null;
    if (!code) return;
    const council = await readJson(`/v1/areas/${encodeURIComponent(code)}`);
    if (council.status !== 200) return;
    this.codes.set(council.body.name, council.body.code);
    const input = this.control("area");
    if (!input.value) input.value = council.body.name;
  }

  query(append) {
    const params = new URLSearchParams();
    const value = (name) => (this.control(name)?.value || "").trim();
    const covenant = this.getAttribute("covenant");
    if (covenant) params.set("covenant", covenant);
    const area = value("area");
    if (area) params.set("area", this.codes.get(area) || area);
    if (value("age")) params.set("age", value("age"));
    const type = this.getAttribute("offer-type") || value("offer_type");
    if (type) params.set("offer_type", type);
    const priority = this.getAttribute("priority") || value("priority");
    if (priority) params.set("priority", priority);
    if (value("q")) params.set("q", value("q"));
    params.set("limit", String(this.pageSize));
    if (append && this.cursor) params.set("cursor", this.cursor);
    return params;
  }

  async search(append) {
    const words = this.words;
    const number = ++this.searchNumber;
    this.clearErrors();
    if (this.setupError) {
      this.status.textContent = words.setup;
      return;
    }
    const params = this.query(append);
    this.form.setAttribute("aria-busy", "true");
    this.more.disabled = true;
    if (!append) this.status.textContent = words.loading;
    this.dataset.state = "loading";
    let answer;
    try {
      // no-cache: the browser keeps the answer but asks again each time (If-None-Match, usually a 304), so an
      // offer that has just filled up never shows as open.
      answer = await readJson(`/v1/commitments?${params}`, { cache: "no-cache" });
    } catch {
      answer = { status: 0, body: null };
    }
    if (number !== this.searchNumber) return; // a newer search has started
    this.form.removeAttribute("aria-busy");
    this.more.disabled = false;
    if (answer.status === 422 && answer.body) {
      this.showProblem(answer.body);
      return;
    }
    if (answer.status !== 200 || !answer.body) {
      this.status.textContent = words.failed;
      return;
    }
    const { items, next_cursor: nextCursor } = answer.body;
    if (!append) {
      this.results.replaceChildren();
      this.shown = 0;
    }
    const cards = items.map((offer) => this.card(offer));
    this.results.append(...cards);
    this.shown += items.length;
    this.cursor = nextCursor;
    this.more.hidden = !nextCursor;
    this.empty.hidden = this.shown > 0;
    this.status.textContent = this.shown ? words.showing(this.shown, Boolean(nextCursor)) : words.none;
    this.dataset.state = "ready";
    if (append && cards.length) cards[0].querySelector(".card-title").focus();
    this.dispatchEvent(new CustomEvent("covenant-offers-results", { detail: { count: this.shown } }));
  }

  clearErrors() {
    for (const field of this.form.querySelectorAll(".field")) {
      field.classList.remove("invalid");
      const message = field.querySelector(".message");
      message.hidden = true;
      message.replaceChildren();
      const control = field.querySelector("input, select");
      control.removeAttribute("aria-invalid");
      const hint = field.querySelector(".hint");
      if (hint) control.setAttribute("aria-describedby", hint.id);
      else control.removeAttribute("aria-describedby");
      const candidates = field.querySelector(".candidates");
      if (candidates) {
        candidates.hidden = true;
        candidates.replaceChildren();
      }
    }
  }

  /** A problem document's errors, each next to its field, in plain words. */
  showProblem(problem) {
    const words = this.words;
    const errors = problem.errors && problem.errors.length ? problem.errors : [{ pointer: "/area" }];
    let first = null;
    for (const error of errors) {
      const name = (error.pointer || "").split("/").pop();
      const field = this.form.querySelector(`.field.${CSS_NAME[name] || "q"}`);
      if (!field) continue;
      const control = field.querySelector("input, select");
      let text = name === "age" ? words.ageWrong : name === "q" ? words.qWrong : words.otherWrong;
      if (name === "area") {
        const typed = control.value.trim();
        const candidates = problem.candidates || [];
        text =
          candidates.length > 1
            ? words.areaSeveral(typed)
            : candidates.length
              ? words.areaMoved(typed, candidates[0].name)
              : words.areaUnknown(typed);
        this.offerCandidates(field, control, candidates);
      }
      const message = field.querySelector(".message");
      message.replaceChildren(make("span", { class: "hidden-text" }, words.error), text);
      message.hidden = false;
      field.classList.add("invalid");
      control.setAttribute("aria-invalid", "true");
      control.setAttribute("aria-describedby", [field.querySelector(".hint")?.id, message.id].filter(Boolean).join(" "));
      first ??= { control, text };
    }
    this.results.replaceChildren();
    this.empty.hidden = true;
    this.more.hidden = true;
    this.status.textContent = first ? first.text : words.failed;
    this.dataset.state = "problem";
    first?.control.focus();
  }

  offerCandidates(field, control, candidates) {
    const list = field.querySelector(".candidates");
    for (const candidate of candidates) {
      const choose = make("button", { type: "button", part: "button" }, candidate.name);
      choose.addEventListener("click", () => {
        this.codes.set(candidate.name, candidate.code);
        control.value = candidate.name;
        this.search(false);
      });
      list.append(make("li", {}, choose));
    }
    list.hidden = candidates.length === 0;
  }

  card(offer) {
    const words = this.words;
    const eligibility = offer.eligibility;
    let status = words[offer.status] ? offer.status : "active";
    let label = status === "active" ? words.open : words[status];
    let state = status === "active" ? "open" : "closed";
    if (state === "open" && offer.apply_by && offer.apply_by < today()) {
      label = words.deadlinePassed;
      state = "closed";
    }
    const who =
      words.ages(eligibility.min_age, eligibility.max_age) +
      eligibility.audiences.map((audience) => `, ${words.audiences[audience] || audience}`).join("") +
      "." +
      (eligibility.care_statuses.length
        ? words.someStatuses(eligibility.care_statuses.map((s) => words.statuses[s] || s).join(", "))
        : "");
    const places = offer.area_details.map((area) => area.name || area.code).join(", ");
    const starts = longDate(offer.starts_on, words);
    const applyBy = longDate(offer.apply_by, words);
    const url = safeUrl(offer.how_to_access.url || "");
    const details = [
      [words.who, who],
      [words.where, places],
      starts || applyBy ? [words.dates, `${starts ? words.starts(starts) : ""}${applyBy ? words.applyBy(applyBy) : ""}`] : null,
      [
        words.how,
        [
          offer.how_to_access.text,
          url
            ? [
                make("br"),
                make(
                  "a",
                  { href: url, part: "link", class: "link" },
                  words.findOut,
                  make("span", { class: "hidden-text" }, words.about(offer.title)),
                ),
              ]
            : null,
        ],
      ],
    ].filter(Boolean);
    return make(
      "li",
      { class: "card", part: "card", "data-id": offer.id },
      make(`h${this.cardLevel}`, { class: "card-title", part: "card-title", tabindex: "-1" }, offer.title),
      make("p", { class: "organisation" }, words.from(offer.signatory.name)),
      make("p", {}, make("span", { class: `tag ${state}`, part: "tag" }, label)),
      offer.description ? make("p", {}, offer.description) : null,
      make("dl", {}, details.map(([term, value]) => [make("dt", {}, term), make("dd", {}, value)])),
      make(
        "p",
        {},
        make(
          "a",
          { href: formUrl(`/embed/v1/offers/${encodeURIComponent(offer.id)}/problem`), part: "report", class: "link" },
          words.report,
          make("span", { class: "hidden-text" }, `: ${offer.title}`),
        ),
      ),
    );
  }
}

const CSS_NAME = { area: "area", age: "age", offer_type: "offer_type", priority: "priority", q: "q" };

if (!customElements.get("covenant-offers")) customElements.define("covenant-offers", CovenantOffers);
