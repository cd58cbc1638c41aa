/*
 * The sign-in page's script (`<path>/static/login.js`). It turns the form post into a JSON `fetch`, shows errors in
 * the alert region without reloading, and then goes to `next`. Without it the plain form post does the same job.
 * Plain ES2017 in a classic script, for every browser the page supports.
 */
(function () {
  'use strict';
  var form = document.getElementById('login-form');
  var alertRegion = document.getElementById('login-error');
  if (!form || !alertRegion || typeof window.fetch !== 'function') return;
  var button = document.getElementById('login-submit');
  var username = form.elements.namedItem('username');
  var password = form.elements.namedItem('password');
  var next = form.elements.namedItem('next');
  var label = button ? button.textContent : '';

  var messages = {
    400: 'Enter your user name and password.',
    401: 'Wrong user name or password.',
    403: 'This sign-in request was refused. Reload the page and try again.',
    503: 'Sign-in is unavailable right now. Please try again in a moment.',
  };
  // The same words as the page the server renders for a form post past the limit.
  function tooMany(retryAfter) {
    var seconds = parseInt(retryAfter || '', 10);
    if (!(seconds > 0)) return 'Too many failed sign-ins. Try again later.';
    var minutes = Math.ceil(seconds / 60);
    var wait =
      seconds < 60
        ? seconds + (seconds === 1 ? ' second' : ' seconds')
        : minutes + (minutes === 1 ? ' minute' : ' minutes');
    return 'Too many failed sign-ins. Try again in ' + wait + '.';
  }

  function setBusy(busy) {
    form.setAttribute('aria-busy', busy ? 'true' : 'false');
    if (button) {
      button.disabled = busy;
      button.textContent = busy ? 'Signing in…' : label;
    }
  }

  function showError(message) {
    alertRegion.textContent = message;
    username.setAttribute('aria-invalid', 'true');
    password.setAttribute('aria-invalid', 'true');
    password.value = '';
    password.focus();
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    alertRegion.textContent = '';
    setBusy(true);
    fetch(form.action, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ username: username.value, password: password.value, next: next.value }),
    })
      .then(function (response) {
        // Read the (small) body before acting, so no request is left half-done when the page navigates away.
        return response.text().then(
          function () {
            return response;
          },
          function () {
            return response;
          },
        );
      })
      .then(function (response) {
        if (response.ok) {
          // The server checked next when it rendered the page; replace() keeps the login page out of history.
          window.location.replace(next.value || '/');
          return;
        }
        setBusy(false);
        showError(
          response.status === 429
            ? tooMany(response.headers.get('Retry-After'))
            : messages[response.status] || 'Sign-in failed. Please try again.',
        );
      })
      .catch(function () {
        setBusy(false);
        showError('The server could not be reached. Check your connection and try again.');
      });
  });
})();
