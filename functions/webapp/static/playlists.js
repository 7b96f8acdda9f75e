// Playlists: the list, and a playlist's page with its videos in the playlist's own order. A card shows the
// playlist's art when the archive has some (playlist_thumbnail is false otherwise).
import { api, url } from "./api.js";
import { h, link, mount, title, grid, videoCard, pager, navigate } from "./ui.js";

function playlistCard(playlist) {
  const path = `/playlists/${encodeURIComponent(playlist.playlist_id)}`;
  return h(
    "article",
    { class: "card playlist", "data-id": playlist.playlist_id },
    playlist.playlist_thumbnail
      ? link(path, { class: "thumb", tabindex: "-1", "aria-hidden": "true" }, h("img", { src: url(playlist.playlist_thumbnail), alt: "", loading: "lazy", width: 320, height: 180 }))
      : null,
    h(
      "div",
      { class: "meta" },
      link(path, { class: "title" }, playlist.playlist_name),
      h("span", { class: "muted small" }, `${playlist.playlist_channel || ""} · ${(playlist.playlist_entries || []).length} entries`),
    ),
  );
}

export async function playlistsPage() {
  const page = new URLSearchParams(location.search).get("page") || "";
  const answer = await api("/api/playlist/", { query: { page } });
  mount(
    title("Playlists"),
    h("div", { class: "playlists" }, grid(answer.data, playlistCard, "No playlists yet: add one on Downloads.")),
    pager(answer.paginate, (p) => navigate(`/playlists?page=${p}`)),
  );
}

export async function playlistPage(playlistId) {
  const id = encodeURIComponent(playlistId);
  const page = new URLSearchParams(location.search).get("page") || "";
  const [answer, videos] = await Promise.all([
    api(`/api/playlist/${id}/`),
    api(`/api/playlist/${id}/video/`, { query: { page } }).catch(() => ({ data: [] })),
  ]);
  const playlist = answer.data;
  const entries = playlist.playlist_entries || [];
  const missing = entries.filter((e) => !e.downloaded);
  mount(
    title(playlist.playlist_name),
    h(
      "p",
      { class: "muted" },
      playlist.playlist_channel_id ? link(`/channels/${encodeURIComponent(playlist.playlist_channel_id)}`, {}, playlist.playlist_channel || "") : "",
      ` · ${entries.length} entries, ${entries.length - missing.length} archived`,
    ),
    h("details", { class: "description" }, h("summary", {}, "About"), h("p", { class: "pre" }, playlist.playlist_description || "")),
    h("ol", { class: "entries" }, entries.map((e) =>
      h("li", { value: (e.idx ?? 0) + 1 }, e.downloaded ? link(`/watch/${encodeURIComponent(e.youtube_id)}`, {}, e.title) : h("span", { class: "muted" }, `${e.title} (not archived)`)),
    )),
    h("h2", {}, "Archived videos"),
    grid(videos.data, (v) => videoCard(v), "None archived yet."),
    pager(videos.paginate, (p) => navigate(`/playlists/${id}?page=${p}`)),
  );
}
