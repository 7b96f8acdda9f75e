// Channels: the list (all or subscribed), a channel's page with its videos and playlists, subscribe and
// unsubscribe, and its own download overrides.
import { api, url } from "./api.js";
import { h, link, mount, title, grid, videoCard, pager, act, field, session, navigate, formatDate } from "./ui.js";

function channelCard(channel) {
  return h(
    "article",
    { class: "card channel", "data-id": channel.channel_id },
    channel.channel_thumb_url ? h("img", { src: url(channel.channel_thumb_url), alt: "", loading: "lazy", width: 88, height: 88, class: "avatar" }) : null,
    h(
      "div",
      { class: "meta" },
      link(`/channels/${encodeURIComponent(channel.channel_id)}`, { class: "title" }, channel.channel_name || channel.channel_id),
      h("span", { class: "muted small" }, `${channel.channel_subs || 0} subscribers`, channel.channel_subscribed ? h("span", { class: "badge" }, "subscribed") : null),
    ),
  );
}

export async function channelsPage() {
  const params = new URLSearchParams(location.search);
  const filter = params.get("filter") || "";
  const page = params.get("page") || "";
  const answer = await api("/api/channel/", { query: { filter, page } });
  const only = h("input", { type: "checkbox", id: "subscribed-only", checked: filter === "subscribed" });
  only.addEventListener("change", () => navigate(only.checked ? "/channels?filter=subscribed" : "/channels"));
  mount(
    title("Channels"),
    h("label", { class: "check" }, only, " Subscribed only"),
    h("div", { class: "channels" }, grid(answer.data, channelCard, "No channels yet: add one on Downloads.")),
    pager(answer.paginate, (p) => navigate(`/channels?${new URLSearchParams({ ...(filter && { filter }), page: p })}`)),
  );
}

// The keys a channel may override (functions/services/archive/channel_overwrites.py), with their inputs.
const OVERRIDES = [
  ["download_format", "Download format", "text", "e.g. bestvideo[height<=720]+bestaudio"],
  ["autodelete_days", "Delete watched videos after (days)", "number", ""],
  ["integrate_sponsorblock", "Skip SponsorBlock segments", "bool", ""],
  ["index_playlists", "Archive its playlists at each rescan", "bool", ""],
  ["subscriptions_channel_size", "Videos a rescan looks at (0: none)", "number", ""],
  ["subscriptions_shorts_channel_size", "Shorts a rescan looks at (0: none)", "number", ""],
  ["subscriptions_live_channel_size", "Streams a rescan looks at (0: none)", "number", ""],
];

function overridesForm(channel, done) {
  const current = channel.channel_overwrites || {};
  const inputs = OVERRIDES.map(([key, label, kind, hint]) => {
    let input;
    if (kind === "bool") {
      input = h(
        "select",
        { name: key },
        [["", "App default"], ["true", "Yes"], ["false", "No"]].map(([v, l]) =>
          h("option", { value: v, selected: String(current[key] ?? "") === v }, l),
        ),
      );
    } else input = h("input", { name: key, type: kind, value: current[key] ?? "", placeholder: hint || "App default" });
    return [key, kind, field(label, input)];
  });
  const save = h("button", { type: "submit" }, "Save overrides");
  return h(
    "form",
    {
      class: "card overrides",
      onsubmit: async (event) => {
        event.preventDefault();
        const values = {};
        for (const [key, kind] of inputs) {
          const raw = event.target.elements[key].value.trim();
          values[key] = raw === "" ? null : kind === "number" ? Number(raw) : kind === "bool" ? raw === "true" : raw;
        }
        const saved = await act(save, () => api(`/api/channel/${encodeURIComponent(channel.channel_id)}/`, { method: "POST", body: { channel_overwrites: values } }), "Overrides saved");
        if (saved) done();
      },
    },
    h("h2", {}, "This channel's settings"),
    inputs.map(([, , element]) => element),
    save,
  );
}

export async function channelPage(channelId) {
  const id = encodeURIComponent(channelId);
  const page = new URLSearchParams(location.search).get("page") || "";
  const [answer, videos, playlists] = await Promise.all([
    api(`/api/channel/${id}/`),
    api(`/api/channel/${id}/video/`, { query: { page } }).catch(() => ({ data: [] })),
    api("/api/playlist/", { query: { channel: channelId } }).catch(() => ({ data: [] })),
  ]);
  const channel = answer.data;
  const reload = () => navigate(`/channels/${id}${location.search}`, { replace: true });
  const subscribe = h("button", { type: "button", id: "subscribe" }, channel.channel_subscribed ? "Unsubscribe" : "Subscribe");
  subscribe.addEventListener("click", () =>
    act(subscribe, () => api("/api/channel/", { method: "POST", body: { data: [{ channel_id: channel.channel_id, channel_subscribed: !channel.channel_subscribed }] } }), channel.channel_subscribed ? "Unsubscribed" : "Subscribed").then(reload),
  );
  const own = playlists.data;
  mount(
    channel.channel_banner_url ? h("img", { class: "banner", src: url(channel.channel_banner_url), alt: "" }) : null,
    title(channel.channel_name || channel.channel_id),
    h("p", { class: "muted" }, `${channel.channel_subs || 0} subscribers · last refreshed ${formatDate(channel.channel_last_refresh) || "never"}`),
    session.me.is_admin ? subscribe : h("p", { class: "muted" }, channel.channel_subscribed ? "Subscribed" : "Not subscribed"),
    h("details", { class: "description" }, h("summary", {}, "About"), h("p", { class: "pre" }, channel.channel_description || "")),
    h("h2", {}, "Videos"),
    grid(videos.data, (v) => videoCard(v), "No videos archived yet."),
    pager(videos.paginate, (p) => navigate(`/channels/${id}?page=${p}`)),
    h("h2", {}, "Playlists"),
    own.length ? h("ul", {}, own.map((p) => h("li", {}, link(`/playlists/${encodeURIComponent(p.playlist_id)}`, {}, p.playlist_name)))) : h("p", { class: "muted" }, "No playlists archived."),
    session.me.is_admin ? overridesForm(channel, reload) : null,
  );
}
