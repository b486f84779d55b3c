// The selling screen's keyboard (templates/till/sell.html). The page works without this file:
// it keeps the scan box focused, walks the name matches with ↑ ↓ Enter, flashes and beeps on an
// unknown code, shows the change, and shows only the payment fields of the chosen method.
(function () {
  "use strict";
  var till = document.getElementById("till");
  if (!till) return;
  var scan = document.getElementById("till-scan");
  var results = document.getElementById("till-search-results");
  var focusNext = null; // the line whose quantity the cashier types next (a weighed tile)

  function typingElsewhere() {
    var el = document.activeElement;
    return el && el !== scan && el.matches("input, select, textarea") && till.contains(el);
  }
  function focusScan() {
    if (scan && !typingElsewhere()) scan.focus({ preventScroll: true });
  }

  // A short beep and a red flash: the cashier hears a code was not found without looking.
  var audio = null;
  function beep() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      var osc = audio.createOscillator(), gain = audio.createGain();
      osc.frequency.value = 330;
      gain.gain.value = 0.15;
      osc.connect(gain);
      gain.connect(audio.destination);
      osc.start();
      osc.stop(audio.currentTime + 0.18);
    } catch (e) { /* no sound here: the flash says it */ }
  }
  function flash() {
    till.classList.remove("till-unknown");
    void till.offsetWidth; // restart the animation
    till.classList.add("till-unknown");
    beep();
  }

  // Money as the page's language writes it: 1 234,50 ₸ (kk, ru) or ₸1,234.50 (en).
  var lang = document.documentElement.lang || "kk";
  function money(value) {
    var fixed = Math.abs(value).toFixed(2), parts = fixed.split(".");
    var sign = value < 0 ? "−" : "";
    if (lang === "en") return sign + "₸" + parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ",") + "." + parts[1];
    return sign + parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, "\u00a0") + "," + parts[1] + "\u00a0₸";
  }
  function number(text) {
    var t = String(text || "").replace(/[\s\u00a0]/g, "").replace(",", ".");
    var n = parseFloat(t);
    return isNaN(n) ? 0 : n;
  }

  function payForm() { return document.getElementById("till-pay"); }
  function updatePay() {
    var form = payForm();
    if (!form) return;
    var checked = form.querySelector("input[name=method]:checked");
    var method = checked ? checked.value : "cash";
    form.setAttribute("data-method", method);
    var total = number(document.getElementById("till-total").getAttribute("data-total"));
    var due = total;
    if (method === "split") {
      due = total - number(form.elements.card_amount.value) - number(form.elements.kaspi_amount.value);
    }
    var out = document.getElementById("till-change");
    var given = form.elements.tendered.value;
    if (!out) return;
    if ((method === "cash" || method === "split") && given) {
      var change = number(given) - due;
      out.textContent = out.getAttribute("data-label") + ": " + money(change);
      out.classList.toggle("is-short", change < 0);
    } else {
      out.textContent = "";
    }
  }

  function options() {
    return results ? Array.prototype.slice.call(results.querySelectorAll("[role=option]")) : [];
  }
  function select(step) {
    var all = options();
    if (!all.length) return;
    var at = all.findIndex(function (o) { return o.getAttribute("aria-selected") === "true"; });
    if (at >= 0) all[at].setAttribute("aria-selected", "false");
    at = (at + step + all.length) % all.length;
    all[at].setAttribute("aria-selected", "true");
    all[at].scrollIntoView({ block: "nearest" });
  }
  function clearResults() { if (results) results.innerHTML = ""; }

  if (scan) {
    scan.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        select(event.key === "ArrowDown" ? 1 : -1);
      } else if (event.key === "Enter") {
        var chosen = options().filter(function (o) { return o.getAttribute("aria-selected") === "true"; })[0];
        if (chosen) {
          event.preventDefault();
          chosen.querySelector("form").requestSubmit();
          scan.value = "";
          clearResults();
        }
      } else if (event.key === "Escape") {
        scan.value = "";
        clearResults();
      } else if (event.key === "Delete" && !scan.value) {
        // The empty scan box's Delete takes off the line just scanned.
        var last = document.querySelector(".till-line.is-last .till-remove");
        if (last) { event.preventDefault(); last.click(); }
      }
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.closest && form.closest(".till-tiles, .till-results")) {
      var tile = form.querySelector("[data-product-id]") || form.closest("[data-product-id]");
      focusNext = tile ? tile.getAttribute("data-product-id") : null;
    }
    if (form.id === "till-pay") {
      var button = document.getElementById("till-pay-button");
      // The key makes a second tap harmless; this spares the cashier a second wait.
      if (button) setTimeout(function () { button.disabled = true; }, 0);
    }
  });

  document.body.addEventListener("htmx:beforeSwap", function (event) {
    // A name search answered after the code was already scanned: drop it.
    if (event.detail.target === results && scan && !scan.value) event.detail.shouldSwap = false;
  });
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target === results) return;
    if (document.getElementById("till-flash")) {
      flash();
    } else if (scan) {
      scan.value = "";
      clearResults();
    }
    updatePay();
    if (focusNext) {
      var line = document.querySelector(".till-line.is-last[data-product-id='" + focusNext + "']");
      focusNext = null;
      if (line && line.getAttribute("data-unit") !== "pcs") {
        var qty = line.querySelector(".till-qty");
        qty.focus();
        qty.select();
        return;
      }
    }
    if (document.activeElement && document.activeElement.classList.contains("till-qty")) {
      document.activeElement.blur();
    }
    focusScan();
  });
  till.addEventListener("input", function (event) { if (event.target.closest("#till-pay")) updatePay(); });
  till.addEventListener("change", function (event) { if (event.target.closest("#till-pay")) updatePay(); });
  // A tap anywhere but a field gives the focus back to the scan box (a scanner types there).
  document.addEventListener("click", function () { setTimeout(focusScan, 0); });

  if (document.getElementById("till-flash")) flash();
  updatePay();
  focusScan();
})();
