// The workbench: read the state (URL or controls), derive, and fill every panel.

import { ApiError, getJson, getText } from "./api.js";
import { loadCatalog } from "./catalog.js";
import { clear, fmt, h, pretty, showError, typeset } from "./dom.js";
import { renderGraph, renderGraphTable } from "./graph.js";
import { renderCheck, renderVerify } from "./panels.js";
import { showPlot } from "./plot.js";
import { livePreview } from "./preview.js";
import { readUrl, splitShapes, writeUrl } from "./state.js";
import { foldAll, renderSteps } from "./steps.js";
import { WHAT_NAMES, apiWhat, showFields, taylorPlot, whatParams, whatRow } from "./whats.js";

const $ = (id) => document.getElementById(id);
const ui = {
  form: $("derive-form"), expr: $("expr"), what: $("what"), order: $("order"), wrt: $("wrt"),
  shape: $("shape"), at: $("at"), preview: $("preview"), error: $("error"), button: $("derive"),
  layout: $("layout"), layoutLabel: $("layout-label"), forms: $("forms"),
  welcome: $("welcome"), results: $("results"), result: $("result"), value: $("value"),
  definitions: $("definitions"), notes: $("notes"), steps: $("steps"),
  stepsError: $("steps-error"), verify: $("verify"), graph: $("graph"),
  graphTable: $("graph-table"), graphPoint: $("graph-point"), graphCard: $("graph-card"),
  plotCard: $("plot-card"), plotBox: document.querySelector(".plot-box"),
  plotError: $("plot-error"), plotStatus: $("plot-status"), descent: $("descent-form"),
  start: $("start"), lr: $("lr"), lrOut: $("lr-out"), iters: $("iters"),
  checkForm: $("check-form"), claim: $("claim"), claimHint: $("claim-hint"),
  checkOut: $("check-out"), copyStatus: $("copy-status"), exportTo: $("export-to"),
  exportBox: $("export-box"), exportCode: $("export-code"), exportError: $("export-error"),
  orderLabel: $("order-label"), orderName: $("order-name"), atName: $("at-name"),
  implicit: $("implicit"), implicitLabel: $("implicit-label"), vector: $("vector"),
  vectorLabel: $("vector-label"), codeRow: document.querySelector(".code-row"),
  verifyCard: $("verify-card"),
  extra: $("extra"),
};

let current = null;    // the last derive response
let currentState = {}; // the state it answered
let controller = null; // aborts the requests of an older derivation

function syntax() {
  return document.querySelector("input[name=from]:checked").value;
}

/** The state typed in the controls. */
function stateFromControls() {
  return {
    expr: ui.expr.value.trim(), from: syntax(), wrt: ui.wrt.value.trim(), what: ui.what.value,
    order: ui.order.value || "1", shape: splitShapes(ui.shape.value), at: ui.at.value.trim(),
    layout: splitShapes(ui.shape.value).length ? ui.layout.value : "",
    implicit: ui.what.value === "implicit" ? ui.implicit.value.trim() || "y" : "",
    vector: whatRow(ui.what.value).fields.includes("vector") ? ui.vector.value.trim() : "",
    claim: ui.claim.value.trim(), start: ui.start.value.trim(),
    lr: ui.start.value.trim() ? lrValue() : "",
    iters: ui.start.value.trim() ? ui.iters.value : "",
  };
}

/** The learning rate the slider shows: it holds log10(lr), so 0.0001 and 0.5 both fit. */
function lrValue() {
  return String(Number((10 ** Number(ui.lr.value)).toPrecision(2)));
}

function setLr(text) {
  const lr = Number(text);
  if (lr > 0) ui.lr.value = String(Math.log10(lr));
}

function showLr() {
  ui.lrOut.value = lrValue();
  ui.lr.setAttribute("aria-valuetext", lrValue());
}

function fillControls(state) {
  ui.expr.value = state.expr || "";
  const from = state.from === "latex" ? "latex" : "plain";
  document.querySelector(`input[name=from][value=${from}]`).checked = true;
  ui.wrt.value = state.wrt || "";
  ui.what.value = WHAT_NAMES.includes(state.what || "") ? state.what || "" : "";
  ui.implicit.value = state.implicit || "";
  ui.vector.value = state.vector || "";
  showFields(ui, ui.what.value);
  ui.order.value = state.order || "1";
  ui.shape.value = (state.shape || []).join("  ");
  ui.layout.value = state.layout === "denominator" ? "denominator" : "numerator";
  showLayout();
  ui.at.value = state.at || "";
  ui.claim.value = state.claim || "";
  ui.start.value = state.start || "";
  if (state.lr) setLr(state.lr);
  showLr();
  if (state.iters) ui.iters.value = state.iters;
  placeholder();
}

/** The layout choice, where matrix shapes are given. */
function showLayout() {
  ui.layoutLabel.hidden = splitShapes(ui.shape.value).length === 0;
}

/** The parameters every API call about f shares. */
function fParams(state) {
  const row = whatRow(state.what);
  return { expr: state.expr, from: state.from, wrt: state.wrt, what: apiWhat(state.what),
    order: state.order === "1" || !row.fields.includes("order") ? "" : state.order,
    shape: state.shape, ...whatParams(state) };
}

async function derive() {
  const state = stateFromControls();
  showError(ui.error, "");
  if (!state.expr) {
    showError(ui.error, "Type a function to derive, for example x^2*sin(y).");
    ui.expr.focus();
    return;
  }
  if (controller) controller.abort();
  controller = new AbortController();
  const { signal } = controller;
  writeUrl(state);
  ui.button.disabled = true;
  ui.button.textContent = "Deriving…";
  ui.form.setAttribute("aria-busy", "true");
  try {
    const params = { ...fParams(state), at: state.at, layout: state.layout };
    const data = await getJson("/api/derive", { ...params, steps: 1 }, signal)
      .catch((err) => { // a choice without steps (yet): its result alone
        if (err instanceof ApiError && /--steps/.test(err.message)) {
          return getJson("/api/derive", params, signal);
        }
        throw err;
      });
    if (signal.aborted) return;
    current = data;
    currentState = state;
    showResult(data, state);
    followUps(data, state, signal);
  } catch (err) {
    if (err.name === "AbortError") return;
    ui.results.hidden = true; // the panels below belong to an earlier function
    preview.clear(); // an error in the preview is said once, below
    showError(ui.error, err instanceof ApiError ? err.message : "Something went wrong in the page.");
    if (!(err instanceof ApiError)) console.warn(err);
  } finally {
    if (!signal.aborted) {
      ui.button.disabled = false;
      ui.button.textContent = "Derive";
      ui.form.removeAttribute("aria-busy");
    }
  }
}

function showResult(data, state) {
  ui.welcome.hidden = true;
  ui.results.hidden = false;
  typeset(ui.result, data.latex, true);
  const defs = data.definitions || [];
  ui.definitions.hidden = !defs.length;
  clear(ui.definitions);
  if (defs.length) {
    ui.definitions.append(h("p", { class: "help" }, "where"),
      h("ul", {}, defs.map((d) => h("li", { class: "mono" },
        Array.isArray(d) ? `${d[0]} = ${pretty(d[1])}` : pretty(JSON.stringify(d))))));
  }
  const forms = data.forms_latex || [];
  ui.forms.hidden = !forms.length;
  clear(ui.forms);
  if (forms.length) {
    ui.forms.append(h("p", { class: "help" }, data.convention || ""),
      ...forms.map((latex) => typeset(h("div", {}), latex, true)));
  }
  ui.value.hidden = data.value === undefined;
  if (data.value !== undefined) {
    ui.value.textContent = `At ${state.at}: ${formatValue(data.value)}`;
  }
  showExtra(data);
  const notes = data.notes || [];
  ui.notes.hidden = !notes.length;
  clear(ui.notes).append(...notes.map((n) => h("li", {}, String(n))));
  ui.copyStatus.textContent = "";
  ui.exportBox.hidden = true;
  showError(ui.exportError, "");
  showError(ui.stepsError, "");
  renderSteps(ui.steps, data.steps);
  const order = Number(data.order || 1);
  const oneTree = (data.steps || []).length === 1 && !data.implicit; // not stage by stage
  $("steps-order").hidden = order < 2 || !oneTree;
  $("steps-order").textContent = order < 2 || !oneTree ? "" : `These steps take the last of the ${order} ` +
    `differentiations: they differentiate the derivative of order ${order - 1} once more.`;
  const form = !Array.isArray(data.result) ? ""
    : Array.isArray(data.result[0]) && Array.isArray(data.result[0][0])
      ? "; nested lists, as the JSON result holds them"
      : Array.isArray(data.result[0]) ? "; rows in brackets, like [[a, b], [c, d]]"
        : "; a list like [a, b]";
  ui.claimHint.textContent = `(${data.implicit ? data.name || "dy/dx" : whatRow(state.what).claim}` +
    `${data.implicit ? " on the curve" : ""}, in the same syntax${form})`;
  ui.codeRow.hidden = !whatRow(state.what).code || unknowns(data);
  clear(ui.checkOut);
  document.title = `${state.expr} · symnum workbench`;
}

/** Unknown functions (f(x), f′(x)) in the result: exact, but no number to verify or plot. */
function unknowns(data) {
  return /\b(Derivative|Subs)\(/.test(JSON.stringify(data.result));
}

/** What a result of issue 25's choices adds: the remainder of a Taylor polynomial, the
 * direction of a product, the curve an implicit derivative lives on. */
function showExtra(data) {
  const lines = [];
  if (data.remainder) lines.push(`remainder: ${pretty(data.remainder)}`);
  if (data.vector) lines.push(`direction: ${pretty(Array.isArray(data.vector) ? `[${data.vector.join(", ")}]` : data.vector)}`);
  if (unknowns(data)) {
    lines.push("f has unknown functions: the result is exact in f, f′, …; there is no number " +
      "to verify, plot or evaluate, and Check decides your answer symbolically");
  }
  if (data.implicit) {
    const curve = String(data.expr).includes("=") ? data.expr : data.curve;
    const set = data.set_name || "curve";
    lines.push(`${data.implicit} is the function the ${set} ${pretty(curve)} defines` +
      (data.uses_curve ? `; the last form uses the ${set}'s equation` : ""));
  }
  ui.extra.hidden = !lines.length;
  clear(ui.extra).append(...lines.map((line) => h("p", { class: "help" }, line)));
}

function formatValue(value) {
  if (Array.isArray(value)) return `[${value.map(formatValue).join(", ")}]`;
  return fmt(value, 8);
}

/** Verification, graph, plot and (from a permalink) the claim, after a derivation. */
function followUps(data, state, signal) {
  const matrixMode = state.shape.length > 0 || Boolean(data.shapes);
  const row = whatRow(state.what);
  const scalarF = data.what !== "jacobian" && Boolean(row.graph) && !unknowns(data);
  ui.verifyCard.hidden = unknowns(data);
  $("verify-help").textContent = "The exact result against independent numeric methods " +
    (data.implicit ? `at random points of the ${data.set_name || "curve"}, found by root finding.`
      : state.what === "taylor" ? "at the expansion point, and the remainder's order near it."
        : "at random points.");
  clear(ui.verify).append(h("p", { class: "status" }, "Checking against numeric methods…"));
  const verified = ui.verifyCard.hidden ? Promise.resolve(null) : getJson("/api/verify", { ...fParams(state) }, signal)
    .then((report) => { if (!signal.aborted) renderVerify(ui.verify, report); return report; })
    .catch((err) => {
      if (err.name !== "AbortError") {
        clear(ui.verify).append(h("p", { class: "error small" }, err.message));
      }
      return null;
    });
  ui.graphCard.hidden = matrixMode || !scalarF;
  if (!ui.graphCard.hidden) showGraph(data, state, verified, signal);
  const vars = data.wrt || [];
  const plotted = row.plot === "one" ? vars.length === 1 && !matrixMode
    : !matrixMode && scalarF && Boolean(row.plot) && vars.length >= 1 && vars.length <= 2;
  ui.plotCard.hidden = !plotted || unknowns(data);
  ui.descent.hidden = vars.length !== 2;
  if (!ui.plotCard.hidden) drawPlot();
  if (state.claim) check();
}

function roundPoint(point) {
  return Object.entries(point).map(([k, v]) => `${k}=${Number(v.toPrecision(3))}`).join(",");
}

async function showGraph(data, state, verified, signal) {
  clear(ui.graph).append(h("p", { class: "status" }, "Drawing the graph…"));
  clear(ui.graphTable);
  ui.graphPoint.textContent = state.at ? describePoint(parsePoint(state.at))
    : "the first verification point";
  let at = state.at;
  if (!at) {
    const report = await verified;
    const p = report && report.points && report.points[0];
    at = p ? roundPoint(p) : data.wrt.map((v) => `${v}=1`).join(",");
  }
  if (signal.aborted) return;
  try {
    const g = await getJson("/api/graph", { expr: state.expr, from: state.from, wrt: state.wrt,
      at }, signal);
    if (signal.aborted) return;
    const point = parsePoint(at);
    ui.graphPoint.textContent = describePoint(point);
    renderGraph(ui.graph, g, point, data.wrt);
    renderGraphTable(ui.graphTable, g);
  } catch (err) {
    if (err.name !== "AbortError") clear(ui.graph).append(h("p", { class: "error small" }, err.message));
  }
}

/** {name: value} of "x=1, y=pi/4": numbers where plain, else the text (pi/4), never NaN. */
function parsePoint(text) {
  const point = {};
  for (const part of String(text).split(/[,;\s]+/)) {
    const [k, v] = part.split("=");
    if (k && v !== undefined && v.trim()) {
      const n = Number(v);
      point[k.trim()] = Number.isFinite(n) ? n : v.trim();
    }
  }
  return point;
}

function describePoint(point) {
  return Object.entries(point).map(([k, v]) => `${k} = ${v}`).join(", ");
}

function drawPlot() {
  const state = currentState;
  const vars = (current && current.wrt) || [];
  const params = { expr: state.expr, from: state.from, wrt: state.wrt, ...taylorPlot(state) };
  if (vars.length === 2 && state.start) {
    Object.assign(params, { start: state.start, lr: state.lr || lrValue(),
      iters: ui.iters.value });
  }
  showPlot(ui.plotBox, ui.plotError, ui.plotStatus, params, vars);
}

async function check() {
  const claim = ui.claim.value.trim();
  clear(ui.checkOut);
  if (!current) return;
  if (!claim) {
    ui.checkOut.append(h("p", { class: "error small", role: "alert" },
      "Type your answer first, for example 2*x*sin(y)."));
    return;
  }
  currentState = { ...currentState, claim };
  writeUrl(currentState);
  ui.checkOut.append(h("p", { class: "status" }, "Checking…"));
  const s = currentState;
  try {
    const { expr, ...about } = fParams(s);
    const out = await getJson("/api/check", { claimed: claim, of: expr, ...about });
    renderCheck(ui.checkOut, out, claim, current.wrt || []);
  } catch (err) {
    clear(ui.checkOut).append(h("p", { class: "error small", role: "alert" }, err.message));
  }
}

const preview = livePreview(ui.preview, ui.expr,
  () => ({ from: syntax(), shape: splitShapes(ui.shape.value) }));

function placeholder() {
  const latex = syntax() === "latex";
  ui.expr.placeholder = latex ? "\\frac{1}{1+e^{-x}}" : "x^2*sin(y)";
  $("help-plain").hidden = latex;
  $("help-latex").hidden = !latex;
}

async function copyText(text, what) {
  try {
    await navigator.clipboard.writeText(text);
    ui.copyStatus.textContent = `${what} copied.`;
  } catch {
    ui.exportCode.textContent = text;
    ui.exportBox.hidden = false;
    ui.copyStatus.textContent = `The browser refused the clipboard; the ${what} is shown below.`;
  }
}

function downloadJson() {
  if (!current) return;
  const blob = new Blob([JSON.stringify(current, null, 2)], { type: "application/json" });
  const url = URL.createObjectURL(blob);
  const a = h("a", { href: url, download: "symnum-derivation.json" });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

async function exportCode() {
  showError(ui.exportError, "");
  ui.exportBox.hidden = true;
  const s = currentState;
  try {
    const code = await getText("/api/export", { ...fParams(s), to: ui.exportTo.value });
    ui.exportCode.textContent = code;
    ui.exportBox.hidden = false;
  } catch (err) {
    showError(ui.exportError, err.message);
  }
}

function bind() {
  ui.form.addEventListener("submit", (event) => { event.preventDefault(); derive(); });
  ui.form.addEventListener("keydown", (event) => { // Enter on a menu derives too
    if (event.key === "Enter" && event.target.tagName === "SELECT") {
      event.preventDefault();
      derive();
    }
  });
  ui.checkForm.addEventListener("submit", (event) => { event.preventDefault(); check(); });
  ui.descent.addEventListener("submit", (event) => {
    event.preventDefault();
    currentState = { ...currentState, start: ui.start.value.trim(), lr: lrValue(),
      iters: ui.iters.value };
    writeUrl(currentState);
    drawPlot();
  });
  let lrTimer = 0;
  ui.lr.addEventListener("input", () => {
    showLr();
    clearTimeout(lrTimer);
    if (ui.start.value.trim()) lrTimer = setTimeout(() => ui.descent.requestSubmit(), 300);
  });
  ui.expr.addEventListener("input", preview.schedule);
  ui.shape.addEventListener("input", () => { showLayout(); preview.schedule(); });
  ui.layout.addEventListener("change", () => { if (current) derive(); });
  ui.what.addEventListener("change", () => showFields(ui, ui.what.value));
  for (const radio of document.querySelectorAll("input[name=from]")) {
    radio.addEventListener("change", () => { placeholder(); preview.schedule(); });
  }
  $("copy-latex").addEventListener("click", () => current && copyText(current.latex, "LaTeX"));
  $("copy-code").addEventListener("click", () => copyText(ui.exportCode.textContent, "code"));
  $("download-json").addEventListener("click", downloadJson);
  $("export").addEventListener("click", exportCode);
  $("fold-all").addEventListener("click", () => foldAll(ui.steps, false));
  $("unfold-all").addEventListener("click", () => foldAll(ui.steps, true));
  for (const button of document.querySelectorAll("#examples button")) {
    button.addEventListener("click", () => {
      const d = button.dataset;
      fillControls({ expr: d.expr, wrt: d.wrt || "", shape: splitShapes(d.shape || ""),
        what: d.what || "", order: d.order || "1", at: d.at || "", implicit: d.implicit || "",
        vector: d.vector || "", claim: d.claim || "" });
      preview.now();
      derive();
    });
  }
}

function start() {
  bind();
  const state = readUrl();
  fillControls(state);
  loadCatalog($("catalog"));
  if (state.expr) {
    ui.welcome.hidden = true;
    preview.now();
    derive();
  } else {
    ui.expr.focus();
  }
}

start();
