// The static site's search page (manage.py build_static): Pagefind's UI over the index in
// /pagefind/. A search typed in the header form arrives as ?q=…, as on the live site.
// Beyond CARNET_STATIC_SEARCH_BATCH post pages (500) the index has several bundles
// (/pagefind-1/…): the build lists the others in /pagefind-bundles.json (an empty list with
// one bundle), merged here (PagefindUI's mergeIndex).
"use strict";
window.addEventListener("DOMContentLoaded", () => {
  const mount = document.getElementById("static-search");
  if (!mount || typeof PagefindUI === "undefined") {
    return;
  }
  const start = (bundles) => {
    const ui = new PagefindUI({
      element: "#static-search",
      showImages: false,
      resetStyles: false,
      autofocus: false,
      mergeIndex: bundles.map((path) => ({ bundlePath: path })),
    });
    const query = new URLSearchParams(window.location.search).get("q");
    if (query) {
      ui.triggerSearch(query);
    }
  };
  fetch("/pagefind-bundles.json")
    .then((response) => (response.ok ? response.json() : []))
    .catch(() => [])
    .then((bundles) => start(Array.isArray(bundles) ? bundles : []));
});
