// Calls to the server's API. GET with query parameters while the URL stays short,
// POST with a JSON body for long expressions. Errors become ApiError(one sentence).

export class ApiError extends Error {}

const MAX_URL = 1800;

/** URLSearchParams from an object; arrays repeat the key, empty values are left out. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      if (v !== "" && v !== null && v !== undefined) q.append(key, String(v));
    }
  }
  return q;
}

/** The URL of a GET request to the API. */
export function apiUrl(path, params) {
  const q = query(params).toString();
  return q ? `${path}?${q}` : path;
}

async function send(path, params, signal) {
  const url = apiUrl(path, params);
  try {
    if (url.length <= MAX_URL) return await fetch(url, { signal });
    const body = {};
    for (const [key, value] of Object.entries(params)) {
      if (value !== "" && value !== null && value !== undefined) body[key] = value;
    }
    return await fetch(path, {
      method: "POST", signal, headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  } catch (err) {
    if (err.name === "AbortError") throw err;
    throw new ApiError("The server did not answer: is symnum serve still running?");
  }
}

async function failure(response) {
  let message = "";
  try {
    const data = await response.json();
    message = data && typeof data.error === "string" ? data.error : "";
  } catch {
    message = "";
  }
  return new ApiError(message || `The server answered ${response.status} ${response.statusText}.`);
}

/** JSON from the API, or an ApiError with the server's one-sentence message. */
export async function getJson(path, params, signal) {
  const response = await send(path, params, signal);
  if (!response.ok) throw await failure(response);
  return response.json();
}

/** Text (for example Python source) from the API. */
export async function getText(path, params, signal) {
  const response = await send(path, params, signal);
  if (!response.ok) throw await failure(response);
  return response.text();
}

/** The error message of a failed GET (used when an <img> of the API fails to load). */
export async function errorOf(path, params) {
  try {
    const response = await fetch(apiUrl(path, params));
    if (response.ok) return "";
    return (await failure(response)).message;
  } catch {
    return "The server did not answer: is symnum serve still running?";
  }
}
