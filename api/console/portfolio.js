// The portfolio page: exposure, days past due, end of day, the books, the audit chain, the
// outbox's failures (admin) and the registry check.

import { barChart } from "./charts.js";
import { api, card, el, facts, fatal, money, notice, show, start, table, when } from "./common.js";

const BUCKETS = ["current", "1-30", "31-60", "61-90", "90+"];

/// A call whose refusal is shown in its card rather than failing the page.
const soft = (path) => api(session, "GET", path).catch((error) => ({ error }));

const session = start("portfolio");
if (session) load().catch(fatal);

async function load() {
  const [book, trial, check, verify, checkpoint, outbox] = await Promise.all([
    api(session, "GET", "/v1/portfolio"),
    soft("/v1/ledger/trial-balance?limit=100"),
    soft("/v1/ledger/check"),
    soft("/v1/audit/verify"),
    soft("/v1/audit/checkpoints/latest"),
    soft("/v1/admin/outbox?status=failed&limit=50"),
  ]);
  show(
    el("h1", {}, "Portfolio"),
    el("p", {}, `Business date ${book.business_date}.`),
    el(
      "div",
      { class: "grid" },
      exposureCard(book),
      dpdCard(book),
      eodCard(book),
      ledgerCard(trial, check),
      auditCard(verify, checkpoint),
      outboxCard(outbox),
      registryCard(),
    ),
  );
}

function refused(result) {
  return result.error.status === 403
    ? notice("info", "Administrators only: your role may not read this.")
    : result.error.status === 404
      ? null
      : notice("error", result.error.message);
}

function exposureCard(book) {
  return card(
    "exposure",
    "Exposure by product and currency",
    book.exposure.length
      ? table(
          ["Product", "Currency", { label: "Active loans", num: true }, { label: "Principal outstanding", num: true }],
          book.exposure.map((e) => el("tr", {}, el("td", {}, e.product.replace(/_/g, " ")), el("td", {}, e.currency), el("td", { class: "num" }, String(e.loans)), el("td", { class: "num" }, money(e.principal_outstanding)))),
          "Exposure",
        )
      : el("p", { class: "muted" }, "No active loan."),
  );
}

function dpdCard(book) {
  const currencies = [...new Set(book.days_past_due.map((b) => b.currency))];
  const cell = (bucket, currency, key) => {
    const row = book.days_past_due.find((b) => b.bucket === bucket && b.currency === currency);
    return row ? Number(row[key]) : 0;
  };
  return card(
    "dpd",
    "Loans by days past due",
    currencies.length
      ? [
          barChart({
            id: "dpd-chart",
            title: "Principal outstanding by days-past-due bucket",
            labels: BUCKETS,
            datasets: currencies.map((c) => ({ label: c, data: BUCKETS.map((b) => cell(b, c, "principal_outstanding")) })),
            stacked: true,
          }),
          table(
            ["Bucket", "Currency", { label: "Loans", num: true }, { label: "Principal outstanding", num: true }],
            book.days_past_due.map((b) => el("tr", {}, el("td", {}, b.bucket), el("td", {}, b.currency), el("td", { class: "num" }, String(b.loans)), el("td", { class: "num" }, money(b.principal_outstanding)))),
            "Days past due",
          ),
        ]
      : el("p", { class: "muted" }, "No active loan."),
  );
}

function eodCard(book) {
  const run = book.last_end_of_day;
  return card(
    "eod",
    "Last end of day",
    run
      ? facts([
          ["Business date", el("span", { id: "eod-date" }, run.business_date)],
          ["Finished", when(run.finished_at)],
          ["Loans accrued", String(run.loans_accrued)],
          ["Loans aged", String(run.loans_aged)],
          ["Lines frozen", String(run.lines_frozen)],
          ["Reminders", String(run.reminders)],
        ])
      : el("p", { class: "muted" }, "End of day has not run yet."),
  );
}

function ledgerCard(trial, check) {
  return card(
    "ledger",
    "Trial balance and ledger check",
    trial.error
      ? refused(trial)
      : [
          notice(trial.balanced ? "ok" : "error", trial.balanced ? "Trial balance: every currency nets to zero." : "Trial balance does NOT net to zero."),
          table(["Currency", { label: "Total", num: true }], trial.totals.map((t) => el("tr", {}, el("td", {}, t.currency), el("td", { class: "num" }, money(t.total)))), "Totals per currency"),
        ],
    check.error
      ? null
      : notice(check.consistent ? "ok" : "error", check.consistent ? "Ledger check: every kept balance equals its postings." : `Ledger check: ${check.mismatches.length} balance(s) disagree with their postings.`),
  );
}

function auditCard(verify, checkpoint) {
  return card(
    "audit",
    "Audit chain",
    verify.error
      ? refused(verify)
      : notice(verify.ok ? "ok" : "error", el("span", { id: "chain-status" }, verify.ok ? `Verified: ${verify.events_checked} events, ${verify.chains_checked} chains, ${verify.checkpoints_checked} checkpoints.` : `BROKEN: ${JSON.stringify(verify.first_break)}`)),
    checkpoint.error
      ? checkpoint.error.status === 404
        ? el("p", { class: "muted" }, "No checkpoint sealed yet.")
        : refused(checkpoint)
      : facts([
          ["Latest checkpoint", `#${checkpoint.id}, ${when(checkpoint.created_at)}`],
          ["Chains covered", String(checkpoint.chains_covered)],
          ["Hash", el("span", { class: "mono" }, checkpoint.hash)],
        ]),
  );
}

function outboxCard(outbox) {
  if (outbox.error) return card("outbox", "Outbox failures", refused(outbox));
  const status = el("div", { "aria-live": "polite" });
  const replay = (mail) => async (event) => {
    event.target.disabled = true;
    try {
      await api(session, "POST", `/v1/admin/outbox/${mail.id}/replay`, {});
      status.replaceChildren(notice("ok", `Email ${mail.id.slice(0, 8)} queued again.`));
      event.target.closest("tr").remove();
    } catch (e) {
      event.target.disabled = false;
      status.replaceChildren(notice("error", e.message));
    }
  };
  return card(
    "outbox",
    "Outbox failures",
    status,
    outbox.items.length
      ? table(
          ["Recipient", "Subject", { label: "Attempts", num: true }, "Last error", ""],
          outbox.items.map((m) => el("tr", {}, el("td", {}, m.recipient), el("td", {}, m.subject), el("td", { class: "num" }, String(m.attempts)), el("td", {}, m.last_error ?? "—"), el("td", {}, el("button", { type: "button", onclick: replay(m), "aria-label": `Replay email to ${m.recipient}` }, "Replay")))),
          "Failed emails",
        )
      : el("p", { class: "muted" }, "No failed email."),
  );
}

function registryCard() {
  const input = el("input", { id: "fingerprint", name: "fingerprint", size: 66, spellcheck: "false", "aria-describedby": "err-fingerprint" });
  const result = el("div", { id: "registry-result", "aria-live": "polite" });
  const error = el("div", { class: "field-error", id: "err-fingerprint" });
  const check = async (event) => {
    event.preventDefault();
    error.textContent = "";
    result.replaceChildren();
    try {
      const found = await api(session, "GET", `/v1/registry/${encodeURIComponent(input.value.trim())}`);
      result.replaceChildren(
        notice("info", found.registered ? `Registered${found.encumbered ? ", and financed or pledged" : ", not financed"}.` : "Not registered."),
      );
    } catch (e) {
      error.textContent = e.message;
    }
  };
  return card(
    "registry",
    "Registry check",
    el("form", { onsubmit: check }, el("label", { for: "fingerprint" }, "Fingerprint (64 hex digits)"), input, error, el("div", { class: "actions" }, el("button", { type: "submit" }, "Check"))),
    result,
  );
}
