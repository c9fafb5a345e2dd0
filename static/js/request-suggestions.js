// "Maybe one of these helps": published tips that may already answer the question being typed.
// The form works the same without this script.
(function () {
  "use strict";

  const form = document.querySelector("form[data-suggestions-url]");
  if (!form) return;
  const input = form.querySelector("input[name='question']");
  const box = form.querySelector(".suggestions");
  const list = box.querySelector(".suggestions__list");
  const endpoint = form.dataset.suggestionsUrl;
  let timer = null;
  let latest = 0;

  function render(results) {
    list.replaceChildren();
    for (const tip of results) {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = tip.url;
      link.textContent = tip.title;
      const detail = document.createElement("span");
      detail.className = "suggestions__detail";
      detail.textContent = " — " + tip.question + " (" + tip.topic + ")";
      item.append(link, detail);
      list.append(item);
    }
    box.hidden = results.length === 0;
  }

  async function lookUp() {
    const query = input.value.trim();
    const ticket = ++latest;
    if (query.length < 3) {
      render([]);
      return;
    }
    try {
      const response = await fetch(endpoint + "?q=" + encodeURIComponent(query), {
        headers: { Accept: "application/json" },
      });
      if (!response.ok || ticket !== latest) return;
      const data = await response.json();
      if (ticket === latest) render(data.results);
    } catch (error) {
      render([]); // Suggestions are a nicety; the form still works.
    }
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(lookUp, 250);
  });
  if (input.value) lookUp();
})();
