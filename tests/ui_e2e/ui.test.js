// End-to-end tests of the sweep dashboard in real headless Chromium (the system's
// /usr/bin/chromium driven by playwright-core). Expects a running `sweep ui` at
// $SWEEP_UI_URL whose store holds at least one sweep with a target metric and
// finished trials (run.sh arranges both). Screenshots go to $SCREENSHOT_DIR.
// Exits non-zero on any failed check or console error.
"use strict";

const {chromium} = require("playwright-core");
const fs = require("fs");
const os = require("os");
const path = require("path");

const URL = process.env.SWEEP_UI_URL || "http://127.0.0.1:8765/";
const SHOTS = process.env.SCREENSHOT_DIR || path.join(process.cwd(), "screenshots");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";

let failures = 0;
function check(cond, what) {
  if (cond) console.log("ok   " + what);
  else { console.log("FAIL " + what); failures++; }
}

// Polls `cond` (evaluated in Node) until it returns true; page.waitForFunction would
// compile a string in the page, which the dashboard's Content-Security-Policy forbids.
async function waitUntil(cond, what, timeoutMs = 15000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await cond().catch(() => false)) return;
    if (Date.now() > end) throw new Error("timed out waiting for " + what);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function text(page, selector) {
  const e = await page.$(selector);
  return e ? (await e.textContent()) || "" : "";
}

async function numbersInColumn(page, col) {
  return page.$$eval(`#trials tbody tr td:nth-child(${col})`, (tds) =>
    tds.map((td) => td.textContent.trim()).filter((t) => t !== "–").map(Number));
}

async function main() {
  fs.mkdirSync(SHOTS, {recursive: true});
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "sweep-ui-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: {width: 1400, height: 1000},
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const consoleErrors = [];
  const page = context.pages()[0] || await context.newPage();
  page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
  page.setDefaultTimeout(15000);
  try {
    // Sweeps page.
    await page.goto(URL);
    await page.waitForSelector("#sweeps tbody tr");
    const sweeps = await page.$$("#sweeps tbody tr");
    check(sweeps.length >= 1, `sweeps page lists sweeps (${sweeps.length})`);
    check(/done/.test(await page.textContent("#sweeps tbody tr td.progress-cell")), "sweeps page shows progress");
    await page.screenshot({path: path.join(SHOTS, "ui-sweeps.png"), fullPage: true});

    // One sweep.
    await page.click("#sweeps tbody tr td a");
    await page.waitForSelector("#trials tbody tr");
    await page.waitForSelector("#progress-chart path.series");
    await page.waitForSelector("#parallel path.pc-lines");
    check((await page.$$("#progress-chart path.series")).length === 2, "target chart has values and the running best");
    check((await page.$$("#scatters svg")).length >= 1, "param-vs-metric scatter plots are drawn");
    check((await page.$$("#scatters path.dots")).length >= 1, "scatter plots have dots");
    // Polled: the box is redrawn while the importance is computed in the background.
    let bars = 0;
    await waitUntil(async () => (bars = (await page.$$("#importance svg rect.bar")).length) >= 1,
                    "importance bars").catch(() => {});
    check(bars >= 1, "parameter importance bars are drawn");

    // Sort by the target value, both ways (columns: select, #, trial, status, value).
    await page.click('#trials th[data-sort="value"]');
    await waitUntil(async () => /[▲▼]/.test(await text(page, '#trials th[data-sort="value"]')), "value sort");
    let vals = await numbersInColumn(page, 5);
    const asc = vals.every((v, i) => i === 0 || vals[i - 1] <= v);
    const desc = vals.every((v, i) => i === 0 || vals[i - 1] >= v);
    check(vals.length >= 2 && (asc || desc), `sorting by value orders the table (${vals.slice(0, 4).join(", ")} ...)`);
    const firstDir = asc ? "asc" : "desc";
    await page.click('#trials th[data-sort="value"]');
    await waitUntil(async () => (await text(page, '#trials th[data-sort="value"]')).includes(firstDir === "asc" ? "▼" : "▲"), "reverse sort");
    vals = await numbersInColumn(page, 5);
    const flipped = vals.every((v, i) => i === 0 || (firstDir === "asc" ? vals[i - 1] >= v : vals[i - 1] <= v));
    check(vals.length >= 2 && flipped, "clicking again reverses the order");
    await page.click('#trials th[data-sort="number"]');
    await waitUntil(async () => (await text(page, '#trials th[data-sort="number"]')).includes("▲"), "number sort");
    const numbers = await numbersInColumn(page, 2);
    check(numbers.length >= 2 && numbers.every((v, i) => i === 0 || numbers[i - 1] < v), "sorting by number orders trials by number");

    // Select three trials: their curves appear in the learning-curve chart.
    // Rows are re-rendered by the live refresh, so each box is found again by selector
    // (Playwright re-resolves it) rather than held as an element handle.
    const chosen = [];
    for (let i = 1; i <= 3; i++) {
      const sel = `#trials tbody tr:nth-child(${i}) input.select`;
      chosen.push(await page.getAttribute(sel, "data-trial"));
      await page.check(sel);
    }
    await page.waitForSelector('#curves[data-curves="3"]');
    const labels = await page.$$eval("#curves path.series", (ps) => ps.map((p) => [p.getAttribute("data-label"), p.getAttribute("d").length]));
    check(labels.length === 3, `learning-curve chart draws 3 curves (${labels.length})`);
    check(chosen.every((id) => labels.some(([l, n]) => l === id && n > 10)), "each selected trial has a non-empty curve");
    await page.screenshot({path: path.join(SHOTS, "ui-sweep.png"), fullPage: true});

    // Filter by the first selected trial's id: every row left contains it.
    await page.fill("#filter", chosen[0]);
    await waitUntil(async () => /match/.test(await text(page, "#table-count")), "filter");
    const left = await page.$$eval("#trials tbody tr", (rs) => rs.map((r) => r.getAttribute("data-trial")));
    check(left.length >= 1 && left.every((id) => id.includes(chosen[0])), `filtering keeps only matching trials (${left.length})`);

    // One trial.
    await page.goto(URL + "#/trial/" + encodeURIComponent(chosen[0]));
    await page.waitForSelector("#metric-charts .metric-chart svg path.series");
    check((await page.$$("#metric-charts .metric-chart")).length >= 1, "trial page charts every metric");
    check((await page.textContent("#params")).length > 0, "trial page shows params");
    check(/not recorded|commit/.test(await page.textContent("#provenance")), "provenance says what was recorded");
    await waitUntil(async () => (await text(page, "#log")).length > 0, "log text");
    await page.click('button.tab[data-stream="stderr"]');
    await page.waitForSelector('button.tab.active[data-stream="stderr"]');
    await page.click('button.tab[data-stream="stdout"]');
    await page.waitForSelector('button.tab.active[data-stream="stdout"]');
    const note = "e2e note " + Date.now();
    await page.fill("#note-text", note);
    await page.click("#note-form button");
    await waitUntil(async () => (await text(page, "#notes")).includes(note), "note shown");
    check(true, "a note added in the page is stored and shown");
    await page.fill("#tag-text", "e2e-tag");
    await page.click("#tag-form button");
    await waitUntil(async () => (await text(page, "#tags")).includes("e2e-tag"), "tag shown");
    check(true, "a tag added in the page is stored and shown");
    await page.reload();
    await waitUntil(async () => (await text(page, "#notes")).includes(note), "note after reload");
    check(true, "the note survives a reload (it is in the store)");
    await page.screenshot({path: path.join(SHOTS, "ui-trial.png"), fullPage: true});
  } catch (e) {
    console.log("FAIL " + (e && e.message ? e.message.split("\n")[0] : e));
    failures++;
    await page.screenshot({path: path.join(SHOTS, "ui-failure.png"), fullPage: true}).catch(() => {});
  } finally {
    await context.close();
    fs.rmSync(profile, {recursive: true, force: true});
  }
  check(consoleErrors.length === 0, "no console errors" + (consoleErrors.length ? ": " + consoleErrors.join(" | ") : ""));
  console.log(failures ? `${failures} check(s) failed` : "all browser checks passed");
  process.exit(failures ? 1 : 0);
}

main();
