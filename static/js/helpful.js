// "Was this tip helpful?" without a page reload. The form works the same without this script.
(function () {
  "use strict";

  const form = document.querySelector("form[data-helpful]");
  if (!form) return;
  const status = form.querySelector(".helpful__status");
  const reason = form.querySelector(".helpful__reason");
  const buttons = form.querySelectorAll(".helpful__buttons button");

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    const data = new FormData(form, event.submitter);
    let response;
    try {
      response = await fetch(form.action, {
        method: "POST",
        body: data,
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
    } catch (error) {
      form.submit(); // The network hiccupped: fall back to an ordinary post.
      return;
    }
    if (!response.ok) {
      status.textContent = response.status === 429
        ? "Please wait a moment before voting again."
        : "Sorry, that didn’t work. Please try again.";
      return;
    }
    const result = await response.json();
    const chosen = result.helpful ? "yes" : "no";
    buttons.forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.value === chosen));
    });
    status.textContent = result.message;
    reason.hidden = !result.ask_reason;
    if (result.ask_reason) reason.querySelector("textarea").focus();
  });
})();
