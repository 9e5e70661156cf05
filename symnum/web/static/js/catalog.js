// The catalog panel: every entry of the chapter's catalog, linking to its permalink.

import { getJson } from "./api.js";
import { clear, h, pretty } from "./dom.js";

const PART_TITLES = {
  linear_algebra: "Linear algebra", calculus: "Calculus",
  probability: "Probability and information theory",
  full_picture: "The full forward-backward picture", exercises: "Exercises",
};

/** Fill el with the catalog, grouped by part when the entries name one. */
export async function loadCatalog(el) {
  let entries;
  try {
    entries = await getJson("/api/catalog", {});
  } catch (err) {
    clear(el).append(h("p", { class: "error small" }, err.message));
    return;
  }
  clear(el);
  const groups = new Map();
  for (const e of entries) {
    const part = e.part || "";
    if (!groups.has(part)) groups.set(part, []);
    groups.get(part).push(e);
  }
  for (const [part, list] of groups) {
    const items = list.map((e) => h("li", {},
      h("a", { href: `/catalog/${encodeURIComponent(e.id)}` }, e.title),
      e.expr ? h("span", { class: "cat-expr" }, pretty(e.expr)) : ""));
    if (part) {
      el.append(h("details", { class: "cat-part", open: groups.size <= 1 },
        h("summary", {}, PART_TITLES[part] || part, h("span", { class: "count" }, ` ${list.length}`)),
        h("ul", {}, items)));
    } else {
      el.append(h("ul", {}, items));
    }
  }
  const first = el.querySelector("details");
  if (first) first.open = true;
}
