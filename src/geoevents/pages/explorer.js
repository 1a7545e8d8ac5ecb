"use strict";
(function () {
  var data = JSON.parse(document.getElementById("page-data").textContent);
  var ev = data.events, cols = data.columns, cit = data.citations;
  var n = ev[cols[0].name] ? ev[cols[0].name].length : 0;
  var PAGE = 50, page = 0, matching = [], selected = null;
  var byEvent = [];  // citation rows of each event
  for (var i = 0; i < n; i++) { byEvent.push([]); }
  (cit._event || []).forEach(function (e, j) { byEvent[e].push(j); });
  var years = new Array(n);
  var yearCol = data.year ? ev[data.year] : null;
  for (i = 0; i < n; i++) {
    var d = yearCol ? yearCol[i] : null;
    years[i] = d ? parseInt(String(d).slice(0, 4), 10) : null;
  }
  var haystack = null;  // the searched text of each event, built on the first search
  function searchable() {
    if (haystack) { return haystack; }
    haystack = new Array(n);
    for (var k = 0; k < n; k++) {
      var parts = [];
      data.searched.events.forEach(function (c) { if (ev[c][k] != null) { parts.push(ev[c][k]); } });
      byEvent[k].forEach(function (j) {
        data.searched.citations.forEach(function (c) { if (cit[c][j] != null) { parts.push(cit[c][j]); } });
      });
      haystack[k] = parts.join("\n").toLowerCase();
    }
    return haystack;
  }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }
  function shown(v) { return Array.isArray(v) ? v.join(", ") : (v === null || v === undefined ? "" : String(v)); }

  // --- filters ------------------------------------------------------------------
  var selects = {};
  var holder = document.getElementById("filter-selects");
  data.filters.forEach(function (f) {
    var values = {};
    (ev[f[0]] || []).forEach(function (v) {
      (Array.isArray(v) ? v : [v]).forEach(function (x) { if (x !== null && x !== "") { values[x] = true; } });
    });
    var label = el("label", {}, f[1] + " ");
    var select = el("select", {"data-column": f[0], id: "filter-" + f[0]});
    select.appendChild(el("option", {value: ""}, "all"));
    Object.keys(values).sort().forEach(function (v) { select.appendChild(el("option", {value: v}, v)); });
    select.addEventListener("change", update);
    label.appendChild(select); holder.appendChild(label); holder.appendChild(document.createTextNode(" "));
    selects[f[0]] = select;
  });
  var yearSelect = document.getElementById("year");
  var distinctYears = {};
  years.forEach(function (y) { if (y !== null) { distinctYears[y] = true; } });
  var yearList = Object.keys(distinctYears).map(Number).sort(function (a, b) { return a - b; });
  yearList.forEach(function (y) { yearSelect.appendChild(el("option", {value: String(y)}, String(y))); });
  if (!data.year) { yearSelect.parentNode.hidden = true; }
  yearSelect.addEventListener("change", update);
  var search = document.getElementById("search");
  var timer = null;
  search.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(update, 150); });
  document.getElementById("clear").addEventListener("click", function () {
    search.value = ""; yearSelect.value = "";
    Object.keys(selects).forEach(function (c) { selects[c].value = ""; });
    update();
  });

  function filter() {
    var wanted = [];
    Object.keys(selects).forEach(function (c) { if (selects[c].value) { wanted.push([ev[c], selects[c].value]); } });
    var year = yearSelect.value ? Number(yearSelect.value) : null;
    var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    var hay = words.length ? searchable() : null;
    var out = [];
    for (var k = 0; k < n; k++) {
      if (year !== null && years[k] !== year) { continue; }
      var ok = true;
      for (var w = 0; w < wanted.length && ok; w++) {
        var v = wanted[w][0][k];
        ok = Array.isArray(v) ? v.indexOf(wanted[w][1]) >= 0 : v === wanted[w][1];
      }
      for (w = 0; w < words.length && ok; w++) { ok = hay[k].indexOf(words[w]) >= 0; }
      if (ok) { out.push(k); }
    }
    return out;
  }

  // --- the table, a page at a time ------------------------------------------------
  var table = document.getElementById("events");
  var headRow = el("tr");
  data.table.forEach(function (c) {
    var meta = cols.filter(function (x) { return x.name === c; })[0] || {};
    headRow.appendChild(el("th", {scope: "col", title: meta.description || ""}, c));
  });
  table.tHead.appendChild(headRow);
  function renderTable() {
    var body = table.tBodies[0];
    body.textContent = "";
    var pages = Math.max(1, Math.ceil(matching.length / PAGE));
    page = Math.min(page, pages - 1);
    var frag = document.createDocumentFragment();
    matching.slice(page * PAGE, page * PAGE + PAGE).forEach(function (k) {
      var tr = el("tr", {tabindex: "0", "data-row": String(k), "data-event-id": shown(ev.event_id ? ev.event_id[k] : k),
                         "data-type": ev.event_type ? shown(ev.event_type[k]) : ""});
      if (k === selected) { tr.setAttribute("aria-selected", "true"); }
      data.table.forEach(function (c) { tr.appendChild(el("td", {}, shown(ev[c][k]))); });
      frag.appendChild(tr);
    });
    body.appendChild(frag);
    document.getElementById("page").textContent = "page " + (page + 1) + " of " + pages;
    document.getElementById("prev").disabled = page === 0;
    document.getElementById("next").disabled = page >= pages - 1;
  }
  document.getElementById("prev").addEventListener("click", function () { page -= 1; renderTable(); });
  document.getElementById("next").addEventListener("click", function () { page += 1; renderTable(); });
  table.addEventListener("click", function (e) {
    var tr = e.target.closest("tr[data-row]"); if (tr) { detail(Number(tr.dataset.row)); }
  });
  table.addEventListener("keydown", function (e) {
    var tr = e.target.closest("tr[data-row]");
    if (!tr) { return; }
    if (e.key === "Enter" || e.key === " ") { e.preventDefault(); detail(Number(tr.dataset.row)); }
    if (e.key === "ArrowDown" && tr.nextElementSibling) { e.preventDefault(); tr.nextElementSibling.focus(); }
    if (e.key === "ArrowUp" && tr.previousElementSibling) { e.preventDefault(); tr.previousElementSibling.focus(); }
  });

  // --- an event's details and citations -------------------------------------------
  function detail(k) {
    selected = k;
    var box = document.getElementById("detail");
    box.textContent = "";
    box.setAttribute("data-event-id", shown(ev.event_id ? ev.event_id[k] : k));
    box.appendChild(el("h2", {}, shown(ev.event_id ? ev.event_id[k] : k)));
    if (ev.summary && ev.summary[k]) { box.appendChild(el("p", {class: "summary"}, ev.summary[k])); }
    box.appendChild(el("h3", {}, "Citations (" + byEvent[k].length + ")"));
    var list = el("ol", {class: "citations"});
    byEvent[k].forEach(function (j) {
      var li = el("li", {class: "citation"});
      var source = data.sources[cit.source_id ? cit.source_id[j] : ""] || {};
      li.appendChild(el("blockquote", {lang: source.language || ""}, cit.quote ? cit.quote[j] : ""));
      if (cit.quote_en && cit.quote_en[j]) { li.appendChild(el("p", {class: "translation", lang: "en"}, cit.quote_en[j])); }
      var where = [source.publisher, source.title_en || source.title, source.published].filter(Boolean).join(" · ");
      var p = el("p", {class: "small"}, where + (cit.char_start ? " · characters " + cit.char_start[j] + "–" + cit.char_end[j] : ""));
      if (source.url) { p.appendChild(document.createTextNode(" · ")); p.appendChild(el("a", {href: source.url, rel: "noreferrer"}, "source")); }
      li.appendChild(p);
      Object.keys(cit).forEach(function (c) {
        if (["_event", "quote", "quote_en", "char_start", "char_end"].indexOf(c) < 0 && cit[c][j] !== null) {
          li.appendChild(el("p", {class: "small"}, c + ": " + shown(cit[c][j])));
        }
      });
      list.appendChild(li);
    });
    box.appendChild(list);
    box.appendChild(el("h3", {}, "Every column"));
    var dl = el("dl", {class: "fields"});
    cols.forEach(function (c) {
      var v = ev[c.name][k];
      if (v === null || v === undefined || (Array.isArray(v) && !v.length)) { return; }
      dl.appendChild(el("dt", {title: c.description}, c.name));
      dl.appendChild(el("dd", {}, shown(v)));
    });
    box.appendChild(dl);
    renderTable();
    box.focus();
  }

  // --- timeline and map ---------------------------------------------------------
  var SVG = "http://www.w3.org/2000/svg";
  function svg(tag, attrs) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }
  function renderTimeline() {
    var box = document.getElementById("timeline");
    box.textContent = "";
    if (!yearList.length) { document.getElementById("timeline-figure").hidden = true; return; }
    var first = yearList[0], last = yearList[yearList.length - 1], span = last - first + 1;
    var counts = {}, top = 1;
    matching.forEach(function (k) { if (years[k] !== null) { counts[years[k]] = (counts[years[k]] || 0) + 1; } });
    Object.keys(counts).forEach(function (y) { top = Math.max(top, counts[y]); });
    var w = 600 / span;
    Object.keys(counts).forEach(function (y) {
      var h = 110 * counts[y] / top;
      var bar = svg("rect", {x: String((y - first) * w), y: String(118 - h), width: String(Math.max(w - 0.5, 0.5)),
                             height: String(h), class: "bar", "data-year": y, tabindex: "0", role: "button",
                             "aria-label": y + ": " + counts[y] + " event(s)"});
      var title = svg("title", {}); title.textContent = y + ": " + counts[y] + " event(s)";
      bar.appendChild(title);
      box.appendChild(bar);
    });
    var label = svg("text", {x: "2", y: "10", class: "axis"}); label.textContent = first + "–" + last + " (max " + top + ")";
    box.appendChild(label);
  }
  function pickYear(e) {
    var y = e.target.getAttribute && e.target.getAttribute("data-year");
    if (y) { yearSelect.value = yearSelect.value === y ? "" : y; update(); }
  }
  document.getElementById("timeline").addEventListener("click", pickYear);
  document.getElementById("timeline").addEventListener("keydown", function (e) {
    if (e.key === "Enter" || e.key === " ") { e.preventDefault(); pickYear(e); }
  });
  function renderMap() {
    var g = document.getElementById("points");
    g.textContent = "";
    if (!data.map) { document.getElementById("map-figure").hidden = true; return; }
    var lat = ev[data.map[0]], lon = ev[data.map[1]], place = ev[data.map[2]] || [];
    var bins = {};
    matching.forEach(function (k) {
      if (lat[k] === null || lon[k] === null) { return; }
      var key = Math.round(lon[k] * 2) / 2 + " " + Math.round(lat[k] * 2) / 2;
      var b = bins[key] || (bins[key] = {lon: lon[k], lat: lat[k], n: 0, places: {}});
      b.n += 1; if (place[k]) { b.places[place[k]] = true; }
    });
    Object.keys(bins).forEach(function (key) {
      var b = bins[key];
      var c = svg("circle", {cx: String((b.lon + 180) * 10), cy: String((90 - b.lat) * 10),
                             r: String(12 + 6 * Math.sqrt(b.n)), class: "point"});
      var title = svg("title", {});
      title.textContent = Object.keys(b.places).slice(0, 5).join(", ") + ": " + b.n + " event(s)";
      c.appendChild(title);
      g.appendChild(c);
    });
  }

  function update() {
    matching = filter();
    page = 0;
    document.getElementById("count").textContent = matching.length + " of " + n + " events";
    document.getElementById("count").setAttribute("data-count", String(matching.length));
    renderTable(); renderTimeline(); renderMap();
  }
  update();
})();
