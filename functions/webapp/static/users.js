// Users (admins): create a user, reset a password, issue a new API token, remove a user.
import { api } from "./api.js";
import { h, mount, title, act, field, session, formatDate } from "./ui.js";

function shown(token) {
  return h("p", { class: "token", role: "status" }, "API token (shown once): ", h("code", { id: "issued-token" }, token));
}

export async function usersPage() {
  const answer = await api("/api/users/");
  const result = h("div", { id: "user-result" });
  const name = h("input", { name: "username", id: "new-username", required: true, autocomplete: "off" });
  const password = h("input", { name: "password", id: "new-password", type: "password", required: true, autocomplete: "new-password" });
  const isAdmin = h("input", { type: "checkbox", id: "new-admin" });
  const create = h("button", { type: "submit" }, "Create user");
  const form = h(
    "form",
    {
      class: "card",
      id: "create-user",
      onsubmit: async (event) => {
        event.preventDefault();
        const created = await act(create, () => api("/api/users/", { method: "POST", body: { username: name.value, password: password.value, is_admin: isAdmin.checked } }), "User created");
        if (created) {
          await usersPage();
          document.getElementById("user-result").replaceChildren(shown(created.token));
        }
      },
    },
    h("h2", {}, "New user"),
    field("User name", name),
    field("Password", password),
    h("label", { class: "check" }, isAdmin, " Admin"),
    create,
  );
  const rows = answer.data.map((user) => {
    const path = `/api/users/${encodeURIComponent(user.username)}`;
    const reset = h("button", { type: "button", "data-action": "reset" }, "Reset password…");
    reset.addEventListener("click", async () => {
      const next = prompt(`New password for ${user.username}`);
      if (next) await act(reset, () => api(`${path}/password/`, { method: "POST", body: { password: next } }), "Password changed; their sessions ended");
    });
    const token = h("button", { type: "button", "data-action": "token" }, "New API token");
    token.addEventListener("click", async () => {
      const issued = await act(token, () => api(`${path}/token/`, { method: "POST" }), "New token issued; the old one no longer works");
      if (issued) result.replaceChildren(shown(issued.token));
    });
    const remove = h("button", { type: "button", "data-action": "remove", class: "danger", disabled: user.username === session.me.username }, "Remove");
    remove.addEventListener("click", async () => {
      if (confirm(`Remove ${user.username} and end all their sessions?`)) {
        const removed = await act(remove, () => api(`${path}/`, { method: "DELETE" }), "User removed");
        if (removed !== undefined) usersPage();
      }
    });
    return h(
      "tr",
      { "data-username": user.username },
      h("td", {}, user.username),
      h("td", {}, user.is_admin ? "admin" : "user"),
      h("td", {}, formatDate(user.created)),
      h("td", { class: "actions" }, reset, token, remove),
    );
  });
  mount(
    title("Users"),
    result,
    h("table", { id: "users" }, h("thead", {}, h("tr", {}, ["User", "Role", "Created", ""].map((t) => h("th", {}, t)))), h("tbody", {}, rows)),
    form,
  );
}
