// framecheck's web page: sends the article to /v1/scan and shows the report over its text.
// No framework and nothing from the network but this server; article text is only ever
// inserted as text nodes, never as HTML.
'use strict';

(function () {
  // A technique the server does not list (a plugin's own) gets the HTML report's slate.
  var UNLISTED_COLOUR = '#5b7083';
  var EXTENSIONS = {txt: 'text', text: 'text', md: 'markdown', markdown: 'markdown', html: 'html', htm: 'html'};
  var techniques = {};
  var rules = {};
  var state = {report: null, request: null, name: 'document'};

  function $(id) { return document.getElementById(id); }

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function say(message, isError) {
    var status = $('status');
    status.textContent = message;
    status.className = isError ? 'error' : '';
  }

  function headers(json) {
    var result = {};
    if (json) { result['Content-Type'] = 'application/json'; }
    var token = sessionStorage.getItem('framecheck-token');
    if (token) { result.Authorization = 'Bearer ' + token; }
    return result;
  }

  function problemText(response, body) {
    if (body && body.detail) { return body.title + ': ' + body.detail; }
    return 'The service answered ' + response.status + '.';
  }

  function call(path, options) {
    return fetch(path, options).then(function (response) {
      if (response.ok) { return response; }
      return response.json().catch(function () { return null; }).then(function (body) {
        if (response.status === 401) {
          $('settings').open = true;
          $('token').focus();
        }
        throw new Error(problemText(response, body));
      });
    });
  }

  function scanRequest(output, includeText) {
    var body = {text: $('article').value, format: $('format').value, name: state.name, output: output,
      include_text: includeText};
    if ($('language').value) { body.language = $('language').value; }
    if ($('fail-on').value) { body.fail_on = $('fail-on').value; }
    return call('/v1/scan', {method: 'POST', headers: headers(true), body: JSON.stringify(body)});
  }

  function scan(event) {
    event.preventDefault();
    if (!$('article').value.trim()) { say('Paste an article or open a file first.', true); return; }
    sessionStorage.setItem('framecheck-token', $('token').value);
    $('scan').disabled = true;
    say('Scanning…');
    scanRequest('json', true).then(function (response) {
      return response.json();
    }).then(function (report) {
      state.report = report;
      render(report);
      var count = report.articles.length ? report.articles[0].findings.length : 0;
      say('Scanned: ' + count + (count === 1 ? ' finding.' : ' findings.'));
    }).catch(function (error) {
      say(error.message, true);
    }).finally(function () {
      $('scan').disabled = false;
    });
  }

  function colour(technique) {
    // The HTML report's colour for the technique (from /v1/techniques), so the two agree.
    return (techniques[technique] ? techniques[technique].colour : UNLISTED_COLOUR) + '55';
  }

  function active(finding) { return finding.suppression === null && !finding.baselined; }

  function classes(finding) {
    var names = ['fc', 'sev-' + finding.severity];
    if (finding.quote) { names.push('quoted'); }
    if (finding.part === 'boilerplate') { names.push('chrome'); }
    if (!active(finding)) { names.push('inactive'); }
    return names.join(' ');
  }

  // The text split at every finding's ends; each piece wrapped in a mark per finding covering
  // it, outermost first. A finding that spans pieces has several marks with one data-finding;
  // only its first is a tab stop.
  function highlighted(text, findings) {
    var fragment = document.createDocumentFragment();
    var cuts = [0, text.length];
    findings.forEach(function (f) { cuts.push(f.start, f.end); });
    cuts = cuts.filter(function (cut, i) { return cuts.indexOf(cut) === i; }).sort(function (a, b) { return a - b; });
    var order = findings.map(function (f, i) { return i; }).sort(function (a, b) {
      return findings[a].start - findings[b].start || findings[b].end - findings[a].end || a - b;
    });
    var started = {};
    for (var c = 0; c + 1 < cuts.length; c++) {
      var left = cuts[c], right = cuts[c + 1];
      var node = document.createTextNode(text.slice(left, right));
      var covering = order.filter(function (i) { return findings[i].start <= left && findings[i].end >= right; });
      for (var k = covering.length - 1; k >= 0; k--) {
        var index = covering[k], finding = findings[index];
        var mark = element('mark', {'class': classes(finding), 'data-finding': String(index),
          'title': finding.message});
        mark.style.setProperty('--mark', colour(finding.technique));
        if (!started[index]) {
          started[index] = true;
          mark.setAttribute('tabindex', '0');
          mark.setAttribute('role', 'button');
          mark.setAttribute('aria-label', finding.severity + ': ' + finding.message + ' (' + finding.rule_id + ')');
        }
        mark.appendChild(node);
        node = mark;
      }
      fragment.appendChild(node);
    }
    return fragment;
  }

  function render(report) {
    var article = report.articles[0];
    $('results').hidden = false;
    renderVerdict(report.summary);
    if (!article) { return; }
    var score = $('score');
    score.textContent = article.score.value;
    score.className = 'score band-' + article.score.band;
    $('band').textContent = article.score.band + ' (' + article.words + ' words, language ' + article.language + ')';
    $('counts').textContent = countsText(report.summary);
    renderBreakdown(article.score.by_technique);
    var text = $('text');
    text.textContent = '';
    text.appendChild(highlighted(article.text || '', article.findings));
    renderTable(article);
    $('detail').replaceChildren(element('p', {'class': 'help'},
      'Choose a highlight to see the rule, why it matters and what to write instead.'));
  }

  function countsText(summary) {
    var parts = Object.keys(summary.by_severity).map(function (key) { return summary.by_severity[key] + ' ' + key; });
    return parts.join(', ');
  }

  function renderVerdict(summary) {
    var verdict = $('verdict');
    if (summary.errors.length) {
      verdict.className = 'verdict failed';
      verdict.textContent = 'Not scanned: ' + summary.errors.join('; ');
    } else if (summary.incomplete.length) {
      verdict.className = 'verdict incomplete';
      verdict.textContent = 'The check is incomplete: ' + summary.incomplete.join('; ');
    } else if (summary.failed) {
      verdict.className = 'verdict failed';
      verdict.textContent = 'The check fails: ' + summary.failures.map(function (f) { return f.reason; }).join('; ');
    } else {
      verdict.className = 'verdict passed';
      verdict.textContent = 'The check passes.';
    }
  }

  function renderBreakdown(rows) {
    var body = $('breakdown').tBodies[0];
    body.textContent = '';
    rows.forEach(function (row) {
      var tr = element('tr');
      var name = element('td');
      var swatch = element('span', {'class': 'swatch', 'aria-hidden': 'true'});
      swatch.style.setProperty('--mark', colour(row.technique));
      name.append(swatch, document.createTextNode(techniques[row.technique] ? techniques[row.technique].name : row.technique));
      var share = element('td');
      var meter = element('meter', {min: '0', max: '100', value: String(row.share), 'aria-label': row.share + '%'});
      share.append(meter, document.createTextNode(' ' + row.share + '%'));
      tr.append(name, element('td', {}, row.findings), share);
      body.appendChild(tr);
    });
  }

  function renderTable(article) {
    var body = $('findings').tBodies[0];
    body.textContent = '';
    article.findings.forEach(function (finding, index) {
      var tr = element('tr', {'class': classes(finding).replace('fc ', '')});
      var where = element('td');
      var link = element('a', {href: '#', 'data-finding': String(index)}, finding.line + ':' + finding.column);
      link.addEventListener('click', function (event) { event.preventDefault(); focusFinding(index); });
      where.appendChild(link);
      var severity = element('td');
      severity.appendChild(element('span', {'class': 'badge ' + finding.severity}, finding.severity));
      tr.append(where, severity, element('td', {}, finding.rule_id), element('td', {}, finding.excerpt));
      body.appendChild(tr);
    });
  }

  function focusFinding(index) {
    var mark = document.querySelector('#text mark[data-finding="' + index + '"][tabindex]');
    if (mark) { mark.focus(); mark.scrollIntoView({block: 'center'}); }
    showDetail(index);
  }

  function rule(id) {
    if (rules[id]) { return Promise.resolve(rules[id]); }
    return call('/v1/rules/' + encodeURIComponent(id), {headers: headers(false)}).then(function (response) {
      return response.json();
    }).then(function (info) { rules[id] = info; return info; }).catch(function () { return null; });
  }

  function showDetail(index) {
    var finding = state.report.articles[0].findings[index];
    document.querySelectorAll('#text mark.current').forEach(function (m) { m.classList.remove('current'); });
    document.querySelectorAll('#text mark[data-finding="' + index + '"]').forEach(function (m) {
      m.classList.add('current');
    });
    rule(finding.rule_id).then(function (info) {
      var detail = $('detail');
      var technique = techniques[finding.technique];
      var parts = [element('h3', {}, finding.rule_id),
        element('p', {}, (technique ? technique.name : finding.technique) + ' · ' + finding.severity +
          ' · line ' + finding.line + ', column ' + finding.column),
        element('p', {}, finding.message)];
      if (finding.quote) { parts.push(element('p', {'class': 'help'}, 'Quoted speech: ' + finding.quote)); }
      if (finding.absorbed && finding.absorbed.length) {  // one device, one finding: the other rules on it
        parts.push(element('p', {'class': 'help'}, 'Also flagged by: ' + finding.absorbed.join(', ')));
      }
      if (info && info.why) { parts.push(element('p', {'class': 'why'}, 'Why: ' + info.why)); }
      var instead = info ? (info.replace || []).map(function (r) { return '“' + r + '”'; })
        .concat(info.suggest || []) : [];
      if (instead.length) {
        parts.push(element('p', {}, 'Instead:'));
        var list = element('ul');
        instead.forEach(function (s) { list.appendChild(element('li', {}, s)); });
        parts.push(list);
      }
      if (technique) { parts.push(element('p', {'class': 'help'}, technique.definition)); }
      detail.replaceChildren.apply(detail, parts);
    });
  }

  function onMark(event) {
    var mark = event.target.closest('mark[data-finding]');
    if (!mark) { return; }
    if (event.type === 'keydown' && event.key !== 'Enter' && event.key !== ' ') { return; }
    event.preventDefault();
    showDetail(Number(mark.getAttribute('data-finding')));
  }

  function save(content, type, extension) {
    var link = element('a', {download: state.name.replace(/\.[^.]*$/, '') + '.framecheck.' + extension});
    link.href = URL.createObjectURL(new Blob([content], {type: type}));
    document.body.appendChild(link);
    link.click();
    setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
  }

  function download(kind) {
    if (kind === 'json') {
      var copy = JSON.parse(JSON.stringify(state.report));
      copy.articles.forEach(function (article) { delete article.text; });
      save(JSON.stringify(copy, null, 2) + '\n', 'application/json', 'json');
      return;
    }
    scanRequest(kind, false).then(function (response) { return response.text(); }).then(function (content) {
      save(content, kind === 'sarif' ? 'application/sarif+json' : 'text/html', kind === 'sarif' ? 'sarif' : 'html');
    }).catch(function (error) { say(error.message, true); });
  }

  function openFile(file) {
    if (!file) { return; }
    var extension = (file.name.split('.').pop() || '').toLowerCase();
    file.text().then(function (text) {
      $('article').value = text;
      state.name = file.name;
      $('format').value = EXTENSIONS[extension] || 'auto';
      say('Opened ' + file.name + '.');
    });
  }

  function toggles() {
    document.body.classList.toggle('hide-quotes', !$('show-quotes').checked);
    document.body.classList.toggle('hide-chrome', !$('show-chrome').checked);
    document.body.classList.toggle('hide-suppressed', !$('show-suppressed').checked);
  }

  function start() {
    $('token').value = sessionStorage.getItem('framecheck-token') || '';
    $('scan-form').addEventListener('submit', scan);
    $('article').addEventListener('input', function () { state.name = 'document'; });
    $('file').addEventListener('change', function () { openFile($('file').files[0]); });
    var drop = $('drop');
    ['dragenter', 'dragover'].forEach(function (type) {
      drop.addEventListener(type, function (event) { event.preventDefault(); drop.classList.add('over'); });
    });
    ['dragleave', 'drop'].forEach(function (type) {
      drop.addEventListener(type, function () { drop.classList.remove('over'); });
    });
    drop.addEventListener('drop', function (event) {
      event.preventDefault();
      openFile(event.dataTransfer.files[0]);
    });
    $('text').addEventListener('click', onMark);
    $('text').addEventListener('keydown', onMark);
    ['show-quotes', 'show-chrome', 'show-suppressed'].forEach(function (id) { $(id).addEventListener('change', toggles); });
    document.querySelectorAll('[data-download]').forEach(function (button) {
      button.addEventListener('click', function () { download(button.getAttribute('data-download')); });
    });
    toggles();
    fetch('/v1/techniques', {headers: headers(false)}).then(function (r) { return r.ok ? r.json() : {techniques: []}; })
      .then(function (body) {
        body.techniques.forEach(function (t) { techniques[t.id] = t; });
      });
    fetch('/v1/version', {headers: headers(false)}).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) { if (body) { $('version').textContent = 'framecheck ' + body.version; } });
    document.body.setAttribute('data-ready', 'true');
  }

  start();
}());
