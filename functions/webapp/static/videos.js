// Videos: grid or list, sorted and filtered by the API's own parameters, numbered pages as the API pages them.
import { api } from "./api.js";
import { h, mount, title, grid, videoCard, pager, field, navigate, errorBox } from "./ui.js";

const FILTERS = ["channel", "playlist", "watch", "type", "sort", "order", "page"];
const LAYOUT_KEY = "ytarchive.layout";

function select(name, options, value) {
  return h(
    "select",
    { name },
    options.map(([optionValue, label]) => h("option", { value: optionValue, selected: optionValue === value }, label)),
  );
}

export async function videosPage() {
  const params = new URLSearchParams(location.search);
  const query = Object.fromEntries(FILTERS.map((name) => [name, params.get(name) || ""]));
  const [videos, channels, playlists] = await Promise.all([
    api("/api/video/", { query }).catch((error) => ({ error })),
    api("/api/channel/").catch(() => ({ data: [] })),
    api("/api/playlist/").catch(() => ({ data: [] })),
  ]);
  const layout = localStorage.getItem(LAYOUT_KEY) || "grid";
  const apply = (changes) => {
    const next = new URLSearchParams({ ...query, page: "", ...changes });
    for (const [key, value] of [...next]) if (!value) next.delete(key);
    navigate(`/videos${next.toString() ? `?${next}` : ""}`);
  };
  const form = h(
    "form",
    {
      class: "filters",
      onchange: (event) => apply({ [event.target.name]: event.target.value }),
      onsubmit: (event) => event.preventDefault(),
    },
    field("Channel", select("channel", [["", "All"], ...channels.data.map((c) => [c.channel_id, c.channel_name])], query.channel)),
    field("Playlist", select("playlist", [["", "All"], ...playlists.data.map((p) => [p.playlist_id, p.playlist_name])], query.playlist)),
    field("Watched", select("watch", [["", "All"], ["unwatched", "Unwatched"], ["watched", "Watched"], ["continue", "In progress"]], query.watch)),
    field("Type", select("type", [["", "All"], ["videos", "Videos"], ["streams", "Streams"], ["shorts", "Shorts"]], query.type)),
    field("Sort", select("sort", [["", "Published"], ["downloaded", "Downloaded"], ["views", "Views"], ["likes", "Likes"], ["duration", "Duration"]], query.sort)),
    field("Order", select("order", [["", "Newest first"], ["asc", "Oldest first"]], query.order)),
  );
  const toggle = h(
    "button",
    {
      type: "button",
      class: "layout-toggle",
      "aria-pressed": layout === "list" ? "true" : "false",
      onclick: () => {
        localStorage.setItem(LAYOUT_KEY, layout === "list" ? "grid" : "list");
        apply({ page: query.page });
      },
    },
    layout === "list" ? "Show as grid" : "Show as list",
  );
  const list = videos.error
    ? errorBox(videos.error)
    : h("div", { class: `videos ${layout}` }, grid(videos.data, (v) => videoCard(v), "No videos match."));
  mount(
    title("Videos"),
    h("div", { class: "toolbar" }, form, toggle),
    list,
    videos.error ? null : pager(videos.paginate, (page) => apply({ page: String(page) })),
  );
}
