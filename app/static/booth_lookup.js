/* Booth help page (booth/lookup.html): the ID number is checked with the server's rules (identity.js) before
 * a lookup is sent — a mistyped number would only cost an audited lookup — and a void asks for the reason
 * and the ID-card check first. */
(function () {
  "use strict";

  function showError(line, message) {
    line.textContent = message || "";
    line.hidden = !message;
    line.closest(".field").classList.toggle("has-error", Boolean(message));
  }

  var lookupForm = document.getElementById("lookup-form");
  var idNumber = document.getElementById("lookup-id-number");
  var idError = document.getElementById("lookup-id-error");
  idNumber.addEventListener("input", function () {
    idNumber.value = idNumber.value.replace(/\s/g, "").toUpperCase();
    if (!idError.hidden && !window.UnionIdentity.checkIdNumber(idNumber.value).error) { showError(idError, ""); }
  });
  lookupForm.addEventListener("submit", function (event) {
    var checked = window.UnionIdentity.checkIdNumber(idNumber.value);
    if (checked.error) {
      event.preventDefault();
      showError(idError, checked.message);
      idNumber.focus();
    }
  });

  var voidForm = document.getElementById("void-form");
  if (!voidForm) { return; }
  var reason = document.getElementById("void-reason");
  var reasonError = document.getElementById("void-reason-error");
  voidForm.addEventListener("submit", function (event) {
    if (!reason.value.trim()) {
      event.preventDefault();
      showError(reasonError, "请写明核实情况，将记入审计日志");
      reason.focus();
    } else if (!document.getElementById("void-checked").checked) {
      event.preventDefault();
      showError(reasonError, "请先核对身份证原件并勾选确认");
    }
  });
})();
