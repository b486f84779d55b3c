/* The till's offline piece: a sale is never lost and never doubled.
 *
 * - The sale being built is kept in localStorage at every change: a reload or a closed tab
 *   loses nothing.
 * - "Pay" first puts the whole sale, with its idempotency key, in a queue in localStorage, then
 *   sends the queue in order. A sale leaves the queue only when the server has answered with
 *   its order; a sale whose answer was lost is sent again with the same key, and the server
 *   returns the first sale (till_sell). The cashier goes on with the next customer meanwhile.
 * - A sale the server refuses (short stock, a changed price, a closed shift) stays in the queue
 *   marked refused with the server's message, for the cashier to settle.
 * - The catalog (codes, PLUs, names, prices, units) is kept here too and refreshed by its ETag;
 *   the page itself is kept by the service worker (/till/sw.js).
 * Money is counted in tiyn and quantities in thousandths, as BigInt: never floats. */
(function () {
  "use strict";

  var root = document.querySelector("[data-till-offline]");
  if (!root) return;

  var shift = parseInt(root.dataset.shift, 10);
  var lang = root.dataset.lang || "kk";
  var QUEUE_KEY = "bibarys.till.queue";
  var SALE_KEY = "bibarys.till.sale." + shift;
  var CATALOG_KEY = "bibarys.till.catalog." + lang;
  var RETRY_MS = 5000;
  var TIMEOUT_MS = 10000;

  function $(selector) { return root.querySelector(selector); }
  function msg(name) { return root.dataset["msg" + name] || ""; }

  // Storage ------------------------------------------------------------------------------------
  function load(key, fallback) {
    try {
      var value = JSON.parse(localStorage.getItem(key));
      return value === null ? fallback : value;
    } catch (e) { return fallback; }
  }
  function save(key, value) { localStorage.setItem(key, JSON.stringify(value)); }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  // Numbers --------------------------------------------------------------------------------------
  // "450.00" → 45000n tiyn; "0,5" → 500n thousandths; null when it is not such a number.
  function scaled(text, places) {
    var m = /^\s*(\d{1,12})(?:[.,](\d*))?\s*$/.exec(String(text));
    if (!m || (m[2] || "").length > places) return null;
    return BigInt(m[1] + ((m[2] || "") + "000").slice(0, places));
  }
  function unscaled(value, places) {
    var s = value.toString().padStart(places + 1, "0");
    return s.slice(0, s.length - places) + "." + s.slice(s.length - places);
  }
  function lineTiyn(price, quantity) {  // half up, as the server's line total
    return (scaled(price, 2) * quantity + 500n) / 1000n;
  }
  function money(tiyn) {
    var text = unscaled(tiyn, 2), whole = text.split(".")[0], cents = text.split(".")[1];
    if (lang === "en") return "₸" + whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",") + "." + cents;
    return whole.replace(/\B(?=(\d{3})+(?!\d))/g, "\u00a0") + "," + cents + "\u00a0₸";
  }
  function quantityText(milli, unit) {
    var text = unscaled(milli, 3).replace(/\.?0+$/, "");
    if (lang !== "en") text = text.replace(".", ",");
    return text + "\u00a0" + (msg("Unit" + unit.charAt(0).toUpperCase() + unit.slice(1)) || unit);
  }

  // The catalog ----------------------------------------------------------------------------------
  var catalog = load(CATALOG_KEY, null), byId = {}, byCode = {};
  function index() {
    byId = {}; byCode = {};
    ((catalog && catalog.products) || []).forEach(function (p) {
      byId[p.id] = p;
      byCode[p.sku.toLowerCase()] = p;
      if (p.plu) byCode[String(p.plu)] = p;
      p.barcodes.forEach(function (code) { byCode[code] = p; });
    });
    root.dataset.catalog = (catalog && catalog.version) || "";
  }
  function refreshCatalog() {
    var headers = { "Accept": "application/json" };
    if (catalog && catalog.etag) headers["If-None-Match"] = catalog.etag;
    return fetch(root.dataset.catalogUrl, { headers: headers, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (response.status === 200) {
          var etag = response.headers.get("ETag");
          return response.json().then(function (data) {
            data.etag = etag;
            catalog = data;
            save(CATALOG_KEY, catalog);
            index();
            render();
          });
        }
      })
      .catch(function () { /* offline: the copy kept here serves */ });
  }

  // The sale being built -----------------------------------------------------------------------
  var sale = load(SALE_KEY, null);
  if (!sale || !sale.key) sale = { key: newKey(), lines: [] };
  function keepSale() { save(SALE_KEY, sale); }

  function saleTotal() {
    return sale.lines.reduce(function (sum, line) {
      var p = byId[line.product];
      return p ? sum + lineTiyn(p.price, scaled(line.quantity, 3)) : sum;
    }, 0n);
  }

  function addLine(code, quantityTextTyped) {
    var error = $("[data-till-scan-error]");
    var form = $("[data-till-scan]");
    var product = byCode[code] || byCode[code.toLowerCase()];
    form.classList.remove("is-unknown");
    if (!product) {
      error.textContent = catalog ? msg("Unknown") + " " + code : msg("NoCatalog");
      form.classList.add("is-unknown");
      return false;
    }
    var quantity = scaled(quantityTextTyped || "1", 3);
    if (quantity === null || quantity <= 0n || (product.unit === "pcs" && quantity % 1000n !== 0n)) {
      error.textContent = msg("Quantity");
      return false;
    }
    error.textContent = "";
    var line = sale.lines.find(function (l) { return l.product === product.id; });
    if (line) {
      line.quantity = unscaled(scaled(line.quantity, 3) + quantity, 3);
    } else {
      sale.lines.push({ product: product.id, quantity: unscaled(quantity, 3) });
    }
    keepSale();
    render();
    return true;
  }

  // The queue ------------------------------------------------------------------------------------
  function queue() { return load(QUEUE_KEY, []); }

  function pay(event) {
    event.preventDefault();
    var error = $("[data-till-pay-error]");
    if (!sale.lines.length) { error.textContent = msg("Empty"); return; }
    var total = saleTotal();
    var method = $("#till-method").value;
    var typed = $("#till-tendered").value.trim();
    var tendered = method === "cash" ? (typed ? scaled(typed, 2) : total) : null;
    if (method === "cash" && (tendered === null || tendered < total)) {
      error.textContent = msg("Tendered");
      return;
    }
    error.textContent = "";
    var entry = {
      key: sale.key, shift: shift, total: unscaled(total, 2),
      lines: sale.lines.map(function (l) { return { product: l.product, quantity: l.quantity }; }),
      payments: total > 0n ? [{ method: method, amount: unscaled(total, 2) }] : [],
      tendered: tendered === null ? null : unscaled(tendered, 2),
      names: sale.lines.map(function (l) { return byId[l.product] ? byId[l.product].name : "#" + l.product; }),
      status: "waiting", errors: [], at: new Date().toISOString()
    };
    // Queued before it is sent: from here on the sale survives anything but a cleared browser.
    var waiting = queue();
    if (!waiting.some(function (e) { return e.key === entry.key; })) waiting.push(entry);
    save(QUEUE_KEY, waiting);
    sale = { key: newKey(), lines: [] };
    keepSale();
    var change = tendered === null ? 0n : tendered - total;
    $("[data-till-last]").textContent = msg("Kept") + " " + money(change);
    $("#till-tendered").value = "";
    render();
    $("#till-code").focus();
    flush();
  }

  var sending = false, state = "online";

  function send(entry) {
    var controller = new AbortController();
    var timer = setTimeout(function () { controller.abort(); }, TIMEOUT_MS);
    var body = { key: entry.key, shift: entry.shift, lines: entry.lines, payments: entry.payments,
                 tendered: entry.tendered, total: entry.total };
    return fetch(root.dataset.payUrl, {
      method: "POST", credentials: "same-origin", signal: controller.signal,
      headers: { "Content-Type": "application/json", "Accept": "application/json",
                 "X-CSRFToken": root.dataset.csrf },
      body: JSON.stringify(body)
    }).then(function (response) {
      clearTimeout(timer);
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (!json) return { outcome: response.status === 403 ? "signin" : "unreachable" };
      return response.json().then(function (data) {
        if (response.ok) return { outcome: "sent", data: data };
        if (response.status === 401 || response.status === 403) return { outcome: "signin" };
        if (response.status >= 500) return { outcome: "unreachable" };
        return { outcome: "refused", errors: data.errors || [] };
      });
    }, function () {
      clearTimeout(timer);
      return { outcome: "unreachable" };
    });
  }

  // Sends the waiting sales one by one, in the order they were paid; stops at the first that
  // cannot reach the server (the next attempt starts again from it).
  function flush() {
    if (sending) return Promise.resolve();
    sending = true;
    function next() {
      var entry = queue().find(function (e) { return e.status === "waiting"; });
      if (!entry) { state = "online"; return null; }
      return send(entry).then(function (result) {
        var waiting = queue();
        var at = waiting.findIndex(function (e) { return e.key === entry.key; });
        if (result.outcome === "sent") {
          if (at >= 0) waiting.splice(at, 1);
          save(QUEUE_KEY, waiting);
          $("[data-till-last]").textContent = msg("Paid") + " " + result.data.number + ", " +
            msg("Change") + " " + money(scaled(result.data.change, 2));
          state = "online";
          render();
          return next();
        }
        if (result.outcome === "refused") {
          if (at >= 0) { waiting[at].status = "refused"; waiting[at].errors = result.errors; }
          save(QUEUE_KEY, waiting);
          render();
          return next();
        }
        state = result.outcome === "signin" ? "signin" : "offline";
        render();
        return null;
      });
    }
    return Promise.resolve(next()).then(function () { sending = false; render(); },
                                        function () { sending = false; render(); });
  }

  function settle(key) {
    if (!window.confirm(msg("SettleConfirm"))) return;
    save(QUEUE_KEY, queue().filter(function (e) { return e.key !== key; }));
    render();
  }

  // Drawing ------------------------------------------------------------------------------------
  function cell(row, text) {
    var td = document.createElement("td");
    td.textContent = text;
    row.appendChild(td);
    return td;
  }

  function render() {
    var body = $("[data-till-lines]");
    body.textContent = "";
    sale.lines.forEach(function (line, i) {
      var p = byId[line.product], milli = scaled(line.quantity, 3);
      var row = document.createElement("tr");
      cell(row, p ? p.name : "#" + line.product);
      cell(row, p ? quantityText(milli, p.unit) : line.quantity);
      cell(row, p ? money(lineTiyn(p.price, milli)) : "—");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-sm btn-ghost";
      button.textContent = "\u00d7";
      button.setAttribute("aria-label", msg("Remove") + " " + (p ? p.name : ""));
      button.addEventListener("click", function () {
        sale.lines.splice(i, 1); keepSale(); render();
      });
      cell(row, "").appendChild(button);
      body.appendChild(row);
    });
    $("[data-till-total]").textContent = money(saleTotal());
    $("[data-till-count]").textContent = String(sale.lines.length);

    var entries = queue(), list = $("[data-till-queue]");
    list.textContent = "";
    entries.forEach(function (e) {
      var li = document.createElement("li");
      li.dataset.key = e.key;
      li.className = e.status === "refused" ? "is-refused" : "is-waiting";
      li.textContent = new Date(e.at).toLocaleTimeString(lang) + " · " + money(scaled(e.total, 2)) +
        " · " + e.names.join(", ") + (e.errors.length ? " — " + e.errors.join(" ") : "");
      if (e.status === "refused") {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "btn btn-sm";
        button.textContent = msg("Settled");
        button.addEventListener("click", function () { settle(e.key); });
        li.appendChild(document.createTextNode(" "));
        li.appendChild(button);
      }
      list.appendChild(li);
    });
    $("[data-till-queue-box]").hidden = !entries.length;

    var status = $("[data-till-status]"), waiting = entries.filter(function (e) { return e.status === "waiting"; }).length;
    var refused = entries.length - waiting, parts = [];
    status.className = "till-status";
    if (state === "offline" || (state === "online" && !navigator.onLine)) {
      parts.push(msg("Offline"));
      status.classList.add("is-offline");
    } else if (state === "signin") {
      parts.push(msg("Signin"));
      status.classList.add("is-offline");
    }
    if (waiting) parts.push(msg("Waiting") + " " + waiting + ".");
    if (refused) { parts.push(msg("Refused")); status.classList.add("is-refused"); }
    if (!parts.length && root.dataset.wasQueued === "1") {
      parts.push(msg("Online"));
      status.classList.add("is-online");
    }
    root.dataset.wasQueued = entries.length ? "1" : root.dataset.wasQueued || "";
    status.textContent = parts.join(" ");
    root.dataset.queued = String(waiting);
    root.dataset.refused = String(refused);
    root.dataset.state = state;
  }

  // Wiring -----------------------------------------------------------------------------------------
  $("[data-till-scan]").addEventListener("submit", function (event) {
    event.preventDefault();
    var code = $("#till-code"), qty = $("#till-qty");
    if (addLine(code.value.trim(), qty.value.trim())) {
      code.value = "";
      qty.value = "1";
    }
    code.focus();
  });
  $("[data-till-pay]").addEventListener("submit", pay);
  window.addEventListener("online", function () { state = "online"; refreshCatalog(); flush(); });
  window.addEventListener("offline", function () { state = "offline"; render(); });
  // Another tab of this till paid or sent a sale: draw what storage now holds.
  window.addEventListener("storage", function (event) {
    if (event.key === SALE_KEY) sale = load(SALE_KEY, sale);
    if (event.key === SALE_KEY || event.key === QUEUE_KEY) render();
  });
  setInterval(function () { if (queue().some(function (e) { return e.status === "waiting"; })) flush(); }, RETRY_MS);

  if ("serviceWorker" in navigator && root.dataset.swUrl) {
    navigator.serviceWorker.register(root.dataset.swUrl)  // its scope: /till/, where it is served
      .catch(function () { /* no service worker (a private window): the page still works online */ });
  }

  index();
  render();
  refreshCatalog().then(flush);
  root.dataset.ready = "1";
})();
