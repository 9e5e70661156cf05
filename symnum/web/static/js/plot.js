// The plot: an SVG image from /api/plot (f, f′, f″ for one variable; contours, gradient
// field and a descent path for two). Loaded as an <img>, so nothing in it can run.

import { apiUrl, errorOf } from "./api.js";
import { h, showError } from "./dom.js";

/** Draw the plot of params into box (a fresh <img> each time, so late loads cannot mix). */
export function showPlot(box, errorEl, statusEl, params, variables) {
  showError(errorEl, "");
  const alt = params.taylor ? `Plot of f and its Taylor polynomials of degree ${params.taylor}`
    : variables.length === 1
    ? `Plot of f and its first and second derivatives in ${variables[0]}`
    : `Contours of f over ${variables.join(" and ")} with the gradient field` +
      (params.start ? " and the descent path" : "");
  const img = h("img", { class: "plot", alt, hidden: true });
  statusEl.textContent = "Drawing…";
  img.addEventListener("load", () => {
    if (!img.isConnected) return;
    statusEl.textContent = "";
    img.hidden = false;
  });
  img.addEventListener("error", async () => {
    if (!img.isConnected) return;
    statusEl.textContent = "";
    const message = await errorOf("/api/plot", params);
    if (img.isConnected) showError(errorEl, message || "The plot could not be drawn.");
  });
  box.replaceChildren(img);
  img.src = apiUrl("/api/plot", params);
}
