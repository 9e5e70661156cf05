// The "what" choices of the page, one row each: which fields apply, how they are labelled,
// what the API is sent, which panels follow, and what "check my answer" asks for.
// "implicit" is the page's name for the API's implicit=y (with what left automatic).

const BASIC = { graph: true, plot: true, code: true };

export const WHATS = {
  "": { fields: ["order", "at"], ...BASIC, claim: "the derivative of f" },
  derivative: { fields: ["order", "at"], ...BASIC, claim: "the derivative of f",
    wrt: "x,y,y: the mixed partial ∂³f/∂x∂y² (in that order)" },
  gradient: { fields: ["at"], ...BASIC, claim: "the gradient of f" },
  jacobian: { fields: ["at"], plot: false, graph: false, code: true,
    claim: "the Jacobian of f" },
  hessian: { fields: ["at"], ...BASIC, claim: "the Hessian of f" },
  tensor: { fields: ["order", "at"], code: true, order: "Order k",
    claim: "the derivative tensor" },
  taylor: { fields: ["order", "at"], order: "Degree", at: "Expansion point", plot: "one",
    atHint: "x=0, y=0 (required)", atIsParam: true, claim: "the Taylor polynomial" },
  hvp: { fields: ["vector", "at"], code: true, claim: "the Hessian-vector product" },
  jvp: { fields: ["vector", "at"], code: true, claim: "the Jacobian-vector product" },
  vjp: { fields: ["vector", "at"], code: true, claim: "the vector-Jacobian product" },
  implicit: { fields: ["order", "implicit", "at"], at: "Point on the curve",
    atHint: "x=0.6, y=0.8 (optional)", claim: "dy/dx on the curve" },
};

export const WHAT_NAMES = Object.keys(WHATS);

/** The row of a what (unknown ones: automatic). */
export function whatRow(what) {
  return WHATS[what] || WHATS[""];
}

/** The API's what for the page's choice. */
export function apiWhat(what) {
  return what === "implicit" ? "" : what;
}

/** A Taylor polynomial's plot: f against its polynomials of degree 1 to k (at most six). */
export function taylorPlot(state) {
  if (state.what !== "taylor") return {};
  const k = Math.max(1, Math.min(12, Number(state.order) || 1));
  const step = Math.ceil(k / 6);
  const degrees = [];
  for (let d = k; d >= 1; d -= step) degrees.unshift(d);
  return { taylor: degrees.join(","), at: state.at };
}

/** The parameters the new choices add to every call about f. */
export function whatParams(state) {
  const row = whatRow(state.what);
  return {
    implicit: state.what === "implicit" ? state.implicit || "" : "",
    vector: row.fields.includes("vector") ? state.vector || "" : "",
    at: row.atIsParam ? state.at || "" : "",
  };
}

/** Show the fields that apply to `what`, with its labels and hints. */
export function showFields(ui, what) {
  const row = whatRow(what);
  ui.orderLabel.hidden = !row.fields.includes("order");
  ui.vectorLabel.hidden = !row.fields.includes("vector");
  ui.implicitLabel.hidden = !row.fields.includes("implicit");
  ui.orderName.textContent = row.order || "Order";
  ui.atName.textContent = row.at || "Point";
  ui.at.placeholder = row.atHint || "x=1, y=2 (optional)";
  ui.wrt.placeholder = what === "implicit" ? "x (y's variable)" : "all";
  ui.wrt.title = row.wrt || "Variables, comma- or space-separated";
  ui.vector.placeholder = what === "vjp" ? "u (u_1, u_2, …) or 1,0" : "v (v_x, v_y, …) or 1,0";
}
