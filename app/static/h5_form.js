/* The H5 page's forms (entry/h5.html): field errors, checks on leaving a field, prefilling a returned
 * application, and the changed fields a correction sends. No API calls here; h5.js drives the flow.
 *
 * A field is a `.field[data-field=<request name>]` holding its input and a `.field-error` line. The ID and
 * mobile rules are the server's (identity.js, proven against tests/vectors/identity.json). */
(function (root) {
  "use strict";

  var identity = root.UnionIdentity;

  function required(message) {
    return function (value) { return value.trim() ? null : message; };
  }

  function optional(check) {
    return function (value) { return value.trim() ? check(value) : null; };
  }

  function rule(check) {
    return function (value) { return check(value).message || null; };
  }

  // What the join form checks before sending: the same words the server answers with.
  var JOIN_CHECKS = {
    name: required("请填写姓名"),
    id_number: rule(identity.checkIdNumber),
    mobile: rule(identity.checkMobile),
    employer: required("请填写工作单位"),
    employer_credit_code: optional(rule(identity.checkCreditCode)),
  };
  // On H5 the booth's code is the only proof: no WeChat, so no verified phone (a typed mobile proves nothing).
  var RECOVER_CHECKS = {
    id_number: rule(identity.checkIdNumber),
    recovery_code: function (value) { return /^\d{6}$/.test(value.trim()) ? null : "请填写工作人员给的6位找回码"; },
  };

  function fieldOf(form, name) { return form.querySelector('.field[data-field="' + name + '"]'); }

  function inputOf(field) { return field && field.querySelector("input:not([type=checkbox]):not([type=radio]), select"); }

  function showError(form, name, message) {
    var field = fieldOf(form, name);
    if (!field) { return null; }
    var line = field.querySelector(".field-error");
    line.textContent = message || "";
    line.hidden = !message;
    field.classList.toggle("has-error", Boolean(message));
    field.querySelectorAll("input, select").forEach(function (input) {
      if (message) { input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); }
    });
    return field;
  }

  function clearErrors(form) {
    form.querySelectorAll(".field.has-error").forEach(function (field) { showError(form, field.dataset.field, ""); });
  }

  // Marks every field named in `errors`; returns the first one on the page (not the first in the object).
  function showErrors(form, errors) {
    var marked = Object.keys(errors || {}).map(function (name) { return showError(form, name, errors[name]); });
    var first = null;
    form.querySelectorAll(".field.has-error").forEach(function (field) {
      if (!first && marked.indexOf(field) >= 0) { first = field; }
    });
    return first;
  }

  function revealAndFocus(field) {
    var details = field.closest("details");
    if (details) { details.open = true; }
    field.scrollIntoView({ block: "center" });
    var input = field.querySelector("input, select");
    if (input) { input.focus({ preventScroll: true }); }
  }

  // A prefilled masked value (110***********1234) stands for the stored one: it is neither checked nor sent.
  function isKept(input) { return input.dataset.kept !== undefined && input.value === input.dataset.kept; }

  function errorOf(checks, name, input) {
    if (!checks[name] || !input || isKept(input)) { return null; }
    return checks[name](input.value);
  }

  function checkAll(form, checks) {
    var errors = {};
    Object.keys(checks).forEach(function (name) {
      var error = errorOf(checks, name, inputOf(fieldOf(form, name)));
      if (error) { errors[name] = error; }
    });
    return errors;
  }

  /* Leaving a field checks it (an empty required one only once the worker has typed in it); typing or
   * choosing clears its error as soon as the value is right. */
  function watch(form, checks) {
    form.addEventListener("focusout", function (event) {
      var field = event.target.closest(".field");
      if (!field || !checks[field.dataset.field]) { return; }
      var input = inputOf(field);
      if (!input || (!input.value.trim() && !input.dataset.typed)) { return; }
      showError(form, field.dataset.field, errorOf(checks, field.dataset.field, input));
    });
    function recheck(event) {
      var field = event.target.closest(".field");
      if (!field) { return; }
      event.target.dataset.typed = "1";
      if (!field.classList.contains("has-error")) { return; }
      var name = field.dataset.field;
      var input = inputOf(field);
      var stillWrong = checks[name] ? errorOf(checks, name, input) : null;
      if (!stillWrong) { showError(form, name, ""); }
    }
    form.addEventListener("input", recheck);
    form.addEventListener("change", recheck);
  }

  var MASKED = ["name", "id_number", "mobile"];

  // A returned application: the worker's own answers back in the form, the masked ones kept unless retyped.
  function prefill(form, application) {
    Object.keys(application).forEach(function (name) {
      var input = form.elements[name];
      if (!input || input.type === "checkbox" || !fieldOf(form, name)) { return; }
      var value = application[name];
      if (name === "is_migrant_worker") { value = value === null ? "" : String(value); }
      if (name === "id_valid_until") {
        form.querySelector("#id-long-term").checked = value === "long_term";
        input.disabled = value === "long_term";
        value = value === "long_term" ? "" : value;
      }
      input.value = value === null || value === undefined ? "" : value;
      if (MASKED.indexOf(name) >= 0) { input.dataset.kept = input.value; }
    });
  }

  function flag(form, names) {
    form.querySelectorAll(".field").forEach(function (field) {
      var flagged = names.indexOf(field.dataset.field) >= 0;
      field.classList.toggle("flagged", flagged);
      field.querySelector(".flag-note").hidden = !flagged;
      if (flagged && field.closest("details")) { field.closest("details").open = true; }
    });
  }

  // Only what differs from the prefilled answers (and never a kept masked value).
  function changes(form, body, original) {
    var changed = {};
    Object.keys(body).forEach(function (name) {
      var input = form.elements[name];
      if (input && input.dataset && isKept(input)) { return; }
      var before = original[name] === undefined ? null : original[name];
      if (body[name] !== before) { changed[name] = body[name]; }
    });
    return changed;
  }

  root.H5Form = {
    JOIN_CHECKS: JOIN_CHECKS,
    RECOVER_CHECKS: RECOVER_CHECKS,
    showError: showError,
    showErrors: showErrors,
    clearErrors: clearErrors,
    revealAndFocus: revealAndFocus,
    checkAll: checkAll,
    watch: watch,
    prefill: prefill,
    flag: flag,
    changes: changes,
  };
})(window);
