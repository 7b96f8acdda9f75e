// Sign in with the TubeArchivist login (session cookie; throttled by the API), sign out ends the session.
import { api } from "./api.js";
import { h, mount, field, errorBox, title } from "./ui.js";

export function signInPage(done) {
  const username = h("input", { name: "username", autocomplete: "username", required: true, autofocus: true });
  const password = h("input", { name: "password", type: "password", autocomplete: "current-password", required: true });
  const message = h("div", { "aria-live": "assertive" });
  const submit = h("button", { type: "submit" }, "Sign in");
  const form = h(
    "form",
    {
      class: "card signin",
      onsubmit: async (event) => {
        event.preventDefault();
        submit.disabled = true;
        message.replaceChildren();
        try {
          await api("/api/login/", { method: "POST", body: { username: username.value, password: password.value } });
          await done();
        } catch (error) {
          message.replaceChildren(errorBox(error));
          password.select();
        } finally {
          submit.disabled = false;
        }
      },
    },
    title("Sign in"),
    field("User name", username),
    field("Password", password),
    message,
    submit,
  );
  mount(form);
  username.focus();
}

export async function signOut(done) {
  try {
    await api("/api/logout/", { method: "POST" });
  } finally {
    await done();
  }
}
