// The sweep dashboard: a hash-routed single page (#/, #/sweep/ID, #/trial/ID) over
// the JSON API under /api/. Every text from the store goes into the page through
// textContent, never innerHTML, so a trial's output cannot inject markup. Pages poll
// the API every 2 s while something is running.
"use strict";

const POLL_MS = 2000;
let pollTimer = null;
let pageToken = 0;  // bumps on navigation so stale responses are dropped

function h(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const k in attrs || {}) {
    if (k === "onclick" || k === "onchange" || k === "oninput" || k === "onsubmit") e[k] = attrs[k];
    else if (attrs[k] !== undefined && attrs[k] !== null && attrs[k] !== false) e.setAttribute(k, attrs[k]);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
  }
  return e;
}

async function api(path, options) {
  const res = await fetch("/api" + path, options);
  const body = await res.json().catch(() => ({error: "bad response"}));
  if (!res.ok) throw new Error(body.error || res.statusText);
  return body;
}

function post(path, data) {
  return api(path, {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(data)});
}

function when(t) {
  if (!t) return "–";
  const d = new Date(t * 1000);
  return d.toISOString().replace("T", " ").slice(0, 19);
}

function duration(s) {
  if (!s || s <= 0) return "–";
  if (s < 60) return s.toFixed(1) + "s";
  if (s < 3600) return Math.floor(s / 60) + "m" + String(Math.round(s % 60)).padStart(2, "0") + "s";
  return Math.floor(s / 3600) + "h" + String(Math.floor((s % 3600) / 60)).padStart(2, "0") + "m";
}

function badge(status) { return h("span", {class: "badge s-" + status}, status); }

// Node's append() would print null as "null"; skip absent parts.
function appendAll(parent, ...children) {
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) parent.append(c);
}

function section(title, ...body) { return h("section", {class: "card"}, h("h2", {}, title), ...body); }

function schedule(fn) {
  clearTimeout(pollTimer);
  pollTimer = setTimeout(fn, POLL_MS);
}

function showError(root, err) {
  root.appendChild(h("p", {class: "error"}, "error: " + err.message));
}

// ---------------------------------------------------------------- sweeps list
async function sweepsPage(root, token) {
  const data = await api("/sweeps");
  if (token !== pageToken) return;
  const rows = data.sweeps.map((s) => {
    const pct = s.planned ? Math.min(100, 100 * s.done / s.planned) : null;
    return h("tr", {},
      h("td", {}, h("a", {href: "#/sweep/" + encodeURIComponent(s.id)}, s.id)),
      h("td", {}, s.name), h("td", {}, badge(s.status), s.reason ? h("div", {class: "muted"}, s.reason) : null),
      h("td", {}, s.kind === "run" ? h("span", {class: "badge"}, "run") : s.method),
      h("td", {}, s.metric ? `${s.metric} (${s.goal === "maximize" ? "max" : "min"})` : "–"),
      h("td", {class: "progress-cell"},
        h("div", {class: "progress"}, h("div", {class: "bar", style: `width:${pct === null ? 0 : pct}%`})),
        h("span", {}, `${s.done}${s.planned ? " / " + s.planned : ""} done`),
        s.counts.running ? h("span", {class: "muted"}, ` · ${s.counts.running} running`) : null,
        s.counts.failed ? h("span", {class: "muted"}, ` · ${s.counts.failed} failed`) : null),
      h("td", {class: "num"}, s.best ? fmt(s.best.value) : "–"),
      h("td", {}, s.best ? h("a", {href: "#/trial/" + encodeURIComponent(s.best.trial_id)}, s.best.trial_id) : "–"),
      h("td", {}, when(s.created_at)));
  });
  root.textContent = "";
  root.appendChild(h("h1", {}, "Sweeps"));
  if (!rows.length) {
    root.appendChild(h("p", {class: "muted"}, "No sweeps in this store yet. Start one with `sweep launch sweep.yaml`."));
  } else {
    root.appendChild(h("table", {class: "grid", id: "sweeps"},
      h("thead", {}, h("tr", {}, ["sweep", "name", "status", "method", "metric", "progress", "best", "best trial", "created"].map((c) => h("th", {}, c)))),
      h("tbody", {}, rows)));
  }
  schedule(() => route());
}

// ---------------------------------------------------------------- one sweep
const sweepState = {id: null, sort: "number", order: "asc", offset: 0, limit: 50, q: "", status: "",
                    selected: new Set(), curveMetric: null};

async function sweepPage(root, id, token) {
  if (sweepState.id !== id) {
    Object.assign(sweepState, {id, sort: "number", order: "asc", offset: 0, q: "", status: "", selected: new Set(), curveMetric: null});
    root.textContent = "";
  }
  const sweep = await api("/sweeps/" + encodeURIComponent(id));
  if (token !== pageToken) return;
  if (!root.querySelector("#sweep-head")) buildSweepSkeleton(root, sweep);
  renderSweepHead(sweep);
  await Promise.all([renderTable(sweep, token), renderOverview(sweep, token), renderCurves(sweep, token), renderPareto(sweep, token)]);
  if (token !== pageToken) return;
  if (sweep.status === "running") schedule(() => sweepPage(root, id, token));
}

function buildSweepSkeleton(root, sweep) {
  root.textContent = "";
  const filter = h("input", {id: "filter", type: "search", placeholder: "filter: text in id, params, status, reason", value: sweepState.q});
  filter.oninput = () => { sweepState.q = filter.value; sweepState.offset = 0; refreshTable(); };
  const statusSel = h("select", {id: "status-filter"}, ["", "finished", "running", "queued", "failed", "stopped", "lost"].map((s) => h("option", {value: s}, s || "any status")));
  statusSel.onchange = () => { sweepState.status = statusSel.value; sweepState.offset = 0; refreshTable(); };
  const metricSel = h("select", {id: "curve-metric"});
  metricSel.onchange = () => { sweepState.curveMetric = metricSel.value; renderCurves(null, pageToken); };
  root.append(
    h("div", {id: "sweep-head"}),
    sweep.options && sweep.options.pareto ? section("Pareto front", h("div", {id: "pareto", class: "chart-box wide"})) : "",
    h("div", {class: "row"},
      section("Target over trials", h("div", {id: "progress-chart", class: "chart-box"})),
      section("Parameter importance", h("div", {id: "importance"}))),
    section("Parallel coordinates", h("div", {id: "parallel", class: "chart-box wide"})),
    section("Parameters vs target", h("div", {id: "scatters", class: "small-multiples"})),
    section("Trials", h("div", {class: "toolbar"}, filter, statusSel, h("span", {id: "table-count", class: "muted"})),
      h("div", {class: "table-wrap"}, h("table", {class: "grid", id: "trials"})),
      h("div", {class: "pager"}, h("button", {id: "prev", onclick: () => page(-1)}, "‹ prev"),
        h("span", {id: "page-info"}), h("button", {id: "next", onclick: () => page(1)}, "next ›"))),
    section("Learning curves of selected trials", h("div", {class: "toolbar"}, h("label", {}, "metric ", metricSel),
      h("button", {id: "clear-selection", onclick: () => { sweepState.selected.clear(); refreshTable(); renderCurves(null, pageToken); }}, "clear selection")),
      h("div", {id: "curves", class: "chart-box wide"})));
}

let lastSweep = null;
function refreshTable() { if (lastSweep) renderTable(lastSweep, pageToken); }
function page(dir) {
  sweepState.offset = Math.max(0, sweepState.offset + dir * sweepState.limit);
  refreshTable();
}

function renderSweepHead(s) {
  lastSweep = s;
  const head = document.getElementById("sweep-head");
  head.textContent = "";
  const pct = s.planned ? Math.min(100, 100 * s.done / s.planned) : null;
  appendAll(head, 
    h("h1", {}, h("a", {href: "#/"}, "Sweeps"), " / ", s.name || s.id, " ", h("span", {class: "muted"}, s.id), " ", badge(s.status)),
    h("div", {class: "facts"},
      s.kind === "run" ? h("span", {}, h("b", {}, "tracked run"), " (sweep run)") : h("span", {}, "method ", h("b", {}, s.method)),
      h("span", {}, "target ", h("b", {}, s.metric ? `${s.metric} (${s.goal})` : "none")),
      h("span", {}, "trials ", h("b", {}, `${s.done}${s.planned ? " / " + s.planned : ""} done, ${s.trials} total`)),
      Object.keys(s.counts).filter((k) => s.counts[k] > 0).map((k) => h("span", {}, badge(k), " ", s.counts[k])),
      h("span", {}, "best ", s.best ? h("a", {href: "#/trial/" + encodeURIComponent(s.best.trial_id)}, fmt(s.best.value) + " (" + s.best.trial_id + ")") : "–")),
    pct === null ? null : h("div", {class: "progress big"}, h("div", {class: "bar", style: `width:${pct}%`})),
    s.reason ? h("p", {class: "muted"}, s.reason) : null);
}

async function renderTable(sweep, token) {
  const q = new URLSearchParams({offset: sweepState.offset, limit: sweepState.limit, sort: sweepState.sort, order: sweepState.order});
  if (sweepState.q) q.set("q", sweepState.q);
  if (sweepState.status) q.set("status", sweepState.status);
  const data = await api(`/sweeps/${encodeURIComponent(sweep.id)}/trials?${q}`);
  if (token !== pageToken) return;
  const table = document.getElementById("trials");
  if (!table) return;
  // The page names its metric columns (the ranking metrics first, at most a few dozen):
  // a script logging per-layer metrics has thousands.
  const params = sweep.params.map((p) => p.name), metrics = data.metric_columns || [];
  const cols = [["", null], ["#", "number"], ["trial", null], ["status", "status"], [sweep.metric || "value", "value"], ["duration", "duration"]]
    .concat(params.map((p) => [p, "param:" + p]))
    .concat(metrics.filter((m) => m !== sweep.metric).map((m) => [m, "metric:" + m]))
    .concat([["commit", null]]);
  const head = h("tr", {}, cols.map(([label, key]) => {
    const th = h("th", {class: key ? "sortable" : "", "data-sort": key || ""}, label,
      key === sweepState.sort ? (sweepState.order === "asc" ? " ▲" : " ▼") : "");
    if (key) th.onclick = () => {
      if (sweepState.sort === key) sweepState.order = sweepState.order === "asc" ? "desc" : "asc";
      else { sweepState.sort = key; sweepState.order = key === "value" && sweep.goal === "maximize" ? "desc" : "asc"; }
      sweepState.offset = 0;
      refreshTable();
    };
    return th;
  }));
  const body = data.rows.map((r) => {
    const box = h("input", {type: "checkbox", class: "select", "data-trial": r.id, checked: sweepState.selected.has(r.id)});
    box.onchange = () => {
      if (box.checked) sweepState.selected.add(r.id); else sweepState.selected.delete(r.id);
      renderCurves(null, pageToken);
    };
    return h("tr", {class: r.best ? "best" : "", "data-trial": r.id},
      h("td", {}, box), h("td", {class: "num"}, r.number),
      h("td", {}, h("a", {href: "#/trial/" + encodeURIComponent(r.id)}, r.id), r.manual ? h("span", {class: "muted"}, " manual") : null),
      h("td", {}, badge(r.status)), h("td", {class: "num value"}, fmt(r.value)),
      h("td", {class: "num"}, duration(r.duration)),
      params.map((p) => h("td", {class: "num"}, fmt(r.params[p]))),
      metrics.filter((m) => m !== sweep.metric).map((m) => h("td", {class: "num"}, fmt(r.metrics[m]))),
      h("td", {class: "mono"}, r.commit ? String(r.commit).slice(0, 10) : "–"));
  });
  table.textContent = "";
  table.append(h("thead", {}, head), h("tbody", {}, body));
  const from = data.matched ? data.offset + 1 : 0, to = data.offset + data.rows.length;
  document.getElementById("page-info").textContent = `${from}–${to} of ${data.matched}`;
  const shown = metrics.filter((m) => m !== sweep.metric).length + (sweep.metric ? 1 : 0);
  const more = data.metric_count > shown ? ` · ${shown} of ${data.metric_count} metrics as columns (all on each trial's page)` : "";
  document.getElementById("table-count").textContent = (data.matched === data.total ? `${data.total} trials` : `${data.matched} of ${data.total} trials match`) + more;
  document.getElementById("prev").disabled = data.offset === 0;
  document.getElementById("next").disabled = to >= data.matched;
}

async function renderOverview(sweep, token) {
  const [cols, imp] = await Promise.all([
    api(`/sweeps/${encodeURIComponent(sweep.id)}/columns`),
    sweep.metric ? api(`/sweeps/${encodeURIComponent(sweep.id)}/importance`) : Promise.resolve(null)]);
  if (token !== pageToken) return;
  const pc = document.getElementById("progress-chart");
  if (!sweep.metric) {
    pc.textContent = "This sweep has no target metric.";
  } else {
    lineChart(pc, [
      {label: sweep.metric, xs: cols.numbers, ys: cols.values, color: "#7aa6d6", dots: true, width: 5},
      {label: "best so far", xs: cols.numbers, ys: cols.best, color: "#d62728", width: 2}],
      {xlabel: "trial number", ylabel: sweep.metric});
  }
  const impBox = document.getElementById("importance");
  if (!imp) impBox.textContent = "Needs a target metric.";
  else if (imp.pending) {
    // Requests run on several server threads: a "pending" answer may arrive after a
    // newer one already drew the bars; keep them.
    if (!impBox.querySelector("svg")) impBox.textContent = "computing parameter importance…";
    setTimeout(() => { if (token === pageToken) renderOverview(sweep, token); }, 1000);
  } else if (!imp.params.length) impBox.textContent = imp.note || "Not enough trials yet.";
  else {
    barChart(impBox, imp.params.map((p) => ({name: p.name, value: p.importance})));
    impBox.appendChild(h("p", {class: "muted"}, `random-forest permutation importance over ${imp.trials} trials`));
  }
  const buckets = qualityBuckets(cols.values, cols.goal);
  const axesCols = cols.params.filter((p) => p.values.some((v) => v !== null)).map((p) => ({
    name: p.name, values: p.values, log: p.log, categories: p.categorical ? p.categories.map((c) => typeof c === "string" ? c : JSON.stringify(c)) : null}));
  const par = document.getElementById("parallel");
  if (sweep.metric) axesCols.push({name: sweep.metric, values: cols.values, log: false, categories: null});
  if (axesCols.length >= 2) parallelChart(par, axesCols, buckets, {width: Math.min(1200, Math.max(600, axesCols.length * 150))});
  else par.textContent = "Needs two or more parameters (or one and a target metric).";
  const sc = document.getElementById("scatters");
  sc.textContent = "";
  if (sweep.metric) {
    for (const p of axesCols.slice(0, sweep.metric ? -1 : undefined)) {
      const box = h("div", {class: "scatter"});
      sc.appendChild(box);
      scatterChart(box, p.values, cols.values, buckets, {xlabel: p.name, ylabel: sweep.metric, logX: p.log, categories: p.categories});
    }
  } else sc.textContent = "Needs a target metric.";
}

// Multi-objective or constrained sweeps: the front as a scatter (two objectives) or as a
// table with parallel coordinates of the objectives (three or more).
async function renderPareto(sweep, token) {
  const box = document.getElementById("pareto");
  if (!box) return;
  const pf = await api(`/sweeps/${encodeURIComponent(sweep.id)}/pareto`);
  if (token !== pageToken) return;
  box.textContent = "";
  const names = pf.objectives.map((o) => o.name), goals = pf.objectives.map((o) => o.goal);
  box.appendChild(h("p", {class: "muted"}, `front: ${pf.front_size} trial${pf.front_size === 1 ? "" : "s"}, ` +
    `hypervolume ${fmt(pf.hypervolume)} (reference ${pf.reference.map((r, i) => `${names[i]}=${fmt(r)}`).join(", ")}` +
    `${pf.reference_derived ? ", derived" : ""}); red: Pareto-optimal, grey: dominated, ×: infeasible`));
  if (names.length === 2) {
    const chart = h("div", {class: "pareto-scatter"});
    box.appendChild(chart);
    paretoScatter(chart, pf.points, names, goals);
  } else if (names.length >= 3) {
    const cols = names.map((n, k) => ({name: n, values: pf.points.map((p) => p.values[k]), log: false, categories: null}));
    const buckets = pf.points.map((p) => (p.front === 1 ? 0 : RAMP.length - 1));
    const par = h("div", {});
    box.appendChild(par);
    parallelChart(par, cols, buckets, {width: Math.max(520, names.length * 150)});
  }
  const front = pf.points.filter((p) => p.front === 1);
  const table = h("table", {class: "grid pareto-table"},
    h("tr", {}, h("th", {}, "trial"), ...names.map((n) => h("th", {}, n))),
    ...front.map((p) => h("tr", {}, h("td", {}, h("a", {href: `#/trial/${encodeURIComponent(p.id)}`}, p.id)),
      ...p.values.map((v) => h("td", {class: "num"}, fmt(v))))));
  box.appendChild(table);
  const infeasible = pf.points.filter((p) => !p.feasible);
  if (infeasible.length) box.appendChild(h("p", {class: "muted"}, `${infeasible.length} infeasible: ` +
    infeasible.slice(0, 5).map((p) => `${p.id} (${p.violations.join("; ")})`).join(", ") + (infeasible.length > 5 ? ", …" : "")));
}

async function renderCurves(sweep, token) {
  sweep = sweep || lastSweep;
  const sel = document.getElementById("curve-metric");
  if (!sweep || !sel) return;
  const metrics = sweep.metrics.length ? sweep.metrics : [];
  if (!sweepState.curveMetric) sweepState.curveMetric = sweep.metric || metrics[0] || "";
  if (sel.options.length !== metrics.length) {
    sel.textContent = "";
    for (const m of metrics) sel.appendChild(h("option", {value: m}, m));
  }
  sel.value = sweepState.curveMetric;
  const box = document.getElementById("curves");
  const ids = [...sweepState.selected];
  if (!ids.length || !sweepState.curveMetric) {
    box.textContent = "Select trials in the table (the boxes on the left) to overlay their learning curves.";
    box.setAttribute("data-curves", "0");
    return;
  }
  const q = new URLSearchParams({metric: sweepState.curveMetric, trials: ids.slice(0, 100).join(","), points: 400});
  const data = await api(`/sweeps/${encodeURIComponent(sweep.id)}/curves?${q}`);
  if (token !== pageToken) return;
  lineChart(box, data.curves.map((c) => ({label: c.trial_id, xs: c.steps, ys: c.values})),
    {width: 900, height: 320, xlabel: "step", ylabel: data.metric});
  box.setAttribute("data-curves", String(data.curves.length));
}

// ---------------------------------------------------------------- one trial
const trialState = {id: null, stream: "stdout"};

async function trialPage(root, id, token) {
  if (trialState.id !== id) { trialState.id = id; root.textContent = ""; }
  const t = await api("/trials/" + encodeURIComponent(id));
  if (token !== pageToken) return;
  if (!root.querySelector("#trial-head")) buildTrialSkeleton(root, t);
  renderTrialHead(t);
  renderNotesTags(t);
  await Promise.all([renderTrialMetrics(t, token), renderLogs(t, token)]);
  if (token !== pageToken) return;
  if (t.status === "running" || t.status === "queued") schedule(() => trialPage(root, id, token));
}

function kv(obj) {
  const keys = Object.keys(obj || {});
  if (!keys.length) return h("p", {class: "muted"}, "none");
  return h("table", {class: "kv"}, h("tbody", {}, keys.map((k) => h("tr", {}, h("th", {}, k),
    h("td", {class: "mono"}, typeof obj[k] === "object" && obj[k] !== null ? JSON.stringify(obj[k]) : fmt(obj[k]))))));
}

function buildTrialSkeleton(root, t) {
  root.textContent = "";
  const tabs = ["stdout", "stderr"].map((s) => {
    const b = h("button", {class: "tab", "data-stream": s}, s);
    b.onclick = () => { trialState.stream = s; renderLogs(null, pageToken); };
    return b;
  });
  const noteText = h("textarea", {id: "note-text", rows: 2, placeholder: "add a note"});
  const noteForm = h("form", {id: "note-form"}, noteText, h("button", {type: "submit"}, "add note"));
  noteForm.onsubmit = async (e) => {
    e.preventDefault();
    if (!noteText.value.trim()) return;
    try { renderNotesTags(await post(`/trials/${encodeURIComponent(trialState.id)}/notes`, {text: noteText.value})); noteText.value = ""; }
    catch (err) { alert(err.message); }
  };
  const tagText = h("input", {id: "tag-text", placeholder: "tag (space separates several)"});
  const tagForm = h("form", {id: "tag-form"}, tagText, h("button", {type: "submit"}, "add tag"));
  tagForm.onsubmit = async (e) => {
    e.preventDefault();
    const tags = tagText.value.split(/\s+/).filter(Boolean);
    if (!tags.length) return;
    try { renderNotesTags(await post(`/trials/${encodeURIComponent(trialState.id)}/tags`, {tags})); tagText.value = ""; }
    catch (err) { alert(err.message); }
  };
  root.append(h("div", {id: "trial-head"}),
    h("div", {class: "row"}, section("Parameters", h("div", {id: "params"})), section("Summary", h("div", {id: "summary"}))),
    section("Metrics", h("div", {id: "metric-charts", class: "small-multiples"})),
    section("Provenance", h("div", {id: "provenance"})),
    section("Logs", h("div", {class: "toolbar"}, tabs, h("span", {id: "log-info", class: "muted"})), h("pre", {id: "log", class: "log"})),
    h("div", {class: "row"}, section("Artifacts", h("div", {id: "files"})),
      section("Notes and tags", h("div", {id: "tags"}), tagForm, h("ul", {id: "notes"}), noteForm)));
}

function renderTrialHead(t) {
  const head = document.getElementById("trial-head");
  head.textContent = "";
  const stop = t.signal !== null ? `signal ${t.signal}` : t.exit_code !== null ? `exit code ${t.exit_code}` : null;
  appendAll(head, 
    h("h1", {}, h("a", {href: "#/"}, "Sweeps"), " / ", h("a", {href: "#/sweep/" + encodeURIComponent(t.sweep_id)}, t.sweep ? (t.sweep.name || t.sweep_id) : t.sweep_id),
      t.manual ? " / manual trial " : " / trial ", t.manual ? "" : t.number, " ", h("span", {class: "muted"}, t.id), " ", badge(t.status)),
    h("div", {class: "facts"},
      t.sweep && t.sweep.metric ? h("span", {}, t.sweep.metric, " ", h("b", {class: "value"}, fmt(t.value))) : null,
      stop ? h("span", {}, stop) : null,
      t.reason ? h("span", {class: "reason"}, "why it stopped: ", h("b", {}, t.reason)) : null,
      h("span", {}, "started ", when(t.started_at)), h("span", {}, "ended ", when(t.ended_at)),
      h("span", {}, "duration ", duration(t.ended_at && t.started_at ? t.ended_at - t.started_at : 0)),
      t.host ? h("span", {}, "host ", t.host) : null, t.gpus ? h("span", {}, "GPU ", t.gpus) : null,
      t.retry_of ? h("span", {}, "retry of ", h("a", {href: "#/trial/" + encodeURIComponent(t.retry_of)}, t.retry_of)) : null,
      t.malformed_lines ? h("span", {class: "warn"}, `${t.malformed_lines} malformed metric lines`) : null),
    t.argv && t.argv.length ? h("pre", {class: "mono argv"}, t.argv.join(" ")) : null,
    t.stderr_tail ? h("details", {}, h("summary", {}, "stderr tail"), h("pre", {class: "log"}, t.stderr_tail)) : null);
  document.getElementById("params").replaceChildren(kv(t.params));
  const names = Object.keys(t.summary || {});
  const fields = ["last", "min", "max", "count", "last_step"].filter((f) => names.some((m) => t.summary[m] && t.summary[m][f] !== undefined));
  document.getElementById("summary").replaceChildren(names.length ? h("table", {class: "grid summary"},
    h("thead", {}, h("tr", {}, h("th", {}, "metric"), fields.map((f) => h("th", {}, f)))),
    h("tbody", {}, names.map((m) => h("tr", {}, h("th", {}, m), fields.map((f) => h("td", {class: "num"}, fmt((t.summary[m] || {})[f]))))))) :
    h("p", {class: "muted"}, "no metrics reported"));
  renderProvenance(t.provenance);
  const files = document.getElementById("files");
  files.textContent = "";
  const list = (t.files && t.files.files) || [];
  if (!list.length) files.appendChild(h("p", {class: "muted"}, "no files"));
  else files.appendChild(h("ul", {class: "files"}, list.map((f) => h("li", {},
    h("a", {href: `/api/trials/${encodeURIComponent(t.id)}/files/${f.path.split("/").map(encodeURIComponent).join("/")}`, target: "_blank", rel: "noopener"}, f.path),
    h("span", {class: "muted"}, ` ${f.size} bytes`)))));
}

function renderProvenance(p) {
  const box = document.getElementById("provenance");
  box.textContent = "";
  if (!p) { box.appendChild(h("p", {class: "muted"}, "not recorded")); return; }
  if (p.error) { box.appendChild(h("p", {class: "error"}, p.error)); return; }
  const git = p.git || {};
  const commit = git.commit || p.commit;
  appendAll(box, 
    h("div", {class: "facts"},
      h("span", {}, "commit ", h("b", {class: "mono"}, commit || "not recorded")),
      git.branch ? h("span", {}, "branch ", git.branch) : null,
      git.remote ? h("span", {}, "remote ", git.remote) : null,
      git.dirty !== undefined ? h("span", {}, git.dirty ? "uncommitted changes" : "clean tree") : null));
  const diff = git.diff || p.diff;
  if (diff) box.appendChild(h("details", {}, h("summary", {}, "uncommitted diff"), h("pre", {class: "log"}, diff)));
  const env = p.environment || p.env;
  if (env) box.appendChild(h("details", {}, h("summary", {}, "environment"), kv(env)));
  const rest = Object.assign({}, p);
  for (const k of ["git", "commit", "diff", "environment", "env"]) delete rest[k];
  if (Object.keys(rest).length) box.appendChild(kv(rest));
}

function renderNotesTags(t) {
  const tags = document.getElementById("tags");
  tags.replaceChildren(...(t.tags.length ? t.tags.map((x) => h("span", {class: "tag"}, x)) : [h("span", {class: "muted"}, "no tags")]));
  const notes = document.getElementById("notes");
  notes.replaceChildren(...t.notes.map((n) => h("li", {}, h("span", {class: "muted"}, when(n.created_at) + " "), n.text)));
}

async function renderTrialMetrics(t, token) {
  const data = await api(`/trials/${encodeURIComponent(t.id)}/metrics?points=600`);
  if (token !== pageToken) return;
  const box = document.getElementById("metric-charts");
  box.textContent = "";
  const names = Object.keys(data.series);
  if (!names.length) { box.appendChild(h("p", {class: "muted"}, "no metrics reported")); return; }
  names.forEach((name, k) => {
    const s = data.series[name];
    const c = h("div", {class: "metric-chart", "data-metric": name},
      h("h3", {}, name, " ", h("span", {class: "muted"}, `${s.raw} points${s.raw > s.steps.length ? `, ${s.steps.length} drawn` : ""}${s.non_finite ? `, ${s.non_finite} non-finite` : ""}`)));
    const plot = h("div", {});
    c.appendChild(plot);
    box.appendChild(c);
    lineChart(plot, [{label: name, xs: s.steps, ys: s.values, color: PALETTE[k % PALETTE.length]}], {width: 420, height: 220, xlabel: "step"});
  });
}

async function renderLogs(t, token) {
  const id = t ? t.id : trialState.id;
  const data = await api(`/trials/${encodeURIComponent(id)}/logs?stream=${trialState.stream}&bytes=65536`);
  if (token !== pageToken) return;
  const pre = document.getElementById("log");
  if (!pre) return;
  document.querySelectorAll(".tab").forEach((b) => b.classList.toggle("active", b.getAttribute("data-stream") === trialState.stream));
  pre.textContent = data.missing ? `(no ${trialState.stream}.log)` : data.text || "(empty)";
  document.getElementById("log-info").textContent = data.missing ? "" :
    ` ${data.size} bytes${data.truncated ? ", showing the tail" : ""}`;
}

// ---------------------------------------------------------------- router
async function route() {
  clearTimeout(pollTimer);
  const token = ++pageToken;
  const root = document.getElementById("app");
  const hash = location.hash.replace(/^#/, "") || "/";
  const parts = hash.split("/").filter(Boolean).map(decodeURIComponent);
  try {
    if (parts[0] === "sweep" && parts[1]) {
      trialState.id = null;
      await sweepPage(root, parts[1], token);
    } else if (parts[0] === "trial" && parts[1]) {
      sweepState.id = null;
      await trialPage(root, parts[1], token);
    } else {
      sweepState.id = null;
      trialState.id = null;
      await sweepsPage(root, token);
    }
  } catch (err) {
    if (token !== pageToken) return;
    showError(root, err);
    schedule(() => route());
  }
}

window.addEventListener("hashchange", () => { sweepState.id = null; trialState.id = null; route(); });
window.addEventListener("DOMContentLoaded", route);
