// End-to-end tests of save and share (issue 15) in headless Chromium:
// autosave survives a reload, a share link reproduces the run in a fresh
// browser context, a corrupted link is refused and the autosave kept, and an
// exported script imports back to the same world at the same step.
//
//   node --test tests/e2e/          (./run test builds dist/ first)
//
// Each test opens its own browser context, so each starts with empty storage.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { serveDirectory } from './static-server.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIST = path.resolve(process.env.DIST_DIR ?? path.join(REPO, 'dist'));
const OUT = path.resolve(process.env.E2E_OUTPUT_DIR ?? path.join(REPO, 'test-output'));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const STORAGE_KEY = 'kafka-sim.session';

let server;
let browser;

before(async () => {
  fs.mkdirSync(OUT, { recursive: true });
  assert.ok(fs.existsSync(path.join(DIST, 'index.html')), `${DIST}/index.html not found: ./run build`);
  server = await serveDirectory(DIST, '/sim/');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
  });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** A page in a fresh context (its own storage), failing on any panic. */
async function openPage(context, url = server.url) {
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  page.errors = [];
  page.on('pageerror', (err) => page.errors.push(String(err?.stack ?? err)));
  page.on('console', (msg) => {
    if (msg.type() === 'error') page.errors.push(msg.text());
  });
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForSelector('#app-root', { timeout: 30_000 });
  return page;
}

async function type(page, line) {
  await page.fill('#console-input', line);
  await page.press('#console-input', 'Enter');
}

async function stepCounter(page) {
  return Number(await page.textContent('#step-counter'));
}

/** What `sim state` prints now (the world's state JSON). */
async function simState(page) {
  const before = await page.locator('.console-stdout').count();
  await type(page, 'sim state');
  await page.waitForFunction((n) => document.querySelectorAll('.console-stdout').length > n, before);
  const text = await page.locator('.console-stdout').last().textContent();
  JSON.parse(text);
  return text;
}

/** A session with a topic, records, a dead broker, steps and a step back. */
async function buildSession(page) {
  await type(page, 'kafka-topics --create --topic orders --partitions 2 --replication-factor 3');
  await type(page, 'kafka-console-producer --topic orders <<EOF');
  await type(page, 'first');
  await type(page, 'second');
  await type(page, 'EOF');
  for (let i = 0; i < 12; i++) await page.click('#btn-step');
  await type(page, 'sim broker kill 2');
  for (let i = 0; i < 8; i++) await page.click('#btn-step');
  for (let i = 0; i < 3; i++) await page.click('#btn-back');
  assert.equal(await page.locator('.console-error').count(), 0, 'every line is accepted');
}

function noPanic(page) {
  assert.deepEqual(page.errors.filter((m) => /panicked|RuntimeError|unreachable/i.test(m)), []);
}

test('autosave: a reload restores the same world at the same step', { timeout: 180_000 }, async () => {
  const context = await browser.newContext();
  try {
    const page = await openPage(context);
    await buildSession(page);
    const step = await stepCounter(page);
    assert.ok(step > 10, `step ${step}`);
    const state = await simState(page);
    await page.reload({ waitUntil: 'load' });
    await page.waitForSelector('#app-root');
    assert.equal(await stepCounter(page), step);
    await page.locator('.console-note', { hasText: 'Restored your last session' }).waitFor();
    assert.equal(await simState(page), state);
    // New session: a fresh cluster, and a reload keeps it fresh.
    await page.click('#btn-new-session');
    assert.equal(await stepCounter(page), 0);
    await page.reload({ waitUntil: 'load' });
    await page.waitForSelector('#app-root');
    assert.equal(await stepCounter(page), 0);
    noPanic(page);
  } finally {
    await context.close();
  }
});

test('a share link reproduces the run and position in a fresh context', { timeout: 180_000 }, async () => {
  const a = await browser.newContext();
  const b = await browser.newContext();
  try {
    const page = await openPage(a);
    await buildSession(page);
    const step = await stepCounter(page);
    const state = await simState(page);
    await page.click('#btn-share');
    const url = await page.inputValue('#share-link');
    assert.match(url, /#session=[A-Za-z0-9_-]+$/);
    assert.match(await page.textContent('#session-message'), /characters\)\. Opening it replays this session to step/);
    const other = await openPage(b, url);
    assert.equal(await stepCounter(other), step);
    await other.locator('.console-note', { hasText: 'Opened the shared session' }).waitFor();
    assert.equal(await simState(other), state);
    // The address bar no longer holds the link: a reload restores the autosave.
    assert.ok(!other.url().includes('#session='));
    await other.screenshot({ path: path.join(OUT, 'share-opened.png') });
    noPanic(page);
    noPanic(other);
  } finally {
    await a.close();
    await b.close();
  }
});

test('a corrupted link is refused with a message and the autosave is kept', { timeout: 180_000 }, async () => {
  const context = await browser.newContext();
  try {
    const page = await openPage(context);
    await buildSession(page);
    await page.click('#btn-share');
    const url = await page.inputValue('#share-link');
    const step = await stepCounter(page);
    const state = await simState(page);
    assert.ok(
      (await page.evaluate((k) => localStorage.getItem(k), STORAGE_KEY))?.startsWith('session='),
      'the session is autosaved',
    );
    // One character changed in the middle of the link, and a link cut short.
    const at = url.indexOf('#session=') + 40;
    const changed = url.slice(0, at) + (url[at] === 'A' ? 'B' : 'A') + url.slice(at + 1);
    for (const bad of [changed, url.slice(0, -6)]) {
      const saved = await page.evaluate((k) => localStorage.getItem(k), STORAGE_KEY);
      // Opened in a new tab (a fresh page load): refused, the autosave restored.
      const fresh = await openPage(context, bad);
      await fresh.locator('.console-error').first().waitFor();
      assert.match(await fresh.locator('.console-error').first().textContent(), /damaged.*nothing was loaded/);
      assert.equal(await fresh.evaluate((k) => localStorage.getItem(k), STORAGE_KEY), saved, 'autosave untouched');
      assert.equal(await stepCounter(fresh), step, 'the autosaved session is shown');
      noPanic(fresh);
      await fresh.close();
      // Pasted into the address bar of the open page: refused, nothing changes.
      await page.goto(bad, { waitUntil: 'load' });
      await page.locator('#session-message.error').waitFor();
      assert.match(await page.textContent('#session-message'), /damaged.*nothing was loaded/);
      assert.equal(await page.evaluate((k) => localStorage.getItem(k), STORAGE_KEY), saved, 'autosave untouched');
      assert.equal(await stepCounter(page), step);
    }
    assert.equal(await simState(page), state);
    noPanic(page);
  } finally {
    await context.close();
  }
});

// ---- A share link rewritten as if another version had made it ----
// The link format (docs/sharing.md): base64url of [format] [payload length, varint]
// [payload, LZ4 block layout] [CRC-32 of the payload, big-endian]; the payload
// starts with the version string (varint length + UTF-8).

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function fromBase64url(text) {
  const out = [];
  let acc = 0;
  let bits = 0;
  for (const ch of text) {
    acc = (acc << 6) | B64.indexOf(ch);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 255);
    }
  }
  return out;
}

function toBase64url(bytes) {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = ((acc << 8) | b) & 0xffffff;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += B64[(acc >> bits) & 63];
    }
  }
  if (bits > 0) out += B64[(acc << (6 - bits)) & 63];
  return out;
}

function readVarint(b, at) {
  let v = 0;
  let shift = 0;
  for (;;) {
    const byte = b[at.i++];
    v += (byte & 127) * 2 ** shift;
    if (byte < 128) return v;
    shift += 7;
  }
}

function writeVarint(v) {
  const out = [];
  while (v >= 128) {
    out.push((v % 128) | 128);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

/** LZ4 block decompression (4-byte minimum match, lengths continued in 255-steps). */
function lz4Decompress(b) {
  const out = [];
  const at = { i: 0 };
  const length = (n) => {
    if (n !== 15) return n;
    for (;;) {
      const x = b[at.i++];
      n += x;
      if (x !== 255) return n;
    }
  };
  for (;;) {
    const token = b[at.i++];
    const lit = length(token >> 4);
    for (let k = 0; k < lit; k++) out.push(b[at.i++]);
    if (at.i >= b.length) return out;
    const offset = b[at.i] | (b[at.i + 1] << 8);
    at.i += 2;
    const len = length(token & 15) + 4;
    for (let k = 0; k < len; k++) out.push(out[out.length - offset]);
  }
}

/** One literal-only LZ4 sequence: valid input for any LZ4 block decoder. */
function lz4Literals(bytes) {
  const out = [];
  if (bytes.length >= 15) {
    out.push(15 << 4);
    let n = bytes.length - 15;
    while (n >= 255) {
      out.push(255);
      n -= 255;
    }
    out.push(n);
  } else {
    out.push(bytes.length << 4);
  }
  return out.concat(bytes);
}

function crc32(bytes) {
  let crc = ~0;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

/** The same session link, with `version` written in it instead of this build's. */
function asIfMadeBy(url, version) {
  const [base, fragment] = url.split('#session=');
  const bytes = fromBase64url(fragment);
  const at = { i: 1 };
  const len = readVarint(bytes, at);
  const payload = lz4Decompress(bytes.slice(at.i, bytes.length - 4));
  assert.equal(payload.length, len, 'the link decodes');
  assert.equal(crc32(payload), ((bytes.at(-4) << 24) | (bytes.at(-3) << 16) | (bytes.at(-2) << 8) | bytes.at(-1)) >>> 0);
  const v = { i: 0 };
  const oldLen = readVarint(payload, v);
  const rest = payload.slice(v.i + oldLen);
  const newPayload = [...writeVarint(version.length), ...Buffer.from(version, 'latin1'), ...rest];
  const sum = crc32(newPayload);
  const out = [bytes[0], ...writeVarint(newPayload.length), ...lz4Literals(newPayload), sum >>> 24, (sum >>> 16) & 255, (sum >>> 8) & 255, sum & 255];
  return `${base}#session=${toBase64url(out)}`;
}

test('a link made by another version opens, with a note; a link that is not one is refused', { timeout: 180_000 }, async () => {
  const a = await browser.newContext();
  const b = await browser.newContext();
  try {
    const page = await openPage(a);
    await buildSession(page);
    const step = await stepCounter(page);
    const state = await simState(page);
    await page.click('#btn-share');
    const url = await page.inputValue('#share-link');
    const older = asIfMadeBy(url, '0.0.9');
    assert.notEqual(older, url);
    const other = await openPage(b, older);
    await other.locator('.console-error', { hasText: 'saved by kafka-sim 0.0.9' }).waitFor();
    assert.match(
      await other.locator('.console-error', { hasText: 'saved by kafka-sim 0.0.9' }).textContent(),
      /^This session was saved by kafka-sim 0\.0\.9 and is replayed by \d+\.\d+\.\d+: where the simulation has changed since, the replay may differ\.$/,
    );
    assert.equal(await stepCounter(other), step, 'the run is replayed to its step');
    assert.equal(await simState(other), state);
    noPanic(other);
    await other.close();

    // Not a session link at all: refused, with the character that is wrong.
    const saved = await page.evaluate((k) => localStorage.getItem(k), STORAGE_KEY);
    const notALink = `${server.url}#session=AB$CD`;
    const fresh = await openPage(a, notALink);
    await fresh.locator('.console-error').first().waitFor();
    assert.match(
      await fresh.locator('.console-error').first().textContent(),
      /^This is not a session link \(character '\$' at position 3 is not one of A-Z a-z 0-9 - _\): nothing was loaded\.$/,
    );
    assert.equal(await fresh.evaluate((k) => localStorage.getItem(k), STORAGE_KEY), saved, 'autosave untouched');
    assert.equal(await stepCounter(fresh), step);
    noPanic(fresh);
    noPanic(page);
  } finally {
    await a.close();
    await b.close();
  }
});

test('a session too big for a link says so and offers Export instead', { timeout: 240_000 }, async () => {
  const a = await browser.newContext({ acceptDownloads: true });
  try {
    const page = await openPage(a);
    // 500 records of random text: too much for 8,192 characters even compressed.
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    const records = Array.from({ length: 500 }, () =>
      Array.from({ length: 16 }, () => 'abcdefghijklmnopqrstuvwxyz0123456789'[random() % 36]).join(''),
    );
    const file = path.join(OUT, 'big-session.txt');
    fs.writeFileSync(
      file,
      ['kafka-topics --create --topic big --partitions 1 --replication-factor 1', 'kafka-console-producer --topic big <<EOF', ...records, 'EOF', ''].join('\n'),
    );
    await page.setInputFiles('#import-file', file);
    await page.locator('#session-message', { hasText: 'Imported the script' }).waitFor({ timeout: 60_000 });
    await page.click('#btn-share');
    await page.locator('#session-message.error').waitFor();
    assert.match(
      await page.textContent('#session-message'),
      /^This session makes a link of \d+ characters, more than the 8192 a link may have: use Export to save it as a file instead\.$/,
    );
    assert.equal(await page.locator('#share-link').count(), 0, 'no link is offered');
    // Export has no such limit: the file holds every record.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#btn-export')]);
    const saved = path.join(OUT, 'big-session-export.txt');
    await download.saveAs(saved);
    const text = fs.readFileSync(saved, 'utf8');
    assert.ok(records.every((r) => text.includes(`\n${r}\n`)), 'every record is in the exported script');
    noPanic(page);
  } finally {
    await a.close();
  }
});

test('export and import round-trip the session (file picker)', { timeout: 180_000 }, async () => {
  const a = await browser.newContext({ acceptDownloads: true });
  const b = await browser.newContext();
  try {
    const page = await openPage(a);
    await buildSession(page);
    const step = await stepCounter(page);
    const state = await simState(page);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#btn-export')]);
    assert.equal(download.suggestedFilename(), 'kafka-sim-session.txt');
    const file = path.join(OUT, 'kafka-sim-session.txt');
    await download.saveAs(file);
    const text = fs.readFileSync(file, 'utf8');
    assert.match(text, /^# kafka-sim session, saved by kafka-sim /);
    assert.match(text, /\n# seed: 42\n/);
    assert.match(text, new RegExp(`\\n# step: ${step}\\n`));
    assert.match(text, /\nsim broker kill 2\n/);

    const other = await openPage(b);
    await other.setInputFiles('#import-file', file);
    await other.waitForFunction((s) => document.querySelector('#step-counter')?.textContent === String(s), step);
    assert.match(await other.textContent('#session-message'), /Imported the script/);
    assert.equal(await simState(other), state);

    // Drag and drop: the same file dropped on the page in a fresh context.
    const c = await browser.newContext();
    const dropped = await openPage(c);
    await dropped.evaluate((content) => {
      const dt = new DataTransfer();
      dt.items.add(new File([content], 'kafka-sim-session.txt', { type: 'text/plain' }));
      document.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, text);
    await dropped.waitForFunction((s) => document.querySelector('#step-counter')?.textContent === String(s), step);
    assert.equal(await simState(dropped), state);
    noPanic(dropped);
    await c.close();

    // A script with a refused line changes nothing and says which line.
    const before = await stepCounter(other);
    const bad = path.join(OUT, 'bad-script.txt');
    fs.writeFileSync(bad, 'kafka-topics --describe --topic nope\n');
    await other.setInputFiles('#import-file', bad);
    await other.locator('#session-message.error').waitFor();
    assert.match(await other.textContent('#session-message'), /^Import refused: line 1: .*nothing was loaded\.$/);
    assert.equal(await stepCounter(other), before);
    noPanic(page);
    noPanic(other);
  } finally {
    await a.close();
    await b.close();
  }
});

test('embed mode opens a share link at its step; a damaged one loads nothing and says why', { timeout: 180_000 }, async () => {
  const a = await browser.newContext();
  const b = await browser.newContext({ viewport: { width: 760, height: 560 } });
  try {
    const page = await openPage(a);
    await buildSession(page);
    const step = await stepCounter(page);
    const state = await simState(page);
    await page.click('#btn-share');
    const url = await page.inputValue('#share-link');
    const hash = url.slice(url.indexOf('#'));
    const embed = await openPage(b, `${server.url}?embed=1&lesson=10-basics${hash}`);
    assert.equal(await embed.locator('.app.embed').count(), 1, 'embed layout');
    await embed.waitForFunction((n) => Number(document.querySelector('#step-counter')?.textContent) === n, step);
    // The shared session, not the lesson: its state is the sharer's.
    await embed.click('#tab-console');
    assert.equal(await simState(embed), state);
    // The iframe's src keeps its fragment; nothing is autosaved by an embed.
    assert.ok(embed.url().includes('#session='));
    assert.equal(await embed.evaluate((k) => localStorage.getItem(k), STORAGE_KEY), null);
    noPanic(embed);
    await embed.close();
    const bad = await openPage(b, `${server.url}?embed=1${hash.slice(0, -6)}`);
    await bad.locator('.notice-text').waitFor();
    assert.match(await bad.textContent('.notice-text'), /damaged.*nothing was loaded/);
    assert.equal(await stepCounter(bad), 0, 'nothing loaded');
    noPanic(bad);
  } finally {
    await a.close();
    await b.close();
  }
});
