/* Regions that scroll sideways (a wide table, a long line of code) can be
   scrolled from the keyboard: each gets a place in the tab order and a name
   (WCAG 2.1.1). Run on every page, also after the theme's instant
   navigation loads one. */
(function () {
  function reachable() {
    var regions = document.querySelectorAll(".md-typeset__scrollwrap, .md-typeset pre > code");
    regions.forEach(function (region) {
      if (!region.hasAttribute("tabindex")) region.setAttribute("tabindex", "0");
      if (region.classList.contains("md-typeset__scrollwrap") && !region.hasAttribute("role")) {
        region.setAttribute("role", "region");
        region.setAttribute("aria-label", "Table (scrolls sideways)");
      }
    });
  }
  if (typeof document$ !== "undefined") document$.subscribe(reachable);
  else document.addEventListener("DOMContentLoaded", reachable);
})();
