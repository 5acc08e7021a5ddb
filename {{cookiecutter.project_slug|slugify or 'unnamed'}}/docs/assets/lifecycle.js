/* Regions that scroll sideways (a wide table, a long line of code) can be
   scrolled from the keyboard: each gets a place in the tab order (WCAG
   2.1.1), and each table region a name of its own, from the heading above
   it, so that a screen reader's list of regions tells them apart. Run on
   every page, also after the theme's instant navigation loads one. */
(function () {
  function headingAbove(element) {
    var node = element;
    while (node && !(node.classList && node.classList.contains("md-typeset"))) {
      var before = node.previousElementSibling;
      while (before) {
        if (/^H[1-6]$/.test(before.tagName)) {
          return before.textContent.replace(/¶\s*$/, "").trim();
        }
        before = before.previousElementSibling;
      }
      node = node.parentElement;
    }
    return "";
  }

  function reachable() {
    var used = {};
    var regions = document.querySelectorAll(".md-typeset__scrollwrap, .md-typeset pre > code");
    regions.forEach(function (region) {
      if (!region.hasAttribute("tabindex")) region.setAttribute("tabindex", "0");
      if (!region.classList.contains("md-typeset__scrollwrap") || region.hasAttribute("role")) {
        return;
      }
      var name = "Table" + (headingAbove(region) ? ": " + headingAbove(region) : "");
      used[name] = (used[name] || 0) + 1;
      if (used[name] > 1) name += " (" + used[name] + ")";
      region.setAttribute("role", "region");
      region.setAttribute("aria-label", name + ", scrolls sideways");
    });
  }
  if (typeof document$ !== "undefined") document$.subscribe(reachable);
  else document.addEventListener("DOMContentLoaded", reachable);
})();
