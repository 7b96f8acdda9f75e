// DOM helpers: elements are built with text nodes, never from HTML strings, so nothing stored becomes markup.
import { BASE, url, pageLeft } from "./api.js";

export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) element.addEventListener(key.slice(2), value);
    else if (key === "class") element.className = value;
    else if (value === true) element.setAttribute(key, "");
    else element.setAttribute(key, value);
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

// A link inside the app: main.js routes clicks on [data-link] without reloading.
export const link = (path, attrs, ...children) => h("a", { href: BASE + path, "data-link": true, ...attrs }, ...children);

export function mount(...children) {
  const main = document.getElementById("main");
  main.replaceChildren();
  append(main, children);
  return main;
}

export function title(text) {
  document.title = `${text} · ytarchive`;
  return h("h1", {}, text);
}

export function errorBox(error) {
  return h("p", { class: "error", role: "alert" }, error.message || String(error));
}

let toastTimer;
export function toast(message, kind = "info") {
  let box = document.getElementById("toast");
  if (!box) {
    box = h("div", { id: "toast", role: "status", "aria-live": "polite" });
    document.body.append(box);
  }
  box.className = `toast ${kind}`;
  box.textContent = message;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (box.className = "toast hidden"), 5000);
}

// Runs an action of a button: disabled while it runs, its error shown, never thrown to the console.
export async function act(button, action, done) {
  if (button) button.disabled = true;
  try {
    const result = await action();
    if (done) toast(typeof done === "function" ? done(result) : done);
    return result;
  } catch (error) {
    toast(error.message, "error");
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}

export function formatDate(value) {
  if (!value) return "";
  const date = typeof value === "number" ? new Date(value * 1000) : new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toLocaleDateString();
}

export function videoCard(video, { progress } = {}) {
  const channel = video.channel || {};
  const watched = video.player?.watched;
  return h(
    "article",
    { class: "card video", "data-id": video.youtube_id },
    link(
      `/watch/${encodeURIComponent(video.youtube_id)}`,
      { class: "thumb", tabindex: "-1", "aria-hidden": "true" },
      h("img", { src: url(video.vid_thumb_url), alt: "", loading: "lazy", width: 320, height: 180 }),
      h("span", { class: "duration" }, video.player?.duration_str || ""),
      progress ? bar(progress) : null,
    ),
    h(
      "div",
      { class: "meta" },
      link(`/watch/${encodeURIComponent(video.youtube_id)}`, { class: "title" }, video.title),
      channel.channel_id
        ? link(`/channels/${encodeURIComponent(channel.channel_id)}`, { class: "muted" }, channel.channel_name || "")
        : null,
      h(
        "span",
        { class: "muted small" },
        formatDate(video.published),
        video.vid_type && video.vid_type !== "videos" ? ` · ${video.vid_type}` : "",
        watched ? h("span", { class: "badge" }, "watched") : null,
      ),
    ),
  );
}

// A bar of the share watched (CSSOM, not a style attribute: the page's CSP allows no inline styles).
function bar(percent) {
  const element = h("span", { class: "progress" });
  element.style.width = `${Math.min(100, percent)}%`;
  return element;
}

export function grid(items, render, empty = "Nothing here yet.") {
  if (!items || !items.length) return h("p", { class: "muted empty" }, empty);
  return h("div", { class: "grid" }, items.map(render));
}

// Numbered pages as the API pages them (paginate: prev_pages, next_pages, last_page, current_page).
export function pager(paginate, go) {
  if (!paginate || (!paginate.last_page && !paginate.prev_pages && !(paginate.next_pages || []).length)) return null;
  const current = Math.max(1, paginate.current_page || 1);
  const pages = new Set([1, ...(paginate.prev_pages || []), current, ...(paginate.next_pages || [])]);
  if (paginate.last_page) pages.add(paginate.last_page);
  const sorted = [...pages].sort((a, b) => a - b);
  return h(
    "nav",
    { class: "pager", "aria-label": "pages" },
    sorted.map((page) =>
      h(
        "button",
        {
          type: "button",
          class: page === current ? "current" : "",
          "aria-current": page === current ? "page" : null,
          onclick: () => go(page),
        },
        String(page),
      ),
    ),
    h("span", { class: "muted small" }, `${paginate.total_hits} in all`),
  );
}

export function field(label, input, hint) {
  return h("label", { class: "field" }, h("span", {}, label), input, hint ? h("small", { class: "muted" }, hint) : null);
}

// The signed-in user (main.js sets it) and what the current page must stop when it is left.
export const session = { me: null };
const leaving = [];
export const onLeave = (callback) => leaving.push(callback);
export function leave() {
  pageLeft();
  for (const callback of leaving.splice(0)) {
    try {
      callback();
    } catch {
      /* one page's cleanup never blocks the next page */
    }
  }
}

// Client navigation: main.js renders on popstate, for the back button and for this.
export function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, "", BASE + path);
  else history.pushState(null, "", BASE + path);
  window.dispatchEvent(new PopStateEvent("popstate"));
}
