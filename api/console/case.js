// The case page: everything an officer needs to decide a referred case without another tool.

import { barChart, color } from "./charts.js";
import { actionsCard } from "./case_actions.js";
import { api, card, el, engineSummary, facts, fatal, money, notice, param, percent, score, show, start, table, when } from "./common.js";

const session = start("queue");
if (session) load().catch(fatal);

async function load() {
  const id = param("id");
  if (!id) return show(el("h1", {}, "Case"), notice("error", "No case id in the address."));
  const review = await api(session, "GET", `/v1/reviews/${id}`);
  const engine = engineSummary(review.engine_decision);
  const party = review.applicant;
  const [decision, lines, loans, trail] = await Promise.all([
    engine.decisionIds[0] ? api(session, "GET", `/v1/decisions/${engine.decisionIds[0]}`).catch(() => null) : null,
    api(session, "GET", `/v1/credit-lines?party_id=${review.party_id}&limit=100`).catch(() => null),
    api(session, "GET", `/v1/loans?party_id=${review.party_id}&limit=100`).catch(() => null),
    api(session, "GET", `/v1/audit/events?entity=${encodeURIComponent(`review:${id}`)}`).catch(() => null),
  ]);
  const reload = () => load().catch(fatal);
  show(
    el("h1", {}, `Case: ${party ? party.name : review.party_id} — ${review.product.replace(/_/g, " ")}`),
    el("p", {}, "Status: ", el("span", { class: "badge", id: "case-status" }, review.status.replace(/_/g, " "))),
    el(
      "div",
      { class: "grid" },
      applicantCard(party),
      salesCard(party),
      termsCard(review, engine),
      actionsCard(session, review, engine, reload),
      scoreCard(decision, engine),
      rulesCard(decision),
      exposureCard(lines, loans),
      supplyChainCard(review, decision),
      trailCard(review, trail, engine),
    ),
  );
}

function applicantCard(p) {
  if (!p) return card("applicant", "Applicant", notice("warn", "The applicant could not be read."));
  return card(
    "applicant",
    "Applicant",
    facts([
      ["Name", p.name],
      ["Kind", p.kind.replace(/_/g, " ")],
      ["Registration number", p.registration_number],
      ["Country", p.country],
      ["Sector", p.sector],
      ["Onboarded on", p.onboarded_on],
      ["Store opened on", p.store_opened_on],
      ["Returns rate", p.returns_rate !== null && p.returns_rate !== undefined ? percent(p.returns_rate) : null],
      ["Currency", p.currency],
      ["Contact", p.contact_email],
      ["Party id", el("span", { class: "mono" }, p.id)],
    ]),
  );
}

function salesCard(p) {
  const sales = (p && p.monthly_sales) || [];
  if (!sales.length) return card("sales", "Monthly sales", notice("info", "No sales declared."));
  return card(
    "sales",
    "Monthly sales",
    barChart({
      id: "sales-chart",
      title: `Monthly sales (${p.currency})`,
      labels: sales.map((s) => s.month),
      // Chart heights only; the figures in the table are the API's exact strings.
      datasets: [{ label: `Sales (${p.currency})`, data: sales.map((s) => Number(s.amount)) }],
    }),
  );
}

function termsCard(review, engine) {
  return card(
    "terms",
    "Requested and proposed",
    table(
      ["", { label: "Amount", num: true }, { label: "Annual rate", num: true }],
      [
        el("tr", {}, el("th", { scope: "row" }, "Requested"), el("td", { class: "num", id: "requested-amount" }, money(review.amount, review.currency)), el("td", { class: "num" }, "—")),
        el("tr", {}, el("th", { scope: "row" }, "Engine proposed"), el("td", { class: "num", id: "engine-amount" }, money(engine.limit, review.currency)), el("td", { class: "num", id: "engine-rate" }, percent(engine.rate))),
        review.outcome === "approve"
          ? el("tr", {}, el("th", { scope: "row" }, `Approved by ${review.decided_by}`), el("td", { class: "num" }, money(review.approved_amount ?? review.amount, review.currency)), el("td", { class: "num" }, percent(review.approved_rate ?? engine.rate)))
          : null,
      ],
      "Requested and proposed terms",
    ),
  );
}

function scoreCard(d, engine) {
  if (!d) {
    return card("score", "Score", facts([["Score", score(engine.score)], ["Grade", engine.grade]]), notice("info", "The decision's details could not be read."));
  }
  const reasonFeatures = new Set(d.reasons.filter((r) => r.source === "feature").map((r) => r.code));
  const cited = (f) => [...reasonFeatures].some((code) => code.toLowerCase().includes(f.toLowerCase()));
  return card(
    "score",
    "Score and its factors",
    facts([
      ["Score", el("strong", { id: "score-value" }, score(d.score))],
      ["Grade", d.grade],
      ["Probability of default", `${(d.probability_of_default * 100).toFixed(2)} %`],
      ["Model", `${d.model_id} v${d.model_version}`],
      ["Decision", el("a", { href: `decision.html?id=${d.id}` }, d.id)],
    ]),
    barChart({
      id: "points-chart",
      title: "Scorecard points per feature (red: cited as a reason against)",
      labels: d.feature_points.map((f) => f.feature),
      datasets: [
        {
          label: "Points",
          data: d.feature_points.map((f) => f.points),
          colors: d.feature_points.map((f) => (cited(f.feature) ? color(1) : color(0))),
        },
      ],
      horizontal: true,
    }),
    el("h3", {}, "Reasons (as the applicant sees them)"),
    el("ul", { id: "reasons" }, d.reasons.map((r) => el("li", {}, el("code", {}, r.code), ` (${r.source}): ${r.text}`))),
  );
}

function rulesCard(d) {
  if (!d) return card("rules", "Policy rules fired", notice("info", "Unavailable."));
  return card(
    "rules",
    "Policy rules fired",
    d.rules_fired.length
      ? el("ul", { id: "rules-fired" }, d.rules_fired.map((r) => el("li", {}, el("code", {}, r.code), ` → ${r.outcome}`)))
      : el("p", { class: "muted" }, "No policy rule fired."),
  );
}

function exposureCard(lines, loans) {
  const lineItems = (lines && lines.items) || [];
  const loanItems = (loans && loans.items) || [];
  const open = lineItems.filter((l) => l.status !== "closed");
  // Per currency, as the API never adds amounts of two currencies.
  const totals = {};
  for (const l of open) totals[l.currency] = (totals[l.currency] || 0) + Number(l.limit);
  return card(
    "exposure",
    "Current exposure, other lines and loans",
    open.length
      ? el("p", {}, "Open lines count at their full limit: ", Object.entries(totals).map(([c, t]) => `${t.toFixed(2)} ${c}`).join(", "))
      : el("p", { class: "muted" }, "No open credit line."),
    lineItems.length
      ? table(
          ["Line", "Status", { label: "Limit", num: true }, { label: "Used", num: true }, { label: "Rate", num: true }, "Expires"],
          lineItems.map((l) => el("tr", {}, el("td", { class: "mono" }, l.id.slice(0, 8)), el("td", {}, l.status), el("td", { class: "num" }, money(l.limit, l.currency)), el("td", { class: "num" }, money(l.used, l.currency)), el("td", { class: "num" }, percent(l.annual_rate)), el("td", {}, l.expires_on))),
          "Credit lines",
        )
      : null,
    loanItems.length
      ? table(
          ["Loan", "Product", "Status", { label: "Outstanding", num: true }, { label: "Days past due", num: true }, "Matures"],
          loanItems.map((l) => el("tr", {}, el("td", { class: "mono" }, l.id.slice(0, 8)), el("td", {}, l.product), el("td", {}, l.status), el("td", { class: "num" }, money(l.principal_outstanding, l.currency)), el("td", { class: "num" }, String(l.days_past_due)), el("td", {}, l.maturity_date))),
          "Loans",
        )
      : el("p", { class: "muted" }, "No loan."),
  );
}

/// For supply-chain cases: the receivables (or the bill), their debtor (or acceptor) and their
/// registry status.
function supplyChainCard(review, decision) {
  if (review.subject_kind === "bill_discount") return billCard(decision);
  if (review.subject_kind !== "factoring_request") return null;
  const box = el("div", {}, el("p", { class: "muted" }, "Loading receivables…"));
  (async () => {
    const request = await api(session, "GET", `/v1/factoring-requests/${review.subject_id}`);
    const receivables = await Promise.all(request.receivable_ids.map((rid) => api(session, "GET", `/v1/receivables/${rid}`)));
    const rows = await Promise.all(
      receivables.map(async (r) => {
        const [debtor, registry] = await Promise.all([
          api(session, "GET", `/v1/parties/${r.debtor_id}`).catch(() => null),
          api(session, "GET", `/v1/registry/${r.fingerprint}`).catch(() => null),
        ]);
        const reg = registry ? `${registry.registered ? "registered" : "not registered"}${registry.encumbered ? ", financed" : ""}` : "—";
        return el("tr", {}, el("td", {}, r.invoice_number), el("td", {}, debtor ? debtor.name : r.debtor_id), el("td", { class: "num" }, money(r.amount, r.currency)), el("td", {}, r.due_date), el("td", {}, r.state), el("td", {}, reg));
      }),
    );
    box.replaceChildren(
      facts([["Request", `${request.kind} · ${request.state}`], ["Face total", money(request.face_total, request.currency)], ["Advance total", money(request.advance_total, request.currency)]]),
      table(["Invoice", "Debtor", { label: "Amount", num: true }, "Due", "State", "Registry"], rows, "Receivables"),
    );
  })().catch((e) => box.replaceChildren(notice("error", e.message)));
  return card("supply-chain", "Receivables, debtors and registry", box);
}

/// A referred bill discount: the bill (the subject the engine decided on, `bill:<id>`), its
/// acceptor and its registry status.
function billCard(decision) {
  const box = el("div", {}, el("p", { class: "muted" }, "Loading the bill…"));
  const billId = decision && decision.subject.startsWith("bill:") ? decision.subject.slice(5) : null;
  if (!billId) return card("supply-chain", "Bill, acceptor and registry", el("p", { class: "muted" }, "The bill could not be identified."));
  (async () => {
    const bill = await api(session, "GET", `/v1/bills/${billId}`);
    const [acceptor, registry] = await Promise.all([
      api(session, "GET", `/v1/parties/${bill.acceptor_id}`).catch(() => null),
      api(session, "GET", `/v1/registry/${bill.fingerprint}`).catch(() => null),
    ]);
    box.replaceChildren(
      facts([
        ["Bill number", bill.bill_number],
        ["Acceptor", acceptor ? acceptor.name : bill.acceptor_id],
        ["Face value", money(bill.face_value, bill.currency)],
        ["Matures", bill.maturity_date],
        ["State", bill.state],
        ["Registry", registry ? `${registry.registered ? "registered" : "not registered"}${registry.encumbered ? ", financed" : ""}` : "—"],
      ]),
    );
  })().catch((e) => box.replaceChildren(notice("error", e.message)));
  return card("supply-chain", "Bill, acceptor and registry", box);
}

function trailCard(review, trail, engine) {
  const events = (trail && trail.items) || [];
  return card(
    "trail",
    "Review trail",
    el("p", {}, "Engine decisions: ", engine.decisionIds.map((d, i) => [i ? ", " : "", el("a", { href: `decision.html?id=${d}&review=${review.id}` }, d.slice(0, 8))])),
    events.length
      ? table(
          ["When", "Who", "What", "Details"],
          events.map((e) => el("tr", {}, el("td", {}, when(e.occurred_at)), el("td", {}, e.actor), el("td", {}, e.action), el("td", { class: "mono" }, JSON.stringify(e.payload)))),
          "Review events",
        )
      : el("p", { class: "muted" }, `Opened ${when(review.created_at)}; no officer has acted yet.`),
  );
}
