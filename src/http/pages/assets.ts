// The script and stylesheet of the first-run pages, served from /pages/* so the pages' CSP can
// forbid inline code. The script posts form fields as JSON to the API and shows errors as text.

export const PAGES_JS = `'use strict';
(function () {
  var form = document.querySelector('form[data-endpoint]');
  var errorBox = document.getElementById('error');
  function showError(message) {
    if (!errorBox) return;
    errorBox.textContent = message;
    errorBox.hidden = false;
  }
  if (form) {
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var body = {};
      new FormData(form).forEach(function (value, key) {
        if (typeof value === 'string' && value.trim() !== '') body[key] = value;
      });
      var button = form.querySelector('button');
      if (button) button.disabled = true;
      fetch(form.getAttribute('data-endpoint'), {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body)
      }).then(function (res) {
        if (res.ok) { window.location.assign('/'); return; }
        return res.json().catch(function () { return null; }).then(function (data) {
          var msg = data && data.error && data.error.message ? data.error.message : 'Request failed (' + res.status + ')';
          if (res.status === 429 && res.headers.get('retry-after')) msg += ' (retry in ' + res.headers.get('retry-after') + ' s)';
          showError(msg);
        });
      }).catch(function () {
        showError('Could not reach the server.');
      }).then(function () {
        if (button) button.disabled = false;
      });
    });
  }
  var logout = document.getElementById('logout');
  if (logout) {
    logout.addEventListener('click', function () {
      var meta = document.querySelector('meta[name="csrf-token"]');
      fetch('/api/v1/auth/logout', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'x-csrf-token': meta ? meta.getAttribute('content') : '' }
      }).then(function () { window.location.assign('/login'); });
    });
  }
})();
`;

export const PAGES_CSS = `*{box-sizing:border-box}
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#f5f6f8;color:#1d2430}
main{max-width:26rem;margin:8vh auto;background:#fff;padding:2rem;border-radius:10px;box-shadow:0 1px 4px rgba(0,0,0,.08)}
h1{font-size:1.4rem;margin:0 0 1rem}
label{display:block;margin:.8rem 0 .2rem;font-weight:600;font-size:.9rem}
input,textarea{width:100%;padding:.55rem .65rem;border:1px solid #c9ced6;border-radius:6px;font:inherit}
textarea{min-height:4.5rem}
button{margin-top:1.2rem;width:100%;padding:.65rem;border:0;border-radius:6px;background:#2456d3;color:#fff;font:inherit;font-weight:600;cursor:pointer}
button:disabled{opacity:.6}
.hint{color:#5b6472;font-size:.85rem;margin:.2rem 0 0}
.error{background:#fdecec;color:#8a1c1c;padding:.6rem .8rem;border-radius:6px;margin-top:1rem}
a{color:#2456d3}
`;
