// Small behaviours for every page, bound here rather than in inline handlers (the
// Content-Security-Policy refuses those): a <select data-submit-on-change> submits its form.
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field instanceof HTMLSelectElement && field.dataset.submitOnChange !== undefined) {
    field.form.requestSubmit();
  }
});
