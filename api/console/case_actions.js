// The case page's actions: claim, approve or decline, confirm or veto (four eyes). Every rule
// is the API's: the page only explains the state and shows the API's refusal next to its field.

import { api, el, money, notice, percent, sameOfficer } from "./common.js";

export function actionsCard(session, review, engine, reload) {
  const body = el("div", { id: "actions-body" });
  const section = el("section", { class: "card", id: "actions", "aria-labelledby": "actions-title" }, el("h2", { id: "actions-title" }, "Decision"), body);
  const me = session.officer;
  const general = el("div", { id: "err-general", "aria-live": "assertive" });
  const act = (path, payload) => async (event) => {
    event.preventDefault();
    clearErrors(section, general);
    const buttons = section.querySelectorAll("button");
    buttons.forEach((b) => (b.disabled = true));
    try {
      await api(session, "POST", `/v1/reviews/${review.id}/${path}`, typeof payload === "function" ? payload() : payload);
      reload();
    } catch (e) {
      buttons.forEach((b) => (b.disabled = b.dataset.locked === "true"));
      showError(section, general, e);
    }
  };
  switch (review.status) {
    case "pending":
      body.append(el("p", {}, "Nobody has claimed this case yet."), el("button", { type: "button", id: "claim", onclick: act("claim", {}) }, "Claim"));
      break;
    case "claimed":
      if (sameOfficer(review.claimed_by, me)) body.append(decisionForm(review, engine, act));
      else body.append(notice("info", `Claimed by ${review.claimed_by}: only they can decide it.`));
      break;
    case "awaiting_confirmation":
      body.append(firstDecision(review), confirmation(review, me, act));
      break;
    default:
      body.append(firstDecision(review), review.confirmed_by ? el("p", {}, `Confirmed by ${review.confirmed_by}.`) : null, notice("ok", `This case is ${review.status}.`));
  }
  body.append(general);
  return section;
}

function clearErrors(section, general) {
  section.querySelectorAll(".field-error").forEach((e) => (e.textContent = ""));
  section.querySelectorAll("[aria-invalid]").forEach((e) => e.removeAttribute("aria-invalid"));
  general.replaceChildren();
}

/// The API's message next to the field it names, or above the buttons when it names none.
function showError(section, general, e) {
  const slot = e.field && section.querySelector(`#err-${CSS.escape(e.field)}`);
  if (slot) {
    slot.textContent = e.message;
    const input = section.querySelector(`#${CSS.escape(e.field)}`);
    if (input) {
      input.setAttribute("aria-invalid", "true");
      input.focus();
    }
  } else {
    general.replaceChildren(notice("error", e.message));
  }
}

function field(id, text, input, hint) {
  return el(
    "div",
    {},
    el("label", { for: id }, text),
    input,
    hint ? el("div", { class: "muted", id: `${id}-hint` }, hint) : null,
    el("div", { class: "field-error", id: `err-${id}`, "aria-live": "polite" }),
  );
}

function decisionForm(review, engine, act) {
  // Supply-chain cases are priced by their program: approve or decline them as they stand.
  const priced = review.subject_kind !== "credit_line_application";
  const amount = el("input", { id: "approved_amount", name: "approved_amount", inputmode: "decimal", value: review.amount, "aria-describedby": "approved_amount-hint err-approved_amount" });
  const rate = el("input", { id: "approved_rate", name: "approved_rate", inputmode: "decimal", value: engine.rate ?? "", "aria-describedby": "approved_rate-hint err-approved_rate" });
  const reason = el("input", { id: "reason_code", name: "reason_code", "aria-describedby": "err-reason_code" });
  const note = el("textarea", { id: "note", name: "note", "aria-describedby": "note-hint err-note" });
  const approve = () => {
    const body = { decision: "approve" };
    if (!priced && amount.value.trim() !== review.amount) body.approved_amount = amount.value.trim();
    if (!priced && rate.value.trim() && rate.value.trim() !== engine.rate) body.approved_rate = rate.value.trim();
    if (reason.value.trim()) body.reason_code = reason.value.trim();
    if (note.value.trim()) body.note = note.value.trim();
    return body;
  };
  const decline = () => ({ decision: "decline", reason_code: reason.value.trim() || null, note: note.value.trim() || undefined });
  return el(
    "form",
    { id: "decision-form", onsubmit: act("decision", approve), novalidate: true },
    !priced
      ? [
          field("approved_amount", `Approved amount (${review.currency})`, amount, `Requested ${money(review.amount, review.currency)}; you may lower it.`),
          field("approved_rate", "Annual rate (decimal, e.g. 0.18)", rate, `The engine proposed ${percent(engine.rate)}; you may raise it.`),
        ]
      : el("p", { class: "muted" }, "This case is priced by its program: approve or decline it as it stands."),
    field("reason_code", "Reason code (needed to decline)", reason),
    field("note", "Private note (staff only)", note, "The second officer sees it; the applicant never does."),
    el(
      "div",
      { class: "actions" },
      el("button", { type: "submit", id: "approve" }, "Approve"),
      el("button", { type: "button", id: "decline", class: "danger", onclick: act("decision", decline) }, "Decline"),
    ),
  );
}

function firstDecision(review) {
  if (!review.decided_by) return el("p", { class: "muted" }, "No decision yet.");
  return el(
    "div",
    { id: "first-decision" },
    el("h3", {}, "First decision"),
    el(
      "dl",
      { class: "facts" },
      el("dt", {}, "Decided by"),
      el("dd", { id: "decided-by" }, review.decided_by),
      el("dt", {}, "Outcome"),
      el("dd", {}, review.outcome),
      el("dt", {}, "Amount"),
      el("dd", { id: "first-amount" }, money(review.approved_amount ?? review.amount, review.currency)),
      el("dt", {}, "Rate"),
      el("dd", {}, review.approved_rate ? percent(review.approved_rate) : "the engine's"),
      el("dt", {}, "Reason code"),
      el("dd", {}, review.reason_code ?? "—"),
      el("dt", {}, "Private note"),
      el("dd", { id: "private-note" }, review.private_note ?? "—"),
    ),
  );
}

function confirmation(review, me, act) {
  if (sameOfficer(review.decided_by, me)) {
    // The API refuses it too (422 own_decision); the page says why before anyone tries.
    return el(
      "div",
      {},
      notice("warn", el("span", { id: "own-decision" }, "You made this decision. Four eyes: a second risk officer must confirm it; you cannot confirm your own approval.")),
      el("button", { type: "button", id: "confirm", disabled: true, "data-locked": "true", "aria-describedby": "own-decision" }, "Confirm"),
    );
  }
  return el(
    "div",
    {},
    el("p", {}, "Confirm the approval above, or veto it by declining with a reason code."),
    el("div", { class: "actions" }, el("button", { type: "button", id: "confirm", onclick: act("confirm", {}) }, "Confirm")),
    vetoForm(act),
  );
}

function vetoForm(act) {
  const reason = el("input", { id: "reason_code", name: "reason_code", "aria-describedby": "err-reason_code" });
  const note = el("textarea", { id: "note", name: "note", "aria-describedby": "err-note" });
  const decline = () => ({ decision: "decline", reason_code: reason.value.trim() || null, note: note.value.trim() || undefined });
  return el(
    "form",
    { id: "veto-form", onsubmit: act("decision", decline), novalidate: true },
    field("reason_code", "Reason code for a veto", reason),
    field("note", "Private note (staff only)", note),
    el("div", { class: "actions" }, el("button", { type: "submit", id: "decline", class: "danger" }, "Veto (decline)")),
  );
}
