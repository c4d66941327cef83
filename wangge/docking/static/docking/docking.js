// The docking page's countdown to the deadline: hours, minutes and seconds left, then the
// word for "passed" (from data-passed, in the page's language). No inline script (CSP).
(() => {
  const counters = document.querySelectorAll(".countdown[data-deadline]");
  if (!counters.length) {
    return;
  }
  const pad = (n) => String(n).padStart(2, "0");
  const tick = () => {
    const now = Date.now();
    for (const el of counters) {
      const left = Math.floor((Date.parse(el.dataset.deadline) - now) / 1000);
      if (Number.isNaN(left)) {
        continue;
      }
      if (left <= 0) {
        el.textContent = el.dataset.passed;
        el.classList.add("passed");
        continue;
      }
      const h = Math.floor(left / 3600);
      const m = Math.floor((left % 3600) / 60);
      el.textContent = `${h}:${pad(m)}:${pad(left % 60)}`;
    }
  };
  tick();
  window.setInterval(tick, 1000);
})();
