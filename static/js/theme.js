/* Theme before first paint: the person's choice (localStorage, then cookie), else the system's
   prefers-color-scheme, followed live until a choice is made. Also marks the page as scripted. */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");
  function stored() {
    try {
      var value = window.localStorage.getItem("theme");
      if (value === "dark" || value === "light") { return value; }
    } catch (e) { /* storage may be disabled */ }
    var match = document.cookie.match(/(?:^|; )theme=(dark|light)/);
    return match ? match[1] : null;
  }
  var choice = stored();
  if (choice) {
    root.setAttribute("data-bs-theme", choice);
    return;
  }
  var query = window.matchMedia("(prefers-color-scheme: light)");
  function follow() {
    if (!stored()) { root.setAttribute("data-bs-theme", query.matches ? "light" : "dark"); }
  }
  follow();
  query.addEventListener("change", follow);
})();
