// The app: who is signed in, the navigation, and the client routes (history API) mapped to their pages.
import { api, ApiError, BASE } from "./api.js";
import { h, link, mount, errorBox, session, leave } from "./ui.js";
import { signInPage, signOut } from "./signin.js";
import { homePage } from "./home.js";
import { videosPage } from "./videos.js";
import { watchPage } from "./watch.js";
import { channelsPage, channelPage } from "./channels.js";
import { playlistsPage, playlistPage } from "./playlists.js";
import { searchPage } from "./search.js";
import { downloadsPage } from "./downloads.js";
import { settingsPage } from "./settings.js";
import { usersPage } from "./users.js";

// [pattern, page, admin only]; functions/http/webapp.py serves the shell on the same paths.
const ROUTES = [
  [/^\/$/, homePage],
  [/^\/videos$/, videosPage],
  [/^\/watch\/([^/]+)$/, watchPage],
  [/^\/channels$/, channelsPage],
  [/^\/channels\/([^/]+)$/, channelPage],
  [/^\/playlists$/, playlistsPage],
  [/^\/playlists\/([^/]+)$/, playlistPage],
  [/^\/search$/, searchPage],
  [/^\/downloads$/, downloadsPage],
  [/^\/settings$/, settingsPage, true],
  [/^\/users$/, usersPage, true],
];
const NAV = [
  ["/", "Home"],
  ["/videos", "Videos"],
  ["/channels", "Channels"],
  ["/playlists", "Playlists"],
  ["/search", "Search"],
  ["/downloads", "Downloads"],
  ["/settings", "Settings", true],
  ["/users", "Users", true],
];

const app = session;

function header() {
  const current = location.pathname.slice(BASE.length) || "/";
  const items = NAV.filter(([, , adminOnly]) => !adminOnly || app.me?.is_admin).map(([path, label]) =>
    h("li", {}, link(path, { "aria-current": current === path || (path !== "/" && current.startsWith(path)) ? "page" : null }, label)),
  );
  return h(
    "header",
    { class: "top" },
    link("/", { class: "brand" }, "ytarchive"),
    h("nav", { "aria-label": "main" }, h("ul", {}, items)),
    h(
      "div",
      { class: "who" },
      h("span", { class: "muted" }, app.me.username + (app.me.is_admin ? " (admin)" : "")),
      h("button", { type: "button", id: "sign-out", onclick: () => signOut(start) }, "Sign out"),
    ),
  );
}

async function render() {
  leave();
  const path = location.pathname.slice(BASE.length) || "/";
  const root = document.getElementById("app");
  root.querySelector("header.top")?.remove();
  root.prepend(header());
  const match = ROUTES.map(([pattern, page, adminOnly]) => [path.match(pattern), page, adminOnly]).find(([m]) => m);
  if (!match) return mount(h("h1", {}, "Not found"), h("p", {}, "No page here. ", link("/", {}, "Home")));
  const [found, page, adminOnly] = match;
  if (adminOnly && !app.me.is_admin) return mount(h("h1", {}, "Not allowed"), h("p", {}, "This page is for admins."));
  mount(h("p", { class: "muted" }, "Loading…"));
  try {
    await page(...found.slice(1).map(decodeURIComponent));
  } catch (error) {
    if (error instanceof ApiError && error.status === 403 && !(await signedIn())) return start();
    mount(h("h1", {}, "Something went wrong"), errorBox(error));
  }
  performance.mark("ytarchive:rendered"); // bench/webapp.py: when a page is on screen with its data
  // Keyboard and screen reader users land on the new page's content (unless the page focused a field itself).
  const main = document.getElementById("main");
  if (!main.contains(document.activeElement)) main.focus({ preventScroll: true });
}

async function signedIn() {
  const me = await api("/api/users/me/");
  app.me = me.signed_in ? me : null;
  return me.signed_in;
}

async function start() {
  app.me = null;
  document.querySelector("header.top")?.remove();
  if (await signedIn()) return render();
  signInPage(start);
}

document.addEventListener("click", (event) => {
  const anchor = event.target.closest("a[data-link]");
  if (!anchor || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
  event.preventDefault();
  const target = new URL(anchor.href);
  history.pushState(null, "", target.pathname + target.search);
  render();
});
window.addEventListener("popstate", () => render());

start().catch((error) => mount(h("h1", {}, "The archive did not answer"), errorBox(error)));
