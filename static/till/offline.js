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

  var offlinePage = document.querySelector("[data-till-offline]");
  var root = offlinePage || document.querySelector("#till[data-till-offline-sell]");
  if (!root) return;

  var shift = parseInt(root.dataset.shift || root.dataset.tillShift, 10);
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
    function done() { sending = false; render(); if (!offlinePage) sellAfterFlush(); }
    return Promise.resolve(next()).then(done, done);
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
    if (offlinePage) renderOfflineSale(); else sellRender();
    renderQueue();
  }

  function renderOfflineSale() {
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
  }

  function renderQueue() {
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

  // The selling page (templates/till/sell.html) ------------------------------------------------
  // Online, the server draws the sale (htmx) and this mirrors it into localStorage after every
  // change. A request that cannot reach the server (or the browser going offline) turns the page
  // local: the sale is drawn here from the local copy of the catalog, and "Pay" queues it. Back
  // online, the queue is sent in order; once it is empty and no sale is being built locally, the
  // page is drawn by the server again.
  var sellLocal = false, posting = false;
  function byIdEl(id) { return document.getElementById(id); }

  function serverSale() {
    var box = byIdEl("till-sale");
    var lines = Array.prototype.map.call(document.querySelectorAll("#till-lines > li.till-line"),
      function (li) { return { product: parseInt(li.dataset.productId, 10), quantity: li.dataset.quantity }; });
    return { key: box.dataset.key, lines: lines, local: false, stamp: parseInt(box.dataset.rendered || "0", 10) };
  }
  function sellMirror() {
    if (sellLocal || !byIdEl("till-sale")) return;
    sale = serverSale();
    keepSale();
  }

  function sellGoLocal(kept) {
    if (sellLocal) return;
    sale = kept || serverSale();
    sale.local = true;
    sellLocal = true;
    keepSale();
    root.dataset.mode = "local";
    document.body.classList.add("till-is-local");
    render();
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function sellRender() {
    root.dataset.mode = sellLocal ? "local" : "server";
    if (!sellLocal) return;
    var box = byIdEl("till-sale"), total = saleTotal(), flashBox = byIdEl("till-flash");
    if (flashBox) flashBox.remove();
    var empty = byIdEl("till-lines-empty"), list = byIdEl("till-lines");
    if (!list) {
      list = el("ol", "till-lines");
      list.id = "till-lines";
      (empty || box.querySelector(".till-total")).before(list);
    }
    if (empty) empty.remove();
    list.textContent = "";
    sale.lines.forEach(function (line, i) {
      var p = byId[line.product], milli = scaled(line.quantity, 3);
      var li = el("li", "till-line" + (i === sale.lines.length - 1 ? " is-last" : ""));
      li.id = "till-line-" + i;
      li.dataset.productId = String(line.product);
      li.dataset.quantity = line.quantity.indexOf(".") < 0 ? line.quantity
        : line.quantity.replace(/0+$/, "").replace(/\.$/, "");
      li.dataset.unit = p ? p.unit : "pcs";
      var name = el("div", "till-line-name", p ? p.name : "#" + line.product);
      if (p) name.appendChild(el("span", "muted small", " " + money(scaled(p.price, 2)) + " / " + (msg("Unit" + p.unit.charAt(0).toUpperCase() + p.unit.slice(1)) || p.unit)));
      var form = el("form", "till-line-form");
      form.dataset.localIndex = String(i);
      var qty = el("input", "till-qty");
      qty.name = "quantity"; qty.id = "till-qty-" + i; qty.autocomplete = "off";
      qty.value = unscaled(milli, 3).replace(/\.?0+$/, "").replace(".", lang === "en" ? "." : ",");
      qty.setAttribute("aria-label", msg("QuantityLabel"));
      var ok = el("button", "btn btn-sm btn-ghost till-qty-save", msg("Ok") || "OK"); ok.type = "submit";
      var remove = el("button", "btn btn-sm btn-ghost till-remove", "\u2715");
      remove.type = "submit"; remove.name = "remove"; remove.value = "1";
      remove.setAttribute("aria-label", msg("Remove") + " " + (p ? p.name : ""));
      form.append(qty, ok, remove);
      li.append(name, form, el("div", "till-line-total num", p ? money(lineTiyn(p.price, milli)) : "—"));
      list.appendChild(li);
    });
    box.dataset.key = sale.key;
    box.dataset.total = unscaled(total, 2);
    box.dataset.lines = String(sale.lines.length);
    var count = byIdEl("till-count");
    if (count) count.textContent = linesText(sale.lines.length);
    var totalBox = byIdEl("till-total");
    totalBox.dataset.total = unscaled(total, 2);
    totalBox.textContent = money(total);
    var form = byIdEl("till-pay");
    byIdEl("till-key").value = sale.key;
    byIdEl("till-expected-total").value = unscaled(total, 2);
    form.querySelectorAll("input[name=line]").forEach(function (input) { input.remove(); });
    form.querySelectorAll(".form-errors, .errorlist").forEach(function (node) { node.remove(); });
    sale.lines.forEach(function (line) {
      var input = el("input"); input.type = "hidden"; input.name = "line";
      input.value = line.product + ":" + line.quantity;
      form.appendChild(input);
    });
    var button = byIdEl("till-pay-button");
    button.disabled = !sale.lines.length || posting;
    button.textContent = msg("PayTotal").replace("{total}", money(total));
    form.dispatchEvent(new Event("change", { bubbles: true }));  // sell.js: the change shown
  }

  // "3 lines" in the page's language: the server's own plural forms, for 1, 2 and 5.
  function linesText(n) {
    var kind = window.Intl && Intl.PluralRules ? new Intl.PluralRules(lang).select(n) : (n === 1 ? "one" : "many");
    var form = kind === "one" ? msg("LinesOne") : kind === "few" ? msg("LinesFew") : msg("LinesMany");
    return form.replace(/\d+/, String(n));
  }

  function sellError(text, flashIt) {
    $("[data-till-pay-error]").textContent = text;
    if (flashIt) {
      root.classList.remove("till-unknown");
      void root.offsetWidth;
      root.classList.add("till-unknown");
    }
  }

  // A scale label read as the store's scales print it (till/scan.py, TILL_SCALE_LABEL).
  function scaleLabel(code) {
    var layout = root.dataset.scaleLabel || "PPPPPWWWWW";
    if (!/^2\d{12}$/.test(code)) return null;
    var sum = 0;
    for (var i = 0; i < 12; i++) sum += parseInt(code[i], 10) * (i % 2 ? 3 : 1);
    if ((10 - sum % 10) % 10 !== parseInt(code[12], 10)) return null;
    var plu = "", grams = "", price = "";
    for (var j = 0; j < 10; j++) {
      var c = layout[j], d = code[j + 2];
      if (c === "P") plu += d; else if (c === "W") grams += d; else if (c === "M") price += d;
    }
    var product = byCode[String(parseInt(plu, 10))];
    if (!product || product.unit === "pcs") return null;
    var milli = grams ? BigInt(grams)
      : (BigInt(price) * 100000n * 2n + scaled(product.price, 2)) / (2n * scaled(product.price, 2));
    return milli > 0n ? { product: product, quantity: milli } : null;
  }

  // A name typed without the server: the one product whose name holds it (more: none, say so).
  function byName(text) {
    var wanted = text.toLocaleLowerCase(lang);
    if (wanted.length < 3 || /^\d+$/.test(wanted)) return null;
    var found = ((catalog && catalog.products) || []).filter(function (p) {
      return p.name.toLocaleLowerCase(lang).indexOf(wanted) >= 0;
    });
    return found.length === 1 ? found[0] : null;
  }

  function sellAdd(product, milli) {
    if (product.unit === "pcs" && milli % 1000n !== 0n) { sellError(msg("Quantity")); return; }
    var line = sale.lines.find(function (l) { return l.product === product.id; });
    if (line) line.quantity = unscaled(scaled(line.quantity, 3) + milli, 3);
    else sale.lines.push({ product: product.id, quantity: unscaled(milli, 3) });
    sellError("");
    keepSale();
    render();
  }

  // What a form of the page asks, done here on the local sale.
  function sellApply(form, data) {
    if (form.id === "till-scan-form") {
      var code = String(data.get("code") || "").trim(), scan = byIdEl("till-scan");
      var label = byCode[code] ? null : scaleLabel(code);
      var product = label ? label.product : byCode[code] || byCode[code.toLowerCase()] || byName(code);
      if (!product) sellError(catalog ? msg("Unknown") + " " + code : msg("NoCatalog"), true);
      else sellAdd(product, label ? label.quantity : 1000n);
      scan.value = "";
      byIdEl("till-search-results").textContent = "";
      scan.focus();
    } else if (data.get("product")) {
      var picked = byId[parseInt(data.get("product"), 10)];
      if (picked) sellAdd(picked, scaled(data.get("quantity") || "1", 3) || 1000n);
    } else if (form.dataset.localIndex !== undefined) {
      var i = parseInt(form.dataset.localIndex, 10), entry = sale.lines[i];
      if (!entry) return;
      if (data.get("remove")) {
        sale.lines.splice(i, 1);
      } else {
        var milli = scaled(data.get("quantity"), 3), p = byId[entry.product];
        if (milli === null || milli <= 0n || (p && p.unit === "pcs" && milli % 1000n !== 0n)) {
          sellError(msg("Quantity")); return;
        }
        entry.quantity = unscaled(milli, 3);
      }
      sellError("");
      keepSale();
      render();
      byIdEl("till-scan").focus();
    }
  }

  // The sale in the pay form, as the offline queue sends it (the same parts as till.forms.PayForm).
  function sellEntry(form) {
    var data = new FormData(form), total = scaled(data.get("expected_total"), 2);
    var method = data.get("method") || "cash", parts = [], due = total;
    var card = scaled(data.get("card_amount") || "0", 2), kaspi = scaled(data.get("kaspi_amount") || "0", 2);
    var tendered = data.get("tendered") ? scaled(data.get("tendered"), 2) : null;
    var lines = data.getAll("line").map(function (raw) {
      var bits = String(raw).split(":");
      return { product: parseInt(bits[0], 10), quantity: bits[1] };
    });
    if (!lines.length) return { error: msg("Empty") };
    if (method === "split") {
      if (card === null || kaspi === null || card + kaspi > total || !(card + kaspi)) return { error: msg("Split") };
      if (card) parts.push({ method: "card", amount: unscaled(card, 2) });
      if (kaspi) parts.push({ method: "kaspi", amount: unscaled(kaspi, 2) });
      due = total - card - kaspi;
      if (due > 0n) parts.push({ method: "cash", amount: unscaled(due, 2) });
    } else if (total > 0n) {
      parts.push({ method: method, amount: unscaled(total, 2) });
    }
    if ((method === "kaspi" || (method === "split" && kaspi)) && !data.get("kaspi_confirmed")) return { error: msg("Kaspi") };
    var cash = method === "cash" || method === "split";
    if (cash && tendered === null && data.get("tendered")) return { error: msg("Tendered") };
    if (cash && tendered !== null && tendered < due) return { error: msg("Tendered") };
    return {
      key: data.get("key"), shift: shift, total: unscaled(total, 2), lines: lines, payments: parts,
      tendered: cash && tendered !== null ? unscaled(tendered, 2) : null,
      change: unscaled(cash && tendered !== null ? tendered - due : 0n, 2),
      names: lines.map(function (l) { return byId[l.product] ? byId[l.product].name : "#" + l.product; }),
      status: "waiting", errors: [], at: new Date().toISOString()
    };
  }

  // Paid while the server cannot be reached: the sale waits in the queue, the next one begins.
  function sellKeep(entry) {
    var waiting = queue().filter(function (e) { return e.key !== entry.key; });
    var change = scaled(entry.change, 2);
    delete entry.change;
    entry.status = "waiting";
    waiting.push(entry);
    save(QUEUE_KEY, waiting);
    state = "offline";
    sellGoLocal();
    sale = { key: newKey(), lines: [], local: true };
    keepSale();
    $("[data-till-last]").textContent = msg("Kept") + " " + money(change);
    var form = byIdEl("till-pay");
    ["tendered", "card_amount", "kaspi_amount"].forEach(function (name) { if (form.elements[name]) form.elements[name].value = ""; });
    if (form.elements.kaspi_confirmed) form.elements.kaspi_confirmed.checked = false;
    render();
    byIdEl("till-scan").focus();
  }

  function sellPay(form) {
    if (posting) return;  // a second tap while the first is on its way
    var entry = sellEntry(form);
    var blocked = queue().some(function (e) { return e.status !== "refused"; });
    if (sellLocal || blocked) {
      // Local, or sales still waiting: this one goes behind them, in order.
      if (entry.error) { sellError(entry.error); return; }
      sellKeep(entry);
      flush();
      return;
    }
    // Online: the form itself, so the server checks it as always; queued while it is on its way.
    if (!entry.error) {
      var posted = Object.assign({}, entry, { status: "posting" });
      delete posted.change;
      save(QUEUE_KEY, queue().concat([posted]));
    }
    posting = true;
    byIdEl("till-pay-button").disabled = true;
    var controller = new AbortController(), timer = setTimeout(function () { controller.abort(); }, TIMEOUT_MS);
    function forget() { save(QUEUE_KEY, queue().filter(function (e) { return e.key !== entry.key; })); }
    fetch(form.action, { method: "POST", body: new URLSearchParams(new FormData(form)), credentials: "same-origin",
                         redirect: "manual", signal: controller.signal })
      .then(function (response) {
        clearTimeout(timer);
        posting = false;
        if (response.type === "opaqueredirect") {  // sold: the server draws the page again
          forget();
          localStorage.removeItem(SALE_KEY);
          window.location.assign(root.dataset.sellUrl);
          return;
        }
        if (response.status === 400) {  // refused, nothing sold: the server's messages
          forget();
          return response.text().then(function (html) {
            var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("till-sale");
            if (fresh) {
              byIdEl("till-sale").replaceWith(fresh);
              if (window.htmx) window.htmx.process(fresh);
              fresh.querySelector("#till-pay").dispatchEvent(new Event("change", { bubbles: true }));
              sellMirror();
            }
            byIdEl("till-pay-button").disabled = false;
          });
        }
        throw new Error("unreachable");
      })
      .catch(function () {
        clearTimeout(timer);
        posting = false;
        if (entry.error) { sellGoLocal(); sellError(entry.error); return; }
        sellKeep(entry);
        flush();  // the answer may only have been lost: the same key returns the same sale
      });
  }

  // Everything sent: the sale being built goes back to the server, which draws the page again.
  var handing = false;
  function sellAfterFlush() {
    if (!sellLocal || state !== "online" || posting || handing) return;
    if (queue().some(function (e) { return e.status !== "refused"; })) return;
    handing = true;
    fetch(root.dataset.draftUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": root.dataset.csrf },
      body: JSON.stringify({ shift: shift, key: sale.key, lines: sale.lines.map(function (l) {
        return { product: l.product, quantity: l.quantity };
      }) })
    }).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));  // stays local; Pay still queues it
      try { sessionStorage.setItem("bibarys.till.last", $("[data-till-last]").textContent); } catch (e) { /* private */ }
      localStorage.removeItem(SALE_KEY);
      window.location.assign(root.dataset.sellUrl);
    }).catch(function () { handing = false; });
  }

  function sellWire() {
    // In the local mode every form of the sale is done here, before htmx or the browser sees it.
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (form.id !== "till-pay" && !sellLocal) return;
      if (!root.contains(form)) return;
      event.preventDefault();
      event.stopPropagation();
      if (form.id === "till-pay") { sellPay(form); return; }
      var data = new FormData(form);
      if (event.submitter && event.submitter.name) data.set(event.submitter.name, event.submitter.value);
      sellApply(form, data);
    }, true);
    document.body.addEventListener("htmx:beforeRequest", function (event) {
      if (sellLocal) event.preventDefault();
    });
    function failed(event) {
      var status = event.detail.xhr ? event.detail.xhr.status : 0;
      if (event.type === "htmx:responseError" && status < 500) return;
      var form = event.detail.elt && event.detail.elt.closest ? event.detail.elt.closest("form") : null;
      var data = event.detail.requestConfig && event.detail.requestConfig.formData;
      state = "offline";
      sellGoLocal();
      if (form && data && event.detail.requestConfig.verb === "post") sellApply(form, data);
    }
    document.body.addEventListener("htmx:sendError", failed);
    document.body.addEventListener("htmx:responseError", failed);
    document.body.addEventListener("htmx:timeout", failed);
    document.body.addEventListener("htmx:afterSwap", sellMirror);
    try {
      var last = sessionStorage.getItem("bibarys.till.last");
      if (last) { $("[data-till-last]").textContent = last; sessionStorage.removeItem("bibarys.till.last"); }
    } catch (e) { /* private */ }
    // The sale built here wins over the page: it was built locally, or the page is an older copy
    // (the service worker's, drawn before the last change this browser saw).
    var kept = load(SALE_KEY, null), drawn = serverSale();
    if (kept && kept.key && (kept.local === true || (kept.stamp || 0) > drawn.stamp)) {
      sellGoLocal(kept);
    } else {
      sale = drawn;
      keepSale();
    }
    if (!navigator.onLine) { state = "offline"; sellGoLocal(); }
  }

  // Wiring -----------------------------------------------------------------------------------------
  if (offlinePage) {
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
  } else {
    sellWire();
  }
  window.addEventListener("online", function () { state = "online"; refreshCatalog(); flush(); });
  window.addEventListener("offline", function () {
    state = "offline";
    if (!offlinePage) sellGoLocal();
    render();
  });
  // Another tab of this till paid or sent a sale: draw what storage now holds.
  window.addEventListener("storage", function (event) {
    if (event.key === SALE_KEY && (offlinePage || sellLocal)) sale = load(SALE_KEY, sale);
    if (event.key === SALE_KEY || event.key === QUEUE_KEY) render();
  });
  setInterval(function () { if (queue().some(function (e) { return e.status === "waiting"; })) flush(); }, RETRY_MS);

  if ("serviceWorker" in navigator && root.dataset.swUrl) {
    navigator.serviceWorker.register(root.dataset.swUrl)  // its scope: /till/, where it is served
      .catch(function () { /* no service worker (a private window): the page still works online */ });
    if (!offlinePage && navigator.onLine) {
      navigator.serviceWorker.ready.then(function (registration) {
        if (registration.active) registration.active.postMessage({ keep: root.dataset.sellUrl });
      });
    }
  }

  // A sale left "posting" by a page that went away mid-answer is sent again with its key.
  save(QUEUE_KEY, queue().map(function (e) {
    if (e.status === "posting") e.status = "waiting";
    return e;
  }));
  index();
  render();
  refreshCatalog().then(flush);
  root.dataset.ready = "1";

})();
