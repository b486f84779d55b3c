{% load static %}/* The till's service worker (served by till.api.service_worker at /till/sw.js, scope /till/).
 * The till's pages: from the network when it answers (and kept), else the kept copy, else the
 * till's own offline page. Static files: the kept copy at once, refreshed behind it. Nothing
 * else is touched: the JSON doors and every POST go to the network as they are, so a sale is
 * never answered by a cache. */
"use strict";
var CACHE = "bibarys-till-{{ version }}";
var PAGE = "{% url 'till:offline' %}";
var ASSETS = [
  "{% static 'css/app.css' %}", "{% static 'css/catalog.css' %}", "{% static 'css/orders.css' %}",
  "{% static 'css/accounts.css' %}", "{% static 'css/analytics.css' %}",
  "{% static 'vendor/htmx/htmx-2.0.11.min.js' %}", "{% static 'js/app.js' %}",
  "{% static 'img/logo.svg' %}", "{% static 'till/offline.css' %}", "{% static 'till/offline.js' %}",
  "{% static 'css/till.css' %}", "{% static 'till/sell.js' %}"
];

function keep(cache, request, response) {
  // Only a page the cashier really got: never a redirect to the login page, never an error.
  if (response && response.ok && !response.redirected && response.type === "basic") {
    return cache.put(request, response.clone()).then(function () { return response; });
  }
  return Promise.resolve(response);
}

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return Promise.all([PAGE].concat(ASSETS).map(function (url) {
      return fetch(url, { credentials: "same-origin" })
        .then(function (response) { return keep(cache, url, response); })
        .catch(function () { /* kept the next time it loads */ });
    }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("bibarys-till-") === 0 && name !== CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

// The selling page asks for itself to be kept (its first load came before this worker).
self.addEventListener("message", function (event) {
  var url = event.data && event.data.keep;
  if (typeof url !== "string" || url.indexOf("/till/") !== 0) return;
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return fetch(url, { credentials: "same-origin" })
      .then(function (response) { return keep(cache, url, response); })
      .catch(function () { /* kept the next time it loads */ });
  }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname.indexOf("/till/") === 0) {
    event.respondWith(caches.open(CACHE).then(function (cache) {
      return fetch(request).then(function (response) {
        return keep(cache, request, response);
      }, function () {
        return cache.match(request, { ignoreSearch: true, ignoreVary: true }).then(function (kept) {
          return kept || cache.match(PAGE);
        });
      });
    }));
    return;
  }
  if (url.pathname.indexOf("{% get_static_prefix %}") === 0) {
    event.respondWith(caches.open(CACHE).then(function (cache) {
      return cache.match(request).then(function (kept) {
        var fresh = fetch(request).then(function (response) {
          return keep(cache, request, response);
        });
        if (kept) {
          event.waitUntil(fresh.catch(function () {}));
          return kept;
        }
        return fresh;
      });
    }));
  }
});
