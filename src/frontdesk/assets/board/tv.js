// The wall board's TV view (/tv, frontdesk/board_tv.py): asks /tv/snapshot.json every second and
// draws one row per car, the plate, stage and promised time largest.
//
// Every length in tv.css is in rem, with fixed heights: the chrome (title, counts, the columns'
// header, the footer) is CHROME_REM and a car ROW_REM. Unless a size was given (--font-size or
// ?fontsize=N, the size of the board's ordinary text), the root font size is chosen so that the
// cars of a page fill the screen's height: as many rows as cars, at least data-min-rows (a few cars
// are not drawn absurdly large) and at most data-cars-per-screen; beyond that the board pages every
// data-page-seconds. A page too wide for the screen is shrunk to fit. Text goes in by textContent only.
(function () {
  "use strict";

  const ROW_REM = 3;
  const CHROME_REM = 7;

  const tv = document.getElementById("tv");
  const table = document.getElementById("tv-table");
  const footer = document.getElementById("tv-footer");
  const options = tv.dataset;
  const fixed = options.fontSize !== "auto" ? Number(options.fontSize) : 0;
  const headers = JSON.parse(options.headers);
  const perScreen = Number(options.carsPerScreen) || 16;
  const minRows = Number(options.minRows) || 8;

  let data = null; // the last answer that held cars
  let problem = ""; // what went wrong with the last question, shown until one works again
  let page = 0;
  let serverNow = null; // the store's clock at the last answer, and when it came
  let answeredAt = 0;

  function rowsPerPage(count) {
    if (fixed) return Math.max(1, Math.floor((window.innerHeight / fixed - CHROME_REM) / ROW_REM));
    return Math.min(perScreen, Math.max(minRows, count));
  }

  function pages() {
    const count = data ? data.cars.length : 0;
    return Math.max(1, Math.ceil(count / rowsPerPage(count)));
  }

  function cell(className, text) {
    const div = document.createElement("div");
    div.className = className;
    if (text !== undefined) div.textContent = text;
    return div;
  }

  function carRow(car) {
    const row = cell("row car");
    row.dataset.plate = car.plate;
    row.appendChild(cell("plate", car.plate));
    const stage = cell("stage");
    const pill = document.createElement("span");
    pill.className = "stage-pill stage-" + car.stage;
    pill.textContent = car.stage_label;
    stage.appendChild(pill);
    row.appendChild(stage);
    row.appendChild(cell("promised " + car.flag, car.promised));
    const flag = cell("flag-cell");
    if (car.flag) {
      const mark = document.createElement("span");
      mark.className = "flag flag-" + car.flag;
      mark.textContent = car.flag_label;
      flag.appendChild(mark);
    }
    row.appendChild(flag);
    row.appendChild(cell("since", car.in_stage));
    const other = cell("other");
    for (const text of [car.model, car.advisor]) {
      const line = document.createElement("span");
      line.textContent = text;
      other.appendChild(line);
    }
    row.appendChild(other);
    return row;
  }

  function headRow() {
    const row = cell("row head");
    for (const key of ["plate", "stage", "promised", "", "since"]) row.appendChild(cell("", key ? headers[key] : ""));
    row.appendChild(cell("", headers.model + " · " + headers.advisor));
    return row;
  }

  function render() {
    const cars = data ? data.cars : [];
    const rows = rowsPerPage(cars.length);
    const base = fixed || Math.floor((window.innerHeight / (rows * ROW_REM + CHROME_REM)) * 10) / 10;
    document.documentElement.style.fontSize = base + "px";
    page %= pages();
    table.replaceChildren(headRow(), ...cars.slice(page * rows, (page + 1) * rows).map(carRow));
    if (table.scrollWidth > table.clientWidth + 1) {
      // Long words (a stage in English, a long plate): smaller, rather than cut.
      const shrunk = Math.floor(base * (table.clientWidth / table.scrollWidth) * 10) / 10;
      document.documentElement.style.fontSize = shrunk + "px";
    }
    document.documentElement.dataset.rows = String(rows);
    if (data) {
      document.getElementById("tv-title").textContent = data.title;
      const counts = document.getElementById("tv-counts");
      counts.replaceChildren(...data.summary.map(function (item) {
        const span = document.createElement("span");
        span.className = item.kind;
        span.textContent = item.text;
        return span;
      }));
    }
    renderFooter();
  }

  function renderFooter() {
    footer.classList.toggle("problem", Boolean(problem));
    const total = pages();
    footer.textContent = problem || (total > 1
      ? options.pageOf.replace("{page}", String(page + 1)).replace("{pages}", String(total))
      : "");
  }

  function pad(n) {
    return String(n).padStart(2, "0");
  }

  function tickClock() {
    if (!serverNow) return;
    const now = new Date(serverNow.getTime() + (Date.now() - answeredAt));
    document.getElementById("tv-clock").textContent =
      `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())} ` +
      `${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}`;
  }

  let asking = false;

  function poll() {
    if (asking) return; // a slow server: the answer on its way brings the news
    asking = true;
    fetch(options.snapshotUrl, { cache: "no-store", credentials: "same-origin" })
      .then(function (response) {
        return response.json().catch(function () {
          return { error: options.lost };
        });
      })
      .then(function (body) {
        if (body.error) {
          problem = body.error;
        } else {
          problem = "";
          data = body;
          serverNow = new Date(body.now.replace(" ", "T"));
          answeredAt = Date.now();
        }
      })
      .catch(function () {
        problem = options.lost;
      })
      .finally(function () {
        asking = false;
        render();
        tickClock();
      });
  }

  function nextPage() {
    if (pages() > 1) {
      page = (page + 1) % pages();
      render();
    }
  }

  window.addEventListener("resize", render);
  if (document.fonts && document.fonts.ready) document.fonts.ready.then(render);
  poll();
  setInterval(poll, Number(options.pollMs) || 1000);
  setInterval(nextPage, (Number(options.pageSeconds) || 8) * 1000);
  setInterval(tickClock, 1000);
})();
