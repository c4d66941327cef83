// Registry pages: a long import check gives feedback and cannot be submitted twice.
document.addEventListener("submit", (event) => {
  const button = event.target.querySelector("button[data-busy]");
  if (!button) {
    return;
  }
  if (button.dataset.sent) {
    event.preventDefault();
    return;
  }
  button.dataset.sent = "1";
  button.setAttribute("aria-busy", "true");
  button.textContent = button.dataset.busy;
});
