// The area tree picker (wangge/areas/picker.py): "Add" on a node of the tree or on a search
// result makes the area a chip holding the form's hidden input; × takes it out again.
(function () {
  "use strict";

  function refresh(picker) {
    picker.querySelector(".picker-none").hidden = Boolean(picker.querySelector(".picker-chip"));
  }

  function add(button) {
    const picker = button.closest(".area-picker");
    const chips = picker.querySelector(".picker-chips");
    const id = button.dataset.pick;
    if (!chips.querySelector('input[value="' + CSS.escape(id) + '"]')) {
      const chip = picker.querySelector(".picker-chip-template").content.firstElementChild.cloneNode(true);
      chip.querySelector("input").value = id;
      chip.querySelector("span").textContent = button.dataset.label;
      chips.append(chip);
      refresh(picker);
    }
    button.blur();
  }

  document.addEventListener("click", (event) => {
    const pick = event.target.closest(".area-picker [data-pick]");
    if (pick) {
      // Inside a tree node's summary: add the area, do not open or close the node.
      event.preventDefault();
      add(pick);
      return;
    }
    const remove = event.target.closest(".area-picker .picker-remove");
    if (remove) {
      const picker = remove.closest(".area-picker");
      remove.closest(".picker-chip").remove();
      refresh(picker);
    }
  });

  // Enter in the search field searches; it must not send the form.
  document.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target.matches(".area-picker .picker-query")) {
      event.preventDefault();
    }
  });
})();
