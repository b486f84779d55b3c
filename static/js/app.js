// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // Close an open <details class="menu"> when clicking or tabbing elsewhere; Escape closes it
  // and gives the focus back to its button.
  function closeMenus(except) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (!except || !menu.contains(except)) menu.removeAttribute("open");
    });
  }
  document.addEventListener("click", function (event) { closeMenus(event.target); });
  document.addEventListener("focusin", function (event) { closeMenus(event.target); });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var menu = document.activeElement && document.activeElement.closest("details.menu[open]");
    if (!menu) return;
    menu.removeAttribute("open");
    menu.querySelector("summary").focus();
  });
  // Buttons with data-confirm ask before submitting their form. A yes is sent along as
  // confirmed=1: without this file, a view that needs it (cancelling an order) asks on a page.
  document.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    var message = (submitter && submitter.dataset.confirm) || event.target.dataset.confirm;
    if (!message) return;
    if (!window.confirm(message)) {
      event.preventDefault();
      return;
    }
    if (!event.target.querySelector("input[name=confirmed]")) {
      var yes = document.createElement("input");
      yes.type = "hidden";
      yes.name = "confirmed";
      yes.value = "1";
      event.target.appendChild(yes);
    }
  });
})();
