// Stocktake: scanner and phone counting. The page works without this file (plain forms);
// this only keeps the focus where the next scan or number goes.
(function () {
  "use strict";

  function scanInput() { return document.getElementById("scan-code"); }

  function focusScan() {
    var input = scanInput();
    if (input) { input.value = ""; input.focus(); }
  }

  // Enter in a count field: after the row is saved, go to the next row's field.
  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (event.key === "Enter" && input.classList && input.classList.contains("count-input")) {
      var row = input.closest("tr");
      if (row) row.dataset.advance = "1";
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target) return;
    if (target.id === "scan-result") {
      // The code was read: clear it, so the next scan starts empty.
      var input = scanInput();
      if (input) input.value = "";
      var weight = target.querySelector("[data-focus]");
      if (weight) {
        weight.focus();
        weight.select();
      } else {
        focusScan();
      }
    }
  });

  // A row was replaced (htmx swaps the whole <tr>): move on if Enter asked for it.
  var advanceTo = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (target && target.classList && target.classList.contains("count-row")) {
      var next = target.nextElementSibling;
      advanceTo = target.dataset.advance === "1" ? (next ? next.id : "") : null;
    }
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (advanceTo === null) return;
    var next = advanceTo && document.getElementById(advanceTo);
    advanceTo = null;
    var field = next && next.querySelector(".count-input");
    if (field) { field.focus(); field.select(); } else { focusScan(); }
  });

  // A focused count field selects its text, so typing replaces it (phones included).
  document.addEventListener("focusin", function (event) {
    if (event.target.classList && event.target.classList.contains("count-input")) {
      event.target.select();
    }
  });
})();
