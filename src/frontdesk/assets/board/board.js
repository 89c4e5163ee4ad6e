// The served wall board picks its text size before textual-serve's terminal starts.
//
// textual.js builds its xterm.js terminal in window.onload with the font size written in
// the page (data-font-size). A board is read from across the workshop, so unless a size
// was given (frontdesk board --serve --font-size N, or ?fontsize=N) the size is chosen here:
// the largest at which a full page of cars (data-board-lines terminal lines: the title,
// the counts, the table's header, the cars and the footer) fills the screen's height and
// the board's columns (data-board-columns) still fit its width. The fonts are loaded first,
// so that the terminal measures the glyphs it will draw.
(function () {
  "use strict";

  const FAMILY = "Roboto Mono";

  // Width and height of one terminal cell per pixel of font size, measured in the real font.
  function cellRatio() {
    const probe = document.createElement("span");
    probe.textContent = "W".repeat(20);
    probe.style.cssText =
      `position:absolute;visibility:hidden;white-space:pre;font-size:100px;line-height:normal;font-family:'${FAMILY}',monospace`;
    document.body.appendChild(probe);
    const box = probe.getBoundingClientRect();
    probe.remove();
    return { width: box.width / 20 / 100, height: box.height / 100 };
  }

  function autoSize(element) {
    const lines = Number(element.dataset.boardLines) || 21;
    const columns = Number(element.dataset.boardColumns) || 80;
    const cell = cellRatio();
    const byHeight = window.innerHeight / (lines * cell.height);
    const byWidth = window.innerWidth / (columns * cell.width);
    return Math.max(10, Math.floor(Math.min(byHeight, byWidth)));
  }

  function fontsLoaded() {
    if (!document.fonts || !document.fonts.load) return Promise.resolve();
    const loads = Promise.all([
      document.fonts.load(`32px '${FAMILY}'`, "W"),
      document.fonts.load(`32px '${FAMILY}'`, "粤"),
    ]).catch(() => undefined);
    // A font that never arrives must not keep the board dark.
    return Promise.race([loads, new Promise((done) => setTimeout(done, 4000))]);
  }

  window.addEventListener("DOMContentLoaded", function () {
    const start = window.onload; // textual.js's: it creates the terminal and connects
    window.onload = function (event) {
      fontsLoaded().then(function () {
        document.querySelectorAll(".textual-terminal").forEach(function (element) {
          const given = new URLSearchParams(window.location.search).get("fontsize") || element.dataset.fontSize;
          element.dataset.fontSize = String(given && given !== "auto" ? Number(given) : autoSize(element));
        });
        if (start) start.call(window, event);
      });
    };
  });
})();
