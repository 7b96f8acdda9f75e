// Search with TubeArchivist's query syntax; results by kind; the syntax explained beside the box.
import { api } from "./api.js";
import { h, link, mount, title, grid, videoCard, navigate, errorBox } from "./ui.js";

const SYNTAX = [
  ["words", "video titles, channel and playlist names (the last word also matches as a prefix)"],
  ["video:words", "videos only; filters channel:NAME, active:yes|no"],
  ["channel:words", "channels only; filters active:yes|no, subscribed:yes|no"],
  ["playlist:words", "playlists only; filters active:yes|no, subscribed:yes|no"],
  ["full:words", "the text of archived subtitles; filters channel:NAME, lang:en, source:user|auto"],
  ["fuzzy:no|1|2|auto", "how many typos a word may have (any kind of search)"],
];

function timestamp(seconds) {
  const s = Math.floor(Number(seconds) || 0);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function results(answer) {
  const { video_results = [], channel_results = [], playlist_results = [], fulltext_results = [] } = answer.results || {};
  const total = video_results.length + channel_results.length + playlist_results.length + fulltext_results.length;
  if (!total) return h("p", { class: "muted empty" }, "Nothing found.");
  const part = (name, id, items, render) =>
    items.length ? h("section", { id }, h("h2", {}, `${name} (${items.length})`), render(items)) : null;
  return h(
    "div",
    { class: "results" },
    part("Videos", "video-results", video_results, (items) => grid(items, (v) => videoCard(v))),
    part("Channels", "channel-results", channel_results, (items) =>
      h("ul", {}, items.map((c) => h("li", {}, link(`/channels/${encodeURIComponent(c.channel_id)}`, {}, c.channel_name)))),
    ),
    part("Playlists", "playlist-results", playlist_results, (items) =>
      h("ul", {}, items.map((p) => h("li", {}, link(`/playlists/${encodeURIComponent(p.playlist_id)}`, {}, p.playlist_name)))),
    ),
    part("In subtitles", "fulltext-results", fulltext_results, (items) =>
      h("ul", {}, items.map((f) => h("li", {}, link(`/watch/${encodeURIComponent(f.youtube_id)}`, {}, f.title), ` at ${timestamp(f.subtitle_start)}: `, h("q", {}, f.subtitle_line)))),
    ),
  );
}

export async function searchPage() {
  const query = new URLSearchParams(location.search).get("query") || "";
  const box = h("input", { type: "search", name: "query", id: "search-box", value: query, "aria-label": "Search", placeholder: "e.g. channel:demo subscribed:yes", autocomplete: "off" });
  const out = h("div", { id: "search-results", "aria-live": "polite" });
  const form = h(
    "form",
    {
      role: "search",
      class: "search",
      onsubmit: (event) => {
        event.preventDefault();
        navigate(`/search?${new URLSearchParams({ query: box.value })}`);
      },
    },
    box,
    h("button", { type: "submit" }, "Search"),
  );
  const help = h(
    "details",
    { class: "card syntax", open: !query },
    h("summary", {}, "Search syntax"),
    h("dl", {}, SYNTAX.map(([term, meaning]) => [h("dt", {}, h("code", {}, term)), h("dd", {}, meaning)])),
    h("p", { class: "muted small" }, "Words after a filter continue its value: channel:linus tech tips."),
  );
  mount(title("Search"), form, help, out);
  box.focus();
  if (!query) return;
  try {
    const answer = await api("/api/search/", { query: { query } });
    out.replaceChildren(h("p", { class: "muted small" }, `Search type: ${answer.queryType}`), results(answer));
  } catch (error) {
    out.replaceChildren(errorBox(error));
  }
}
