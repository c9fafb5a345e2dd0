// Pages served from the cache carry no CSRF token: it is a secret of one reader's, and the page
// is the same for all. A form gets the reader's own token as soon as they start to use it.
// Without this script the form still works: the site asks to confirm, then sends it.
(function () {
  "use strict";

  const url = document.documentElement.dataset.formToken;
  if (!url) return;
  let asked = null;

  function unfilled(form) {
    return Array.from(form.querySelectorAll('input[name="csrfmiddlewaretoken"]')).filter(
      function (field) { return field.value === ""; }
    );
  }

  function token() {
    asked = asked || fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("token: " + response.status);
        return response.json();
      })
      .then(function (data) { return data.csrf; })
      .catch(function (error) { asked = null; throw error; });
    return asked;
  }

  function fill(form) {
    const fields = unfilled(form);
    if (!fields.length) return Promise.resolve();
    return token().then(function (value) {
      fields.forEach(function (field) { field.value = value; });
    });
  }

  // Ask early, while the reader is still typing, so sending is not held up.
  document.addEventListener("focusin", function (event) {
    if (event.target.form) fill(event.target.form).catch(function () {});
  });

  // Capturing, so a form's own submit handler (helpful.js) only sees it once it has a token.
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!unfilled(form).length) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    const submitter = event.submitter;
    fill(form).then(
      function () { form.requestSubmit(submitter); },
      function () { form.submit(); } // No token to be had: the site asks to confirm instead.
    );
  }, true);
})();
