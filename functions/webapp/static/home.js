// Home: the signed-in user's unfinished videos, the newest videos, and the latest of subscribed channels.
import { api } from "./api.js";
import { h, link, mount, title, grid, videoCard, errorBox } from "./ui.js";

const LATEST_CHANNELS = 8;

async function section(name, id, load) {
  const body = h("div", { class: "section-body" }, h("p", { class: "muted" }, "Loading…"));
  const element = h("section", { id, "aria-labelledby": `${id}-title` }, h("h2", { id: `${id}-title` }, name), body);
  load()
    .then((content) => body.replaceChildren(content))
    .catch((error) => body.replaceChildren(errorBox(error)));
  return element;
}

function percentWatched(video) {
  const duration = video.player?.duration || 0;
  return duration ? (100 * (video.player?.position || 0)) / duration : 0;
}

export async function homePage() {
  mount(
    title("Home"),
    await section("Continue watching", "continue", async () => {
      const answer = await api("/api/users/me/continue/");
      return grid(answer.data.slice(0, 8), (v) => videoCard(v, { progress: percentWatched(v) }), "Nothing started.");
    }),
    await section("Newest videos", "newest", async () => {
      const answer = await api("/api/video/");
      return h("div", {}, grid(answer.data, (v) => videoCard(v), "No videos yet: add some on Downloads."), link("/videos", {}, "All videos →"));
    }),
    await section("Subscribed channels' latest", "subscribed", async () => {
      const channels = (await api("/api/channel/", { query: { filter: "subscribed" } })).data.slice(0, LATEST_CHANNELS);
      const latest = await Promise.all(
        channels.map((c) => api("/api/video/", { query: { channel: c.channel_id } }).then((a) => a.data[0])),
      );
      return grid(latest.filter(Boolean), (v) => videoCard(v), "No subscriptions yet.");
    }),
  );
}
