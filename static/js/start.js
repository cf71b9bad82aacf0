// Starting a studio: the web address follows the English name as it is typed, until the
// person edits the address themselves. The server suggests the same when it is left empty.
(function () {
  "use strict";
  function slugify(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40).replace(/-+$/, "");
  }
  function wire() {
    var slug = document.querySelector("input[data-slug]");
    var source = document.querySelector("input[data-slug-source='en']");
    if (!slug || !source || slug.dataset.wired) return;
    slug.dataset.wired = "1";
    var touched = slug.value !== "";
    slug.addEventListener("input", function () { touched = slug.value !== ""; });
    source.addEventListener("input", function () {
      if (!touched) slug.value = slugify(source.value);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", wire);
  else wire();
  document.addEventListener("htmx:afterSettle", wire);
})();
