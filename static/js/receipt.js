// Receipts and shift reports: a Print button (without this file the browser's own Ctrl+P prints
// the same page; the print CSS does the rest).
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
