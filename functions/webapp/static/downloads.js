// Downloads: paste ids, URLs or @handles to queue them, the queue with its status and live progress, the error
// of a failed item and retry, ignore, priority, delete; start the downloads and rescan subscriptions now.
import { api } from "./api.js";
import { h, mount, title, act, field, pager, onLeave, session, toast, errorBox } from "./ui.js";

const POLL_MS = 2000;

function targets(text) {
  return text
    .split(/[\s,]+/)
    .map((word) => word.trim())
    .filter(Boolean);
}

export async function downloadsPage() {
  const admin = session.me.is_admin;
  const state = { filter: new URLSearchParams(location.search).get("filter") || "pending", page: 1 };
  const queueBox = h("div", { id: "queue", "aria-live": "polite" });
  const statusLine = h("p", { class: "muted", id: "task-status" });

  async function refresh() {
    const [queue, task] = await Promise.all([
      api("/api/download/", { query: { filter: state.filter, page: state.page } }),
      admin ? api("/api/task/").catch(() => null) : null,
    ]);
    if (task) statusLine.textContent = `${task.downloading ? "Downloading" : "Idle"}${task.rescan ? " · rescanning subscriptions" : ""}`;
    queueBox.replaceChildren(
      queue.data.length
        ? h("ul", { class: "queue" }, queue.data.map(row))
        : h("p", { class: "muted empty" }, state.filter === "ignore" ? "Nothing ignored." : "The queue is empty."),
      pager(queue.paginate, (page) => {
        state.page = page;
        refresh();
      }) || "",
    );
  }

  const change = (button, id, status, done) =>
    act(button, () => api(`/api/download/${encodeURIComponent(id)}/`, { method: "POST", body: { status } }), done).then(refresh);

  function row(item) {
    const id = item.youtube_id;
    const downloading = item.progress !== undefined;
    const buttons = [];
    if (admin) {
      const button = (label, onclick, extra = {}) => {
        const element = h("button", { type: "button", "data-action": label.toLowerCase(), ...extra }, label);
        element.addEventListener("click", () => onclick(element));
        buttons.push(element);
      };
      if (item.message) button("Retry", (b) => change(b, id, "pending", "Queued again"));
      if (item.status === "ignore") button("Queue", (b) => change(b, id, "pending", "Queued again"));
      else {
        button("Priority", (b) => change(b, id, "priority", "Downloading next"));
        button("Ignore", (b) => change(b, id, "ignore", "Ignored"));
      }
      button("Delete", (b) => act(b, () => api(`/api/download/${encodeURIComponent(id)}/`, { method: "DELETE" }), "Deleted").then(refresh), { class: "danger" });
    }
    const bar = h("progress", { max: 100, value: item.progress || 0, "aria-label": `progress of ${item.title || id}` });
    return h(
      "li",
      { class: `queue-item ${item.status}${item.message ? " failed" : ""}`, "data-id": id },
      h(
        "div",
        { class: "meta" },
        h("strong", {}, item.title || id),
        h("span", { class: "muted small" }, [item.channel_name, item.duration, item.vid_type].filter(Boolean).join(" · ")),
        h("span", { class: "status small" }, downloading ? `downloading ${Math.round(item.progress)}%` : item.auto_start ? `${item.status} · starts automatically` : item.status),
        downloading ? bar : null,
        item.message ? h("span", { class: "error small" }, item.message) : null,
      ),
      h("div", { class: "actions" }, buttons),
    );
  }

  const pasted = h("textarea", { id: "add-targets", rows: 3, placeholder: "https://www.youtube.com/watch?v=…  @handle  UC…  PL…" });
  const autostart = h("input", { type: "checkbox", id: "autostart", checked: true });
  const addButton = h("button", { type: "submit" }, "Add to queue");
  const form = h(
    "form",
    {
      class: "card add",
      onsubmit: async (event) => {
        event.preventDefault();
        const words = targets(pasted.value);
        if (!words.length) return toast("Paste at least one id, URL or @handle", "error");
        const answer = await act(addButton, () =>
          api("/api/download/", {
            method: "POST",
            query: { autostart: autostart.checked ? "true" : "false" },
            body: { data: words.map((youtube_id) => ({ youtube_id, status: "pending" })) },
          }),
        );
        if (answer) {
          pasted.value = "";
          const expanding = (answer.expanding || []).length;
          toast(`Queued ${(answer.added || []).length} video(s)${expanding ? `, looking up ${expanding} channel(s) or playlist(s)` : ""}`);
          refresh();
        }
      },
    },
    field("Videos, channels, @handles or playlists", pasted, "One or more, separated by spaces or lines: ids or YouTube URLs."),
    h("label", { class: "check" }, autostart, " Start downloading at once"),
    addButton,
  );
  const task = (label, run, done) => {
    const element = h("button", { type: "button", "data-task": run }, label);
    element.addEventListener("click", () => act(element, () => api("/api/task/", { method: "POST", body: { run } }), done).then(refresh));
    return element;
  };
  const filter = h(
    "div",
    { class: "tabs", role: "group", "aria-label": "queue filter" },
    [["pending", "Queue"], ["ignore", "Ignored"]].map(([value, label]) => {
      const element = h("button", { type: "button", "aria-pressed": String(state.filter === value) }, label);
      element.addEventListener("click", () => {
        state.filter = value;
        state.page = 1;
        filter.querySelectorAll("button").forEach((b) => b.setAttribute("aria-pressed", String(b === element)));
        refresh();
      });
      return element;
    }),
  );
  mount(
    title("Downloads"),
    admin ? form : h("p", { class: "muted" }, "Only admins change the queue."),
    admin ? h("div", { class: "toolbar" }, task("Start downloads", "download_pending", "Downloads started"), task("Rescan subscriptions now", "rescan_pending", "Rescan started"), statusLine) : null,
    filter,
    queueBox,
  );
  try {
    await refresh();
  } catch (error) {
    queueBox.replaceChildren(errorBox(error));
  }
  const timer = setInterval(() => refresh().catch(() => {}), POLL_MS);
  onLeave(() => clearInterval(timer));
}
