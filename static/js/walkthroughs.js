// The walk-through page's countdown to documents_due_at (the server's stored deadline).
// Without this file the page shows the deadline and the seconds left when it was rendered.
document.addEventListener("DOMContentLoaded", () => {
  const node = document.querySelector("[data-testid=countdown]");
  if (!node) {
    return;
  }
  // Count from the seconds the server computed, so a wrong client clock does not matter.
  const end = Date.now() + Number(node.dataset.secondsLeft || 0) * 1000;
  const pad = (n) => String(n).padStart(2, "0");
  const tick = () => {
    const left = Math.max(0, Math.round((end - Date.now()) / 1000));
    if (left === 0) {
      node.textContent = node.dataset.expiredText;
      node.classList.add("expired");
      return false;
    }
    node.textContent = `${pad(Math.floor(left / 60))}:${pad(left % 60)}`;
    return true;
  };
  if (tick()) {
    const timer = window.setInterval(() => {
      if (!tick()) {
        window.clearInterval(timer);
      }
    }, 1000);
  }
});
