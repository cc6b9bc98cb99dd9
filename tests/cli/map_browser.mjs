// Opens a gridkit HTML map in Debian's headless chromium with the network off, over the Chrome
// DevTools Protocol (node's built-in WebSocket; no npm package, no browser download), and reports
// what the page drew and which requests it made.
//
//   node [--experimental-websocket] map_browser.mjs MAP.html SCREENSHOT.png [WIDTH HEIGHT]
//
// Prints one JSON object on stdout: {zonePaths, counts, labels, requests, external, consoleErrors,
// exceptions, popup, legend, ...}. Exit 0 when the page loaded and the map reported ready, 1 when
// it did not, 3 when chromium could not be started. The calling test asserts on the figures.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [htmlPath, shotPath, widthArg, heightArg] = process.argv.slice(2);
if (!htmlPath || !shotPath) {
  console.error('usage: map_browser.mjs MAP.html SCREENSHOT.png [WIDTH HEIGHT]');
  process.exit(2);
}
const width = Number(widthArg || 1400);
const height = Number(heightArg || 1000);
const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
const profile = mkdtempSync(join(tmpdir(), 'gridkit-chromium-'));

const browser = spawn(chromium, [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--no-default-browser-check',
  '--disable-extensions', '--mute-audio', `--user-data-dir=${profile}`,
  '--remote-debugging-port=0', `--window-size=${width},${height}`, 'about:blank',
], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });

function cleanup() {
  try { process.kill(-browser.pid, 'SIGKILL'); } catch { /* already gone */ }
  try { rmSync(profile, { recursive: true, force: true }); } catch { /* best effort */ }
}
function fail(code, message) {
  console.error(`map_browser: ${message}`);
  cleanup();
  process.exit(code);
}
const overall = setTimeout(() => fail(1, 'timed out after 60 s'), 60000);

// chromium prints "DevTools listening on ws://127.0.0.1:PORT/devtools/browser/ID" on stderr.
const wsUrl = await new Promise((res) => {
  let buf = '';
  const t = setTimeout(() => res(null), 20000);
  browser.stderr.on('data', (d) => {
    buf += d.toString();
    const m = buf.match(/DevTools listening on (ws:\/\/\S+)/);
    if (m) { clearTimeout(t); res(m[1]); }
  });
  browser.on('exit', () => { clearTimeout(t); res(null); });
});
if (!wsUrl) fail(3, `could not start ${chromium} with remote debugging`);

const ws = new WebSocket(wsUrl);
await new Promise((res, rej) => { ws.onopen = res; ws.onerror = () => rej(new Error('websocket error')); });
let nextId = 1;
const pending = new Map();
const listeners = [];
ws.onmessage = (ev) => {
  const msg = JSON.parse(ev.data);
  if (msg.id && pending.has(msg.id)) {
    const { res, rej } = pending.get(msg.id);
    pending.delete(msg.id);
    if (msg.error) rej(new Error(`${msg.error.message}`)); else res(msg.result);
  } else if (msg.method) {
    for (const l of listeners) l(msg);
  }
};
function send(method, params = {}, sessionId) {
  const id = nextId++;
  const payload = { id, method, params };
  if (sessionId) payload.sessionId = sessionId;
  ws.send(JSON.stringify(payload));
  return new Promise((res, rej) => pending.set(id, { res, rej }));
}

const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
const S = (method, params) => send(method, params, sessionId);

const requests = [];
const consoleErrors = [];
const exceptions = [];
let loaded = false;
listeners.push((msg) => {
  if (msg.sessionId !== sessionId) return;
  if (msg.method === 'Network.requestWillBeSent') requests.push(msg.params.request.url);
  if (msg.method === 'Page.loadEventFired') loaded = true;
  if (msg.method === 'Runtime.exceptionThrown') {
    exceptions.push(msg.params.exceptionDetails.exception?.description || msg.params.exceptionDetails.text);
  }
  if (msg.method === 'Runtime.consoleAPICalled' && msg.params.type === 'error') {
    consoleErrors.push(msg.params.args.map((a) => a.value ?? a.description).join(' '));
  }
  if (msg.method === 'Log.entryAdded' && msg.params.entry.level === 'error') consoleErrors.push(msg.params.entry.text);
});

await S('Network.enable');
// The network is off: any request that tries to leave would fail (and is recorded above).
await S('Network.emulateNetworkConditions', { offline: true, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
await S('Page.enable');
await S('Runtime.enable');
await S('Log.enable');
await S('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false });

const url = pathToFileURL(resolve(htmlPath)).href;
await S('Page.navigate', { url });

async function evaluate(expression) {
  const r = await S('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true });
  if (r.exceptionDetails) throw new Error(r.exceptionDetails.exception?.description || r.exceptionDetails.text);
  return r.result.value;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Wait for the page's load event and for the map to report itself ready.
let ready = false;
for (let i = 0; i < 200 && !ready; i++) {
  await sleep(100);
  if (!loaded) continue;
  ready = await evaluate('!!(window.gridkitMap && window.gridkitMap.ready)').catch(() => false);
}
// Let the SVG renderer settle after the last redraw.
await sleep(300);

const report = await evaluate(`(() => {
  const g = window.gridkitMap || {};
  return {
    ready: !!g.ready,
    renderer: g.renderer || null,
    counts: g.counts || null,
    labels: g.labels ? g.labels() : 0,
    zonePaths: document.querySelectorAll('path.gk-zone').length,
    zonePathsByBand: {
      under: document.querySelectorAll('path.gk-zone.gk-under').length,
      within: document.querySelectorAll('path.gk-zone.gk-within').length,
      over: document.querySelectorAll('path.gk-zone.gk-over').length,
    },
    gridPaths: document.querySelectorAll('path.gk-grid').length,
    buildingPaths: document.querySelectorAll('path.gk-building').length,
    errorMarkers: document.querySelectorAll('path.gk-error').length,
    legend: (document.querySelector('.gk-legend') || {}).innerText || '',
    title: (document.querySelector('.gk-title h1') || {}).innerText || '',
    attribution: (document.querySelector('.leaflet-control-attribution') || {}).innerText || '',
    tiles: document.querySelectorAll('.leaflet-tile').length,
  };
})()`).catch((e) => ({ ready: false, error: String(e) }));

const shot = await S('Page.captureScreenshot', { format: 'png' });
writeFileSync(shotPath, Buffer.from(shot.data, 'base64'));

// A popup with the feature's attributes opens on a click on a micro-grid.
report.popup = await evaluate(`(() => {
  const p = document.querySelector('path.gk-zone');
  if (!p) return '';
  p.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true, view: window }));
  const c = document.querySelector('.leaflet-popup-content');
  return c ? c.innerText : '';
})()`).catch(() => '');

await sleep(200);
report.requests = requests;
report.external = requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:'));
report.consoleErrors = consoleErrors;
report.exceptions = exceptions;
report.url = url;
report.screenshot = shotPath;
console.log(JSON.stringify(report));

clearTimeout(overall);
ws.close();
cleanup();
process.exit(report.ready ? 0 : 1);
