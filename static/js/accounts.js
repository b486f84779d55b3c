// Users admin: open an action's confirmation page in a <dialog> (htmx loads it); without
// JavaScript the links simply open the same confirmation page.
(function () {
  "use strict";
  function dialog() { return document.getElementById("user-dialog"); }
  document.addEventListener("htmx:afterSwap", function (event) {
    var box = dialog();
    if (box && event.detail.target === box.querySelector(".user-dialog-body") && !box.open) {
      box.showModal();
      var first = box.querySelector("textarea, select, input:not([type=hidden]), button");
      if (first) first.focus();
    }
  });
  document.addEventListener("click", function (event) {
    var box = dialog();
    if (!box || !box.open) return;
    // "Cancel" and a click on the backdrop close the dialog instead of leaving the page.
    if (event.target.closest("[data-dialog-close]") || event.target === box) {
      event.preventDefault();
      box.close();
    }
  });
})();
