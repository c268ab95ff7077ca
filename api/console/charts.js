// Charts through Chart.js (vendored UMD build, loaded as the global `Chart` by the page), each
// with a data table beside it for keyboard and screen-reader users.

import { el, table } from "./common.js";

const PALETTE = ["#0b5cad", "#d1242f", "#1a7f37", "#9a6700", "#8250df", "#57606a"];

/// A bar chart in a labelled figure. `datasets` are `{label, data, colors?}` with numbers;
/// `horizontal` lays bars along the x axis. Answers the figure; the Chart instance is reachable
/// with `Chart.getChart(canvas)`.
export function barChart({ id, title, labels, datasets, horizontal = false, stacked = false }) {
  const canvas = el("canvas", { id, role: "img", "aria-label": `${title} (chart; the same figures are in the table below)` });
  const box = el("div", { class: "chart-box" }, canvas);
  const rows = labels.map((label, i) =>
    el("tr", {}, el("th", { scope: "row" }, label), datasets.map((d) => el("td", { class: "num" }, String(d.data[i] ?? "")))),
  );
  const data = el(
    "details",
    {},
    el("summary", {}, `${title}: data table`),
    table([{ label: "" }, ...datasets.map((d) => ({ label: d.label, num: true }))], rows, title),
  );
  const figure = el("figure", { class: "chart" }, el("figcaption", { class: "visually-hidden" }, title), box, data);
  // Drawn once the canvas is in the document, so Chart.js can measure it.
  requestAnimationFrame(() => {
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels,
        datasets: datasets.map((d, i) => ({
          label: d.label,
          data: d.data,
          backgroundColor: d.colors || PALETTE[i % PALETTE.length],
        })),
      },
      options: {
        indexAxis: horizontal ? "y" : "x",
        maintainAspectRatio: false,
        // No animation: an officer reads figures, and screenshots and tests see the final frame.
        animation: false,
        plugins: { legend: { display: datasets.length > 1 }, title: { display: true, text: title } },
        scales: {
          x: { stacked, beginAtZero: true },
          y: { stacked, beginAtZero: true },
        },
      },
    });
  });
  return figure;
}

export function color(i) {
  return PALETTE[i % PALETTE.length];
}
