// Catalog back office: photo previews before upload and "tick all" in the product table.
// Every page works without this file.
(function () {
  "use strict";
  var urls = [];

  function showPreview(input) {
    var target = document.getElementById(input.dataset.photoPreview);
    if (!target) return;
    urls.forEach(function (url) { URL.revokeObjectURL(url); });
    urls = [];
    target.replaceChildren();
    var max = parseInt(input.dataset.photoMax || "5", 10);
    if (input.files && input.files.length > max && window.DataTransfer) {
      // Keep the first `max` and say so: the server would refuse them all.
      var kept = new DataTransfer();
      Array.prototype.slice.call(input.files, 0, max).forEach(function (file) {
        kept.items.add(file);
      });
      input.files = kept.files;
      var note = document.createElement("p");
      note.className = "field-error";
      note.setAttribute("role", "alert");
      note.textContent = input.dataset.photoTooMany || "";
      target.appendChild(note);
    }
    Array.prototype.slice.call(input.files || [], 0, max).forEach(function (file) {
      var figure = document.createElement("figure");
      figure.className = "photo-preview-item";
      if (/^image\/(jpeg|png|webp)$/.test(file.type)) {
        var url = URL.createObjectURL(file);
        urls.push(url);
        var img = document.createElement("img");
        img.src = url;
        img.alt = "";
        figure.appendChild(img);
      } else {
        figure.classList.add("is-bad");
      }
      var caption = document.createElement("figcaption");
      caption.textContent = file.name + " · " + Math.max(1, Math.round(file.size / 1024)) + " KB";
      figure.appendChild(caption);
      target.appendChild(figure);
    });
  }

  // On a phone the catalog's price/stock filters start folded (unless one is in use): the
  // products come first. Without this script they simply stay open.
  if (window.matchMedia && window.matchMedia("(max-width: 899px)").matches) {
    document.querySelectorAll("details[data-collapse-narrow]:not([data-keep-open])")
      .forEach(function (details) { details.open = false; });
  }

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("input[type=file][data-photo-preview]")) showPreview(el);
    if (el.matches && el.matches("input[data-check-all]")) {
      var form = el.form || el.closest("form");
      if (!form) return;
      form.querySelectorAll('input[type=checkbox][name="' + el.dataset.checkAll + '"]')
        .forEach(function (box) { box.checked = el.checked; });
    }
  });
})();
