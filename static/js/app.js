// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // Close an open <details class="menu"> when clicking elsewhere.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
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
