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
    } else if (event.key === "4" || event.code === "Digit4") {
      // Alt+4: to the result, so the next Tab is "Copy impression" (the skip link does the same).
      var panel = document.getElementById("recommendation-panel");
      if (panel) { event.preventDefault(); panel.focus(); }
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

  // --- Ask for a new panel only when the form really changed: leaving a field, or typing a
  // character and deleting it, sends nothing (a second identical request used to redraw the panel
  // under the person's first click). The check runs at each keystroke and again when the debounce
  // ends (htmx:confirm, before a newer request would replace one in flight). Registered after the
  // unit listener above, so a unit switch is compared with the units it has just set.
  var form = document.getElementById("workup-form");
  function formText() { return new URLSearchParams(new FormData(form)).toString(); }
  if (form && window.htmx) {
    var requested = formText();
    ["input", "change"].forEach(function (type) {
      document.addEventListener(type, function (event) {
        if (event.target.form === form && formText() !== requested) { htmx.trigger(form, "workup-changed"); }
      });
    });
    form.addEventListener("htmx:confirm", function (event) {
      if (event.detail.elt !== form) { return; }
      var now = formText();
      if (now === requested) { event.preventDefault(); return; }
      requested = now;
    });
  }

  // --- Too many panel requests from this address (nginx answers 429, deploy/nginx.conf): htmx
  // swaps nothing for an error, so the last panel stays as it was; ask again for the form as it is
  // then, after the pause the answer names (Retry-After) or a second, once however many were refused.
  var retry = null;
  if (form && window.htmx) {
    document.body.addEventListener("htmx:responseError", function (event) {
      if (event.detail.elt !== form || event.detail.xhr.status !== 429 || retry !== null) { return; }
      var seconds = parseInt(event.detail.xhr.getResponseHeader("Retry-After"), 10);
      retry = setTimeout(function () {
        retry = null;
        requested = null;
        htmx.trigger(form, "workup-changed");
      }, (seconds > 0 && seconds < 60 ? seconds : 1) * 1000);
    });
  }

  // --- A newer panel request aborts the one in flight (hx-sync "replace"): that is the design, not
  // a fault, yet htmx logs each abort as two console errors, so a console watched for real errors
  // filled up while typing. Only during htmx's own abort handler of a panel request is its log quiet;
  // a request that fails for any other reason still logs.
  if (form) {
    form.addEventListener("htmx:beforeRequest", function (event) {
      var xhr = event.detail.xhr, onabort = xhr && xhr.onabort;
      if (event.detail.elt !== form || !onabort) { return; }
      xhr.onabort = function () {
        var log = console.error;
        console.error = function () {};
        try { return onabort.apply(this, arguments); } finally { console.error = log; }
      };
    });
  }

  // --- The morph swap keeps what the person opened: an open "Why?" or reference-limit section
  // stays open, and the copy confirmation stays (it is checked against the text after each update).
  // The extension's script runs after this one (both deferred), so configure it once loaded.
  document.addEventListener("DOMContentLoaded", function () {
    if (!window.Idiomorph) { return; }
    Idiomorph.defaults.callbacks.beforeAttributeUpdated = function (name, element, kind) {
      return !(name === "open" && kind === "remove" && element.tagName === "DETAILS");
    };
    Idiomorph.defaults.callbacks.beforeNodeMorphed = function (oldNode) {
      return !(oldNode.classList && oldNode.classList.contains("copy-status"));
    };
  });

  // --- Unit menus: out of the Tab order (the default-units switch sets them all); in a lab
  // field, Alt+Down or Alt+Up changes that field's unit. Without JavaScript Tab still reaches them.
  document.querySelectorAll("select.unit-select").forEach(function (select) {
    select.setAttribute("tabindex", "-1");
  });
  document.addEventListener("keydown", function (event) {
    if (!event.altKey || (event.key !== "ArrowDown" && event.key !== "ArrowUp")) { return; }
    var unit = event.target.id && document.getElementById(event.target.id + "_unit");
    if (!unit || unit.tagName !== "SELECT") { return; }
    event.preventDefault();
    var step = event.key === "ArrowDown" ? 1 : -1;
    unit.selectedIndex = (unit.selectedIndex + step + unit.options.length) % unit.options.length;
    unit.dispatchEvent(new Event("change", { bubbles: true }));
  });

  // --- "Sign in to save" posts the whole form. Pressing it blurs the field being typed in, whose
  // `change` (or a pending keystroke) updates the panel: an answer swapped in while the button is held
  // moves it from under the pointer and the click is lost. So hold such answers until release, then
  // ask again if one was held and the page is still here (forgetting what was last asked for, since
  // its answer was never drawn).
  var holding = false, held = false;
  document.addEventListener("pointerdown", function (event) {
    holding = Boolean(event.target.closest("[data-hold-panel]"));
  }, true);
  ["pointerup", "pointercancel"].forEach(function (type) {
    document.addEventListener(type, function () {
      if (!holding) { return; }
      setTimeout(function () {
        holding = false;
        if (held) { held = false; requested = null; htmx.trigger(form, "workup-changed"); }
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

  // --- A kept "Copied." must still be true: once the copied text changes, say so instead.
  var copied = {};
  document.body.addEventListener("htmx:afterSettle", function () {
    document.querySelectorAll(".copy-status").forEach(function (status) {
      var id = status.getAttribute("data-copied-from");
      var text = id && document.getElementById(id);
      if (text && copied[id] !== undefined && text.value !== copied[id]) {
        status.textContent = "The text changed after it was copied; copy it again.";
        status.removeAttribute("data-copied-from");
        delete copied[id];
      }
    });
  });

  // --- Copy buttons for the report text ----------------------------------------------------
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".copy-button");
    if (!button) { return; }
    var text = document.getElementById(button.getAttribute("data-copy-target"));
    var status = button.parentElement.querySelector(".copy-status");
    var id = button.getAttribute("data-copy-target");
    function done(message) {
      if (!status) { return; }
      status.textContent = message;
      copied[id] = text.value;
      status.setAttribute("data-copied-from", id);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text.value).then(function () { done("Copied."); },
        function () { text.select(); done("Copying was blocked; the text is selected."); });
    } else {
      text.select();
      done(document.execCommand("copy") ? "Copied." : "The text is selected; press Ctrl+C.");
    }
  });

  // --- The pathway map: on a narrow screen its text version comes first (CSS) and opens by itself.
  if (window.matchMedia && window.matchMedia("(max-width: 767.98px)").matches) {
    document.querySelectorAll("details[data-open-on-narrow]").forEach(function (details) { details.open = true; });
  }

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
