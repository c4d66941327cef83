// The checkpoint entry page (templates/checkpoints/register.html): keyboard and scanner
// first. Enter moves to the next field instead of sending the form (a scanner ends each
// code with Enter); Ctrl+Enter registers; "Add a person" adds a row; an alert is shown
// as soon as a temperature or a code colour makes one.
(function () {
  "use strict";
  var form = document.getElementById("entry-form");
  if (!form) return;
  var threshold = parseFloat(form.dataset.threshold || "37.3");
  var rows = document.getElementById("people-rows");
  var template = document.getElementById("person-template");
  var total = form.querySelector("input[name=people-TOTAL_FORMS]");

  function fields() {
    return Array.prototype.filter.call(
      form.querySelectorAll("input:not([type=hidden]), select, button[type=submit]"),
      function (el) { return !el.disabled && el.offsetParent !== null && el.type !== "radio"; }
    );
  }

  form.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.target.tagName === "TEXTAREA") return;
    if (event.ctrlKey || event.metaKey) {
      event.preventDefault();
      form.requestSubmit();
      return;
    }
    if (event.target.type === "submit" || event.target.type === "button") return;
    event.preventDefault();
    var list = fields();
    var next = list[list.indexOf(event.target) + 1];
    if (next) next.focus();
  });

  function checkAlert(row) {
    var temperature = parseFloat((row.querySelector("input[name$=temperature]") || {}).value);
    var code = (row.querySelector("select[name$=health_code]") || {}).value;
    var alert = (!isNaN(temperature) && temperature >= threshold) || code === "red" || code === "yellow";
    row.classList.toggle("alert-row", alert);
    var note = row.querySelector(".alert-note");
    if (note) note.hidden = !alert;
  }

  form.addEventListener("input", function (event) {
    var row = event.target.closest(".person-row");
    if (row) checkAlert(row);
  });
  form.addEventListener("change", function (event) {
    var row = event.target.closest(".person-row");
    if (row) checkAlert(row);
    if (event.target.name === "vehicle_kind" && event.target.value === "on_foot") {
      form.querySelector("input[name=plate]").value = "";
    }
  });

  document.getElementById("add-person").addEventListener("click", function () {
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index)).replace(/__n__/g, String(index + 1));
    rows.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var added = rows.lastElementChild;
    var first = added && added.querySelector("input");
    if (first) first.focus();
  });

  Array.prototype.forEach.call(rows.querySelectorAll(".person-row"), checkAlert);
})();
