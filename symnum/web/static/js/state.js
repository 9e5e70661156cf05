// The page's state lives in the URL (permalinks): /?expr=..&wrt=..&what=..&from=..&shape=..

const FIELDS = ["expr", "from", "wrt", "what", "order", "at", "claim", "start", "lr", "iters",
  "layout", "implicit", "vector"];

/** Shapes typed as "x=n  A=n,n" (or separated by ";") → ["x=n", "A=n,n"]. */
export function splitShapes(text) {
  return String(text || "").split(/[;\s]+/).map((t) => t.trim()).filter(Boolean)
    .flatMap((t) => t.split(/,(?=[A-Za-z_]\w*=)/));
}

/** The state written in a URL's query string. */
export function readUrl(search = window.location.search) {
  const q = new URLSearchParams(search);
  const state = {};
  for (const key of FIELDS) {
    if (q.has(key)) state[key] = q.get(key);
  }
  state.shape = q.getAll("shape").flatMap(splitShapes);
  if (state.implicit && !state.what) state.what = "implicit"; // ?implicit=y, as the API takes it
  return state;
}

/** The query string of a state; defaults are left out so links stay short. */
export function toQuery(state) {
  const q = new URLSearchParams();
  for (const key of FIELDS) {
    const value = state[key];
    if (value === undefined || value === null || value === "") continue;
    if (key === "from" && value === "plain") continue;
    if (key === "order" && String(value) === "1") continue;
    if (key === "layout" && value === "numerator") continue;
    q.append(key, String(value));
  }
  for (const shape of state.shape || []) q.append("shape", shape);
  return q.toString();
}

/** Replace the address bar's URL with the state's permalink (no new history entry). */
export function writeUrl(state) {
  const query = toQuery(state);
  window.history.replaceState(null, "", query ? `/?${query}` : "/");
}
