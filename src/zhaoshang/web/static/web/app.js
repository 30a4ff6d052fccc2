// Behaviour every page shares, declared in the markup with data- attributes instead of inline handlers
// (the Content-Security-Policy allows no inline script). One delegated listener per event on the document, so
// content swapped in by HTMX works too:
//   data-confirm="…"       on a form (or a submit button): ask before sending; the text comes from the template
//   data-print             on a button: print the page
//   data-autosubmit        on a select or input: send its form when it changes
//   data-check-all="sel"   on a checkbox: tick or clear every enabled checkbox matching the selector
//   data-enter-stays       on an input: Enter does not send the form (a free-text field beside several buttons)
(function () {
  document.addEventListener("submit", (event) => {
    const form = event.target;
    const button = event.submitter;
    const question = (button && button.dataset.confirm) || form.dataset.confirm;
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-print]")) window.print();
  });
  document.addEventListener("change", (event) => {
    const input = event.target;
    if (input.matches("[data-autosubmit]") && input.form) input.form.submit();
    if (input.matches("input[data-check-all]")) {
      document.querySelectorAll(input.dataset.checkAll).forEach((box) => {
        if (box !== input && !box.disabled) box.checked = input.checked;
      });
    }
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target.matches("input[data-enter-stays]")) event.preventDefault();
  });
})();
