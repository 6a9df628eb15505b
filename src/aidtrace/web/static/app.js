// aidtrace dashboard: plain JS over the server's own API; no framework, nothing fetched from afar.
// Data is only ever written with textContent (never innerHTML), so article text cannot inject markup.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const EVENT_FILTERS = ["type", "source", "target", "item_class", "status", "since", "until", "q"];
const FLOW_FILTERS = ["source", "target", "item_class", "status", "since", "until"];
const TYPE_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
                      "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79"];
const MAP_COLOURS = ["#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b"];
const NO_DATA = "#e3e6ea";
const PAGE_SIZE = 25;

const FLOW_ROWS = 15;

const state = {page: 1, sort: "date", order: "desc", flowSort: "stories", flowOrder: "desc", types: [],
               world: null, pairs: null, ticket: 0};

function svgEl(tag, attrs = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

function fmt(n) {
  if (n === null || n === undefined) return "";
  return Number(n).toLocaleString("en", {maximumFractionDigits: 2});
}

// -- talking to the API ------------------------------------------------------------------
async function api(path, params) {
  return fetchJson(params ? `${path}?${params}` : path);
}

function showError(err) { showErrorIn("#error", err); }

function filters(names) {
  const form = new FormData($("#filters"));
  const params = new URLSearchParams();
  for (const name of names) {
    const value = (form.get(name) || "").trim();
    if (value) params.set(name, value);
  }
  return params;
}

function setFilters(values) {
  const form = $("#filters");
  for (const name of EVENT_FILTERS) form.elements[name].value = values.get(name) || "";
}

// -- filter choices come from the API's own schema: one list of types, items, statuses ------
async function loadChoices() {
  const schema = await api("/openapi.json");
  const params = schema.paths["/api/events"].get.parameters;
  const enumOf = (name) => {
    const s = params.find((p) => p.name === name).schema;
    return (s.anyOf ? s.anyOf.find((x) => x.enum) : s).enum;
  };
  for (const name of ["type", "item_class", "status"]) {
    const select = $(`#filters [name=${name}]`);
    for (const value of enumOf(name)) select.append(el("option", {value}, value));
  }
  state.types = enumOf("type");
  const actors = await api("/api/actors");
  const list = $("#actor-codes");
  for (const a of actors.rows) list.append(el("option", {value: a.code}, a.name || a.code));
}

async function loadStats() {
  const s = await api("/api/stats");
  const asOf = s.as_of ? s.as_of.slice(0, 10) : "never";
  const range = s.first_event_date ? `, events dated ${s.first_event_date} to ${s.last_event_date}` : "";
  $("#asof").textContent = `As of ${asOf} (latest ingest): ${fmt(s.articles)} articles, ` +
    `${fmt(s.events)} events, ${fmt(s.stories)} stories${range}.` +
    (s.stories_current ? "" : " Stories were built before the latest events: flows may be out of date.");
}

// -- map ----------------------------------------------------------------------------------
async function loadWorld() {
  const [topo, iso3] = await Promise.all([
    fetch("/static/vendor/world-atlas/countries-110m.json").then((r) => r.json()),
    fetch("/static/vendor/world-atlas/iso3.json").then((r) => r.json()),
  ]);
  state.world = topojson.feature(topo, topo.objects.countries).features;
  for (const f of state.world) f.iso3 = iso3[f.id !== undefined ? f.id : f.properties.name] || null;
  state.projection = d3.geoNaturalEarth1().fitSize([960, 500], {type: "Sphere"});
  state.path = d3.geoPath(state.projection);
  state.centroid = {};
  for (const f of state.world) if (f.iso3) state.centroid[f.iso3] = d3.geoCentroid(f);
}

function drawMap() {
  const svg = $("#map");
  svg.replaceChildren();
  if (!state.world || !state.pairs) return;
  const side = document.querySelector("input[name=map-side]:checked").value;
  const count = {};
  const pairs = {};
  const offMap = {};
  for (const row of state.pairs.rows) {
    const key = side === "target" ? row.target : row.source;
    count[key] = (count[key] || 0) + row.figures;
    pairs[`${row.source}>${row.target}`] = row.figures;
  }
  const values = Object.values(count);
  const max = values.length ? Math.max(...values) : 0;
  // log scale: 1 is the lightest colour, the maximum the darkest (counts are skewed)
  const bucket = (n) => (max <= 1 ? MAP_COLOURS.length - 1
    : Math.round((Math.log(n) / Math.log(max)) * (MAP_COLOURS.length - 1)));
  svg.append(svgEl("path", {d: state.path({type: "Sphere"}), class: "sphere"}));
  for (const f of state.world) {
    const n = f.iso3 ? count[f.iso3] || 0 : 0;
    const shape = svgEl("path", {d: state.path(f), class: "country", fill: n ? MAP_COLOURS[bucket(n)] : NO_DATA});
    if (f.iso3) shape.dataset.iso3 = f.iso3;
    const title = svgEl("title");
    title.textContent = `${f.properties.name}${f.iso3 ? " (" + f.iso3 + ")" : ""}: ${n} figure(s) ${side === "target" ? "received" : "given"}`;
    shape.append(title);
    if (f.iso3) shape.addEventListener("click", () => focusCountry(f.iso3, side));
    svg.append(shape);
  }
  if ($("#map-arcs").checked) {
    const top = Object.entries(pairs).sort((a, b) => b[1] - a[1]).slice(0, 60);
    const widest = top.length ? top[0][1] : 1;
    for (const [pair, n] of top) {
      const [s, t] = pair.split(">");
      if (!state.centroid[s] || !state.centroid[t]) {
        offMap[pair] = n;
        continue;
      }
      const line = svgEl("path", {
        d: state.path({type: "LineString", coordinates: [state.centroid[s], state.centroid[t]]}),
        class: "arc", "stroke-width": String(1 + 4 * n / widest)});
      const title = svgEl("title");
      title.textContent = `${s} → ${t}: ${n} figure(s)`;
      line.append(title);
      svg.append(line);
    }
    for (const [pair, n] of Object.entries(pairs)) {
      const [s, t] = pair.split(">");
      if (!state.centroid[s] || !state.centroid[t]) offMap[pair] = n;
    }
  }
  const legend = $("#map-legend");
  legend.replaceChildren();
  if (max) {
    legend.append(el("span", {}, "fewer"));
    for (const c of MAP_COLOURS) legend.append(el("span", {class: "swatch", style: `background:${c}`}));
    legend.append(el("span", {}, `more (max ${max})`));
  } else {
    legend.append(el("span", {}, "No addable aid flows match the filters."));
  }
  const off = Object.entries(offMap).sort((a, b) => b[1] - a[1]).slice(0, 12);
  $("#map-offmap").textContent = off.length
    ? "Not on the map (organisations or unmapped codes): " + off.map(([p, n]) => `${p.replace(">", " → ")} (${n})`).join(", ")
    : "";
}

function focusCountry(iso3, side) {
  const form = $("#filters");
  form.elements[side].value = iso3;
  form.elements.type.value = "AID";
  state.page = 1;
  refresh();
}

// -- timeline -------------------------------------------------------------------------------
function drawTimeline(data) {
  const svg = $("#timeline");
  svg.replaceChildren();
  $("#undated").textContent = fmt(data.undated);
  const months = [...new Set(data.rows.map((r) => r.month))].sort();
  const legend = $("#timeline-legend");
  legend.replaceChildren();
  if (!months.length) {
    const t = svgEl("text", {x: 300, y: 110, "text-anchor": "middle", class: "empty"});
    t.textContent = "No dated events match the filters.";
    svg.append(t);
    return;
  }
  // fill the gaps so that time runs evenly from the first month to the last
  const all = [];
  let [y, m] = months[0].split("-").map(Number);
  const [ly, lm] = months[months.length - 1].split("-").map(Number);
  while (y < ly || (y === ly && m <= lm)) {
    all.push(`${y}-${String(m).padStart(2, "0")}`);
    m += 1;
    if (m > 12) { m = 1; y += 1; }
  }
  const totals = {};
  for (const r of data.rows) totals[r.month] = (totals[r.month] || 0) + r.events;
  const max = Math.max(...Object.values(totals));
  const left = 52, bottom = 190, height = 170, width = 540;
  const bw = width / all.length;
  const colour = (type) => TYPE_COLOURS[state.types.indexOf(type) % TYPE_COLOURS.length];
  const stack = {};
  for (const r of data.rows) {
    const x = left + all.indexOf(r.month) * bw;
    const h = (r.events / max) * height;
    const y0 = bottom - (stack[r.month] || 0) - h;
    stack[r.month] = (stack[r.month] || 0) + h;
    const bar = svgEl("rect", {x: x + 1, y: y0, width: Math.max(1, bw - 2), height: h, fill: colour(r.type), class: "bar"});
    const title = svgEl("title");
    title.textContent = `${r.month} ${r.type}: ${r.events}`;
    bar.append(title);
    svg.append(bar);
  }
  svg.append(svgEl("line", {x1: left, x2: left + width, y1: bottom, y2: bottom, class: "axis"}));
  const every = Math.ceil(all.length / 8);
  all.forEach((month, i) => {
    if (i % every) return;
    const t = svgEl("text", {x: left + i * bw + bw / 2, y: bottom + 16, "text-anchor": "middle", class: "tick"});
    t.textContent = month;
    svg.append(t);
  });
  const top = svgEl("text", {x: left - 6, y: bottom - height + 4, "text-anchor": "end", class: "tick"});
  top.textContent = fmt(max);
  svg.append(top);
  for (const type of state.types.filter((t) => data.rows.some((r) => r.type === t))) {
    const item = el("span", {class: "key"});
    item.append(el("span", {class: "swatch", style: `background:${colour(type)}`}), document.createTextNode(type));
    legend.append(item);
  }
}

// -- tables ----------------------------------------------------------------------------------
function emptyRow(columns, text) {
  const tr = el("tr");
  tr.append(el("td", {colspan: String(columns), class: "empty"}, text));
  return tr;
}

function drawFlows(report) {
  $("#flows-count").textContent = report.total > report.rows.length
    ? `(top ${report.rows.length} of ${fmt(report.total)} rows)` : `(${fmt(report.total)})`;
  for (const th of document.querySelectorAll("#flows th[data-sort]")) {
    th.classList.toggle("sorted", th.dataset.sort === state.flowSort);
    th.dataset.order = th.dataset.sort === state.flowSort ? state.flowOrder : "";
  }
  const body = $("#flows tbody");
  body.replaceChildren();
  for (const r of report.rows) {
    const tr = el("tr", {class: "clickable", tabindex: "0"});
    const quantity = r.quantity_high !== null && r.quantity_high !== r.quantity ? `${fmt(r.quantity)}–${fmt(r.quantity_high)}` : fmt(r.quantity);
    const usd = r.usd_high !== null && r.usd_high !== r.usd ? `${fmt(r.usd)}–${fmt(r.usd_high)}` : fmt(r.usd);
    const target = r.target === "package" ? `package: ${r.recipients.join(", ")}` : r.target;
    for (const [text, cls] of [[r.source], [target], [r.item_class], [r.status], [quantity, "num"], [r.unit || ""],
                               [usd, "num"], [fmt(r.stories), "num"], [fmt(r.events), "num"]]) {
      tr.append(el("td", cls ? {class: cls} : {}, text));
    }
    const open = () => {
      setFilters(new URLSearchParams({type: "AID", source: r.source, target: r.target === "package" ? "" : r.target,
                                      item_class: r.item_class === "mixed" ? "" : r.item_class, status: r.status}));
      state.page = 1;
      refresh();
    };
    tr.addEventListener("click", open);
    tr.addEventListener("keydown", (e) => { if (e.key === "Enter") open(); });
    body.append(tr);
  }
  if (!report.rows.length) body.append(emptyRow(9, "No addable flows match the filters."));
  const reasons = Object.entries(report.excluded_by_reason).map(([k, n]) => `${k}: ${n}`).join("; ");
  $("#flows-excluded").textContent = report.excluded_total
    ? `${fmt(report.excluded_total)} AID event(s) are not added: ${reasons}.` : "";
}

function itemsText(e) {
  const parts = e.items.map((i) => [i.quantity !== null ? fmt(i.quantity) : "", i.unit || "", i.item_class].filter(Boolean).join(" "));
  if (e.value_amount !== null) parts.push(`${e.value_currency || ""} ${fmt(e.value_amount)}`.trim());
  return parts.join("; ");
}

function drawEvents(page) {
  $("#events-count").textContent = `(${fmt(page.total)})`;
  const body = $("#events tbody");
  body.replaceChildren();
  for (const e of page.rows) {
    // a person's accept, edit or add marks the row (the review page wrote it; see /review)
    const tr = el("tr", {class: e.reviewed_by ? "clickable confirmed" : "clickable", tabindex: "0", "data-id": e.id,
                         ...(e.reviewed_by ? {title: `confirmed by a person: ${e.review} by ${e.reviewed_by}`} : {})});
    const target = e.target_code || (e.target_count ? `${e.target_count} unnamed` : e.target_group || "");
    for (const [text, cls] of [[e.date || "", ""], [e.type, ""], [e.source_code || "", ""], [target, ""],
                               [itemsText(e), ""], [e.status || "", ""], [e.sentence || "", "sentence"],
                               [[e.outlet, e.published].filter(Boolean).join(", "), ""]]) {
      tr.append(el("td", cls ? {class: cls} : {}, text));
    }
    tr.addEventListener("click", () => openEvent(e.id));
    tr.addEventListener("keydown", (ev) => { if (ev.key === "Enter") openEvent(e.id); });
    body.append(tr);
  }
  if (!page.rows.length) body.append(emptyRow(8, "No events match the filters."));
  $("#page-info").textContent = page.total ? `page ${page.page} of ${fmt(page.pages)}` : "";
  $("#prev").disabled = page.page <= 1;
  $("#next").disabled = page.page >= page.pages;
  for (const th of document.querySelectorAll("#events th[data-sort]")) {
    th.classList.toggle("sorted", th.dataset.sort === state.sort);
    th.dataset.order = th.dataset.sort === state.sort ? state.order : "";
  }
}

// -- the event view: the sentence, with the words that triggered the event marked --------
async function openEvent(id) {
  let e;
  try {
    e = await api(`/api/events/${encodeURIComponent(id)}`);
  } catch (err) {
    showError(err);
    return;
  }
  const view = $("#event-view");
  $("#event-id").textContent = e.id;
  const quote = $("#event-sentence");
  quote.replaceChildren();
  const s = e.evidence.sentence || "";
  const span = e.evidence.highlight;
  if (span) {
    quote.append(document.createTextNode(s.slice(0, span[0])), el("mark", {}, s.slice(span[0], span[1])),
                 document.createTextNode(s.slice(span[1])));
  } else {
    quote.textContent = s;
  }
  const fields = $("#event-fields");
  fields.replaceChildren();
  const add = (term, value) => {
    if (value === null || value === undefined || value === "") return;
    fields.append(el("dt", {}, term), el("dd", {}, String(value)));
  };
  add("Type", [e.type, e.mode, e.cameo && `CAMEO ${e.cameo}`].filter(Boolean).join(" · "));
  add("Source", [e.source_code, e.source_text && `“${e.source_text}”`].filter(Boolean).join(" "));
  add("Target", e.target_code ? [e.target_code, e.target_text && `“${e.target_text}”`].filter(Boolean).join(" ")
    : e.target_count ? `${e.target_count_qualifier || ""} ${e.target_count} unnamed recipients`.trim() : e.target_group);
  add("Items / value", itemsText(e));
  add("Status", [e.status, e.transfer_mode, e.granularity].filter((x) => x && x !== "unknown").join(", "));
  add("Date", [e.date, e.date_text && `(“${e.date_text}”)`].filter(Boolean).join(" "));
  add("Who says so", [e.attributed_to || "the outlet itself", e.claim_cue && `“${e.claim_cue}”`, e.factuality].filter(Boolean).join(" · "));
  add("Confirmed by a person", e.reviewed_by && `${e.review} by ${e.reviewed_by}`);
  add("Confidence", e.confidence);
  add("Extractor", e.extractor);
  const src = $("#event-source");
  src.replaceChildren();
  const a = e.article;
  src.append(document.createTextNode(`Reported in ${[a.title && `“${a.title}”`, a.outlet, a.published].filter(Boolean).join(", ") || a.id}. `));
  if (a.url) src.append(el("a", {href: a.url, rel: "noopener noreferrer", target: "_blank", id: "event-url"}, "Open the source article"));
  src.append(document.createTextNode(" · "), el("a", {href: `/api/events/${encodeURIComponent(e.id)}`}, "this event as JSON"));
  view.hidden = false;
  history.replaceState(null, "", `${location.pathname}${location.search}#event=${encodeURIComponent(e.id)}`);
  view.scrollIntoView({block: "nearest"});
}

// -- putting it together -------------------------------------------------------------------
function setDownloads(eventParams, flowParams) {
  const sorted = new URLSearchParams(eventParams);
  sorted.set("sort", state.sort);
  sorted.set("order", state.order);
  $("#events-csv").href = `/api/events.csv?${sorted}`;
  $("#events-json").href = `/api/events.json?${sorted}`;
  $("#flows-csv").href = `/api/flows.csv?${flowParams}`;
  $("#flows-json").href = `/api/flows.json?${flowParams}`;
}

async function refresh() {
  const eventParams = filters(EVENT_FILTERS);
  const flowParams = filters(FLOW_FILTERS);
  history.replaceState(null, "", `${location.pathname}?${eventParams}${location.hash}`);
  setDownloads(eventParams, flowParams);
  const flowPage = new URLSearchParams(flowParams);
  flowPage.set("size", FLOW_ROWS);
  flowPage.set("sort", state.flowSort);
  flowPage.set("order", state.flowOrder);
  const pageParams = new URLSearchParams(eventParams);
  pageParams.set("page", state.page);
  pageParams.set("size", PAGE_SIZE);
  pageParams.set("sort", state.sort);
  pageParams.set("order", state.order);
  // each part is drawn as soon as its answer arrives: flows for a new filter can take
  // seconds on a large store, and the table should not wait for them
  // (an answer to an older refresh than the latest is dropped)
  const ticket = ++state.ticket;
  const current = (draw) => (data) => { if (ticket === state.ticket) draw(data); };
  $("#flows-excluded").textContent = "Computing flow totals…";
  const parts = [
    api("/api/events", pageParams).then(current(drawEvents)),
    api("/api/timeline", eventParams).then(current(drawTimeline)),
    Promise.all([api("/api/flows", flowPage), api("/api/flows/pairs", flowParams)]).then(current(([flows, pairs]) => {
      drawFlows(flows);
      state.pairs = pairs;
      drawMap();
    })),
  ];
  const results = await Promise.allSettled(parts);
  if (ticket !== state.ticket) return;
  const failed = results.find((r) => r.status === "rejected");
  showError(failed ? failed.reason : null);
  document.body.dataset.ready = "true";
}

async function main() {
  const form = $("#filters");
  form.addEventListener("submit", (e) => { e.preventDefault(); state.page = 1; refresh(); });
  form.addEventListener("reset", () => setTimeout(() => { state.page = 1; refresh(); }, 0));
  $("#prev").addEventListener("click", () => { state.page -= 1; refresh(); });
  $("#next").addEventListener("click", () => { state.page += 1; refresh(); });
  $("#event-close").addEventListener("click", () => {
    $("#event-view").hidden = true;
    history.replaceState(null, "", `${location.pathname}${location.search}`);
  });
  for (const input of document.querySelectorAll("input[name=map-side], #map-arcs")) input.addEventListener("change", drawMap);
  for (const th of document.querySelectorAll("#events th[data-sort]")) {
    th.addEventListener("click", () => {
      state.order = state.sort === th.dataset.sort && state.order === "desc" ? "asc" : "desc";
      state.sort = th.dataset.sort;
      state.page = 1;
      refresh();
    });
  }
  for (const th of document.querySelectorAll("#flows th[data-sort]")) {
    th.addEventListener("click", () => {
      state.flowOrder = state.flowSort === th.dataset.sort && state.flowOrder === "desc" ? "asc" : "desc";
      state.flowSort = th.dataset.sort;
      refresh();
    });
  }
  try {
    await Promise.all([loadChoices(), loadStats(), loadWorld()]);
  } catch (err) {
    showError(err);
  }
  setFilters(new URLSearchParams(location.search));
  await refresh();
  const hash = new URLSearchParams(location.hash.slice(1));
  if (hash.get("event")) openEvent(hash.get("event"));
}

main();
