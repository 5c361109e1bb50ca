/* Progressive enhancement of the workup screen. Everything here also works without it:
   steps are anchors, the form posts, the report text is selectable, the theme switch posts. */
(function () {
  "use strict";
  var root = document.documentElement;
  var SECURE = location.protocol === "https:" ? "; Secure" : "";  // as the server sets them under HTTPS

  // --- Steps: one at a time, Next/Back and the indicator switch without losing anything ------
  var steps = Array.prototype.slice.call(document.querySelectorAll("[data-step]"));
  var links = document.querySelectorAll(".step-link");

  function showStep(key, moveFocus) {
    var target = document.getElementById("step-" + key);
    if (!target) { return; }
    steps.forEach(function (step) { step.toggleAttribute("data-current", step === target); });
    links.forEach(function (link) {
      if (link.getAttribute("data-step-target") === key) { link.setAttribute("aria-current", "step"); }
      else { link.removeAttribute("aria-current"); }
    });
    if (moveFocus) { document.getElementById("step-" + key + "-title").focus(); }
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-step-target]");
    if (!link) { return; }
    event.preventDefault();
    showStep(link.getAttribute("data-step-target"), true);
    history.replaceState(null, "", "#step-" + link.getAttribute("data-step-target"));
  });

  document.addEventListener("keydown", function (event) {
    if (!event.altKey || event.ctrlKey || event.metaKey) { return; }
    var index = ["1", "2", "3"].indexOf(event.key);
    if (index < 0 && event.code) { index = ["Digit1", "Digit2", "Digit3"].indexOf(event.code); }
    if (index >= 0 && steps[index]) {
      event.preventDefault();
      showStep(steps[index].getAttribute("data-step"), true);
    }
  });

  var initial = (location.hash.match(/^#step-(\w+)$/) || [])[1];
  showStep(initial && document.getElementById("step-" + initial) ? initial : steps.length && steps[0].getAttribute("data-step"), false);

  // --- Unit preference: empty lab fields follow it; a unit beside a typed value never changes --
  document.addEventListener("change", function (event) {
    if (event.target.name !== "unit_system") { return; }
    var system = event.target.value;
    // Remembered at once (the server reads this cookie), not only when the panel's answer arrives.
    document.cookie = "units=" + system + "; path=/; max-age=31536000; SameSite=Lax" + SECURE;
    document.querySelectorAll("select[data-unit-" + system + "]").forEach(function (select) {
      var value = document.getElementById(select.id.replace(/_unit$/, ""));
      if (value && value.value.trim() === "") { select.value = select.getAttribute("data-unit-" + system); }
    });
  });

  // --- "Sign in to save" posts the whole form. Pressing it blurs the field being typed in, whose
  // `change` (or a pending keystroke) updates the panel: an answer swapped in while the button is held
  // moves it from under the pointer and the click is lost. So hold such answers until release, then
  // ask again if one was held and the page is still here.
  var holding = false, held = false;
  document.addEventListener("pointerdown", function (event) {
    holding = Boolean(event.target.closest("[data-hold-panel]"));
  }, true);
  ["pointerup", "pointercancel"].forEach(function (type) {
    document.addEventListener(type, function () {
      if (!holding) { return; }
      setTimeout(function () {
        holding = false;
        if (held) { held = false; htmx.trigger("#workup-form", "change"); }
      }, 0);
    }, true);
  });
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    if (holding && event.detail.target.id === "recommendation-panel") { event.detail.shouldSwap = false; held = true; }
  });

  // --- Field messages and canonical values arrive out of band, only where there is something to
  // show: empty every box before the panel's answer is swapped in, so a fixed field loses its message.
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    if (!event.detail.shouldSwap || event.detail.target.id !== "recommendation-panel") { return; }
    document.querySelectorAll("[data-field-feedback], [data-canonical-for]").forEach(function (box) {
      box.textContent = "";
    });
  });

  // --- The status line is a live region: when its words have not changed, leave it untouched, so a
  // screen reader does not repeat the same headline after every keystroke.
  document.body.addEventListener("htmx:oobBeforeSwap", function (event) {
    var target = event.detail.target;
    if (target.id === "panel-status" && target.textContent === event.detail.fragment.textContent) {
      event.detail.shouldSwap = false;
    }
  });

  // --- Field messages arrive out of band; mark the matching inputs invalid for assistive tech --
  function markInvalid() {
    document.querySelectorAll("[data-field-feedback]").forEach(function (box) {
      var input = document.getElementById("id_" + box.getAttribute("data-field-feedback"));
      if (!input) { return; }
      if (box.textContent.trim()) { input.setAttribute("aria-invalid", "true"); }
      else { input.removeAttribute("aria-invalid"); }
    });
  }
  document.body.addEventListener("htmx:afterSettle", markInvalid);
  markInvalid();

  // --- Copy buttons for the report text ----------------------------------------------------
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".copy-button");
    if (!button) { return; }
    var text = document.getElementById(button.getAttribute("data-copy-target"));
    var status = button.parentElement.querySelector(".copy-status");
    function done(message) { if (status) { status.textContent = message; } }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text.value).then(function () { done("Copied."); },
        function () { text.select(); done("Copying was blocked; the text is selected."); });
    } else {
      text.select();
      done(document.execCommand("copy") ? "Copied." : "The text is selected; press Ctrl+C.");
    }
  });

  // --- Theme switch: remembered in localStorage and a cookie (the server reads the cookie) ----
  var toggle = document.getElementById("theme-toggle");
  function label() {
    var theme = root.getAttribute("data-bs-theme");
    toggle.textContent = toggle.getAttribute("data-label-" + theme);
    toggle.value = theme === "dark" ? "light" : "dark";
  }
  if (toggle) {
    label();
    toggle.addEventListener("click", function (event) {
      event.preventDefault();
      var theme = root.getAttribute("data-bs-theme") === "dark" ? "light" : "dark";
      root.setAttribute("data-bs-theme", theme);
      try { window.localStorage.setItem("theme", theme); } catch (e) { /* cookie still works */ }
      document.cookie = "theme=" + theme + "; path=/; max-age=31536000; SameSite=Lax" + SECURE;
      label();
    });
  }

})();
