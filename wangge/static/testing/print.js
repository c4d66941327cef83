// "Print" buttons: a file, so the CSP needs no inline handler.
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    event.preventDefault();
    window.print();
  }
});
// "Select all" checkboxes of a table (tubes to pack).
document.addEventListener("change", function (event) {
  var all = event.target.closest("[data-select-all]");
  if (!all) return;
  document.querySelectorAll("input[name='" + all.dataset.selectAll + "']").forEach(function (box) {
    box.checked = all.checked;
  });
});
