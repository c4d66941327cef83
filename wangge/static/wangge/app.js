// Small behaviours shared by every page, loaded as a file so the CSP needs no inline script.
document.addEventListener("click", (event) => {
  const target = event.target.closest("[data-confirm]");
  if (target && !window.confirm(target.dataset.confirm)) {
    event.preventDefault();
  }
});
document.addEventListener("htmx:configRequest", (event) => {
  const token = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (token) {
    event.detail.headers["X-CSRFToken"] = token.value;
  }
});

// The phone's main menu: the button opens and closes it (wide screens always show it).
document.addEventListener("click", (event) => {
  const toggle = event.target.closest(".menu-toggle");
  if (!toggle) {
    return;
  }
  const open = toggle.getAttribute("aria-expanded") !== "true";
  toggle.setAttribute("aria-expanded", String(open));
  document.getElementById(toggle.getAttribute("aria-controls")).classList.toggle("open", open);
});

// On a phone each row of a list becomes a small card (app.css, `table.rows`): every cell
// is labelled with its column's heading, read once from the table's head, so that the
// templates need no second copy of their headings.
function labelRows(root) {
  for (const table of root.querySelectorAll(".table-wrap > table:not(.keep-table)")) {
    const headings = table.querySelectorAll("thead tr:last-child th");
    if (!headings.length || [...headings].some((th) => th.colSpan > 1)) {
      continue;
    }
    const labels = [...headings].map((th) => th.textContent.trim());
    for (const row of table.querySelectorAll("tbody tr")) {
      [...row.cells].forEach((cell, index) => {
        if (labels[index] && cell.colSpan === 1 && !cell.hasAttribute("data-label")) {
          cell.dataset.label = labels[index];
        }
      });
    }
    table.classList.add("rows");
  }
}
document.addEventListener("DOMContentLoaded", () => labelRows(document));
document.addEventListener("htmx:load", (event) => {
  const swapped = event.detail.elt;
  labelRows(swapped.closest(".table-wrap")?.parentElement || swapped);
});
