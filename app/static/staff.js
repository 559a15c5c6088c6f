// Staff pages: the few behaviours that used to be inline handlers (the Content-Security-Policy forbids those).
"use strict";

document.addEventListener("click", (event) => {
  const confirming = event.target.closest("[data-confirm]");
  if (confirming && !window.confirm(confirming.dataset.confirm)) {
    event.preventDefault();
  }
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});

document.addEventListener("change", (event) => {
  const selectAll = event.target.closest("[data-select-all]");
  if (!selectAll) return;
  document.querySelectorAll(`input[name="${selectAll.dataset.selectAll}"]`).forEach((box) => {
    box.checked = selectAll.checked;
  });
});
