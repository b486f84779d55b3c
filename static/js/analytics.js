// Analytics: editing a date in the period picker switches it to "custom range".
// The form works without this file (choose "Custom range" and press Show).
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches(".an-period input[type=date]")) return;
    var select = input.form && input.form.querySelector("select[name=period]");
    if (select) select.value = "custom";
  }, true);
})();
