// Settings (admins): the app settings through the settings API, the YouTube cookie, snapshots, and the yt-dlp the
// downloads run beside the newer release the version check found (ping's `downloader` and `ytdlp_update`).
import { api } from "./api.js";
import { h, mount, title, act, field, toast, errorBox } from "./ui.js";

// The groups the settings API stores (functions/services/app_settings.py SCHEMA); a key whose value is null
// has no type to show, so the numeric ones are named here.
const GROUPS = { subscriptions: "Subscriptions", downloads: "Downloads", application: "Application", scheduler: "Schedules (crontab in UTC: minute hour day-of-week; 0: off)" };
const NUMERIC = new Set(["limit_speed", "autodelete_days", "throttledratelimit", "channel_size", "live_channel_size", "shorts_channel_size", "sleep_interval"]);
const label = (key) => key.replaceAll("_", " ").replace(/^./, (c) => c.toUpperCase());

function settingsForm(config) {
  const inputs = [];
  const groups = Object.entries(GROUPS)
    .filter(([group]) => config[group])
    .map(([group, name]) =>
      h(
        "fieldset",
        {},
        h("legend", {}, name),
        Object.entries(config[group]).map(([key, stored]) => {
          const id = `setting-${group}-${key}`;
          // a schedule is a crontab, or false (off), written 0 as in TubeArchivist's form
          const value = group === "scheduler" && stored === false ? "0" : stored;
          const kind = group === "scheduler" ? "text" : typeof value === "boolean" ? "bool" : NUMERIC.has(key) || typeof value === "number" ? "number" : "text";
          const input =
            kind === "bool"
              ? h("input", { type: "checkbox", id, name: id, checked: value })
              : h("input", { type: kind, id, name: id, value: value ?? "", placeholder: value === null ? "not set" : null, min: kind === "number" ? 0 : null });
          inputs.push({ group, key, kind, input, before: value });
          return kind === "bool" ? h("label", { class: "check" }, input, ` ${label(key)}`) : field(label(key), input);
        }),
      ),
    );
  const save = h("button", { type: "submit" }, "Save settings");
  return h(
    "form",
    {
      id: "settings-form",
      class: "card",
      onsubmit: async (event) => {
        event.preventDefault();
        const changes = {};
        for (const { group, key, kind, input, before } of inputs) {
          const raw = kind === "bool" ? input.checked : input.value.trim();
          const value = kind === "bool" ? raw : raw === "" ? null : kind === "number" ? Number(raw) : raw;
          if (value !== before) (changes[group] ||= {})[key] = value;
        }
        if (!Object.keys(changes).length) return toast("Nothing changed");
        const saved = await act(save, () => api("/api/appsettings/config/", { method: "POST", body: changes }), "Settings saved");
        if (saved) settingsPage();
      },
    },
    groups,
    save,
  );
}

function cookieCard(status) {
  const text = h("textarea", { id: "cookie-text", rows: 4, placeholder: "# Netscape HTTP Cookie File…" });
  const importButton = h("button", { type: "submit" }, "Import cookie");
  const validateButton = h("button", { type: "button", id: "cookie-validate" }, "Validate now");
  validateButton.addEventListener("click", () =>
    act(validateButton, () => api("/api/cookie/", { method: "POST" }), (a) => (a.cookie_validated ? "YouTube accepts the cookie" : "YouTube refused the cookie")).then(settingsPage),
  );
  return h(
    "form",
    {
      class: "card",
      id: "cookie",
      onsubmit: async (event) => {
        event.preventDefault();
        await act(importButton, () => api("/api/cookie/", { method: "PUT", body: { cookie: text.value } }), "Cookie imported and valid");
        settingsPage();
      },
    },
    h("h2", {}, "YouTube cookie"),
    h(
      "p",
      { id: "cookie-status" },
      status.status ? `Stored${status.validated_str ? `, validated ${status.validated_str}` : ""}.` : "No valid cookie stored.",
      status.cookie_enabled ? "" : " Downloads do not use it (Cookie import is off).",
      status.message ? h("span", { class: "error small" }, ` ${status.message}`) : null,
    ),
    field("cookies.txt", text, "Exported from a browser signed in to YouTube; it is never shown again."),
    h("div", { class: "toolbar" }, importButton, status.status ? validateButton : null),
  );
}

function snapshotsCard(overview) {
  const create = h("button", { type: "button", id: "snapshot-create" }, "Create a snapshot now");
  create.addEventListener("click", () => act(create, () => api("/api/snapshot/", { method: "POST" }), "Snapshot started").then(settingsPage));
  const dialog = h("dialog", { id: "restore-dialog" });
  const confirmRestore = (snapshot, button) => {
    const yes = h("button", { type: "button", id: "restore-confirm", class: "danger" }, "Restore");
    const no = h("button", { type: "button", id: "restore-cancel" }, "Cancel");
    dialog.replaceChildren(
      h("h2", {}, "Restore this snapshot?"),
      h("p", {}, `Everything in the archive goes back to ${snapshot.start_date}: changes since are lost.`),
      h("div", { class: "toolbar" }, no, yes),
    );
    no.addEventListener("click", () => dialog.close());
    yes.addEventListener("click", async () => {
      dialog.close();
      await act(button, () => api(`/api/snapshot/${encodeURIComponent(snapshot.id)}/`, { method: "POST" }), "Restore started");
    });
    dialog.showModal();
    no.focus();
  };
  const rows = overview.snapshots.map((snapshot) => {
    const restore = h("button", { type: "button", "data-action": "restore", disabled: snapshot.state !== "SUCCESS" }, "Restore…");
    restore.addEventListener("click", () => confirmRestore(snapshot, restore));
    const remove = h("button", { type: "button", "data-action": "delete", class: "danger" }, "Delete");
    remove.addEventListener("click", () => act(remove, () => api(`/api/snapshot/${encodeURIComponent(snapshot.id)}/`, { method: "DELETE" }), "Snapshot deleted").then(settingsPage));
    return h("tr", { "data-id": snapshot.id }, h("td", {}, snapshot.start_date), h("td", {}, snapshot.state), h("td", {}, restore, " ", remove));
  });
  return h(
    "section",
    { class: "card", id: "snapshots" },
    h("h2", {}, "Snapshots"),
    h("p", { class: "muted" }, overview.next_exec_str ? `Next scheduled: ${overview.next_exec_str}; kept ${overview.expire_after}.` : "Scheduled snapshots are off (Enable snapshot)."),
    rows.length
      ? h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "Started"), h("th", {}, "State"), h("th", {}, ""))), h("tbody", {}, rows))
      : h("p", { class: "muted" }, "No snapshots."),
    create,
    dialog,
  );
}

function ytdlpCard(ping) {
  const check = h("button", { type: "button", id: "version-check" }, "Look for a new yt-dlp");
  check.addEventListener("click", () => act(check, () => api("/api/task/by-name/version_check/", { method: "POST" }), "Version check started"));
  const running = ping.downloader?.yt_dlp;
  const update = ping.ytdlp_update;
  return h(
    "section",
    { class: "card", id: "ytdlp" },
    h("h2", {}, "yt-dlp"),
    h("p", { id: "ytdlp-running" }, running ? `The downloads run yt-dlp ${running}.` : "No download has run yet."),
    update
      ? h("p", { id: "ytdlp-update", class: "error" }, `yt-dlp ${update.version} is out (found ${new Date(update.checked * 1000).toLocaleDateString()}): rebuild the media layer (make layer) and deploy.`)
      : h("p", { class: "muted" }, "The last version check found no newer release (the Version check schedule runs it)."),
    check,
  );
}

export async function settingsPage() {
  const [config, cookie, snapshots, ping] = await Promise.all([
    api("/api/appsettings/config/"),
    api("/api/cookie/").catch((error) => ({ error })),
    api("/api/snapshot/").catch((error) => ({ error })),
    api("/api/ping/").catch((error) => ({ error })),
  ]);
  mount(
    title("Settings"),
    settingsForm(config),
    cookie.error ? errorBox(cookie.error) : cookieCard(cookie),
    snapshots.error ? errorBox(snapshots.error) : snapshotsCard(snapshots),
    ping.error ? errorBox(ping.error) : ytdlpCard(ping),
  );
}
