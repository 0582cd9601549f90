// The command palette (Ctrl+K / ⌘K) and saving a list's view (issue 16). Our own
// script: no inline scripts or styles (strict CSP). The palette follows the ARIA
// combobox pattern: the input keeps focus, aria-activedescendant names the active
// option, arrows move, Enter opens, Escape closes and focus returns where it was.
(function () {
  "use strict";

  var dialog = document.getElementById("palette");
  if (dialog && typeof dialog.showModal === "function") {
    var input = dialog.querySelector("[role=combobox]");
    var results = document.getElementById("palette-results");
    var status = document.getElementById("palette-status");
    var opener = null;
    var active = -1;
    var timer = null;
    var controller = null;
    var pending = Promise.resolve();
    var shown = null; // the query the options on screen answer

    var options = function () {
      return Array.prototype.slice.call(results.querySelectorAll("[role=option]"));
    };

    var setActive = function (index) {
      var all = options();
      active = all.length ? Math.max(-1, Math.min(index, all.length - 1)) : -1;
      all.forEach(function (option, i) {
        option.setAttribute("aria-selected", i === active ? "true" : "false");
      });
      if (active >= 0) {
        input.setAttribute("aria-activedescendant", all[active].id);
        all[active].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    };

    var load = function (query) {
      if (controller) controller.abort();
      controller = new AbortController();
      var url = new URL(dialog.getAttribute("data-url"), window.location.href);
      if (query) url.searchParams.set("q", query);
      pending = fetch(url, {
        headers: { "X-Palette": "1" },
        credentials: "same-origin",
        signal: controller.signal,
      })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.text();
        })
        .then(function (html) {
          results.innerHTML = html;
          shown = query;
          var count = options().length;
          input.setAttribute("aria-expanded", count ? "true" : "false");
          setActive(count ? 0 : -1);
          var listbox = document.getElementById("palette-listbox");
          status.textContent = listbox ? listbox.getAttribute("data-summary") || "" : "";
        })
        .catch(function (error) {
          if (error && error.name === "AbortError") return;
          status.textContent = dialog.getAttribute("data-error");
        });
      return pending;
    };

    var open = function () {
      if (dialog.open) {
        input.focus();
        return;
      }
      opener = document.activeElement;
      input.value = "";
      dialog.showModal();
      input.focus();
      load("");
    };

    dialog.addEventListener("close", function () {
      if (controller) controller.abort();
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      if (opener && typeof opener.focus === "function") opener.focus();
      opener = null;
    });

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        load(input.value.trim());
      }, 120);
    });

    input.addEventListener("keydown", function (event) {
      var count = options().length;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (count) setActive(active + 1 >= count ? 0 : active + 1);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        if (count) setActive(active <= 0 ? count - 1 : active - 1);
      } else if (event.key === "Home" && event.ctrlKey) {
        event.preventDefault();
        setActive(0);
      } else if (event.key === "End" && event.ctrlKey) {
        event.preventDefault();
        setActive(count - 1);
      } else if (event.key === "Enter") {
        event.preventDefault();
        var go = function () {
          var chosen = options()[active];
          if (chosen) window.location.assign(chosen.href);
        };
        // Typed faster than the answer came: open what the typed query finds.
        if (shown !== input.value.trim()) {
          window.clearTimeout(timer);
          load(input.value.trim()).then(go);
        } else {
          pending.then(go);
        }
      }
    });

    results.addEventListener("mousemove", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) setActive(options().indexOf(option));
    });

    // A click on the backdrop (outside the box) closes it, as Escape does.
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog) dialog.close();
    });

    document.addEventListener("keydown", function (event) {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey && (event.key === "k" || event.key === "K")) {
        event.preventDefault();
        open();
      }
    });

    document.querySelectorAll("[data-palette-open]").forEach(function (button) {
      button.addEventListener("click", open);
    });
  }

  // "Save this view": the filters the list shows now are on the address (htmx pushes
  // them as they change), not necessarily those the page was first rendered with.
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("[data-save-view]");
    if (!form) return;
    var field = form.querySelector("[data-current-query]");
    if (field) field.value = window.location.search.replace(/^\?/, "");
  });

  // A share link's text is selected when it gets focus, ready to copy.
  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("[data-select-on-focus]")) event.target.select();
  });
})();
