// The static site's search page (manage.py build_static): Pagefind's UI over the index in
// /pagefind/. A search typed in the header form arrives as ?q=…, as on the live site.
"use strict";
window.addEventListener("DOMContentLoaded", () => {
  const mount = document.getElementById("static-search");
  if (!mount || typeof PagefindUI === "undefined") {
    return;
  }
  const ui = new PagefindUI({
    element: "#static-search",
    showImages: false,
    resetStyles: false,
    autofocus: false,
  });
  const query = new URLSearchParams(window.location.search).get("q");
  if (query) {
    ui.triggerSearch(query);
  }
});
