// Small behaviours without inline handlers (strict CSP): auto-submitting selects,
// CSRF token on htmx requests, confirmation prompts.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => select.form.submit());
  });
  document.querySelectorAll(".js-hidden").forEach((el) => { el.hidden = true; });
});
document.addEventListener("htmx:configRequest", (event) => {
  const token = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (token) event.detail.headers["X-CSRFToken"] = token.value;
});
document.addEventListener("submit", (event) => {
  const message = event.target.dataset.confirm;
  if (event.target.hasAttribute("hx-post")) return; // htmx asks through htmx:confirm
  if (message && !window.confirm(message)) event.preventDefault();
});
// htmx: a 400 answer carries the form with its errors: swap it like a success.
document.addEventListener("htmx:beforeSwap", (event) => {
  if (event.detail.xhr.status === 400) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
// htmx requests from an element with data-confirm ask first (no inline script needed).
document.addEventListener("htmx:confirm", (event) => {
  const source = event.detail.elt.closest("[data-confirm]");
  if (!source) return;
  event.preventDefault();
  if (window.confirm(source.dataset.confirm)) event.detail.issueRequest(true);
});
