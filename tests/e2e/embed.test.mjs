// End-to-end tests of issue 15's "Embed", "Fits every screen" and "Accessible":
// the page at five screen sizes and the embed at two frame sizes (no horizontal
// overflow, no overlapping panels, a cluster view at least 40% of the viewport
// high; screenshots in test-output/), axe-core on the main views and the embed
// (0 serious or critical violations), the postMessage API (command → result,
// step events, another origin ignored, malformed messages answered with an
// error), the example article, the service worker (scope /sim/, offline reload)
// and projector mode.
//
//   node --test tests/e2e/          (./run test builds dist/ first)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { serveDirectory } from './static-server.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIST = path.resolve(process.env.DIST_DIR ?? path.join(REPO, 'dist'));
const OUT = path.resolve(process.env.E2E_OUTPUT_DIR ?? path.join(REPO, 'test-output'));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

const PAGE_SIZES = [
  [390, 844],
  [768, 1024],
  [1024, 768],
  [1280, 720],
  [1920, 1080],
];
const EMBED_SIZES = [
  [640, 420],
  [760, 560],
];
const LESSON = '41-acks1-leader-dies';

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

/** A page that records panics; `check()` asserts there were none. */
async function openPage(width, height, url) {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForSelector('#app-root', { timeout: 30_000 });
  const check = () =>
    assert.deepEqual(errors.filter((m) => /panicked|RuntimeError|unreachable/i.test(m)), [], 'no panic');
  return { context, page, check };
}

/** Layout facts of the page as a learner sees it. */
async function measure(page) {
  // Pills are moved apart just before the next paint (ui/pills.rs): measure what is painted.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
  return page.evaluate(() => {
    const root = document.documentElement;
    const rect = (el) => el.getBoundingClientRect();
    // What is visible of an element: its box cut by every scrolling ancestor (a
    // panel scrolled inside a drawer overlaps nothing outside the drawer).
    const visible = (el) => {
      const r = rect(el).toJSON();
      for (let a = el.parentElement; a; a = a.parentElement) {
        const style = getComputedStyle(a);
        if (style.overflowX === 'visible' && style.overflowY === 'visible') continue;
        const c = rect(a);
        r.left = Math.max(r.left, c.left);
        r.top = Math.max(r.top, c.top);
        r.right = Math.min(r.right, c.right);
        r.bottom = Math.min(r.bottom, c.bottom);
      }
      return r;
    };
    const cluster = document.querySelector('.cluster-panel');
    // The blocks of the page: header, controls, and every panel not inside another one.
    const blocks = [...document.querySelectorAll('.app-header, .controls, .embed-bar, .embed-narration, .panel')]
      // checkVisibility: not the content of a closed <details> (laid out when measured, never drawn).
      .filter((el) => !el.parentElement.closest('.panel') && el.offsetParent !== null && el.checkVisibility())
      .map((el) => ({ name: `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`, r: visible(el), raw: rect(el).toJSON() }))
      .filter((b) => b.r.right > b.r.left && b.r.bottom > b.r.top);
    const overlaps = [];
    for (let i = 0; i < blocks.length; i++) {
      for (let j = i + 1; j < blocks.length; j++) {
        const a = blocks[i].r;
        const b = blocks[j].r;
        const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (w > 1 && h > 1) overlaps.push(`${blocks[i].name} × ${blocks[j].name}`);
      }
    }
    // Raw boxes here: `.app` hides horizontal overflow, which must not hide a block cut off at the right.
    const tooWide = blocks.filter((b) => b.raw.right > innerWidth + 1 || b.raw.left < -1).map((b) => b.name);
    // The network lane: no pill (a message in flight) covers another one or
    // the lane's legend, and none sticks out of the lane.
    const pillProblems = [];
    for (const lane of document.querySelectorAll('.network-lane')) {
      const l = rect(lane);
      const label = (el) => `"${el.textContent.trim()}"`;
      const drawn = [...lane.querySelectorAll('.message, .lane-legend, .lane-empty')].filter(
        (el) => getComputedStyle(el).visibility !== 'hidden',
      );
      const boxes = drawn.map((el) => rect(el));
      for (let i = 0; i < drawn.length; i++) {
        const a = boxes[i];
        if (a.left < l.left - 1 || a.right > l.right + 1 || a.top < l.top - 1 || a.bottom > l.bottom + 1) {
          pillProblems.push(`${label(drawn[i])} sticks out of the lane`);
        }
        for (let j = i + 1; j < drawn.length; j++) {
          const b = boxes[j];
          const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
          const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
          if (w > 1 && h > 1) pillProblems.push(`${label(drawn[i])} × ${label(drawn[j])}`);
        }
      }
    }
    return {
      innerWidth,
      innerHeight,
      scrollWidth: root.scrollWidth,
      scrollHeight: root.scrollHeight,
      clusterHeight: cluster ? rect(cluster).height : 0,
      // The cluster view's content is taller than its panel (it would scroll inside).
      clusterScrolls: cluster ? cluster.scrollHeight > cluster.clientHeight + 1 : false,
      pills: document.querySelectorAll('.network-lane .message').length,
      pillProblems,
      overlaps,
      tooWide,
    };
  });
}

/** Runs axe-core; returns the serious and critical violations as readable lines. */
async function axe(page, what) {
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  });
  assert.deepEqual(violations, [], `axe-core on ${what}`);
}

/** Pills move with a 0.45 s transition; a layout check wants where they end up. */
async function stillPills(page) {
  await page.addStyleTag({ content: '.message { transition: none !important; }' });
}

/** Types a console line (the console is open on the full page). */
async function typeLine(page, line) {
  await page.fill('#console-input', line);
  await page.press('#console-input', 'Enter');
}

test('the page fits 390×844 to 1920×1080: no overflow, no overlap, a cluster view ≥ 40% high; axe clean', { timeout: 300_000 }, async () => {
  for (const [width, height] of PAGE_SIZES) {
    const { context, page, check } = await openPage(width, height, server.url);
    try {
      await typeLine(page, 'kafka-topics --create --topic orders --partitions 3 --replication-factor 3');
      await page.waitForSelector('.replica[data-topic="orders"]');
      await typeLine(page, 'kafka-console-producer --topic orders --property parse.key=true --property key.separator=: <<EOF');
      await typeLine(page, 'alice:hello');
      await typeLine(page, 'bob:world');
      await typeLine(page, 'carol:again');
      await typeLine(page, 'EOF');
      await stillPills(page);
      // Step by step while requests and replica fetches cross the lane: no pill covers another.
      let most = 0;
      for (let i = 0; i < 30; i++) {
        await page.click('#btn-step');
        const lane = await measure(page);
        most = Math.max(most, lane.pills);
        assert.deepEqual(lane.pillProblems, [], `${width}×${height} at step ${i + 1}: pills overlap`);
      }
      assert.ok(most >= 4, `${width}×${height}: only ${most} pills were in flight at once`);
      const m = await measure(page);
      const shot = path.join(OUT, `layout-${width}x${height}.png`);
      await page.screenshot({ path: shot });
      if (width < 1100) await page.screenshot({ path: path.join(OUT, `layout-${width}x${height}-full.png`), fullPage: true });
      assert.ok(m.scrollWidth <= m.innerWidth, `${width}×${height}: page is ${m.scrollWidth}px wide (horizontal scrolling)`);
      assert.deepEqual(m.tooWide, [], `${width}×${height}: blocks past the right edge`);
      assert.deepEqual(m.overlaps, [], `${width}×${height}: overlapping blocks`);
      assert.ok(m.clusterHeight >= 0.4 * height, `${width}×${height}: cluster view ${m.clusterHeight}px < 40% of ${height}`);
      if (width === 1280 || width === 390) {
        await axe(page, `the page at ${width}×${height} with a topic and a record`);
      }
      check();
    } finally {
      await context.close();
    }
  }
});

test('axe-core: a guided lesson, the other form tabs, the shortcuts list', { timeout: 180_000 }, async () => {
  const { context, page, check } = await openPage(1280, 720, server.url);
  try {
    await page.selectOption('#guided-lesson', LESSON);
    await page.click('#guide-start');
    await page.click('#guide-next');
    await page.waitForSelector('.guide-check');
    await axe(page, 'a guided lesson after its first beat');
    for (const tab of ['Consumer groups', 'Assignor lab', 'Schema Registry']) {
      await page.getByRole('tab', { name: tab }).click();
      await axe(page, `the ${tab} tab`);
    }
    // `?` lists the shortcuts in a modal dialog; Esc closes it.
    await page.locator('body').press('?');
    await page.waitForSelector('#shortcuts-dialog[open]');
    assert.match(await page.locator('#shortcuts-dialog').textContent(), /take one step/);
    await axe(page, 'the shortcuts dialog');
    await page.keyboard.press('Escape');
    await page.waitForSelector('#shortcuts-dialog:not([open])', { state: 'attached' });
    check();
  } finally {
    await context.close();
  }
});

test('keyboard: Tab reaches the step controls with a visible focus ring; narration in a polite live region', { timeout: 120_000 }, async () => {
  const { context, page, check } = await openPage(1280, 720, server.url);
  try {
    await typeLine(page, 'kafka-topics --create --topic orders --partitions 1 --replication-factor 3');
    await page.locator('body').click({ position: { x: 2, y: 2 } });
    let reached = false;
    for (let i = 0; i < 40 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement?.id === 'btn-step');
    }
    assert.ok(reached, 'Tab reaches Step');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, 'none', 'the focused button shows an outline');
    await page.keyboard.press('Enter');
    const live = page.locator('#narration-live');
    assert.equal(await live.getAttribute('aria-live'), 'polite');
    const step = Number(await page.locator('#step-counter').textContent());
    const want = await page.locator(`.event-log li.event[data-step="${step}"]`).getAttribute('title');
    assert.equal((await live.textContent()).trim(), want.trim(), 'the live region says the current step');
    check();
  } finally {
    await context.close();
  }
});

/**
 * Presses Tab until focus comes round again; returns every control reached
 * with whether it showed a focus ring, and the visible enabled controls Tab
 * never reached.
 */
async function tabAround(page, maxPresses = 400) {
  await page.evaluate(() => {
    document.activeElement?.blur();
    window.__reached = new Map();
  });
  for (let i = 0; i < maxPresses; i++) {
    await page.keyboard.press('Tab');
    const again = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return false;
      if (window.__reached.has(el)) return true;
      // The ring: an outline or a box shadow on the element, or on the label around a hidden file input.
      const ring = (e) => {
        const st = getComputedStyle(e);
        return (st.outlineStyle !== 'none' && parseFloat(st.outlineWidth) > 0) || st.boxShadow !== 'none';
      };
      const shown = ring(el) || (el.type === 'file' && el.closest('label') && ring(el.closest('label')));
      window.__reached.set(el, shown);
      return false;
    });
    if (again) break;
  }
  return page.evaluate(() => {
    const name = (el) =>
      `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.getAttribute('aria-label') ? `[${el.getAttribute('aria-label')}]` : ''} "${(el.textContent || el.value || '').trim().slice(0, 30)}"`;
    const controls = [...document.querySelectorAll('button, input, select, textarea, summary, a[href], [tabindex]:not([tabindex="-1"])')].filter(
      (el) =>
        !el.disabled &&
        el.type !== 'hidden' &&
        el.tabIndex >= 0 &&
        el.checkVisibility({ visibilityProperty: true }) &&
        !el.closest('[inert], dialog:not([open])') &&
        // Inside a closed <details> only its <summary> is shown.
        !(el.closest('details:not([open])') && el.closest('details:not([open])') !== el.parentElement?.closest('details:not([open])')?.querySelector(':scope > summary')?.parentElement) &&
        !(el.closest('details:not([open])') && el.tagName !== 'SUMMARY'),
    );
    return {
      reached: window.__reached.size,
      missed: controls.filter((el) => !window.__reached.has(el)).map(name),
      noRing: [...window.__reached].filter(([, shown]) => !shown).map(([el]) => name(el)),
    };
  });
}

test('keyboard: every visible control is reached by Tab and shows a focus ring (page and embed)', { timeout: 180_000 }, async () => {
  for (const [url, what] of [
    [server.url, 'the page'],
    [`${server.url}?embed=1&lesson=${LESSON}`, 'the embed'],
  ]) {
    const { context, page, check } = await openPage(1280, 720, url);
    try {
      if (what === 'the page') {
        await typeLine(page, 'kafka-topics --create --topic orders --partitions 1 --replication-factor 3');
        await page.waitForSelector('.replica[data-topic="orders"]');
      }
      const r = await tabAround(page);
      assert.ok(r.reached >= 10, `${what}: Tab reached only ${r.reached} controls`);
      assert.deepEqual(r.missed, [], `${what}: controls Tab does not reach`);
      assert.deepEqual(r.noRing, [], `${what}: controls without a visible focus ring`);
      check();
    } finally {
      await context.close();
    }
  }
});

test('embed at 640×420 and 760×560: compact, never scrolls, cluster ≥ 40%; axe clean', { timeout: 180_000 }, async () => {
  for (const [width, height] of EMBED_SIZES) {
    const { context, page, check } = await openPage(width, height, `${server.url}?embed=1&lesson=${LESSON}`);
    try {
      assert.equal(await page.locator('.app.embed').count(), 1, 'embed layout');
      assert.equal(await page.locator('.app-header').count(), 0, 'no full-page header');
      await stillPills(page);
      assert.equal(await page.getAttribute('#embed-narration', 'aria-live'), 'polite', 'narration in a polite live region');
      await page.click('#guide-next');
      await page.waitForSelector('.replica[data-topic="orders"]');
      await page.waitForSelector('.guide-check');
      // Beat 2: a record is produced and replicated (pills cross the lane).
      await page.click('#guide-next');
      await page.waitForSelector('.replica[data-topic="orders"] .record-cell');
      await page.waitForSelector('.embed-narration .busy-text', { state: 'detached' });
      const m = await measure(page);
      await page.screenshot({ path: path.join(OUT, `embed-${width}x${height}.png`) });
      assert.ok(m.scrollWidth <= m.innerWidth, `${width}×${height}: ${m.scrollWidth}px wide`);
      assert.ok(m.scrollHeight <= m.innerHeight, `${width}×${height}: ${m.scrollHeight}px high (the embed scrolls)`);
      assert.deepEqual(m.overlaps, [], `${width}×${height}: overlapping blocks`);
      assert.ok(m.clusterHeight >= 0.4 * height, `${width}×${height}: cluster view ${m.clusterHeight}px < 40% of ${height}`);
      assert.equal(m.clusterScrolls, false, `${width}×${height}: the cluster view scrolls inside its panel`);
      // Step through the record's replication: the pills never cover each other.
      for (let i = 0; i < 12; i++) {
        await page.click('#btn-step');
        const lane = await measure(page);
        assert.deepEqual(lane.pillProblems, [], `${width}×${height}, step ${i + 1}: pills overlap`);
        assert.equal(lane.clusterScrolls, false, `${width}×${height}, step ${i + 1}: the cluster view scrolls`);
      }
      await axe(page, `the embed at ${width}×${height}`);
      // The console drawer: a command typed there runs.
      await page.click('#tab-console');
      await typeLine(page, 'sim broker kill 1');
      await page.waitForSelector('.broker[data-broker="1"].broker-dead');
      const m2 = await measure(page);
      await page.screenshot({ path: path.join(OUT, `embed-${width}x${height}-console.png`) });
      assert.ok(m2.scrollHeight <= m2.innerHeight, `${width}×${height} with the console open: the embed scrolls`);
      assert.ok(m2.clusterHeight >= 0.4 * height, `${width}×${height} with the console open: cluster ${m2.clusterHeight}px`);
      assert.equal(m2.clusterScrolls, false, `${width}×${height} with the console open: the cluster view scrolls`);
      assert.deepEqual(m2.overlaps, [], `${width}×${height} with the console open: overlapping blocks`);
      await axe(page, `the embed at ${width}×${height} with the console open`);
      check();
    } finally {
      await context.close();
    }
  }
});

/** The host page: two embeds, one configured for this origin and one not. */
function hostPage(simUrl, host) {
  const allowed = `${simUrl}?embed=1&controls=step,console&origin=${encodeURIComponent(host)}`;
  const strange = `${simUrl}?embed=1`;
  return `<!DOCTYPE html><html lang="en"><head><title>host</title></head><body>
<iframe id="a" title="allowed" src="${allowed}" style="width:640px;height:420px"></iframe>
<iframe id="b" title="other" src="${strange}" style="width:640px;height:420px"></iframe>
<script>
  window.received = { a: [], b: [] };
  const frames = { a: document.getElementById('a'), b: document.getElementById('b') };
  addEventListener('message', (e) => {
    for (const [k, f] of Object.entries(frames)) if (e.source === f.contentWindow) window.received[k].push(e.data);
  });
  window.send = (k, data) => frames[k].contentWindow.postMessage(data, '*');
</script></body></html>`;
}

test('postMessage: command → result, step events, back, malformed → error, another origin ignored', { timeout: 180_000 }, async () => {
  // The host page is served from another port: another origin than the simulator's.
  const hostServer = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(hostPage(server.url, host));
  });
  await new Promise((resolve) => hostServer.listen(0, '127.0.0.1', resolve));
  const host = `http://127.0.0.1:${hostServer.address().port}`;
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  try {
    await page.goto(`${host}/article.html`);
    const a = page.frameLocator('#a');
    const b = page.frameLocator('#b');
    await a.locator('#app-root').waitFor();
    await b.locator('#app-root').waitFor();
    const got = (k) => page.evaluate((k) => window.received[k], k);
    const waitFor = (k, pred, what) =>
      page
        .waitForFunction(
          ([k, src]) => window.received[k].some(new Function('m', `return ${src}`)),
          [k, pred],
          { timeout: 15_000 },
        )
        .catch(() => assert.fail(`no ${what} from embed ${k}: got ${JSON.stringify(window.received?.[k])}`));

    await waitFor('a', "m.type === 'ready'", 'ready');
    // A command runs and its answer carries what the terminal shows.
    await page.evaluate(() =>
      window.send('a', { kafkaSim: 1, id: 'create', type: 'command', line: 'kafka-topics --create --topic orders --partitions 1 --replication-factor 3' }),
    );
    await waitFor('a', "m.id === 'create'", 'answer to the command');
    const created = (await got('a')).find((m) => m.id === 'create');
    assert.equal(created.type, 'result');
    assert.equal(created.ok, true, JSON.stringify(created));
    assert.match(created.output, /Created topic orders\./);
    await a.locator('.replica[data-topic="orders"]').first().waitFor();
    assert.equal(Number(await a.locator('#step-counter').textContent()), created.step);

    // Three steps: the answer says so, and one step event per step is posted.
    await page.evaluate(() => window.send('a', { kafkaSim: 1, id: 'three', type: 'step', count: 3 }));
    await waitFor('a', "m.id === 'three'", 'answer to step');
    const stepped = (await got('a')).find((m) => m.id === 'three');
    assert.equal(stepped.moved, 3);
    assert.equal(stepped.step, created.step + 3);
    await waitFor('a', `m.type === 'step' && m.step === ${stepped.step}`, 'the last step event');
    const events = (await got('a')).filter((m) => m.type === 'step' && m.step > created.step);
    assert.deepEqual(events.map((m) => m.step), [created.step + 1, created.step + 2, created.step + 3]);
    for (const e of events) {
      assert.equal(e.direction, 'forward');
      assert.ok(e.narration.length > 10 && e.actor && e.kind, JSON.stringify(e));
    }
    assert.equal(Number(await a.locator('#step-counter').textContent()), stepped.step);

    // Back one step: a "back" event for the step arrived at.
    await page.evaluate(() => window.send('a', { kafkaSim: 1, id: 'back', type: 'back' }));
    await waitFor('a', `m.type === 'step' && m.direction === 'back' && m.step === ${stepped.step - 1}`, 'back event');

    // Malformed messages: answered with an error, nothing changes.
    const before = Number(await a.locator('#step-counter').textContent());
    await page.evaluate(() => {
      window.send('a', 'step please');
      window.send('a', { kafkaSim: 1, id: 'bad-type', type: 'fly' });
      window.send('a', { kafkaSim: 1, id: 'bad-count', type: 'step', count: -4 });
      window.send('a', { kafkaSim: 1, id: 'bad-line', type: 'command', line: 'sim step\nsim step' });
    });
    await waitFor('a', "m.id === 'bad-line'", 'answer to the malformed command');
    const answers = (await got('a')).filter((m) => m.type === 'error');
    assert.equal(answers.length, 4, JSON.stringify(answers));
    assert.match(answers.find((m) => m.id === 'bad-type').error, /no message type "fly"/);
    assert.match(answers.find((m) => m.id === null).error, /must be an object/);
    assert.ok(answers.every((m) => m.ok === false));
    // A refused command is a result with ok=false (the line was well-formed).
    await page.evaluate(() => window.send('a', { kafkaSim: 1, id: 'refused', type: 'command', line: 'kafka-topics --create --topic orders --partitions 1 --replication-factor 3' }));
    await waitFor('a', "m.id === 'refused'", 'answer to a refused command');
    const refused = (await got('a')).find((m) => m.id === 'refused');
    assert.equal(refused.ok, false);
    assert.match(refused.error ?? refused.output, /already exists/);
    assert.equal(Number(await a.locator('#step-counter').textContent()), before, 'nothing changed');

    // Seek back to the start.
    await page.evaluate(() => window.send('a', { kafkaSim: 1, id: 'seek', type: 'seek', step: 0 }));
    await waitFor('a', "m.id === 'seek'", 'answer to seek');
    assert.equal(Number(await a.locator('#step-counter').textContent()), 0);

    // The second embed was not configured for this origin: it ignores everything.
    await page.evaluate(() => {
      window.send('b', { kafkaSim: 1, id: 'x', type: 'command', line: 'kafka-topics --create --topic spam --partitions 1 --replication-factor 1' });
      window.send('b', { kafkaSim: 1, id: 'y', type: 'step', count: 5 });
      window.send('b', 'garbage');
    });
    await page.waitForTimeout(1500);
    assert.deepEqual(await got('b'), [], 'no answer from an embed configured for another origin');
    assert.equal(Number(await b.locator('#step-counter').textContent()), 0, 'its world did not move');
    assert.equal(await b.locator('.replica[data-topic="spam"]').count(), 0);
    assert.deepEqual(errors.filter((m) => /panicked|RuntimeError|unreachable/i.test(m)), [], 'no panic');
  } finally {
    await context.close();
    hostServer.closeAllConnections?.();
    await new Promise((resolve) => hostServer.close(resolve));
  }
});

/** A host page on another origin with one embed `k` (its query after `?embed=1&`); calls `body(page, tools)`. */
async function withHost(query, body) {
  let host;
  const hostServer = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!DOCTYPE html><html lang="en"><head><title>host</title></head><body>
<iframe id="k" title="simulator" src="${server.url}?embed=1&${query}&origin=${encodeURIComponent(host)}" style="width:760px;height:560px"></iframe>
<script>
  window.received = [];
  const frame = document.getElementById('k');
  addEventListener('message', (e) => { if (e.source === frame.contentWindow) window.received.push(e.data); });
  window.send = (data) => frame.contentWindow.postMessage(data, '*');
</script></body></html>`);
  });
  await new Promise((resolve) => hostServer.listen(0, '127.0.0.1', resolve));
  host = `http://127.0.0.1:${hostServer.address().port}`;
  const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  try {
    await page.goto(`${host}/article.html`);
    const sim = page.frameLocator('#k');
    await sim.locator('#app-root').waitFor();
    const got = () => page.evaluate(() => window.received);
    /** Sends a message and resolves to its answer (matched by id). */
    const ask = async (message, timeout = 20_000) => {
      await page.evaluate((m) => window.send(m), message);
      await page
        .waitForFunction((id) => window.received.some((m) => m.id === id), message.id, { timeout })
        .catch(() => assert.fail(`no answer to ${JSON.stringify(message)}`));
      return (await got()).find((m) => m.id === message.id);
    };
    await page.waitForFunction(() => window.received.some((m) => m.type === 'ready'));
    const post = (message) => page.evaluate((m) => window.send(m), message);
    await body({ page, sim, got, ask, post });
    assert.deepEqual(errors.filter((m) => /panicked|RuntimeError|unreachable/i.test(m)), [], 'no panic');
  } finally {
    await context.close();
    hostServer.closeAllConnections?.();
    await new Promise((resolve) => hostServer.close(resolve));
  }
}

test('postMessage: a long command answers with its result when it is done, posting its steps on the way', { timeout: 180_000 }, async () => {
  await withHost('controls=all', async ({ sim, got, ask, post }) => {
    const created = await ask({ kafkaSim: 1, id: 'create', type: 'command', line: 'kafka-topics --create --topic orders --partitions 3 --replication-factor 3' });
    assert.equal(created.ok, true, JSON.stringify(created));
    // `sim advance 30000` runs in slices between frames: one answer, when it is done.
    const advanced = await ask({ kafkaSim: 1, id: 'advance', type: 'command', line: 'sim advance 30000' }, 60_000);
    const answers = (await got()).filter((m) => m.id === 'advance');
    assert.equal(answers.length, 1, `one answer, not a "running" one first: ${JSON.stringify(answers)}`);
    assert.equal(advanced.type, 'result');
    assert.equal(advanced.ok, true, JSON.stringify(advanced));
    assert.equal(advanced.running, false);
    assert.ok(advanced.time_ms >= 30_000, `the clock reached ${advanced.time_ms} ms`);
    assert.ok(advanced.step > created.step + 100, `step ${advanced.step}`);
    assert.match(advanced.output, /step/i, 'the output says what the run did');
    assert.equal(Number(await sim.locator('#step-counter').textContent()), advanced.step);
    // Its steps were posted on the way (the newest 50 of each slice), in order, up to the last one.
    const steps = (await got()).filter((m) => m.type === 'step' && m.step > created.step);
    assert.ok(steps.length >= 50, `${steps.length} step events`);
    assert.equal(steps.at(-1).step, advanced.step, 'the last step event is the step the answer names');
    assert.ok(steps.every((m, i) => i === 0 || m.step > steps[i - 1].step), 'step events in order');
    assert.ok(steps.every((m) => m.direction === 'forward' && m.narration && m.kind));

    // A long command stopped by the next message is answered as stopped, then the next one runs.
    await post({ kafkaSim: 1, id: 'long', type: 'command', line: 'sim advance 6000000' });
    // `status` and `step` are sent together, so the step arrives while the run still goes on.
    await post({ kafkaSim: 1, id: 'status', type: 'status' });
    const stepped = await ask({ kafkaSim: 1, id: 'one', type: 'step', count: 1 });
    const status = (await got()).find((m) => m.id === 'status');
    assert.equal(status.ok, true);
    const long = (await got()).find((m) => m.id === 'long');
    if (status.running) {
      // It was still running when `status` asked: the step stopped it, and its answer says so.
      assert.equal(long.ok, false, JSON.stringify(long));
      assert.match(long.error, /^Stopped before it finished/);
      assert.match(long.output, /Stopped `sim advance 6000000`/);
    } else {
      assert.equal(long.ok, true, JSON.stringify(long));
    }
    assert.equal(stepped.moved, 1);
    const order = (await got()).map((m) => m.id);
    assert.ok(order.indexOf('long') < order.indexOf('one'), 'the stopped command is answered first');
  });
});

test('postMessage: the host drives a guided lesson (next beat, answer, previous beat) and gets clear errors', { timeout: 180_000 }, async () => {
  // Without a lesson: the lesson messages are refused, nothing changes.
  await withHost('controls=step', async ({ ask }) => {
    for (const type of ['lesson-next', 'lesson-previous']) {
      const r = await ask({ kafkaSim: 1, id: type, type });
      assert.equal(r.type, 'result');
      assert.equal(r.ok, false);
      assert.match(r.error, /^No guided lesson is loaded/);
      assert.equal(r.step, 0);
    }
  });
  await withHost(`lesson=${LESSON}&controls=lesson`, async ({ sim, got, ask }) => {
    const malformed = await ask({ kafkaSim: 1, id: 'm', type: 'lesson-answer', question: 0 });
    assert.equal(malformed.type, 'error');
    assert.match(malformed.error, /needs "choice"/);
    let r = await ask({ kafkaSim: 1, id: 'p0', type: 'lesson-previous' });
    assert.match(r.error, /No beat has run yet/);
    r = await ask({ kafkaSim: 1, id: 'a0', type: 'lesson-answer', question: 0, choice: 0 });
    assert.match(r.error, /Beat 1 asks no question/);

    // Beat 1 creates the topic; the answer comes when the beat is done.
    const one = await ask({ kafkaSim: 1, id: 'n1', type: 'lesson-next' }, 60_000);
    assert.equal(one.ok, true, JSON.stringify(one));
    assert.equal(one.running, false);
    assert.equal(one.lesson, LESSON);
    assert.deepEqual([one.beat, one.beats], [1, 5]);
    assert.equal(one.title, 'A first record reaches every replica');
    assert.match(one.output, /\$ kafka-topics --create --topic orders/);
    assert.match(one.output, /Created topic orders\./);
    await sim.locator('.replica[data-topic="orders"]').first().waitFor();
    // Beat 2 produces "first" and advances a second (a job inside the beat).
    const two = await ask({ kafkaSim: 1, id: 'n2', type: 'lesson-next' }, 60_000);
    assert.equal(two.ok, true, JSON.stringify(two));
    assert.equal(two.beat, 2);
    assert.ok(two.time_ms >= 1000, `t = ${two.time_ms}`);
    const steps = (await got()).filter((m) => m.type === 'step' && m.step > one.step);
    assert.equal(steps.at(-1)?.step, two.step, 'the beat\'s steps were posted');
    // Beat 3 asks a question first.
    r = await ask({ kafkaSim: 1, id: 'n3-early', type: 'lesson-next' });
    assert.equal(r.ok, false);
    assert.match(r.error, /Beat 3 asks 1 question\(s\) first/);
    r = await ask({ kafkaSim: 1, id: 'bad-choice', type: 'lesson-answer', question: 0, choice: 7 });
    assert.match(r.error, /3 choices: "choice" must be 0 to 2/);
    const answer = await ask({ kafkaSim: 1, id: 'ans', type: 'lesson-answer', question: 0, choice: 0 });
    assert.equal(answer.ok, true, JSON.stringify(answer));
    assert.equal(answer.correct, false);
    assert.equal(answer.answer, 2);
    assert.match(answer.because, /^acks=1 means/);
    await sim.locator('.choice-right').waitFor({ state: 'attached' });
    r = await ask({ kafkaSim: 1, id: 'again', type: 'lesson-answer', question: 0, choice: 2 });
    assert.match(r.error, /already answered \(choice 0\)/);
    const three = await ask({ kafkaSim: 1, id: 'n3', type: 'lesson-next' }, 60_000);
    assert.equal(three.ok, true, JSON.stringify(three));
    assert.equal(three.beat, 3);
    // Previous beat: back to where beat 3 started.
    const back = await ask({ kafkaSim: 1, id: 'p3', type: 'lesson-previous' });
    assert.equal(back.ok, true, JSON.stringify(back));
    assert.equal(back.beat, 2);
    assert.equal(back.step, two.step);
    assert.equal(Number(await sim.locator('#step-counter').textContent()), two.step);
  });
});

test('the example article drives its simulator: kill the leader now', { timeout: 180_000 }, async () => {
  const context = await browser.newContext({ viewport: { width: 1024, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  try {
    await page.goto(`${server.url}embed-example.html`);
    assert.equal(await page.locator('iframe.sim').count(), 2, 'two simulators in the article');
    const sim = page.frameLocator('#driven');
    await sim.locator('#app-root').waitFor();
    await page.frameLocator('iframe.sim >> nth=1').locator('.guide-panel').waitFor();
    const click = async (what) => {
      await page.click(`button.act[data-do="${what}"]`);
      await page.waitForSelector(`button.act[data-do="${what}"]:not([disabled])`);
    };
    await click('topic');
    await sim.locator('.replica[data-topic="orders"]').first().waitFor();
    await click('produce');
    await click('step20');
    await click('kill');
    assert.match(await page.locator('#answer').textContent(), /^step \d+/);
    await sim.locator('.broker-dead').waitFor();
    assert.equal(await sim.locator('.broker-dead').count(), 1, 'one broker (the leader) is down');
    assert.ok((await page.locator('#events li').count()) >= 20, 'step events listed in the article');
    await page.screenshot({ path: path.join(OUT, 'embed-example.png'), fullPage: true });
  } finally {
    await context.close();
  }
});

test('service worker: registered for /sim/, and the page loads offline after one visit', { timeout: 120_000 }, async () => {
  const { context, page, check } = await openPage(1280, 720, server.url);
  try {
    const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
    assert.equal(scope, server.url, 'the worker controls the sub-path the site is served from');
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await context.setOffline(true);
    // Offline: the page itself reloads from the cache and works.
    await page.reload({ waitUntil: 'load' });
    await page.waitForSelector('#app-root', { timeout: 30_000 });
    await typeLine(page, 'kafka-topics --create --topic offline --partitions 1 --replication-factor 3');
    await page.waitForSelector('.replica[data-topic="offline"]');
    const before = Number(await page.textContent('#step-counter'));
    await page.click('#btn-step');
    assert.equal(Number(await page.textContent('#step-counter')), before + 1, 'Step works offline');
    // And so does the embed with a lesson (its lesson file is in the wasm).
    await page.goto(`${server.url}?embed=1&lesson=${LESSON}`, { waitUntil: 'load' });
    await page.waitForSelector('.app.embed .guide-panel', { timeout: 30_000 });
    await context.setOffline(false);
    check();
  } finally {
    await context.close();
  }
});

test('projector mode: larger type, remembered after a reload', { timeout: 120_000 }, async () => {
  const { context, page, check } = await openPage(1280, 720, server.url);
  try {
    const size = () => page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
    const normal = await size();
    await page.click('#btn-projector');
    assert.equal(await page.getAttribute('#btn-projector', 'aria-pressed'), 'true');
    assert.ok((await size()) > normal, 'larger type');
    await page.reload();
    await page.waitForSelector('#app-root');
    await page.waitForFunction(() => document.documentElement.classList.contains('projector'));
    const m = await measure(page);
    await page.screenshot({ path: path.join(OUT, 'projector-1280x720.png') });
    assert.ok(m.scrollWidth <= m.innerWidth, 'no horizontal scrolling in projector mode');
    await axe(page, 'projector mode');
    check();
  } finally {
    await context.close();
  }
});
