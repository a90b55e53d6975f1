// Hand-written SVG charts for the sweep dashboard: line charts, scatter plots,
// parallel coordinates and bars. No library: the page ships inside the binary and
// must draw 10,000 trials quickly, so marks of one colour share one <path>
// (a dot is "M x y h0" with a round line cap) instead of one element each.
"use strict";

const SVGNS = "http://www.w3.org/2000/svg";
const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                 "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
// Sequential colours from bad to good for metric buckets.
const RAMP = ["#d73027", "#fc8d59", "#fee08b", "#91cf60", "#1a9850"];

function svgEl(tag, attrs, parent) {
  const e = document.createElementNS(SVGNS, tag);
  for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
  if (parent) parent.appendChild(e);
  return e;
}

function fmt(v) {
  if (v === null || v === undefined) return "–";
  if (typeof v !== "number") return String(v);
  if (!isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2);
  return Number(v.toPrecision(4)).toString();
}

// A scale maps a domain to pixels; log scales work on log10 of positive values.
function makeScale(lo, hi, p0, p1, log) {
  if (log) { lo = Math.log10(lo); hi = Math.log10(hi); }
  if (!(hi > lo)) { lo -= 0.5; hi += 0.5; }
  const f = (v) => {
    const x = log ? Math.log10(v) : v;
    return p0 + (x - lo) / (hi - lo) * (p1 - p0);
  };
  f.ticks = (n) => {
    if (log) {
      const out = [];
      for (let e = Math.ceil(lo); e <= Math.floor(hi); e++) out.push(Math.pow(10, e));
      if (out.length >= 2) return out;
    }
    const span = hi - lo, raw = span / Math.max(1, n);
    const mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => span / s <= n) || 10 * mag;
    const out = [];
    for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) {
      out.push(log ? Math.pow(10, t) : Number(t.toPrecision(12)));
    }
    return out;
  };
  return f;
}

function extent(values, log) {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) {
    if (v === null || v === undefined || !isFinite(v) || (log && v <= 0)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : [0, 1];
}

function frame(container, width, height, margin) {
  container.textContent = "";
  const svg = svgEl("svg", {width, height, viewBox: `0 0 ${width} ${height}`, class: "chart"}, container);
  const m = Object.assign({l: 56, r: 12, t: 10, b: 32}, margin || {});
  return {svg, m, x0: m.l, x1: width - m.r, y0: height - m.b, y1: m.t};
}

function axes(f, xs, ys, xlabel, ylabel) {
  const g = svgEl("g", {class: "axis"}, f.svg);
  for (const t of xs.ticks(6)) {
    const x = xs(t);
    svgEl("line", {x1: x, x2: x, y1: f.y0, y2: f.y1, class: "grid"}, g);
    svgEl("text", {x, y: f.y0 + 14, "text-anchor": "middle"}, g).textContent = fmt(t);
  }
  for (const t of ys.ticks(5)) {
    const y = ys(t);
    svgEl("line", {x1: f.x0, x2: f.x1, y1: y, y2: y, class: "grid"}, g);
    svgEl("text", {x: f.x0 - 4, y: y + 3, "text-anchor": "end"}, g).textContent = fmt(t);
  }
  svgEl("rect", {x: f.x0, y: f.y1, width: f.x1 - f.x0, height: f.y0 - f.y1, class: "plot"}, g);
  if (xlabel) svgEl("text", {x: (f.x0 + f.x1) / 2, y: f.y0 + 28, "text-anchor": "middle", class: "label"}, g).textContent = xlabel;
  if (ylabel) {
    svgEl("text", {x: 12, y: (f.y0 + f.y1) / 2, "text-anchor": "middle", class: "label",
                   transform: `rotate(-90 12 ${(f.y0 + f.y1) / 2})`}, g).textContent = ylabel;
  }
}

// series: [{label, xs: [], ys: [], color, dots?: bool, width?}]
function lineChart(container, series, opts) {
  opts = opts || {};
  const f = frame(container, opts.width || 560, opts.height || 260);
  const allX = [], allY = [];
  for (const s of series) { allX.push(...s.xs); allY.push(...s.ys); }
  const [xl, xh] = extent(allX, false);
  const [yl, yh] = extent(allY, opts.logY);
  const pad = (yh - yl) * 0.04 || 0.5;
  const xs = makeScale(xl, xh, f.x0, f.x1, false);
  const ys = opts.logY ? makeScale(yl, yh, f.y0, f.y1, true) : makeScale(yl - pad, yh + pad, f.y0, f.y1, false);
  axes(f, xs, ys, opts.xlabel, opts.ylabel);
  series.forEach((s, k) => {
    const color = s.color || PALETTE[k % PALETTE.length];
    let d = "", pen = false;
    for (let i = 0; i < s.xs.length; i++) {
      const y = s.ys[i];
      if (y === null || !isFinite(y) || (opts.logY && y <= 0)) { pen = false; continue; }
      const px = xs(s.xs[i]).toFixed(1), py = ys(y).toFixed(1);
      d += s.dots ? `M${px} ${py}h0` : (pen ? `L${px} ${py}` : `M${px} ${py}`);
      pen = true;
    }
    const p = svgEl("path", {d, fill: "none", stroke: color, "stroke-width": s.width || (s.dots ? 5 : 1.6),
                             "stroke-linecap": "round", "stroke-linejoin": "round",
                             class: "series", "data-label": s.label || ""}, f.svg);
    if (s.label) svgEl("title", {}, p).textContent = s.label;
  });
  if (opts.legend !== false && series.length > 1) {
    const lg = svgEl("g", {class: "legend"}, f.svg);
    series.slice(0, 12).forEach((s, k) => {
      const y = f.y1 + 12 + k * 13;
      svgEl("rect", {x: f.x1 - 118, y: y - 8, width: 9, height: 9, fill: s.color || PALETTE[k % PALETTE.length]}, lg);
      svgEl("text", {x: f.x1 - 105, y}, lg).textContent = (s.label || "").slice(0, 18);
    });
  }
  return f.svg;
}

// Dots coloured by bucket: points [{x, y, bucket}] with bucket indices into RAMP.
function scatterChart(container, xs, ys, buckets, opts) {
  opts = opts || {};
  const f = frame(container, opts.width || 260, opts.height || 200, {l: 46, b: 30});
  const cat = opts.categories;
  const [xl, xh] = cat ? [-0.5, cat.length - 0.5] : extent(xs, opts.logX);
  const [yl, yh] = extent(ys, opts.logY);
  const sx = makeScale(xl, xh, f.x0, f.x1, !cat && opts.logX);
  const sy = makeScale(yl, yh, f.y0, f.y1, opts.logY);
  if (cat) {
    sx.ticks = () => cat.map((_, i) => i);
  }
  axes(f, sx, sy, opts.xlabel, opts.ylabel);
  if (cat) {
    f.svg.querySelectorAll(".axis text:not(.label)").forEach((t) => {
      const i = Number(t.textContent);
      if (t.getAttribute("text-anchor") === "middle" && cat[i] !== undefined) t.textContent = String(cat[i]).slice(0, 10);
    });
  }
  const paths = RAMP.map(() => "");
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i], y = ys[i];
    if (x === null || y === null || !isFinite(x) || !isFinite(y)) continue;
    if ((opts.logX && !cat && x <= 0) || (opts.logY && y <= 0)) continue;
    const jitter = cat ? ((i * 2654435761) % 1000 / 1000 - 0.5) * 0.5 : 0;
    paths[buckets[i]] += `M${sx(x + jitter).toFixed(1)} ${sy(y).toFixed(1)}h0`;
  }
  paths.forEach((d, b) => {
    if (d) svgEl("path", {d, stroke: RAMP[b], "stroke-width": 5, "stroke-linecap": "round", "stroke-opacity": 0.75, class: "dots"}, f.svg);
  });
  return f.svg;
}

// axes: [{name, values: [], log, categories?}] ; buckets per row; one path per bucket.
function parallelChart(container, columns, buckets, opts) {
  opts = opts || {};
  const width = opts.width || Math.max(520, columns.length * 120), height = opts.height || 280;
  const f = frame(container, width, height, {l: 70, r: 50, t: 24, b: 20});
  const n = columns.length;
  const xAt = (k) => f.x0 + (n === 1 ? 0 : k * (f.x1 - f.x0) / (n - 1));
  const scales = columns.map((c) => {
    if (c.categories) return makeScale(-0.5, c.categories.length - 0.5, f.y0, f.y1, false);
    const [lo, hi] = extent(c.values, c.log);
    return makeScale(lo, hi, f.y0, f.y1, c.log);
  });
  const paths = RAMP.map(() => []);
  const rows = columns.length ? columns[0].values.length : 0;
  for (let i = 0; i < rows; i++) {
    let d = "", ok = true;
    for (let k = 0; k < n; k++) {
      const v = columns[k].values[i];
      if (v === null || v === undefined || !isFinite(v) || (columns[k].log && v <= 0)) { ok = false; break; }
      d += (k ? "L" : "M") + xAt(k).toFixed(1) + " " + scales[k](v).toFixed(1);
    }
    if (ok) paths[buckets[i]].push(d);
  }
  paths.forEach((ds, b) => {
    if (ds.length) svgEl("path", {d: ds.join(""), fill: "none", stroke: RAMP[b], "stroke-width": 1, "stroke-opacity": 0.45, class: "pc-lines"}, f.svg);
  });
  columns.forEach((c, k) => {
    const x = xAt(k), g = svgEl("g", {class: "axis"}, f.svg);
    svgEl("line", {x1: x, x2: x, y1: f.y0, y2: f.y1, class: "pc-axis"}, g);
    svgEl("text", {x, y: f.y1 - 10, "text-anchor": "middle", class: "label"}, g).textContent = c.name;
    const ticks = c.categories ? c.categories.map((_, i) => i) : scales[k].ticks(4);
    for (const t of ticks) {
      svgEl("text", {x: x + 4, y: scales[k](t) + 3}, g).textContent = c.categories ? String(c.categories[t]).slice(0, 10) : fmt(t);
    }
  });
  return f.svg;
}

// items: [{name, value}] with value in [0, 1]; horizontal bars.
function barChart(container, items) {
  container.textContent = "";
  const rowH = 22, width = 420, height = Math.max(rowH, items.length * rowH) + 4;
  const svg = svgEl("svg", {width, height, class: "chart bars"}, container);
  const max = Math.max(1e-12, ...items.map((i) => i.value));
  items.forEach((it, k) => {
    const y = k * rowH + 2;
    svgEl("text", {x: 0, y: y + 14}, svg).textContent = it.name.slice(0, 22);
    svgEl("rect", {x: 150, y: y + 3, width: Math.max(1, (it.value / max) * 210), height: rowH - 8, class: "bar"}, svg);
    svgEl("text", {x: 150 + Math.max(1, (it.value / max) * 210) + 4, y: y + 14}, svg).textContent = (100 * it.value).toFixed(1) + "%";
  });
  return svg;
}

// Bucket of each value (0 = worst .. 4 = best) by quantile, for colouring.
function qualityBuckets(values, goal) {
  const finite = values.filter((v) => v !== null && isFinite(v)).sort((a, b) => a - b);
  return values.map((v) => {
    if (v === null || !isFinite(v) || !finite.length) return 0;
    let lo = 0, hi = finite.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (finite[mid] < v) lo = mid + 1; else hi = mid; }
    const q = finite.length > 1 ? lo / (finite.length - 1) : 0.5;
    const good = goal === "maximize" ? q : 1 - q;
    return Math.min(4, Math.floor(good * 5));
  });
}

// Two objectives: every trial with both values as a dot (front 1 red and joined by its
// staircase, later fronts grey), infeasible trials as crosses. points: [{values, front,
// feasible, id}]; goals: ["minimize"|"maximize", ...].
function paretoScatter(container, points, names, goals, opts) {
  opts = opts || {};
  const f = frame(container, opts.width || 520, opts.height || 320, {l: 56, b: 34});
  const ok = points.filter((p) => p.values.length >= 2 && p.values[0] !== null && p.values[1] !== null);
  const xs = ok.map((p) => p.values[0]), ys = ok.map((p) => p.values[1]);
  const sx = makeScale(...extent(xs, false), f.x0, f.x1, false);
  const sy = makeScale(...extent(ys, false), f.y0, f.y1, false);
  axes(f, sx, sy, `${names[0]} (${goals[0]})`, `${names[1]} (${goals[1]})`);
  let dots = "", front = "", crosses = "";
  const frontPts = [];
  for (const p of ok) {
    const x = sx(p.values[0]), y = sy(p.values[1]);
    if (!p.feasible) crosses += `M${(x - 4).toFixed(1)} ${(y - 4).toFixed(1)}l8 8M${(x - 4).toFixed(1)} ${(y + 4).toFixed(1)}l8 -8`;
    else if (p.front === 1) { front += `M${x.toFixed(1)} ${y.toFixed(1)}h0`; frontPts.push(p); }
    else dots += `M${x.toFixed(1)} ${y.toFixed(1)}h0`;
  }
  // The attained region's boundary: sorted by the first objective, a step per point.
  const better0 = goals[0] === "maximize" ? -1 : 1;
  frontPts.sort((a, b) => better0 * (a.values[0] - b.values[0]));
  let stair = "";
  frontPts.forEach((p, i) => {
    const x = sx(p.values[0]), y = sy(p.values[1]);
    stair += i === 0 ? `M${x.toFixed(1)} ${y.toFixed(1)}` : `H${x.toFixed(1)}V${y.toFixed(1)}`;
  });
  if (stair) svgEl("path", {d: stair, fill: "none", stroke: "#d62728", "stroke-width": 1.5, class: "pareto-front"}, f.svg);
  if (dots) svgEl("path", {d: dots, stroke: "#9aa5b1", "stroke-width": 6, "stroke-linecap": "round", "stroke-opacity": 0.8, class: "dots"}, f.svg);
  if (front) svgEl("path", {d: front, stroke: "#d62728", "stroke-width": 8, "stroke-linecap": "round", class: "dots front-dots"}, f.svg);
  if (crosses) svgEl("path", {d: crosses, stroke: "#555", "stroke-width": 1.5, class: "infeasible"}, f.svg);
  return f.svg;
}
