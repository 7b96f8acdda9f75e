// The watch page: the archived file in an HTML5 player, its subtitle tracks, resume at the saved position, the
// position saved while playing and on pause and leaving, watched toggle, description, comments, similar videos,
// and SponsorBlock segments skipped when the settings say so.
import { api, url } from "./api.js";
import { h, link, mount, grid, videoCard, errorBox, formatDate, act, onLeave, toast } from "./ui.js";

const SAVE_EVERY_MS = 10_000;

function skipper(video, segments) {
  return () => {
    const now = video.currentTime;
    const hit = segments.find(([start, end]) => now >= start && now < end - 0.2);
    if (hit) {
      video.currentTime = hit[1];
      toast("Skipped a sponsor segment");
    }
  };
}

function sponsorSegments(details) {
  const list = details.sponsorblock?.segments || [];
  return list.map((s) => s.segment || [s.start, s.end]).filter((s) => Array.isArray(s) && s.length === 2);
}

function comments(thread) {
  if (!thread.length) return h("p", { class: "muted" }, "No comments archived.");
  const one = (c) =>
    h(
      "li",
      { class: "comment" },
      h("strong", {}, c.comment_author || ""),
      h("span", { class: "muted small" }, ` ${c.comment_time_text || ""} · ${c.comment_likecount || 0} likes`),
      h("p", {}, c.comment_text || ""),
      c.comment_replies?.length ? h("ul", {}, c.comment_replies.map(one)) : null,
    );
  return h("ul", { class: "comments" }, thread.map(one));
}

export async function watchPage(videoId) {
  const id = encodeURIComponent(videoId);
  const [answer, saved, config] = await Promise.all([
    api(`/api/video/${id}/`),
    api(`/api/video/${id}/progress/`).catch(() => ({ position: 0 })),
    api("/api/appsettings/config/").catch(() => ({})),
  ]);
  const details = answer.data;
  const player = h(
    "video",
    { id: "player", controls: true, preload: "metadata", crossorigin: "anonymous", playsinline: true, poster: url(details.vid_thumb_url) },
    h("source", { src: url(details.media_url), type: "video/mp4" }),
    (details.subtitles || []).map((sub, index) =>
      h("track", { kind: "subtitles", src: url(sub.media_url), srclang: sub.lang, label: sub.name || sub.lang, default: index === 0 }),
    ),
  );
  const resumeAt = Number(saved.position) || 0;
  player.addEventListener("loadedmetadata", () => {
    if (resumeAt > 0 && resumeAt < (player.duration || Infinity) - 0.5) player.currentTime = resumeAt;
  });
  let lastSaved = resumeAt;
  const save = (keepalive = false) => {
    const position = Math.round((player.currentTime || 0) * 10) / 10;
    if (!position || position === lastSaved) return;
    lastSaved = position;
    api(`/api/video/${id}/progress/`, { method: "POST", body: { position }, keepalive }).catch(() => {});
  };
  const timer = setInterval(() => !player.paused && save(), SAVE_EVERY_MS);
  player.addEventListener("pause", () => save());
  const onPageHide = () => save(true);
  window.addEventListener("pagehide", onPageHide);
  onLeave(() => {
    clearInterval(timer);
    window.removeEventListener("pagehide", onPageHide);
    save(true);
    player.pause();
  });
  // A channel's own SponsorBlock override wins over the app's setting.
  const sponsorblock = details.channel?.channel_overwrites?.integrate_sponsorblock ?? config.downloads?.integrate_sponsorblock;
  const skip = sponsorblock ? sponsorSegments(details) : [];
  if (skip.length) player.addEventListener("timeupdate", skipper(player, skip));

  let watched = Boolean(details.player?.watched);
  const watchedButton = h("button", { type: "button", id: "watched", "aria-pressed": String(watched) }, watched ? "Watched ✓" : "Mark as watched");
  watchedButton.addEventListener("click", () =>
    act(watchedButton, async () => {
      await api("/api/watched/", { method: "POST", body: { id: details.youtube_id, is_watched: !watched } });
      watched = !watched;
      watchedButton.textContent = watched ? "Watched ✓" : "Mark as watched";
      watchedButton.setAttribute("aria-pressed", String(watched));
    }),
  );
  const channel = details.channel || {};
  const commentsBox = h("div", {}, h("p", { class: "muted" }, "Loading comments…"));
  const similarBox = h("div", {}, h("p", { class: "muted" }, "Loading…"));
  mount(
    h(
      "div",
      { class: "watch" },
      h(
        "div",
        { class: "watch-main" },
        h("div", { class: "player" }, player),
        h("h1", {}, details.title),
        h(
          "div",
          { class: "watch-bar" },
          channel.channel_id ? link(`/channels/${encodeURIComponent(channel.channel_id)}`, {}, channel.channel_name || channel.channel_id) : null,
          h("span", { class: "muted" }, ` · ${formatDate(details.published)} · ${details.stats?.view_count || 0} views`),
          watchedButton,
          skip.length ? h("span", { class: "badge" }, `SponsorBlock: ${skip.length} segment(s) skipped`) : null,
        ),
        h("details", { class: "description", open: true }, h("summary", {}, "Description"), h("p", { class: "pre" }, details.description || "")),
        h("section", { "aria-labelledby": "comments-title" }, h("h2", { id: "comments-title" }, "Comments"), commentsBox),
      ),
      h("aside", { class: "watch-side", "aria-labelledby": "similar-title" }, h("h2", { id: "similar-title" }, "Similar"), similarBox),
    ),
  );
  document.title = `${details.title} · ytarchive`;
  api(`/api/video/${id}/comment/`)
    .then((c) => commentsBox.replaceChildren(comments(c.data || [])))
    .catch((error) => commentsBox.replaceChildren(error.status === 404 ? h("p", { class: "muted" }, "No comments archived.") : errorBox(error)));
  api(`/api/video/${id}/similar/`)
    .then((s) => similarBox.replaceChildren(grid(s.data || [], (v) => videoCard(v), "Nothing similar.")))
    .catch((error) => similarBox.replaceChildren(error.status === 404 ? h("p", { class: "muted" }, "Nothing similar.") : errorBox(error)));
}
