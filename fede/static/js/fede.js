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
  // <input data-filter-for="id">: narrows a long select's options, or a list of boxes'
  // [data-filter-item] rows, to those matching every typed word (accents and case ignored).
  // Chosen options and ticked boxes stay visible.
  function fold(text) {
    return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function showFilters(root) {
    (root || document).querySelectorAll("[data-filter-for]").forEach(function (box) {
      box.hidden = false;
    });
  }
  document.addEventListener("DOMContentLoaded", function () { showFilters(document); });
  document.addEventListener("htmx:afterSwap", function (event) { showFilters(event.target); });
  document.addEventListener("input", function (event) {
    var box = event.target;
    if (!box.hasAttribute || !box.hasAttribute("data-filter-for")) { return; }
    var target = document.getElementById(box.getAttribute("data-filter-for"));
    if (!target) { return; }
    var words = fold(box.value).split(/\s+/).filter(Boolean);
    function matches(text) {
      var folded = fold(text);
      return words.every(function (word) { return folded.indexOf(word) !== -1; });
    }
    if (target.tagName === "SELECT") {
      Array.prototype.forEach.call(target.options, function (option) {
        option.hidden = !option.selected && option.value !== "" && !matches(option.textContent);
      });
    } else {
      target.querySelectorAll("[data-filter-item]").forEach(function (row) {
        var input = row.querySelector("input");
        row.hidden = !(input && input.checked) && !matches(row.textContent);
      });
    }
  });
})();
