// The review queue: cases oldest first, filtered by product and status, claimable in place.

import { age, api, el, engineSummary, fatal, money, notice, score, show, start } from "./common.js";

const PRODUCTS = ["stock_up_line", "factoring", "bill_discount", "installment", "order_financing", "inventory_financing"];
const STATUSES = ["pending", "claimed", "awaiting_confirmation", "approved", "declined"];
const label = (s) => s.replace(/_/g, " ");

const session = start("queue");
if (session) render();

function filters() {
  const params = new URLSearchParams(location.search);
  return { product: params.get("product") || "", status: params.get("status") ?? "pending" };
}

function select(id, text, options, value, anyLabel) {
  return [
    el("label", { for: id }, text),
    el(
      "select",
      { id, name: id },
      el("option", { value: "", selected: value === "" }, anyLabel),
      options.map((o) => el("option", { value: o, selected: o === value }, label(o))),
    ),
  ];
}

function filterForm(current) {
  // Changing a filter reloads with it in the address, so a filtered queue can be bookmarked.
  const apply = (event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    const product = document.getElementById("product").value;
    const status = document.getElementById("status").value;
    if (product) params.set("product", product);
    params.set("status", status);
    location.search = params.toString();
  };
  return el(
    "form",
    { class: "filters", onsubmit: apply, "aria-label": "Filter the queue" },
    el("div", {}, select("product", "Product", PRODUCTS, current.product, "All products")),
    el("div", {}, select("status", "Status", STATUSES, current.status, "Any status")),
    el("div", {}, el("button", { type: "submit" }, "Apply filters")),
  );
}

async function render() {
  const current = filters();
  const status = el("div", { id: "queue-status", "aria-live": "polite" });
  const body = el("tbody", { id: "queue-rows" });
  const more = el("div", { class: "actions" });
  show(
    el("h1", {}, "Review queue"),
    el("p", { class: "muted" }, "Referred cases, oldest first. Claim a case to decide it."),
    filterForm(current),
    status,
    el(
      "table",
      { id: "queue" },
      el("caption", { class: "visually-hidden" }, "Review cases"),
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          ["Age", "Product", "Party", "Amount asked", "Score", "Grade", "Status", "Actions"].map((h) =>
            el("th", { scope: "col", class: ["Amount asked", "Score"].includes(h) ? "num" : null }, h),
          ),
        ),
      ),
      body,
    ),
    more,
  );
  await loadPage(current, null, body, status, more);
}

async function loadPage(current, after, body, status, more) {
  const params = new URLSearchParams({ limit: "50" });
  if (current.product) params.set("product", current.product);
  if (current.status) params.set("status", current.status);
  if (after) params.set("after", after);
  let page;
  try {
    page = await api(session, "GET", `/v1/reviews?${params}`);
  } catch (e) {
    return fatal(e);
  }
  const names = await partyNames(page.items.map((c) => c.party_id));
  body.append(...page.items.map((c) => row(c, names, status)));
  if (!body.children.length) {
    status.replaceChildren(notice("info", "No case matches these filters."));
  }
  more.replaceChildren();
  if (page.next_cursor) {
    more.append(
      el("button", { type: "button", class: "secondary", onclick: () => loadPage(current, page.next_cursor, body, status, more) }, "Load more"),
    );
  }
}

/// Names of the applicants, one call per distinct party.
async function partyNames(ids) {
  const unique = [...new Set(ids)];
  const found = await Promise.all(
    unique.map((id) =>
      api(session, "GET", `/v1/parties/${id}`)
        .then((p) => [id, p.name])
        .catch(() => [id, id]),
    ),
  );
  return new Map(found);
}

function row(c, names, status) {
  const engine = engineSummary(c.engine_decision);
  const claim = async (event) => {
    event.target.disabled = true;
    try {
      await api(session, "POST", `/v1/reviews/${c.id}/claim`, {});
      location.href = `case.html?id=${c.id}`;
    } catch (e) {
      event.target.disabled = false;
      status.replaceChildren(notice("error", `Could not claim the case: ${e.message}`));
    }
  };
  return el(
    "tr",
    { "data-case": c.id },
    el("td", { title: c.created_at }, age(c.created_at)),
    el("td", {}, label(c.product)),
    el("td", {}, names.get(c.party_id) || c.party_id),
    el("td", { class: "num" }, money(c.amount, c.currency)),
    el("td", { class: "num" }, score(engine.score)),
    el("td", {}, engine.grade ?? "—"),
    el("td", {}, label(c.status), c.claimed_by ? el("span", { class: "muted" }, ` (${c.claimed_by})`) : null),
    el(
      "td",
      {},
      el("a", { href: `case.html?id=${c.id}`, class: "open-case" }, "Open"),
      " ",
      c.status === "pending"
        ? el("button", { type: "button", class: "claim", "aria-label": `Claim case of ${names.get(c.party_id) || c.party_id}`, onclick: claim }, "Claim")
        : null,
    ),
  );
}
