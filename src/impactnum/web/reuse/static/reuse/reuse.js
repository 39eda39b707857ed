// Reuse workbench behaviours without inline handlers (strict CSP): the print button.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
// A version conflict (409) carries the device panel with the message: show it like a 400.
document.addEventListener("htmx:beforeSwap", (event) => {
  if (event.detail.xhr.status === 409) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
