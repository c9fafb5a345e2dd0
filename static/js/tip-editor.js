// The tip change form: a live preview beside the Markdown box, copyable image snippets, and a
// question before leaving with unsaved edits. The preview is rendered by the server with the
// public page's own function (TipAdmin.preview_view), so what it shows is what readers get.
(function () {
  "use strict";

  var DELAY_MS = 400;

  function preview(source) {
    var form = source.form;
    var panel = document.createElement("section");
    panel.className = "tip-preview";
    panel.setAttribute("aria-labelledby", "tip-preview-heading");
    panel.innerHTML =
      '<p class="tip-preview__heading" id="tip-preview-heading">Preview: what readers will see</p>' +
      '<ul class="tip-preview__problems errorlist" hidden></ul>' +
      '<div class="tip-preview__body" aria-live="polite"></div>';
    var wrapper = document.createElement("div");
    wrapper.className = "tip-editor";
    source.parentNode.insertBefore(wrapper, source);
    wrapper.appendChild(source);
    wrapper.appendChild(panel);

    var body = panel.querySelector(".tip-preview__body");
    var problems = panel.querySelector(".tip-preview__problems");
    var timer = null;
    var sent = 0;

    function render() {
      var number = ++sent;
      var data = new FormData();
      data.append("body", source.value);
      data.append("tip", source.dataset.tip || "");
      var token = form.querySelector("input[name=csrfmiddlewaretoken]");
      fetch(source.dataset.previewUrl, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRFToken": token ? token.value : "" },
      })
        .then(function (response) {
          if (!response.ok) throw new Error("preview " + response.status);
          return response.json();
        })
        .then(function (result) {
          if (number !== sent) return; // an older answer arriving late
          body.innerHTML = result.html;
          problems.textContent = "";
          result.problems.forEach(function (text) {
            var item = document.createElement("li");
            item.textContent = text;
            problems.appendChild(item);
          });
          problems.hidden = result.problems.length === 0;
          panel.classList.remove("tip-preview--stale");
        })
        .catch(function () {
          panel.classList.add("tip-preview--stale");
        });
    }

    source.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(render, DELAY_MS);
    });
    render();
  }

  function snippets() {
    document.querySelectorAll("input.tip-image-snippet").forEach(function (input) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button tip-image-snippet__copy";
      button.textContent = "Copy";
      button.setAttribute("aria-label", "Copy " + input.getAttribute("aria-label").toLowerCase());
      input.insertAdjacentElement("afterend", button);
      input.addEventListener("focus", function () { input.select(); });
      button.addEventListener("click", function () {
        input.select();
        var done = function () { button.textContent = "Copied"; };
        if (navigator.clipboard) {
          navigator.clipboard.writeText(input.value).then(done, function () {});
        } else if (document.execCommand("copy")) {
          done();
        }
      });
    });
  }

  function guardUnsaved(form) {
    // A form sent back with errors holds edits that are not saved yet.
    var dirty = document.querySelector(".errornote, .errorlist li") !== null;
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("change", function () { dirty = true; });
    form.addEventListener("submit", function () { dirty = false; });
    window.addEventListener("beforeunload", function (event) {
      if (!dirty) return;
      event.preventDefault();
      event.returnValue = "";
    });
  }

  function start() {
    var source = document.querySelector("textarea.tip-editor__source");
    if (!source) return;
    preview(source);
    snippets();
    guardUnsaved(source.form);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
