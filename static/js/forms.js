// Create forms: show and hide dependent fields, the live-search pickers, adding
// and removing rows, live invoice totals, a guard against double submits.
// Everything here is an enhancement: without JavaScript the forms still work
// (all fields shown, a plain select of the first 100, server-side rows and totals).
// Loaded without `defer` so that the `js` class is set before the first paint
// (no flash of fields that are about to be hidden). No inline scripts (CSP).
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // --- dependent fields: data-show-if='[["field", ["value", ...]], ...]' ---

  function currentValue(form, name) {
    var elements = form.querySelectorAll('[name="' + name + '"]');
    for (var i = 0; i < elements.length; i++) {
      var el = elements[i];
      if (el.type === "checkbox") return el.checked ? "on" : "";
      if (el.type === "radio") { if (el.checked) return el.value; continue; }
      return el.value;
    }
    return "";
  }

  function applyConditions(form) {
    form.querySelectorAll("[data-show-if]").forEach(function (el) {
      var alternatives = JSON.parse(el.getAttribute("data-show-if"));
      var shown = alternatives.some(function (alt) { return alt[1].indexOf(currentValue(form, alt[0])) !== -1; });
      el.toggleAttribute("data-inactive", !shown);
    });
  }

  // --- numbers as people type them: "1 200,50" ---

  function parseNumber(text, fallback) {
    text = String(text || "").replace(/[\s\u00a0\u202f]/g, "").replace(",", ".");
    if (text === "") return fallback;
    return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  }

  // Half away from zero to whole öre (or kronor), like the server's Decimal rounding.
  function round(value, decimals) {
    var factor = Math.pow(10, decimals);
    return Math.sign(value) * Math.round(Math.abs(value) * factor + 1e-7) / factor;
  }

  // As the server's money filter writes amounts: Intl gives Swedish a true minus sign
  // (U+2212); every page uses the hyphen-minus, which a spreadsheet reads when pasted.
  function formatMoney(value) {
    if (!isFinite(value)) return "–";
    return new Intl.NumberFormat(document.documentElement.lang || "en", {
      minimumFractionDigits: 2, maximumFractionDigits: 2, useGrouping: true,
    }).format(value).replace(/\u2212/g, "-");
  }

  // --- invoice totals (the server computes them again; the API once more) ---
  // The same arithmetic as seventime/invoicing.py (compute_row, compute_totals,
  // house_deduction): rows rounded to whole öre, SEK payable in whole kronor,
  // the ROT/RUT deduction a share of the house-work rows incl. VAT, rounded
  // down to whole kronor and capped per person named in the distribution.

  var HOUSE_PERCENT = { "1": 30, "2": 50 }; // invoiceType 1 = ROT, 2 = RUT
  var HOUSE_CEILING = { "1": 50000, "2": 75000 }; // a year, per person
  var REVERSE_CHARGE = "3"; // invoiceType 3: construction services, the buyer accounts for the VAT

  function field(row, name) { return row.querySelector('[name$="-' + name + '"]'); }

  function show(cell, text) {
    if (!cell) return;
    (cell.querySelector("strong") || cell).textContent = text;
  }

  function isShown(el) { return window.getComputedStyle(el).display !== "none"; }

  // Everything before the amount column spans the visible columns but the last two.
  function alignFooter(editor) {
    var headers = Array.from(editor.querySelectorAll("thead th")).filter(isShown);
    editor.querySelectorAll("tfoot th[scope=row]").forEach(function (th) {
      th.colSpan = Math.max(1, headers.length - 2);
    });
  }

  function deductionShares(form) {
    var people = 0;
    if (!form) return people;
    form.querySelectorAll("[data-shares] [data-formset-row]").forEach(function (row) {
      var name = field(row, "user_name"), number = field(row, "personal_number");
      if ((name && name.value.trim()) || (number && number.value.trim())) people += 1;
    });
    return people;
  }

  function updateTotals(editor) {
    var form = editor.closest("form");
    var typeInput = editor.getAttribute("data-invoice-type-input");
    var type = form && typeInput ? currentValue(form, typeInput) : "";
    var net = 0, tax = 0, houseWork = 0, valid = true;
    editor.querySelectorAll("[data-formset-rows] [data-formset-row]").forEach(function (row) {
      var quantity = parseNumber(field(row, "number_of_items").value, 0);
      var price = parseNumber(field(row, "unit_price").value, 0);
      var discount = parseNumber(field(row, "discount_percent").value, 0);
      // Reverse charge: no row carries VAT, whatever the hidden VAT column holds.
      var vat = type === REVERSE_CHARGE ? 0 : parseNumber(field(row, "tax_percent").value, 25);
      var amount = round(quantity * price * (100 - discount) / 100, 2);
      var rowTax = round(amount * vat / 100, 2);
      var ok = isFinite(amount) && isFinite(rowTax) && discount >= 0 && discount <= 100 && vat >= 0;
      row.querySelector("[data-row-total]").textContent = ok ? formatMoney(amount) : "–";
      if (!ok) { valid = false; return; }
      net += amount;
      tax += rowTax;
      var flag = field(row, "house_work_flag");
      if (flag && flag.checked) houseWork += amount + rowTax;
    });
    var currency = document.getElementById(editor.getAttribute("data-currency-input"));
    var code = ((currency && currency.value) || "SEK").trim().toUpperCase();
    var exact = round(net + tax, 2);
    var payable = code === "SEK" ? round(exact, 0) : exact;
    var sums = { totalAmount: net, totalTaxAmount: tax, totalAmountRounding: payable - exact, totalAmountInclTax: payable };
    Object.keys(sums).forEach(function (key) {
      show(editor.querySelector('[data-sum="' + key + '"]'), valid ? formatMoney(round(sums[key], 2)) : "–");
    });

    var percent = HOUSE_PERCENT[type];
    var house = percent !== undefined;
    var kind = house ? "house" : type === REVERSE_CHARGE ? "reverse" : "normal";
    editor.querySelectorAll("[data-totals-for]").forEach(function (el) {
      el.hidden = el.getAttribute("data-totals-for").split(" ").indexOf(kind) === -1;
    });
    if (house) {
      // In whole öre, so that the share is exact before it is rounded down.
      var deduction = Math.floor(Math.round(houseWork * 100) * percent / 10000);
      deduction = Math.min(deduction, HOUSE_CEILING[type] * Math.max(1, deductionShares(form)));
      var less = deduction > 0 ? "-" + formatMoney(deduction) : formatMoney(-deduction || 0);
      show(editor.querySelector("[data-house-deduction]"), valid ? less : "–");
      show(editor.querySelector("[data-amount-to-pay]"), valid ? formatMoney(round(payable - deduction, 2)) : "–");
    }
    alignFooter(editor);
  }

  function updateShares(editor) {
    var total = 0, any = false;
    editor.querySelectorAll("[data-formset-row]").forEach(function (row) {
      var name = field(row, "user_name"), number = field(row, "personal_number");
      if (!name.value && !number.value) return; // an empty row is left out, as on the server
      any = true;
      total += parseNumber(field(row, "distribution_percent").value, NaN);
    });
    var cell = editor.querySelector("[data-share-total]");
    cell.textContent = any ? (isFinite(total) ? round(total, 2) + " %" : "–") : "";
    cell.classList.toggle("off", any && total !== 100);
  }

  function refresh(editor) {
    if (editor.hasAttribute("data-totals")) updateTotals(editor);
    if (editor.hasAttribute("data-shares")) updateShares(editor);
  }

  // Totals depend on more than their own rows (the currency, the kind of
  // invoice, the people sharing a deduction): work out every editor of the form.
  function refreshForm(form) {
    form.querySelectorAll("[data-formset]").forEach(refresh);
  }

  function refreshAround(editor) {
    var form = editor.closest("form[data-create-form]");
    if (form) refreshForm(form); else refresh(editor);
  }

  // --- rows that can be added and removed (Django formsets) ---

  function renumber(editor) {
    var prefix = editor.getAttribute("data-formset");
    var pattern = new RegExp(prefix + "-(\\d+|__prefix__)(?=-|$)", "g");
    var rows = editor.querySelectorAll("[data-formset-rows] [data-formset-row]");
    rows.forEach(function (row, index) {
      [row].concat(Array.from(row.querySelectorAll("*"))).forEach(function (el) {
        Array.from(el.attributes).forEach(function (attr) {
          if (attr.value.indexOf(prefix + "-") !== -1) el.setAttribute(attr.name, attr.value.replace(pattern, prefix + "-" + index));
        });
      });
    });
    editor.querySelector('[name="' + prefix + '-TOTAL_FORMS"]').value = rows.length;
    // The server refuses more rows than MAX_NUM_FORMS: no more can be added here either.
    var add = editor.querySelector("[data-formset-add]");
    if (add) add.disabled = rows.length >= maxRows(editor);
    // htmx reads a request's URL when it sets an element up: set the rows up again.
    if (window.htmx) window.htmx.process(editor.querySelector("[data-formset-rows]"));
  }

  function maxRows(editor) {
    var max = editor.querySelector('[name="' + editor.getAttribute("data-formset") + '-MAX_NUM_FORMS"]');
    return max ? parseInt(max.value, 10) : Infinity;
  }

  function addRow(editor) {
    if (editor.querySelectorAll("[data-formset-rows] [data-formset-row]").length >= maxRows(editor)) return;
    var template = editor.querySelector("template[data-formset-template]");
    var body = editor.querySelector("[data-formset-rows]");
    body.appendChild(template.content.firstElementChild.cloneNode(true));
    renumber(editor);
    var applies = editor.closest("form");
    if (applies) applyConditions(applies);
    refreshAround(editor);
    var first = body.lastElementChild.querySelector("input:not([type=hidden]), select");
    if (first) first.focus();
  }

  function removeRow(editor, row) {
    var next = row.nextElementSibling || row.previousElementSibling;
    row.remove();
    renumber(editor);
    refreshAround(editor);
    var focus = next && next.querySelector("input:not([type=hidden]), select");
    (focus || editor.querySelector("[data-formset-add]")).focus();
  }

  function setUpRows(editor) {
    editor.addEventListener("click", function (event) {
      var add = event.target.closest("[data-formset-add]");
      var remove = event.target.closest("[data-formset-remove]");
      if (add) { event.preventDefault(); addRow(editor); }
      if (remove) { event.preventDefault(); removeRow(editor, remove.closest("[data-formset-row]")); }
    });
    // Inside a create form, the form's listeners work the totals out (after
    // showing and hiding what depends on the change).
    if (!editor.closest("form[data-create-form]")) {
      editor.addEventListener("input", function () { refresh(editor); });
      editor.addEventListener("change", function () { refresh(editor); });
    }
    refresh(editor);
  }

  // --- live-search pickers: a combobox over a hidden select carrying the id ---

  function setUpPicker(picker) {
    var search = picker.querySelector(".picker-search");
    var listbox = picker.querySelector(".picker-results");
    var select = picker.querySelector(".picker-select");
    var label = document.querySelector('label[for="' + select.id + '"]');
    if (label) label.setAttribute("for", search.id);
    var active = -1;

    function options() { return Array.from(listbox.querySelectorAll("[role=option]")); }
    function open(yes) {
      listbox.hidden = !yes;
      search.setAttribute("aria-expanded", yes ? "true" : "false");
      if (!yes) { search.removeAttribute("aria-activedescendant"); active = -1; }
    }
    function highlight(index) {
      var all = options();
      if (!all.length) return;
      active = (index + all.length) % all.length;
      all.forEach(function (option, i) { option.setAttribute("aria-selected", i === active ? "true" : "false"); });
      search.setAttribute("aria-activedescendant", all[active].id);
      all[active].scrollIntoView({ block: "nearest" });
    }
    function choose(option) {
      var value = option.getAttribute("data-value");
      if (!select.querySelector('option[value="' + CSS.escape(value) + '"]')) {
        var added = document.createElement("option");
        added.value = value;
        added.textContent = option.getAttribute("data-label");
        select.appendChild(added);
      }
      select.value = value;
      search.value = option.getAttribute("data-label");
      open(false);
      var error = document.getElementById(select.id + "-error");
      if (error) error.textContent = "";
      search.removeAttribute("aria-invalid");
      select.dispatchEvent(new Event("change", { bubbles: true }));
      picker.dispatchEvent(new CustomEvent("picker:chosen", {
        bubbles: true, detail: { field: select.name, paymentDays: option.getAttribute("data-payment-days") },
      }));
    }

    search.addEventListener("input", function () {
      // Typing drops the earlier choice: what is sent is only ever a chosen record.
      if (select.value) { select.value = ""; select.dispatchEvent(new Event("change", { bubbles: true })); }
    });
    search.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (listbox.hidden) { if (window.htmx) window.htmx.trigger(search, "picker:search"); return; }
        highlight(active + (event.key === "ArrowDown" ? 1 : -1));
      } else if (event.key === "Enter" && !listbox.hidden) {
        event.preventDefault(); // choosing, not submitting the form
        var all = options();
        if (active >= 0 && all[active]) choose(all[active]);
        else if (all.length === 1) choose(all[0]);
      } else if (event.key === "Escape" && !listbox.hidden) {
        event.preventDefault();
        open(false);
      }
    });
    search.addEventListener("blur", function () { setTimeout(function () { open(false); }, 150); });
    // mousedown, not click: the choice is made before the input loses focus.
    listbox.addEventListener("mousedown", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) { event.preventDefault(); choose(option); }
    });
    listbox.addEventListener("htmx:afterSwap", function () {
      open(document.activeElement === search && listbox.children.length > 0);
      active = -1;
    });
  }

  // --- the due date follows the invoice date and the customer's payment terms ---

  function setUpDueDate(form) {
    var due = form.querySelector('[data-due-date="auto"]');
    var invoiceDate = form.querySelector('[name="invoice_date"]');
    if (!due || !invoiceDate) return;
    var days = null;
    due.addEventListener("input", function () { due.setAttribute("data-due-date", "set"); });
    function update() {
      if (due.getAttribute("data-due-date") !== "auto" || days === null || !invoiceDate.value) return;
      var day = new Date(invoiceDate.value + "T12:00:00Z");
      day.setUTCDate(day.getUTCDate() + days);
      due.value = day.toISOString().slice(0, 10);
    }
    invoiceDate.addEventListener("change", update);
    form.addEventListener("picker:chosen", function (event) {
      if (event.detail.field !== "customer") return;
      days = event.detail.paymentDays === null ? null : parseInt(event.detail.paymentDays, 10);
      update();
    });
  }

  // --- one submit per click, and back-and-resubmit still allowed ---

  function setUpSubmitGuard(form) {
    form.addEventListener("submit", function (event) {
      if (form.hasAttribute("data-submitting")) { event.preventDefault(); return; }
      form.setAttribute("data-submitting", "");
      var saving = form.querySelector(".saving");
      if (saving) saving.textContent = saving.getAttribute("data-saving-text");
    });
  }
  // Going back to a submitted form may load the page afresh (no back/forward
  // cache) while the browser puts the typed values back: the history entry
  // keeps the form's token, so submitting it again is recognised as the same form.
  function keepToken(form) {
    var input = form.querySelector('input[name="token"]');
    if (!input || !window.history.replaceState) return;
    var state = window.history.state || {};
    var navigation = performance.getEntriesByType ? performance.getEntriesByType("navigation")[0] : null;
    if (state.createToken && navigation && navigation.type === "back_forward") {
      input.value = state.createToken;
    } else {
      window.history.replaceState(Object.assign({}, state, { createToken: input.value }), "");
    }
  }

  window.addEventListener("pageshow", function () {
    // Fields the browser filled in again (back, forward) count as well.
    document.querySelectorAll("form[data-create-form][data-ready]").forEach(function (form) {
      applyConditions(form);
      refreshForm(form);
    });
    document.querySelectorAll("form[data-submitting]").forEach(function (form) {
      form.removeAttribute("data-submitting");
      var saving = form.querySelector(".saving");
      if (saving) saving.textContent = "";
    });
  });

  // --- inline messages from the server (htmx swaps the message element) ---

  function markField(error) {
    var invalid = error.textContent.trim() !== "";
    document.querySelectorAll('[aria-describedby~="' + error.id + '"]').forEach(function (input) {
      if (invalid) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
    });
    var holder = error.closest(".field, td");
    if (holder) holder.classList.toggle("has-error", invalid);
  }

  // --- the summary of what went wrong, above the form ---
  // It links to each field in error; without JavaScript the links are plain
  // in-page links and `autofocus` moves focus to the summary.

  function fieldFor(target) {
    // A picker's select is hidden behind its search box: that is what people type in.
    var picker = target.closest("[data-picker]");
    if (picker && !isShown(target)) return picker.querySelector(".picker-search");
    if (target.matches("input, select, textarea, button")) return target;
    return target.querySelector("input:not([type=hidden]), select, textarea, button") || target;
  }

  function setUpSummary(summary) {
    summary.addEventListener("click", function (event) {
      var link = event.target.closest('a[href^="#"]');
      var target = link && document.getElementById(decodeURIComponent(link.hash.slice(1)));
      if (!target) return;
      event.preventDefault();
      var field = fieldFor(target);
      // The label and the message should show too, not only the input.
      (field.closest(".field, td, [data-formset]") || field).scrollIntoView({ block: "center" });
      field.focus({ preventScroll: true });
    });
    if (!summary.contains(document.activeElement)) summary.focus();
  }

  // --- setting up ---

  function setUp(root) {
    root.querySelectorAll("[data-picker]:not([data-ready])").forEach(function (picker) {
      picker.setAttribute("data-ready", "");
      setUpPicker(picker);
    });
    root.querySelectorAll("[data-formset]:not([data-ready])").forEach(function (editor) {
      editor.setAttribute("data-ready", "");
      setUpRows(editor);
    });
    root.querySelectorAll("[data-error-summary]:not([data-ready])").forEach(function (summary) {
      summary.setAttribute("data-ready", "");
      setUpSummary(summary);
    });
    root.querySelectorAll("form[data-create-form]:not([data-ready])").forEach(function (form) {
      form.setAttribute("data-ready", "");
      var update = function () { applyConditions(form); refreshForm(form); };
      update();
      form.addEventListener("change", update);
      form.addEventListener("input", update);
      setUpDueDate(form);
      setUpSubmitGuard(form);
      keepToken(form);
    });
    if (root.classList && root.classList.contains("field-error")) markField(root);
  }

  document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  document.addEventListener("htmx:load", function (event) { setUp(event.detail.elt); });
})();
