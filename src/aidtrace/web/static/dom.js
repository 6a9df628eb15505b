// Helpers shared by the dashboard (app.js) and the review page (review.js).
// Data is only ever written with textContent (never innerHTML), so article text cannot inject markup.
"use strict";

const $ = (sel) => document.querySelector(sel);

function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

// fetch JSON; an error answer becomes an Error naming the API's message and code
async function fetchJson(url, init = {}) {
  const response = await fetch(url, {...init, headers: {Accept: "application/json", ...(init.headers || {})}});
  const body = await response.json();
  if (!response.ok) {
    const e = body.error || {};
    throw new Error(`${e.message || response.statusText} (${e.code || response.status})`);
  }
  return body;
}

// show (or, with no error, hide) an error in the box matching selector
function showErrorIn(selector, err) {
  const box = $(selector);
  box.textContent = err ? String(err.message || err) : "";
  box.hidden = !err;
}
