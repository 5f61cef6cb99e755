// cedu's one script, small on purpose: every page works without it.
//
// Switching language on a form keeps what was typed: before the switch, the values of the page's
// forms are kept in this tab's sessionStorage under the page the switch returns to; that page puts
// them back once, then forgets them. Passwords, files and hidden fields are never kept.
(function () {
  "use strict";
  var KEY = "cedu.typed:";
  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (e) {
      return e.name && e.name !== "_csrf" &&
        ["password", "file", "hidden", "submit", "button"].indexOf(e.type) < 0;
    });
  }
  function forms() {
    return Array.prototype.filter.call(document.querySelectorAll("main form"), function (f) {
      return fields(f).length > 0;
    });
  }
  function keep(next) {
    var kept = forms().map(function (f) {
      return fields(f).map(function (e) {
        if (e.type === "checkbox" || e.type === "radio") return [e.name, e.value, e.checked];
        if (e.multiple) {
          return [e.name, Array.prototype.filter.call(e.options, function (o) { return o.selected; })
            .map(function (o) { return o.value; })];
        }
        return [e.name, e.value];
      });
    });
    try { sessionStorage.setItem(KEY + next, JSON.stringify(kept)); } catch (e) { /* full: skip */ }
  }
  function restore() {
    var here = location.pathname + location.search;
    var raw = null;
    try { raw = sessionStorage.getItem(KEY + here); sessionStorage.removeItem(KEY + here); } catch (e) {}
    if (!raw) return;
    var kept = JSON.parse(raw);
    forms().forEach(function (f, i) {
      var values = kept[i] || [];
      fields(f).forEach(function (e) {
        values.forEach(function (v) {
          if (v[0] !== e.name) return;
          if (e.type === "checkbox" || e.type === "radio") {
            if (v[1] === e.value) e.checked = v[2];
          } else if (e.multiple) {
            Array.prototype.forEach.call(e.options, function (o) { o.selected = v[1].indexOf(o.value) >= 0; });
          } else {
            e.value = v[1];
          }
        });
      });
    });
  }
  // The teacher picker of the plan form: typing narrows the list to the teachers whose name,
  // speciality, themes or pool match; "only this theme" keeps the teachers of the chosen theme.
  // A ticked teacher always stays in sight.
  function picker() {
    var box = document.getElementById("teacher-picker");
    if (!box) return;
    var search = document.getElementById("teacher-search");
    var only = document.getElementById("teacher-theme-only");
    var theme = document.getElementById("theme_id");
    function themeName() {
      return theme && theme.selectedIndex >= 0 && theme.value ? theme.options[theme.selectedIndex].text : "";
    }
    function apply() {
      var q = search.value.trim().toLowerCase();
      var t = only.checked ? themeName() : "";
      var shown = 0;
      Array.prototype.forEach.call(box.querySelectorAll("details.pool"), function (pool) {
        var poolName = pool.querySelector("summary").textContent.toLowerCase();
        var inPool = 0;
        Array.prototype.forEach.call(pool.querySelectorAll("label.teacher"), function (l) {
          var ticked = l.querySelector("input").checked;
          var themes = (l.getAttribute("data-themes") || "").split("|");
          var ok = ticked || ((!q || l.textContent.toLowerCase().indexOf(q) >= 0 || poolName.indexOf(q) >= 0) &&
            (!t || themes.indexOf(t) >= 0));
          l.hidden = !ok;
          if (ok) inPool++;
        });
        pool.hidden = inPool === 0;
        if (q || t) pool.open = inPool > 0;
        shown += inPool;
      });
      document.getElementById("teacher-none").hidden = shown > 0;
    }
    search.addEventListener("input", apply);
    only.addEventListener("change", apply);
    if (theme) theme.addEventListener("change", apply);
    search.addEventListener("keydown", function (e) { if (e.key === "Enter") e.preventDefault(); });
    apply();
  }
  document.addEventListener("DOMContentLoaded", function () {
    restore();
    picker();
    var print = document.getElementById("print-now");
    if (print) print.addEventListener("click", function () { window.print(); });
    var sw = document.getElementById("lang-switch");
    if (sw) {
      sw.addEventListener("submit", function () { keep(sw.elements.next.value); });
    }
  });
})();
