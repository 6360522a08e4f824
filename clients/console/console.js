// console.js - expertd-console's script, served by the console itself
// (no CDN). It only enhances the page, whose tables are complete without
// it: the live dispatch log over Server-Sent Events (/events), and the
// fairness chart drawn as inline SVG from /api/stats.json. The words come
// from the page's JSON data block (#words), in the page's language; times
// are shown in China Standard Time, labelled.
'use strict';
(function () {
  var W = {types: {}, events: {}};
  var SVG = 'http://www.w3.org/2000/svg';

  function cst(at) {
    var d = new Date((at + 8 * 3600) * 1000).toISOString();
    return d.slice(0, 10) + ' ' + d.slice(11, 19) + ' ' + W.cst;
  }

  function cell(tr, text, cls) {
    var td = document.createElement('td');
    td.textContent = text;
    if (cls) td.className = cls;
    tr.appendChild(td);
  }

  // What an entry is about, in a line: task, expert, seat, panel, event.
  function summary(e) {
    var b = e.entry, parts = [];
    if (!b || typeof b !== 'object') return '';
    if (b.task != null) parts.push(W.task + ' ' + b.task);
    var x = b.expert;
    if (x && typeof x === 'object') parts.push(W.expert + ' ' + x.id + (x.name ? ' ' + x.name : ''));
    else if (x != null) parts.push(W.expert + ' ' + x);
    if (b.assignment != null) parts.push(W.seat + ' ' + b.assignment);
    if (Array.isArray(b.panel) && b.panel.length) {
      parts.push(W.panel + ' ' + b.panel.map(function (id, i) {
        var n = Array.isArray(b.panel_names) ? b.panel_names[i] : null;
        return n ? id + ' ' + n : String(id);
      }).join(', '));
    }
    if (W.events[b.event]) parts.push(W.events[b.event]);
    if (b.score != null) parts.push(W.score + ' ' + b.score);
    return parts.length ? parts.join(' · ') : JSON.stringify(b);
  }

  function show(log, e) {
    var tr = document.createElement('tr');
    tr.setAttribute('data-seq', e.seq);
    tr.setAttribute('data-type', e.type);
    cell(tr, String(e.seq));
    cell(tr, cst(e.at));
    cell(tr, W.types[e.type] || e.type);
    cell(tr, summary(e), 'body');
    tr.title = JSON.stringify(e.entry);
    log.insertBefore(tr, log.firstChild);
    while (log.rows.length > 1000) log.deleteRow(-1);
  }

  function live() {
    var st = document.getElementById('state'), log = document.getElementById('log');
    var es = new EventSource('/events');
    es.onopen = function () { st.textContent = W.open; st.className = 'up'; };
    es.onerror = function () { st.textContent = W.retry; st.className = 'wait'; };
    es.onmessage = function (m) { show(log, JSON.parse(m.data)); };
    es.addEventListener('notice', function (m) {
      st.textContent = JSON.parse(m.data);
      st.className = 'bad';
    });
  }

  function el(name, attrs, text) {
    var n = document.createElementNS(SVG, name);
    for (var k in attrs) n.setAttribute(k, attrs[k]);
    if (text != null) n.textContent = text;
    return n;
  }

  // One row per expert of stats' most_drawn: a bar for the seats, a mark
  // at the expected share; a bar past its mark is drawn as such.
  function chart(box, stats) {
    var list = stats.most_drawn || [];
    if (!list.length) { box.textContent = W.nochart; return; }
    var max = 0, row = 22, left = 170, width = 420;
    list.forEach(function (e) { max = Math.max(max, e.seats, e.expected); });
    var h = row * list.length + 30;
    var svg = el('svg', {viewBox: '0 0 ' + (left + width + 70) + ' ' + h, role: 'img',
                         'aria-label': W.chart, width: '100%'});
    svg.appendChild(el('title', {}, W.chart));
    list.forEach(function (e, i) {
      var y = 20 + i * row, w = max ? e.seats / max * width : 0;
      var x = max ? left + e.expected / max * width : left;
      var g = el('g', {'data-expert': e.expert});
      g.appendChild(el('text', {x: left - 6, y: y + 14, 'class': 'label'}, e.expert + ' ' + e.name));
      g.appendChild(el('rect', {x: left, y: y + 3, width: Math.max(w, 1), height: row - 8,
                                'class': 'seats' + (e.seats > e.expected ? ' over' : ''),
                                'data-expert': e.expert, 'data-seats': e.seats}));
      g.appendChild(el('line', {x1: x, x2: x, y1: y, y2: y + row - 2, 'class': 'expected',
                                'data-expected': e.expected}));
      g.appendChild(el('text', {x: left + Math.max(w, 1) + 4, y: y + 14, 'class': 'value'},
                       e.seats + ' / ' + e.expected.toFixed(2)));
      g.appendChild(el('title', {}, e.expert + ' ' + e.name + ': ' + W.seats + ' ' + e.seats +
                       ', ' + W.expected + ' ' + e.expected.toFixed(2)));
      svg.appendChild(g);
    });
    svg.appendChild(el('text', {x: left, y: 12, 'class': 'legend'}, W.chart));
    box.appendChild(svg);
  }

  document.addEventListener('DOMContentLoaded', function () {
    try { W = JSON.parse(document.getElementById('words').textContent); } catch (err) { }
    live();
    var box = document.getElementById('chart');
    if (box && window.fetch) {
      fetch(box.getAttribute('data-src'), {credentials: 'same-origin'})
        .then(function (r) { return r.json(); })
        .then(function (s) { if (!s.error) chart(box, s); else box.textContent = s.error; })
        .catch(function (err) { box.textContent = String(err); });
    }
  });
}());
