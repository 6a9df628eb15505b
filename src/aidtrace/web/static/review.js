// aidtrace review page: go through the review queue with the keyboard.
// Data is only ever written with textContent (never innerHTML), so article text cannot inject markup.
// The write token and the reviewer's name live in localStorage (never in a cookie: a cross-site
// page cannot make the browser send them), and so does the last event seen, so that a reload or a
// server restart continues the queue where it was.
"use strict";

const STORE = {reviewer: "aidtrace.reviewer", token: "aidtrace.token", after: "aidtrace.review.after"};
const state = {queue: [], index: 0, current: null, details: new Map(), articles: new Map(),
               filters: new URLSearchParams(), timings: [], done: 0, selection: null};
window.reviewTimings = state.timings;  // action to next event shown, ms (read by the browser test)


async function call(method, path, body) {
  if (body === undefined) return fetchJson(path, {method});
  return fetchJson(path, {method, body: JSON.stringify(body), headers: {
    "Content-Type": "application/json", Authorization: `Bearer ${localStorage.getItem(STORE.token) || ""}`}});
}

function showError(err) { showErrorIn("#review-error", err); }

function status(text) { $("#review-status").textContent = text; }

// -- choices from the API's own schema ---------------------------------------------------
async function loadChoices() {
  const schema = await call("GET", "/openapi.json");
  const params = schema.paths["/api/events"].get.parameters;
  const enumOf = (name) => {
    const s = params.find((p) => p.name === name).schema;
    return (s.anyOf ? s.anyOf.find((x) => x.enum) : s).enum;
  };
  for (const sel of ["#review-who [name=type]", "#review-edit [name=type]", "#review-add [name=type]"]) {
    for (const value of enumOf("type")) $(sel).append(el("option", {value}, value));
  }
  for (const sel of ["#review-edit [name=status]", "#review-add [name=status]"]) {
    for (const value of enumOf("status")) $(sel).append(el("option", {value}, value));
  }
}

// -- the queue -----------------------------------------------------------------------------
async function loadQueue(after) {
  const params = new URLSearchParams(state.filters);
  params.set("size", "50");
  if (after) params.set("after", after);
  state.queue = (await call("GET", `/api/reviews/queue?${params}`)).rows;
  state.index = 0;
}

async function detail(id) {
  if (!state.details.has(id)) {
    state.details.set(id, call("GET", `/api/events/${encodeURIComponent(id)}`).then(async (ev) => {
      if (!state.articles.has(ev.article_id)) {
        state.articles.set(ev.article_id, call("GET", `/api/articles/${encodeURIComponent(ev.article_id)}`));
      }
      return {ev, article: await state.articles.get(ev.article_id)};
    }));
  }
  return state.details.get(id);
}

function prefetch() {
  for (const item of state.queue.slice(state.index + 1, state.index + 3)) detail(item.id).catch(() => {});
}

async function showCurrent() {
  const item = state.queue[state.index];
  if (!item) {
    state.current = null;
    $("#review-event").dataset.id = "";
    $("#review-id").textContent = "";
    $("#review-sentence").textContent = "The queue is empty: every event matching the filters has been reviewed.";
    $("#review-fields").replaceChildren();
    $("#review-article").replaceChildren();
    return;
  }
  const {ev, article} = await detail(item.id);
  state.current = ev;
  render(ev, article);
  prefetch();
}

function itemsText(items) {
  return (items || []).map((i) => [i.item_class, i.quantity ?? "", i.unit ?? ""].join(" ").trim()).join("; ");
}

function valueText(ev) {
  return ev.value_amount === null || ev.value_amount === undefined ? "" : `${ev.value_amount} ${ev.value_currency || ""}`.trim();
}

const FIELDS = [["type", (e) => e.type], ["source", (e) => e.source_code], ["target", (e) => e.target_code],
                ["items", (e) => itemsText(e.items)], ["value", valueText], ["status", (e) => e.status],
                ["date", (e) => e.date], ["attributed_to", (e) => e.attributed_to]];

function render(ev, article) {
  $("#review-event").dataset.id = ev.id;
  $("#review-id").textContent = ev.id;
  $("#review-confidence").textContent = `confidence ${Number(ev.confidence || 0).toFixed(2)}`;
  const sentence = $("#review-sentence");
  const text = ev.sentence || "";
  const hl = ev.evidence.highlight;
  if (hl) {
    sentence.replaceChildren(text.slice(0, hl[0]), el("mark", {}, text.slice(hl[0], hl[1])), text.slice(hl[1]));
  } else {
    sentence.textContent = text;
  }
  const fields = $("#review-fields");
  fields.replaceChildren();
  for (const [name, get] of FIELDS) {
    fields.append(el("dt", {}, name), el("dd", {"data-field": name}, get(ev) ?? "—"));
  }
  $("#review-title").textContent = `${article.title || "Article"} — ${article.outlet || ""} ${article.published || ""}`;
  const pre = $("#review-article");
  const t = article.text;
  const [s0, s1] = [ev.sentence_start ?? 0, ev.sentence_end ?? 0];
  pre.replaceChildren(t.slice(0, s0), el("span", {class: "evidence"}, t.slice(s0, s1)), t.slice(s1));
  $("#review-edit").hidden = true;
  $("#review-add").hidden = true;
  const progress = state.done ? `${state.done} reviewed in this session · ` : "";
  $("#review-progress").textContent = `${progress}${state.queue.length - state.index} in this part of the queue`;
}

async function advance() {
  localStorage.setItem(STORE.after, state.current.id);  // a reload continues after it
  state.index += 1;
  if (state.index >= state.queue.length) await loadQueue(state.current.id);
  await showCurrent();
}

// -- actions -------------------------------------------------------------------------------
function reviewer() {
  const name = (localStorage.getItem(STORE.reviewer) || "").trim();
  if (!name) throw new Error("enter your name as reviewer first");
  return name;
}

async function act(kind, body) {
  if (!state.current) return;
  const started = performance.now();
  try {
    showError(null);
    const id = state.current.id;
    const path = kind === "add" ? "/api/reviews/add" : `/api/reviews/${encodeURIComponent(id)}/${kind}`;
    const done = await call("POST", path, {reviewer: reviewer(), ...body});
    state.done += 1;
    status(kind === "add" ? `added event ${done.event_id}` : `${kind}ed ${id}`.replace("ee", "e"));
    if (kind === "add") return;  // a missed event is added beside the current one: stay on it
    state.details.delete(id);
    await advance();
    state.timings.push(performance.now() - started);
  } catch (err) {
    showError(err);
  }
}

function openEdit() {
  const form = $("#review-edit");
  const ev = state.current;
  if (!ev) return;
  for (const [name, get] of FIELDS) form.elements[name].value = get(ev) ?? "";
  form.hidden = false;
  form.elements.type.focus();
}

function parseItems(text) {
  return text.split(";").map((s) => s.trim()).filter(Boolean).map((part) => {
    const [item_class, quantity, ...unit] = part.split(/\s+/);
    const out = {item_class};
    if (quantity !== undefined) out.quantity = Number(quantity);
    if (unit.length) out.unit = unit.join(" ");
    return out;
  });
}

function parseValue(text) {
  const [amount, currency] = text.trim().split(/\s+/);
  return amount ? {amount: Number(amount), currency: currency || ""} : null;
}

function changedFields() {
  const form = $("#review-edit");
  const out = {};
  for (const [name, get] of FIELDS) {
    const now = form.elements[name].value.trim();
    if (now === String(get(state.current) ?? "")) continue;
    if (name === "items") out.items = parseItems(now);
    else if (name === "value") out.value = parseValue(now);
    else out[name] = now === "" ? null : now;
  }
  return out;
}

function selectionInArticle() {
  const sel = window.getSelection();
  const pre = $("#review-article");
  if (!sel.rangeCount || sel.isCollapsed) return null;
  const range = sel.getRangeAt(0);
  if (!pre.contains(range.startContainer) || !pre.contains(range.endContainer)) return null;
  const before = document.createRange();  // characters before the selection = its article offset
  before.setStart(pre, 0);
  before.setEnd(range.startContainer, range.startOffset);
  const start = before.toString().length;
  return {start, end: start + range.toString().length, quote: range.toString()};
}

function openAdd() {
  const picked = selectionInArticle();
  if (!picked) {
    showError(new Error("select the words of the missed event in the article first"));
    return;
  }
  state.selection = picked;
  const form = $("#review-add");
  $("#review-add-quote").textContent = picked.quote;
  form.elements.type.value = state.current ? state.current.type : form.elements.type.value;
  form.hidden = false;
  form.elements.source.focus();
}

function addBody() {
  const form = $("#review-add");
  const event = {article_id: state.current.article_id, start: state.selection.start, end: state.selection.end,
                 type: form.elements.type.value, source: form.elements.source.value.trim()};
  for (const name of ["target", "status", "date"]) {
    const value = form.elements[name].value.trim();
    if (value) event[name] = value;
  }
  return {event};
}

// -- wiring --------------------------------------------------------------------------------
function typing(target) {
  return target.closest("input, select, textarea, form#review-edit, form#review-add");
}

document.addEventListener("keydown", (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  if (e.key === "Escape") {
    $("#review-edit").hidden = true;
    $("#review-add").hidden = true;
    return;
  }
  if (typing(e.target)) return;
  const keys = {a: () => act("accept"), r: () => act("reject"), e: openEdit, m: openAdd,
                j: () => advance().catch(showError), n: () => advance().catch(showError)};
  if (keys[e.key]) {
    e.preventDefault();
    keys[e.key]();
  }
});

$("#review-accept").addEventListener("click", () => act("accept"));
$("#review-reject").addEventListener("click", () => act("reject"));
$("#review-next").addEventListener("click", () => advance().catch(showError));
$("#review-edit-open").addEventListener("click", openEdit);
for (const form of ["#review-edit", "#review-add"]) {
  $(form).querySelector(".cancel").addEventListener("click", () => { $(form).hidden = true; });
}
$("#review-edit").addEventListener("submit", (e) => {
  e.preventDefault();
  act("edit", {fields: changedFields()});
});
$("#review-add").addEventListener("submit", (e) => {
  e.preventDefault();
  act("add", addBody()).then(() => { $("#review-add").hidden = true; });
});
$("#review-who").addEventListener("submit", (e) => {
  e.preventDefault();
  start(true).catch(showError);
});
for (const name of ["reviewer", "token"]) {
  const input = $(`#review-who [name=${name}]`);
  input.value = localStorage.getItem(STORE[name]) || "";
  input.addEventListener("change", () => localStorage.setItem(STORE[name], input.value.trim()));
}

async function start(restart) {
  const form = new FormData($("#review-who"));
  state.filters = new URLSearchParams();
  for (const name of ["type", "max_confidence"]) {
    const value = (form.get(name) || "").trim();
    if (value) state.filters.set(name, value);
  }
  if (restart) localStorage.removeItem(STORE.after);
  await loadQueue(localStorage.getItem(STORE.after));
  await showCurrent();
}

(async () => {
  try {
    await loadChoices();
    await start(false);
  } catch (err) {
    showError(err);
  } finally {
    document.body.dataset.ready = "true";
  }
})();
