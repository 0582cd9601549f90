// Our only script on every page besides htmx. No inline scripts: the pages work under a strict CSP.
(function () {
  "use strict";

  // Scripted: the narrow screen's menu folds away (CSS hides it only under .js, so
  // without JavaScript it always shows). Run in <head>, before the first paint.
  document.documentElement.classList.add("js");

  // The menu button of the narrow screen's top bar: opens and closes the sections;
  // Escape closes them and returns focus to the button.
  function setMenu(button, open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    button.closest(".site-header").classList.toggle("nav-open", open);
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".nav-toggle");
    if (button) setMenu(button, button.getAttribute("aria-expanded") !== "true");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var header = document.activeElement && document.activeElement.closest && document.activeElement.closest(".site-header.nav-open");
    if (!header || document.activeElement.closest("details[open]")) return;
    var button = header.querySelector(".nav-toggle");
    setMenu(button, false);
    button.focus();
  });

  // The "Filters" button opens and closes the filter form below the page's head; on
  // opening, focus goes to its first field.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".filter-toggle");
    var form = button && document.getElementById(button.getAttribute("aria-controls"));
    if (!form) return;
    var open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", open ? "true" : "false");
    form.classList.toggle("open", open);
    var first = open && form.querySelector(".filter input:not([type=hidden]), .filter select");
    if (first) first.focus();
  });

  // A filter chip (the results' list of active filters) takes its filter off: the
  // form's field is emptied and the form filters again, as if the person had done it.
  // Without JavaScript the chip is a link to the same list without that filter.
  document.addEventListener("click", function (event) {
    var chip = event.target.closest && event.target.closest("a[data-clear-filter]");
    var form = document.getElementById("filters");
    if (!chip || !form || event.ctrlKey || event.metaKey || event.shiftKey) return;
    var names = chip.getAttribute("data-clear-filter").split(" ");
    var fields = names.map(function (name) { return form.elements.namedItem(name); }).filter(Boolean);
    if (!fields.length) return;
    event.preventDefault();
    fields.forEach(function (field) {
      if (field.tagName === "SELECT") field.selectedIndex = 0; else field.value = "";
    });
    // Focus would be lost with the chip: it goes to the next chip, else the filters' button.
    var next = chip.closest("li") && chip.closest("li").nextElementSibling;
    focusAfterChip = next ? "a[data-clear-filter='" + next.querySelector("a").getAttribute("data-clear-filter") + "']" : ".filter-panel > summary";
    htmx.trigger(form, "submit");
  });
  var focusAfterChip = null;
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!event.detail.target || event.detail.target.id !== "results") return;
    var count = document.querySelectorAll("#results .filter-chips a[data-clear-filter]").length;
    var badge = document.querySelector(".filter-toggle .filter-count");
    if (badge) { badge.textContent = count ? String(count) : ""; badge.hidden = !count; }
    if (!focusAfterChip) return;
    var target = document.querySelector("#results " + focusAfterChip) || document.querySelector(focusAfterChip);
    focusAfterChip = null;
    if (target) target.focus();
  });

  // Back and forward re-render the page from the server (no history cache). htmx
  // starts one request per step and does not cancel the previous one, so after two
  // quick steps back a slow answer for the first step could arrive last and show
  // rows that do not belong to the address in the bar. Only the latest step counts:
  // an older restore request still on its way is aborted.
  var restoring = null;
  document.addEventListener("htmx:historyCacheMiss", function (event) {
    var xhr = event.detail.xhr;
    if (restoring && restoring !== xhr) restoring.abort();
    restoring = xhr;
    // Cleared however it ends (htmx sets no error handler on restore requests).
    xhr.addEventListener("loadend", function () {
      if (restoring === xhr) restoring = null;
    });
    // A filter request still on its way belongs to the page being left: its answer
    // would replace the rows and push its address on top of the step back.
    document.querySelectorAll("form[hx-get]").forEach(function (form) {
      htmx.trigger(form, "htmx:abort");
    });
  });

  // Forms that come back to "this page" (language switch, Sync now) carry its address;
  // after live filtering that is the address htmx pushed, not the one first loaded.
  // Links that carry the filters and set some parameters of their own (the sort
  // headers, data-own-params="sort dir") follow the new address the same way: a list's
  // table head is kept across filter requests (see below), so the server does not
  // rewrite them. Like {% querystring %}: the address's parameters, no page, their own.
  function followAddress(event) {
    var path = event.detail && event.detail.path;
    if (!path) return;
    document.querySelectorAll("input[data-current-url]").forEach(function (input) {
      input.value = path;
    });
    var address = new URL(path, window.location.href);
    // Hidden fields the filter form carries (a list's sort): the sort changes with a
    // click in the results, which the form is not part of.
    document.querySelectorAll("input[data-follow-address]").forEach(function (input) {
      if (address.searchParams.has(input.name)) input.value = address.searchParams.get(input.name);
    });
    document.querySelectorAll("a[data-own-params]").forEach(function (link) {
      var params = new URLSearchParams(address.search);
      var own = new URL(link.href).searchParams;
      params.delete("page");
      link.getAttribute("data-own-params").split(" ").forEach(function (name) {
        if (own.has(name)) params.set(name, own.get(name));
        else params.delete(name);
      });
      var query = params.toString();
      link.href = address.pathname + (query ? "?" + query : "");
      // A boosted link (the sort headers) took its address when htmx set it up; set it
      // up again now, or a click before htmx's settle step would use the old one.
      if (link.closest("[hx-boost]")) htmx.process(link);
    });
  }
  document.addEventListener("htmx:pushedIntoHistory", followAddress);
  document.addEventListener("htmx:replacedInHistory", followAddress);

  // A list's results are swapped whole, but the table head only changes with the sort:
  // tell the server which head the page shows (its sort, columns and language), and an
  // answer that would send the same head leaves it out (the page keeps it: hx-preserve).
  // Without a head on the page (an error was shown instead) nothing is said and the head
  // is sent.
  document.addEventListener("htmx:configRequest", function (event) {
    if (!event.detail.target || event.detail.target.id !== "results") return;
    var head = document.querySelector("#results thead[data-head]");
    if (head) event.detail.headers["X-Table-Head"] = head.getAttribute("data-head");
  });

  // Nor may a new request start from the page being left while the restore is on
  // its way (typing followed by Back within the filter's delay, a click meanwhile):
  // its answer would push an address the restored page does not show.
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (restoring) event.preventDefault();
  });

  // The account menu (a <details> dropdown) closes like a menu: Escape closes it and
  // returns focus to its button; moving focus or clicking outside closes it too.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var menu = document.activeElement && document.activeElement.closest("details.dropdown[open]");
    if (!menu) return;
    menu.removeAttribute("open");
    menu.querySelector("summary").focus();
  });
  function closeMenusOutside(event) {
    document.querySelectorAll("details.dropdown[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  }
  document.addEventListener("focusin", closeMenusOutside);
  document.addEventListener("click", closeMenusOutside);

  // A sort header or a pager link used from the keyboard is replaced by the new
  // results; focus would fall back to the page. Keep it on the same control in the
  // new results (the same column's header, the same pager direction), else on the
  // summary that says what is now shown.
  var focusAfterSwap = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (event.defaultPrevented) return;
    var active = document.activeElement;
    var results = active && active.closest && active.closest("#results");
    focusAfterSwap = null;
    if (!results || active.tagName !== "A") return;
    var cell = active.closest("th");
    if (cell) focusAfterSwap = "#results thead th:nth-child(" + (cell.cellIndex + 1) + ") a";
    else if (active.closest(".pager")) focusAfterSwap = '#results .pager a[rel="' + active.getAttribute("rel") + '"]';
  });
  // Screen readers hear what new results say about themselves (the summary, the
  // overview's coverage line, a search's section headings), not every row; an error is
  // an alert of its own.
  var announceTimer = null;
  document.addEventListener("htmx:afterSettle", function (event) {
    var status = document.getElementById("results-status");
    if (!status || !event.detail.target || event.detail.target.id !== "results") return;
    var parts = [];
    document.querySelectorAll("#results .summary, #results .coverage, #results [data-announce]")
      .forEach(function (element) { parts.push(element.textContent.replace(/\s+/g, " ").trim()); });
    status.textContent = "";
    // A new text node even when the words are the same as last time, so it is read
    // again; only the latest results are announced when swaps come quickly.
    window.clearTimeout(announceTimer);
    announceTimer = window.setTimeout(function () { status.textContent = parts.join(" "); }, 50);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!focusAfterSwap || !event.detail.target || event.detail.target.id !== "results") return;
    // The same control; on the last page (no "next" any more) the other direction;
    // else the summary of what is shown now.
    var target = document.querySelector(focusAfterSwap) || document.querySelector("#results .pager a[rel]") ||
      document.querySelector("#results .summary");
    focusAfterSwap = null;
    if (!target) return;
    if (!target.matches("a, button, input, select, textarea")) target.setAttribute("tabindex", "-1");
    target.focus();
  });
  // A table wider than a phone scrolls sideways inside its frame: such a frame must be
  // reachable with the keyboard, so that the arrow keys scroll it (the table inside
  // carries the names: the frame takes no role or label of its own, which would repeat
  // its section's). Only while it really scrolls.
  function reachScrollers() {
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      var overflow = window.getComputedStyle(wrap).overflowX;
      var scrolls = (overflow === "auto" || overflow === "scroll") && wrap.scrollWidth > wrap.clientWidth + 1;
      if (scrolls && !wrap.hasAttribute("tabindex")) {
        wrap.setAttribute("tabindex", "0");
        wrap.dataset.scrollFrame = "";
      } else if (!scrolls && wrap.hasAttribute("data-scroll-frame") && document.activeElement !== wrap) {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("data-scroll-frame");
      }
    });
  }
  document.addEventListener("DOMContentLoaded", reachScrollers);
  document.addEventListener("htmx:afterSettle", reachScrollers);
  // A "Show" fold inside a table can make it wider than the screen.
  document.addEventListener("toggle", reachScrollers, true);
  window.addEventListener("resize", function () {
    window.clearTimeout(reachScrollers.timer);
    reachScrollers.timer = window.setTimeout(reachScrollers, 150);
  });
})();
