// The JSON APIs, called with the session cookie. Every failure is an ApiError carrying the API's own message.
export const BASE = document.querySelector('meta[name="ytarchive-base"]')?.content || "";

export class ApiError extends Error {
  constructor(status, body) {
    const message =
      (body && (body.error || body.detail || (body.non_field_errors || [])[0] || body.message)) ||
      `request failed (HTTP ${status})`;
    super(typeof message === "string" ? message : JSON.stringify(message));
    this.status = status;
    this.body = body;
  }
}

function withQuery(path, query) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== "") params.set(key, value);
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

// Bumped when the user leaves a page: an answer to a page that was left never settles, so that page's late
// render cannot replace the page the user went to.
let pageEpoch = 0;
export const pageLeft = () => {
  pageEpoch += 1;
};
const pending = () => new Promise(() => {});

export async function api(path, { method = "GET", body, query, keepalive = false } = {}) {
  const epoch = pageEpoch;
  const init = { method, credentials: "same-origin", headers: { Accept: "application/json" }, keepalive };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers["Content-Type"] = "application/json";
  }
  const answer = await fetch(BASE + withQuery(path, query), init);
  const text = answer.status === 204 ? "" : await answer.text();
  if (epoch !== pageEpoch) return pending();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { error: text.slice(0, 200) };
  }
  if (!answer.ok) throw new ApiError(answer.status, data);
  return data;
}

// A path of this API (media, thumbnails) as the browser must request it: behind the stage prefix.
export const url = (path) => (path ? BASE + path : "");
