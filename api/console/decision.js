// The decision page: one engine decision explained and reproduced, with its review trail and
// its audit events, and whether the audit chain verifies.

import { barChart } from "./charts.js";
import { api, el, engineSummary, facts, fatal, money, notice, param, percent, score, show, start, table, when } from "./common.js";

const session = start("decision");
if (session) load().catch(fatal);

async function load() {
  const id = param("id");
  if (!id) return showLookup();
  const d = await api(session, "GET", `/v1/decisions/${id}`);
  const [events, verify, review] = await Promise.all([
    api(session, "GET", `/v1/audit/events?entity=${encodeURIComponent(`decision:${id}`)}`).catch(() => null),
    api(session, "GET", "/v1/audit/verify").catch((e) => ({ error: e })),
    findReview(id),
  ]);
  const reviewEvents = review ? await api(session, "GET", `/v1/audit/events?entity=${encodeURIComponent(`review:${review.id}`)}`).catch(() => null) : null;
  show(
    el("h1", {}, `Decision ${d.id}`),
    el(
      "div",
      { class: "grid" },
      el(
        "section",
        { class: "card", id: "outcome" },
        el("h2", {}, "Outcome"),
        facts([
          ["Outcome", el("strong", { id: "decision-outcome" }, d.outcome)],
          ["Score", score(d.score)],
          ["Grade", d.grade],
          ["Probability of default", `${(d.probability_of_default * 100).toFixed(2)} %`],
          ["Credit limit", money(d.credit_limit, d.currency)],
          ["Annual rate", percent(d.rate_annual)],
          ["Product", d.product],
          ["Subject", el("span", { class: "mono" }, d.subject)],
          ["Model", el("span", { id: "decision-model" }, `${d.model_id} version ${d.model_version}`)],
          ["Decided", `${when(d.decided_at)} by ${d.decided_by}`],
          ["Shadow (challenger)", d.is_shadow ? "yes: recorded for comparison, never acted on" : "no"],
        ]),
      ),
      el(
        "section",
        { class: "card", id: "points" },
        el("h2", {}, "Points per feature"),
        barChart({ id: "decision-points-chart", title: "Scorecard points per feature", labels: d.feature_points.map((f) => f.feature), datasets: [{ label: "Points", data: d.feature_points.map((f) => f.points) }], horizontal: true }),
      ),
      el(
        "section",
        { class: "card", id: "reasons" },
        el("h2", {}, "Reasons and rules"),
        el("ul", {}, d.reasons.map((r) => el("li", {}, el("code", {}, r.code), ` (${r.source}): ${r.text}`))),
        d.rules_fired.length ? el("ul", {}, d.rules_fired.map((r) => el("li", {}, "Rule ", el("code", {}, r.code), ` → ${r.outcome}`))) : el("p", { class: "muted" }, "No policy rule fired."),
      ),
      el(
        "section",
        { class: "card", id: "inputs" },
        el("h2", {}, "Inputs"),
        table(["Input", "Value"], Object.entries(d.inputs || {}).map(([k, v]) => el("tr", {}, el("th", { scope: "row" }, k), el("td", { class: "mono" }, JSON.stringify(v)))), "Inputs the model read"),
      ),
      reviewCard(review, reviewEvents),
      auditCard(events, verify),
    ),
  );
}

/// The review case opened for this decision: named by the case page's link, else looked up
/// in the queue (every status, newest pages last).
async function findReview(decisionId) {
  const named = param("review");
  if (named) return api(session, "GET", `/v1/reviews/${named}`).catch(() => null);
  let after = null;
  for (let page = 0; page < 20; page++) {
    const params = new URLSearchParams({ limit: "100" });
    if (after) params.set("after", after);
    const found = await api(session, "GET", `/v1/reviews?${params}`).catch(() => null);
    if (!found) return null;
    const hit = found.items.find((r) => engineSummary(r.engine_decision).decisionIds.includes(decisionId));
    if (hit) return hit;
    if (!found.next_cursor) return null;
    after = found.next_cursor;
  }
  return null;
}

function reviewCard(review, events) {
  const items = (events && events.items) || [];
  return el(
    "section",
    { class: "card", id: "review-trail" },
    el("h2", {}, "Review trail"),
    review
      ? [
          el("p", {}, "Case ", el("a", { href: `case.html?id=${review.id}` }, review.id.slice(0, 8)), `: ${review.status.replace(/_/g, " ")}`),
          items.length
            ? table(["When", "Who", "What"], items.map((e) => el("tr", {}, el("td", {}, when(e.occurred_at)), el("td", {}, e.actor), el("td", {}, e.action))), "Review events")
            : el("p", { class: "muted" }, "No officer has acted yet."),
        ]
      : el("p", { class: "muted" }, "This decision was not referred to an officer."),
  );
}

function auditCard(events, verify) {
  const items = (events && events.items) || [];
  const chain = verify.error
    ? notice("warn", `Chain status unavailable: ${verify.error.message}`)
    : verify.ok
      ? notice("ok", el("span", { id: "chain-status" }, `Audit chain verified: ${verify.events_checked} events over ${verify.chains_checked} chains.`))
      : notice("error", el("span", { id: "chain-status" }, `Audit chain BROKEN: ${JSON.stringify(verify.first_break)}`));
  return el(
    "section",
    { class: "card", id: "audit" },
    el("h2", {}, "Audit events"),
    chain,
    table(["Seq", "When", "Who", "What", "Hash"], items.map((e) => el("tr", {}, el("td", {}, String(e.seq)), el("td", {}, when(e.occurred_at)), el("td", {}, e.actor), el("td", {}, e.action), el("td", { class: "mono" }, e.hash.slice(0, 16)))), "Audit events of this decision"),
  );
}

function showLookup() {
  const input = el("input", { id: "decision-id", name: "id", required: true, size: 40 });
  show(
    el("h1", {}, "Decision"),
    el("form", { class: "filters", onsubmit: (e) => { e.preventDefault(); location.href = `decision.html?id=${encodeURIComponent(input.value.trim())}`; } }, el("div", {}, el("label", { for: "decision-id" }, "Decision id"), input), el("div", {}, el("button", { type: "submit" }, "Open"))),
  );
}
