/* Theme before first paint: the person's own choice (localStorage, then cookie), else dark. The
   operating system's preference is not followed: a light-mode workstation in a dark reading room
   must not open white. Also marks the page as scripted. */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");
  var choice = null;
  try {
    choice = window.localStorage.getItem("theme");
  } catch (e) { /* storage may be disabled: the cookie still works */ }
  if (choice !== "dark" && choice !== "light") {
    var match = document.cookie.match(/(?:^|; )theme=(dark|light)/);
    choice = match ? match[1] : "dark";
  }
  root.setAttribute("data-bs-theme", choice);
})();
