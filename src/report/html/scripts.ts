/**
 * @module
 * The small scripts inlined in pages: filtering and sorting a table, searching the pack index,
 * copying a query. They read values only from the page's own text and attributes (or a JSON
 * data block) and write them back only as text (`textContent`, never `innerHTML`), so a value
 * cannot become markup here either. Each page's policy allows its script by hash.
 */

/**
 * Filters (`#filter-text`, and each `select[data-filter]` on the row attribute it names) and
 * sorts (`th button[data-sort]`: `text` or `number`, by a cell's `data-v` or its text) the
 * rows of `table.filterable`; `#filter-count` says how many are shown.
 */
export const TABLE_SCRIPT = `
(function () {
  var table = document.querySelector('table.filterable');
  if (!table) return;
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var haystack = rows.map(function (r) { return r.textContent.toLowerCase(); });
  var text = document.getElementById('filter-text');
  var selects = Array.prototype.slice.call(document.querySelectorAll('select[data-filter]'));
  var count = document.getElementById('filter-count');
  function apply() {
    var q = text ? text.value.trim().toLowerCase() : '';
    var shown = 0;
    rows.forEach(function (row, i) {
      var ok = q === '' || haystack[i].indexOf(q) !== -1;
      selects.forEach(function (s) {
        if (ok && s.value !== '' && row.getAttribute('data-' + s.getAttribute('data-filter')) !== s.value) ok = false;
      });
      row.hidden = !ok;
      if (ok) shown++;
    });
    if (count) count.textContent = shown + ' of ' + rows.length + ' shown';
  }
  if (text) text.addEventListener('input', apply);
  selects.forEach(function (s) { s.addEventListener('change', apply); });
  var buttons = Array.prototype.slice.call(table.querySelectorAll('th button[data-sort]'));
  buttons.forEach(function (button) {
    button.addEventListener('click', function () {
      var th = button.parentNode;
      var column = Array.prototype.indexOf.call(th.parentNode.children, th);
      var ascending = th.getAttribute('aria-sort') !== 'ascending';
      var numeric = button.getAttribute('data-sort') === 'number';
      buttons.forEach(function (b) { b.parentNode.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
      var keyed = rows.map(function (row, i) {
        var cell = row.cells[column];
        var v = cell ? (cell.hasAttribute('data-v') ? cell.getAttribute('data-v') : cell.textContent) : '';
        return { row: row, i: i, v: numeric ? (v === '' ? -Infinity : Number(v)) : v.toLowerCase() };
      });
      keyed.sort(function (a, b) {
        var c = a.v < b.v ? -1 : a.v > b.v ? 1 : 0;
        return (ascending ? c : -c) || a.i - b.i;
      });
      rows = keyed.map(function (k) { return k.row; });
      haystack = rows.map(function (r) { return r.textContent.toLowerCase(); });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
  apply();
})();
`

/**
 * The index's search box: filters the pack rows by their \`data-search\` text or the indicators they hold, and lists the
 * indicators whose value holds the query (refanged: \`[.]\`, \`hxxp\`), from the
 * \`#search-data\` block: \`{"packs": [[id, name]], "values": [[value, kind, pack]]}\`.
 */
export const SEARCH_SCRIPT = `
(function () {
  var input = document.getElementById('search');
  if (!input) return;
  var rows = Array.prototype.slice.call(document.querySelectorAll('#packs tbody tr'));
  var data = JSON.parse(document.getElementById('search-data').textContent);
  var list = document.getElementById('search-results');
  var status = document.getElementById('search-status');
  var limit = 50;
  function refang(q) {
    return q.replace(/\\[\\.\\]|\\(\\.\\)|\\{\\.\\}/g, '.').replace(/^hxxp/, 'http').replace(/\\[:\\]/g, ':');
  }
  function apply() {
    var q = refang(input.value.trim().toLowerCase());
    while (list.firstChild) list.removeChild(list.firstChild);
    var holding = {};
    var found = 0;
    if (q !== '') {
      for (var i = 0; i < data.values.length; i++) {
        var v = data.values[i];
        if (v[0].toLowerCase().indexOf(q) === -1) continue;
        holding[v[2]] = true;
        found++;
        if (found > limit) continue;
        var pack = data.packs[v[2]];
        var item = document.createElement('li');
        var code = document.createElement('code');
        code.textContent = v[0];
        var link = document.createElement('a');
        link.href = encodeURIComponent(pack[0]) + '/index.html';
        link.textContent = pack[1];
        item.appendChild(code);
        item.appendChild(document.createTextNode(' ' + v[1] + ' in '));
        item.appendChild(link);
        list.appendChild(item);
      }
    }
    var packs = 0;
    rows.forEach(function (row) {
      var ok = q === '' || row.getAttribute('data-search').indexOf(q) !== -1 || holding[row.getAttribute('data-pack')] === true;
      row.hidden = !ok;
      if (ok) packs++;
    });
    status.textContent = q === '' ? '' : packs + ' of ' + rows.length + ' packs; ' + found + ' indicator' + (found === 1 ? '' : 's') + ' hold \\u201c' + q + '\\u201d' + (found > limit ? ' (first ' + limit + ' listed)' : '');
  }
  input.addEventListener('input', apply);
  apply();
})();
`

/** Copy buttons: \`button[data-copy]\` copies the text of the element whose id it names. */
export const COPY_SCRIPT = `
(function () {
  function fallback(text) {
    var area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.className = 'offscreen';
    document.body.appendChild(area);
    area.select();
    var ok = document.execCommand('copy');
    document.body.removeChild(area);
    return ok;
  }
  Array.prototype.slice.call(document.querySelectorAll('button[data-copy]')).forEach(function (button) {
    button.addEventListener('click', function () {
      var source = document.getElementById(button.getAttribute('data-copy'));
      var text = source ? source.textContent : '';
      function done(ok) {
        button.textContent = ok ? 'Copied' : 'Copy failed: select the text';
        setTimeout(function () { button.textContent = 'Copy'; }, 2000);
      }
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(fallback(text)); });
      } else {
        done(fallback(text));
      }
    });
  });
})();
`
