// Picking rows and items, without inline script (the CSP allows none); the pages work without it.
// - <input type="checkbox" data-check-all="NAME">: ticks or clears every checkbox named NAME.
// - <input type="checkbox" data-reveals="ID">: shows the element #ID while ticked (the element
//   is visible without JavaScript; the script hides it while unticked).
document.addEventListener("DOMContentLoaded", () => {
  document.body.addEventListener("change", (event) => {
    const all = event.target.closest("[data-check-all]");
    if (all) {
      document.querySelectorAll(`input[type=checkbox][name="${all.dataset.checkAll}"]`).forEach((box) => {
        box.checked = all.checked;
      });
    }
    const reveals = event.target.closest("[data-reveals]");
    if (reveals) {
      const target = document.getElementById(reveals.dataset.reveals);
      if (target) {
        target.hidden = !reveals.checked;
        if (reveals.checked) {
          const field = target.querySelector("textarea, input, select");
          if (field) field.focus();
        }
      }
    }
  });
  document.querySelectorAll("[data-reveals]").forEach((box) => {
    const target = document.getElementById(box.dataset.reveals);
    if (target) target.hidden = !box.checked;
  });
});
