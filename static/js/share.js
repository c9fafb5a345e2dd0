// "Copy link" on a tip page: the Clipboard API, with a confirmation a screen reader announces.
// Without this script (or a clipboard) the page shows the link in a field to copy by hand.
(function () {
  "use strict";

  const button = document.querySelector("[data-copy-link]");
  if (!button || !navigator.clipboard) return;
  const address = document.querySelector("[data-share-address]");
  const field = address.querySelector("input");
  const status = document.querySelector("[data-share-status]");

  button.hidden = false;
  address.hidden = true;
  button.addEventListener("click", async function () {
    try {
      await navigator.clipboard.writeText(button.dataset.copyLink);
      status.textContent = "Link copied. Paste it wherever you like.";
    } catch (error) {
      // The browser refused (permissions, an iframe): offer the link to copy by hand.
      address.hidden = false;
      field.focus();
      field.select();
      status.textContent = "Copy the link from the field below.";
    }
  });
})();
