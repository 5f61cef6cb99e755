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
  document.addEventListener("DOMContentLoaded", function () {
    var sw = document.getElementById("lang-switch");
    if (sw) {
      sw.addEventListener("submit", function () { keep(sw.elements.next.value); });
    }
    restore();
  });
})();
