/* Small behaviours declared with data- attributes (no inline script: the CSP forbids it). */
(function () {
  "use strict";
  // <form data-confirm="Message">: ask before submitting.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute && form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); }
  });
  // <select data-autosubmit>: submit the form when the value changes.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.hasAttribute && el.hasAttribute("data-autosubmit") && el.form) {
      if (window.htmx && el.form.hasAttribute("hx-get")) { window.htmx.trigger(el.form, "submit"); }
      else { el.form.requestSubmit(); }
    }
  });
  // Progress bars: width from data-progress (inline styles are refused by the CSP).
  function paintProgress(root) {
    (root || document).querySelectorAll("[data-progress]").forEach(function (bar) {
      bar.style.width = bar.getAttribute("data-progress") + "%";
    });
  }
  document.addEventListener("DOMContentLoaded", function () { paintProgress(document); });
  document.addEventListener("htmx:afterSwap", function (event) { paintProgress(event.target); });
})();
