// Shared by every console page: the sign-in session, calls to the public JSON API, the page
// chrome, DOM building without innerHTML (every text from the API is untrusted) and formatting.

const TOKEN_KEY = "lendline.console.token";
const STAFF_ROLES = ["risk_officer", "admin"];

/// The claims of a JWT, read only to greet the officer and pick the page: the API checks the
/// signature and the role on every call, so nothing here grants anything.
function claimsOf(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(part + "=".repeat((4 - (part.length % 4)) % 4)));
  } catch {
    return null;
  }
}

/// Moves a token from the address bar's fragment (`#token=…`, the sign-in link) into session
/// storage, removes it from the address and history, and answers the session (or null).
export function signIn() {
  const found = location.hash.match(/(?:^#|&)token=([^&]+)/);
  if (found) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(found[1]));
    history.replaceState(null, "", location.pathname + location.search);
  }
  const token = sessionStorage.getItem(TOKEN_KEY);
  const claims = token && claimsOf(token);
  if (!claims) return null;
  return { token, role: String(claims.role), officer: String(claims.sub), exp: Number(claims.exp) };
}

export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

/// Calls the API with the session's token; answers the parsed body, or throws an ApiError
/// carrying the API's own code, message and field.
export async function api(session, method, path, body) {
  const init = { method, headers: { Authorization: `Bearer ${session.token}`, Accept: "application/json" } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, "network", `The server could not be reached (${e.message}).`, null);
  }
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    const err = (data && data.error) || {};
    throw new ApiError(res.status, err.code || `http_${res.status}`, err.message || res.statusText, err.field || null);
  }
  return data;
}

/// Builds an element: `attrs` become attributes (or properties for `on*` handlers), children
/// strings become text nodes, never markup.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function main() {
  return document.getElementById("main");
}

/// Replaces the page's content. When the user was acting inside it (a button that is now
/// gone), focus moves to the new content, so keyboard and screen-reader users land on what
/// changed rather than at the top of the document.
export function show(...nodes) {
  const m = main();
  const acting = m.contains(document.activeElement) && document.activeElement !== m;
  m.replaceChildren(...nodes);
  if (acting) m.focus();
}

export function notice(kind, ...text) {
  return el("div", { class: `notice ${kind}`, role: kind === "error" ? "alert" : "status" }, ...text);
}

/// Page chrome for staff; for anyone else the page explains why there is nothing to see.
/// Answers the session when the page may go on.
export function start(active) {
  const session = signIn();
  const top = document.getElementById("top");
  if (!session) {
    top.replaceChildren(header(null, active));
    show(
      el("h1", {}, "Sign in"),
      notice("info", "Open the console with a sign-in link. On the server, run:"),
      el("pre", {}, el("code", {}, "lendline token --role risk_officer --party <your staff id> --link")),
      el("p", {}, "and open the printed address in this browser. The link signs you in for this tab only."),
    );
    return null;
  }
  top.replaceChildren(header(session, active));
  if (!STAFF_ROLES.includes(session.role)) {
    show(
      el("h1", { id: "staff-only" }, "This console is for staff"),
      notice(
        "warn",
        `You are signed in as a ${session.role.replace(/_/g, " ")} (${session.officer}). `,
        "The console is for Lendline's risk officers and administrators. ",
        "Your own loans, lines and invoices are available through the Lendline API with this token.",
      ),
    );
    return null;
  }
  return session;
}

function header(session, active) {
  const link = (href, label, key) => el("a", { href, "aria-current": active === key ? "page" : null }, label);
  const who = session
    ? el(
        "span",
        { class: "who" },
        `Signed in as ${session.officer} (${session.role.replace(/_/g, " ")})`,
        el("button", { type: "button", class: "secondary", id: "sign-out", onclick: signOut }, "Sign out"),
      )
    : el("span", { class: "who" }, "Not signed in");
  return el(
    "header",
    { class: "top" },
    el("span", { class: "brand" }, "Lendline console"),
    el("nav", { "aria-label": "Console" }, link("./", "Review queue", "queue"), " ", link("portfolio.html", "Portfolio", "portfolio"), " ", link("decision.html", "Decisions", "decision")),
    who,
  );
}

function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  location.href = "./";
}

/// What a page shows when a call it cannot do without fails.
export function fatal(err) {
  const text =
    err.status === 401
      ? "Your sign-in has expired or is not valid. Mint a new link with `lendline token … --link`."
      : `${err.message}${err.code ? ` (${err.code})` : ""}`;
  show(el("h1", {}, "Something went wrong"), notice("error", text));
}

/// Same officer? Staff ids compare without case, as the API's four-eyes check does.
export function sameOfficer(a, b) {
  return !!a && !!b && a.toLowerCase() === b.toLowerCase();
}

export function money(amount, currency) {
  if (amount === null || amount === undefined) return "—";
  const [whole, frac] = String(amount).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${grouped}${frac !== undefined ? `.${frac}` : ""}${currency ? ` ${currency}` : ""}`;
}

export function percent(rate) {
  if (rate === null || rate === undefined || rate === "") return "—";
  // Display only: the decimal string is what the API stores and compares.
  return `${(Number(rate) * 100).toFixed(2)} %`;
}

export function age(iso) {
  const minutes = Math.max(0, Math.floor((Date.now() - Date.parse(iso)) / 60000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

export function when(iso) {
  return iso ? new Date(iso).toLocaleString() : "—";
}

export function param(name) {
  return new URLSearchParams(location.search).get(name);
}

/// The engine's explanation stored on a review case, whatever the product: a loan case holds
/// one decision, a supply-chain case one per party scored (the applicant first).
export function engineSummary(engine) {
  engine = engine || {};
  if (Array.isArray(engine.decisions)) {
    const first = engine.decisions[0] || {};
    const d = first.decision || {};
    return {
      decisionIds: engine.decisions.map((x) => x.decision_id).filter(Boolean),
      score: d.score ?? null,
      grade: d.grade ?? null,
      limit: engine.credit_limit ?? d.credit_limit ?? null,
      rate: d.rate_annual ?? null,
    };
  }
  return {
    decisionIds: engine.decision_id ? [engine.decision_id] : [],
    score: engine.score ?? null,
    grade: engine.grade ?? null,
    limit: engine.credit_limit ?? null,
    rate: engine.rate_annual ?? null,
  };
}

export function score(value) {
  return value === null || value === undefined ? "—" : Number(value).toFixed(2);
}

export function table(headers, rows, caption) {
  return el(
    "table",
    {},
    caption ? el("caption", { class: "visually-hidden" }, caption) : null,
    el("thead", {}, el("tr", {}, headers.map((h) => el("th", { scope: "col", class: h.num ? "num" : null }, h.label ?? h)))),
    el("tbody", {}, rows),
  );
}

// A titled section of a page, labelled by its heading for screen readers.
export function card(id, title, ...content) {
  return el("section", { class: "card", id, "aria-labelledby": `${id}-title` }, el("h2", { id: `${id}-title` }, title), ...content);
}

export function facts(pairs) {
  return el("dl", { class: "facts" }, pairs.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v ?? "—")]));
}
