// catmaid-codegen API reference: the index filter and the "Try it" form. Plain browser code,
// no network but the request the user sends; works from file:// and from any host.
(function () {
  'use strict';

  // ---- Index: filter as you type over every operation (the list is in the page).
  var search = document.getElementById('search');
  if (search) {
    var entries = JSON.parse(search.textContent);
    var text = {};
    entries.forEach(function (e) { text[e.id] = e.text; });
    var q = document.getElementById('q');
    var showDoc = document.getElementById('show-documented');
    var showVol = document.getElementById('show-volatile');
    var onlyWrites = document.getElementById('only-writes');
    var count = document.getElementById('count');
    var rows = Array.prototype.slice.call(document.querySelectorAll('ul.ops li'));
    var groups = Array.prototype.slice.call(document.querySelectorAll('section.group'));
    var apply = function () {
      var words = q.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      rows.forEach(function (li) {
        var t = text[li.getAttribute('data-id')] || '';
        var documented = li.getAttribute('data-documented') === '1';
        var ok = words.every(function (w) { return t.indexOf(w) >= 0; }) &&
          (documented ? showDoc.checked : showVol.checked) &&
          (!onlyWrites.checked || li.getAttribute('data-writes') === '1');
        li.hidden = !ok;
        if (ok) shown++;
      });
      groups.forEach(function (g) { g.hidden = !g.querySelector('li:not([hidden])'); });
      count.textContent = shown + ' operation' + (shown === 1 ? '' : 's') + ' shown';
    };
    [q, showDoc, showVol, onlyWrites].forEach(function (el) { el.addEventListener('input', apply); el.addEventListener('change', apply); });
    apply();
  }

  // ---- Copy buttons.
  Array.prototype.forEach.call(document.querySelectorAll('button[data-copy]'), function (button) {
    button.addEventListener('click', function () {
      var pre = document.getElementById(button.getAttribute('data-copy'));
      if (navigator.clipboard && pre) navigator.clipboard.writeText(pre.textContent).then(function () { button.textContent = 'Copied'; });
    });
  });

  // ---- Try it: the SDK runtime's own encoding (window.CatmaidRuntime, assets/runtime.js).
  var form = document.getElementById('try-form');
  var specNode = document.getElementById('spec');
  if (!form || !specNode || !window.CatmaidRuntime) return;
  var spec = JSON.parse(specNode.textContent);
  var result = document.getElementById('try-result');
  var show = function (lines, body) {
    result.textContent = '';
    var p = document.createElement('p');
    p.textContent = lines;
    result.appendChild(p);
    if (body !== undefined) {
      var pre = document.createElement('pre');
      pre.textContent = typeof body === 'string' ? body : JSON.stringify(body, null, 2);
      result.appendChild(pre);
    }
  };
  var valueOf = function (input) {
    var raw = input.value.trim();
    if (raw === '') return undefined;
    var type = input.getAttribute('data-type');
    if (type === 'boolean') return raw === 'true';
    if (type === 'integer' || type === 'number') return Number(raw);
    if (type === 'array') {
      if (raw.charAt(0) === '[') return JSON.parse(raw);
      return raw.split(',').map(function (s) { s = s.trim(); return s !== '' && !isNaN(Number(s)) ? Number(s) : s; });
    }
    return raw;
  };
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    if (form.getAttribute('data-writes') === '1' && !window.confirm('This operation changes data on ' + form.base.value + '. Send it?')) {
      show('Not sent.');
      return;
    }
    var params = {};
    Array.prototype.forEach.call(form.querySelectorAll('[data-param]'), function (input) {
      var p = spec.params[Number(input.getAttribute('data-param'))];
      var value;
      try { value = valueOf(input); } catch (e) { value = input.value; }
      if (value !== undefined) params[p.key || p.name] = value;
    });
    var answered = null;
    var recordingFetch = function (input, init) {
      return fetch(input, init).then(function (response) { answered = response; return response; });
    };
    var token = form.token.value;
    var client = window.CatmaidRuntime.createClient(Object.assign({ baseUrl: form.base.value.replace(/\/+$/, ''), fetch: recordingFetch }, token ? { token: token } : {}));
    var started = performance.now();
    show('Sending…');
    window.CatmaidRuntime.call(client, spec, params, {}).then(function (body) {
      var ms = Math.round(performance.now() - started);
      show((answered ? answered.status + ' ' + answered.statusText : 'answered') + ' in ' + ms + ' ms', body instanceof Blob ? '(' + body.size + ' bytes of ' + (body.type || 'data') + ')' : body);
    }, function (error) {
      var ms = Math.round(performance.now() - started);
      show((error.status ? error.status + ' ' : '') + 'error in ' + ms + ' ms: ' + error.message, error.body);
    });
  });
})();
