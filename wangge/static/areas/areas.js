// Filter the rows of a table as one types: <input data-filter="#table-id">.
document.addEventListener("input", (event) => {
  const input = event.target.closest("input[data-filter]");
  if (!input) {
    return;
  }
  const table = document.querySelector(input.dataset.filter);
  if (!table) {
    return;
  }
  const needle = input.value.trim().toLowerCase();
  for (const row of table.tBodies[0].rows) {
    row.hidden = needle !== "" && !row.textContent.toLowerCase().includes(needle);
  }
});
