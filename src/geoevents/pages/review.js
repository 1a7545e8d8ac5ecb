"use strict";
(function () {
  var dataNode = document.getElementById("page-data");
  var data = dataNode ? JSON.parse(dataNode.textContent) : null;

  // --- the index: filters -------------------------------------------------------
  var selects = document.querySelectorAll("select[data-filter]");
  function applyFilters() {
    var wanted = {};
    selects.forEach(function (s) { if (s.value) { wanted[s.dataset.filter] = s.value; } });
    var items = document.querySelectorAll("#events > li[data-event-id]");
    var shown = 0;
    items.forEach(function (li) {
      var ok = Object.keys(wanted).every(function (name) {
        return (li.getAttribute("data-" + name) || "").split(" ").indexOf(wanted[name]) >= 0;
      });
      li.hidden = !ok;
      if (ok) { shown += 1; }
    });
    var out = document.getElementById("shown");
    if (out) { out.textContent = shown + " of " + items.length + " events"; }
  }
  selects.forEach(function (s) { s.addEventListener("change", applyFilters); });

  // --- a source's page: what a highlight stands for ---------------------------
  var tip = document.getElementById("tip");
  if (!tip || !data) { return; }
  function text(value) {
    return Array.isArray(value) ? value.join(", ") : String(value);
  }
  function row(dl, name, value) {
    var dt = document.createElement("dt"); dt.textContent = name;
    var dd = document.createElement("dd"); dd.textContent = text(value);
    dl.appendChild(dt); dl.appendChild(dd);
  }
  function show(mark) {
    var citation = data.citations[mark.dataset.citation] || {};
    var event = data.events[mark.dataset.eventId] || {};
    tip.textContent = "";
    var head = document.createElement("p");
    head.className = "tip-head";
    head.textContent = [event.event_type, event.date, event.status].filter(Boolean).join(" · ");
    tip.appendChild(head);
    var dl = document.createElement("dl");
    var first = ["summary", "actors"];
    first.forEach(function (k) { if (event[k] !== undefined) { row(dl, k, event[k]); } });
    Object.keys(event).forEach(function (k) {
      if (first.indexOf(k) < 0 && ["event_type", "date", "status", "countries"].indexOf(k) < 0) {
        row(dl, k, event[k]);
      }
    });
    if (citation.quote_en) { row(dl, "translation", citation.quote_en); }
    row(dl, "offsets", mark.dataset.start + "–" + mark.dataset.end);
    (citation.problems || []).forEach(function (p) { row(dl, "problem", p); });
    tip.appendChild(dl);
    tip.hidden = false;
    var box = mark.getBoundingClientRect();
    var width = Math.min(420, document.documentElement.clientWidth - 16);
    tip.style.width = width + "px";
    tip.style.left = Math.max(8, Math.min(box.left, document.documentElement.clientWidth - width - 8)) + "px";
    tip.style.top = (box.bottom + window.scrollY + 6) + "px";
  }
  function hide() { tip.hidden = true; }
  function markOf(node) { return node && node.closest ? node.closest("mark[data-citation]") : null; }
  document.addEventListener("mouseover", function (e) { var m = markOf(e.target); if (m) { show(m); } });
  document.addEventListener("mouseout", function (e) { if (markOf(e.target)) { hide(); } });
  document.addEventListener("focusin", function (e) { var m = markOf(e.target); if (m) { show(m); } });
  document.addEventListener("focusout", function (e) { if (markOf(e.target)) { hide(); } });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { hide(); }
    var m = markOf(e.target);
    if (m && e.key === "Enter") { location.hash = "event-" + m.dataset.eventId; }
  });
  document.addEventListener("click", function (e) {
    var m = markOf(e.target);
    if (m) { location.hash = "event-" + m.dataset.eventId; }
  });
})();
