// The header's topic menu as a disclosure button: Enter or Space opens it, Tab walks its links,
// Escape closes it and returns to the button, and so does a click or focus anywhere else.
// Without this script "Topics" stays a link to the home page's list of topic sites.
(function () {
  "use strict";

  const menu = document.querySelector("[data-topic-menu]");
  if (!menu) return;
  const button = menu.querySelector("button.topic-menu__toggle");
  const fallback = menu.querySelector(".topic-menu__fallback");
  const panel = document.getElementById(button.getAttribute("aria-controls"));

  fallback.hidden = true;
  button.hidden = false;

  function isOpen() {
    return button.getAttribute("aria-expanded") === "true";
  }

  function setOpen(open) {
    button.setAttribute("aria-expanded", String(open));
    panel.hidden = !open;
  }

  button.addEventListener("click", function () {
    setOpen(!isOpen());
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !isOpen()) return;
    setOpen(false);
    button.focus();
  });

  document.addEventListener("click", function (event) {
    if (isOpen() && !menu.contains(event.target)) setOpen(false);
  });

  menu.addEventListener("focusout", function (event) {
    if (isOpen() && event.relatedTarget && !menu.contains(event.relatedTarget)) setOpen(false);
  });
})();
