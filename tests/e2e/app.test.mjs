// End-to-end test of the built site (dist/) in headless Chromium.
//
//   node --test tests/e2e/          (./run test builds dist/ first)
//
// The site is served by a small Node server from the sub-path /sim/ to prove
// that it works when hosted below the web root. Chromium is the system one
// (/usr/bin/chromium, from apt); playwright-core never downloads a browser.
//
// Environment: DIST_DIR (default <repo>/dist), CHROMIUM_PATH (default /usr/bin/chromium),
// E2E_OUTPUT_DIR (default <repo>/test-output).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { murmur2String, partitionForKey, KAFKA_MURMUR2_VECTORS } from './murmur2.mjs';
import { serveDirectory } from './static-server.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIST = path.resolve(process.env.DIST_DIR ?? path.join(REPO, 'dist'));
const OUT = path.resolve(process.env.E2E_OUTPUT_DIR ?? path.join(REPO, 'test-output'));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOT = path.join(OUT, 'e2e.png');
const FAILURE_SCREENSHOT = path.join(OUT, 'e2e-failure.png');

const TOPIC = 'orders';
const PARTITIONS = 3;
const KEY = 'alice';
const VALUE = 'hello';
const MAX_STEPS = 60;

test('murmur2 matches Kafka published test vectors', () => {
  for (const [input, expected] of KAFKA_MURMUR2_VECTORS) {
    assert.equal(murmur2String(input), expected, `murmur2(${JSON.stringify(input)})`);
  }
});

let server;
let browser;

before(async () => {
  fs.mkdirSync(OUT, { recursive: true });
  fs.rmSync(FAILURE_SCREENSHOT, { force: true });
  assert.ok(
    fs.existsSync(path.join(DIST, 'index.html')),
    `${DIST}/index.html not found: build the site first (./run build)`,
  );
  assert.ok(fs.existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (apt-get install chromium)`);
  server = await serveDirectory(DIST, '/sim/');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** First integer in a text, e.g. "Step 12" -> 12. */
function parseCounter(text) {
  const m = /-?\d+/.exec(text ?? '');
  assert.ok(m, `#step-counter has no number in its text: ${JSON.stringify(text)}`);
  return Number(m[0]);
}

test('site: create topic, produce, step, back, console', { timeout: 180_000 }, async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.setDefaultTimeout(15_000);

  const consoleErrors = [];
  const pageErrors = [];
  const failedRequests = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') consoleErrors.push(msg.text());
  });
  page.on('pageerror', (err) => pageErrors.push(String(err?.stack ?? err)));
  page.on('requestfailed', (req) => failedRequests.push(`${req.url()} (${req.failure()?.errorText})`));
  page.on('response', (res) => {
    if (res.status() >= 400) failedRequests.push(`${res.url()} (HTTP ${res.status()})`);
  });

  const panics = () => [...consoleErrors, ...pageErrors].filter((m) => /panicked|RuntimeError|unreachable/i.test(m));

  let step = 'open page';
  try {
    // a. the app renders
    step = `open ${server.url} and wait for #app-root`;
    await page.goto(server.url, { waitUntil: 'load' });
    await page.waitForSelector('#app-root', { timeout: 30_000 });

    // b. create a topic
    step = 'create topic via the form';
    await page.fill('#create-topic-name', TOPIC);
    await page.fill('#create-topic-partitions', String(PARTITIONS));
    await page.fill('#create-topic-rf', '3');
    await page.click('#create-topic-submit');

    // c. produce a record
    step = 'produce a record via the form';
    const produceTopic = page.locator('#produce-topic');
    const tag = await produceTopic.evaluate((el) => el.tagName.toLowerCase());
    if (tag === 'select') {
      await page.waitForFunction(
        (topic) => [...document.querySelectorAll('#produce-topic option')].some(
          (o) => o.value === topic || o.textContent.trim() === topic,
        ),
        TOPIC,
      );
      await produceTopic.selectOption(TOPIC);
    } else {
      await produceTopic.fill(TOPIC);
    }
    await page.fill('#produce-key', KEY);
    await page.fill('#produce-value', VALUE);
    await page.click('#produce-submit');

    // d. step until the leader replica of the expected partition holds offset 0
    const partition = partitionForKey(KEY, PARTITIONS);
    const cellSel =
      `.record-cell[data-topic="${TOPIC}"][data-partition="${partition}"]` +
      `[data-offset="0"][data-leader="true"]`;
    step = `click #btn-step until ${cellSel} exists (at most ${MAX_STEPS} steps)`;
    let found = (await page.locator(cellSel).count()) > 0;
    for (let i = 0; i < MAX_STEPS && !found; i++) {
      await page.click('#btn-step');
      found = await page
        .waitForSelector(cellSel, { timeout: 150 })
        .then(() => true, () => false);
    }
    assert.ok(found, `no ${cellSel} after ${MAX_STEPS} steps (key ${KEY} -> partition ${partition})`);

    // e. the cell shows the value, and the event log mentions the append
    step = 'check the record cell and the event log';
    const cell = page.locator(cellSel).first();
    assert.equal(await cell.getAttribute('data-value'), VALUE, 'data-value of the record cell');
    const shown = `${await cell.textContent()} ${(await cell.getAttribute('title')) ?? ''}`;
    assert.ok(shown.includes(VALUE), `record cell text/title should show "${VALUE}", got ${JSON.stringify(shown)}`);
    const appendItems = page.locator('#event-log li', { hasText: 'appends' });
    assert.ok((await appendItems.count()) > 0, '#event-log has no <li> mentioning "appends"');

    // f. back one step, then forward again
    step = 'step back and forward';
    const counterNow = parseCounter(await page.textContent('#step-counter'));
    await page.click('#btn-back');
    await page.waitForFunction(
      (want) => {
        const m = /-?\d+/.exec(document.querySelector('#step-counter')?.textContent ?? '');
        return m && Number(m[0]) === want;
      },
      counterNow - 1,
      { timeout: 5_000 },
    ).catch(async () => {
      assert.fail(`#step-counter should be ${counterNow - 1} after #btn-back, is ${JSON.stringify(await page.textContent('#step-counter'))}`);
    });
    await page.click('#btn-step');
    await page.waitForFunction(
      (want) => {
        const m = /-?\d+/.exec(document.querySelector('#step-counter')?.textContent ?? '');
        return m && Number(m[0]) === want;
      },
      counterNow,
      { timeout: 5_000 },
    ).catch(async () => {
      assert.fail(`#step-counter should be back to ${counterNow} after #btn-step, is ${JSON.stringify(await page.textContent('#step-counter'))}`);
    });

    // g. the console describes the topic
    step = 'describe the topic in the console';
    await page.fill('#console-input', `kafka-topics --describe --topic ${TOPIC}`);
    await page.press('#console-input', 'Enter');
    await page.waitForFunction(
      () => (document.querySelector('#console-output')?.textContent ?? '').includes('PartitionCount: 3'),
      null,
      { timeout: 5_000 },
    ).catch(async () => {
      const out = await page.textContent('#console-output').catch(() => null);
      assert.fail(`#console-output should contain "PartitionCount: 3", has ${JSON.stringify(out)}`);
    });

    // h. screenshot, and no panic in the browser console
    step = 'screenshot and console check';
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    assert.deepEqual(panics(), [], 'the page logged a panic / runtime error');
    if (consoleErrors.length) console.log(`browser console errors (not panics): ${consoleErrors.join(' | ')}`);
    if (failedRequests.length) console.log(`failed requests (not fatal): ${failedRequests.join(' | ')}`);
    console.log(`screenshot: ${path.relative(process.cwd(), SCREENSHOT)}`);
  } catch (err) {
    await page.screenshot({ path: FAILURE_SCREENSHOT, fullPage: true }).catch(() => {});
    const details = [
      `E2E step failed: ${step}`,
      `  ${err?.message ?? err}`,
      `  screenshot: ${FAILURE_SCREENSHOT}`,
      consoleErrors.length ? `  browser console errors:\n    ${consoleErrors.join('\n    ')}` : '',
      pageErrors.length ? `  uncaught page errors:\n    ${pageErrors.join('\n    ')}` : '',
      failedRequests.length ? `  failed requests:\n    ${failedRequests.join('\n    ')}` : '',
    ].filter(Boolean).join('\n');
    throw new Error(details, { cause: err });
  } finally {
    await page.close();
  }
});

test('consumer groups: the crash-before-commit lesson, then a Kill button', { timeout: 180_000 }, async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  page.setDefaultTimeout(15_000);
  const errors = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(String(err?.stack ?? err)));

  let step = 'open page';
  try {
    await page.goto(server.url, { waitUntil: 'load' });
    await page.waitForSelector('#app-root', { timeout: 30_000 });

    step = 'run the lesson "Crash before commit" from the Lessons panel';
    await page.selectOption('#scenario', '10-crash-before-commit');
    await page.click('#scenario-run');
    // The lesson runs in slices (the page stays responsive); wait until it is done.
    await page.waitForSelector('#busy', { timeout: 2_000 }).catch(() => {});
    await page.waitForSelector('#busy', { state: 'detached', timeout: 60_000 });
    const card = page.locator('.group-card[data-group="billing"]');
    await card.waitFor();
    assert.equal(await page.locator('.console-error').count(), 0, 'the lesson ran without errors');

    step = 'the groups panel lists the records c1 and c2 both processed';
    const dups = card.locator('.anomaly.duplicates');
    await dups.waitFor();
    const dupText = await dups.textContent();
    assert.match(dupText, /Processed more than once: 2/, dupText);
    assert.match(dupText, /payments-0@0 ×2 \(c1, c2\)/, dupText);
    assert.match(dupText, /payments-0@1 ×2 \(c1, c2\)/, dupText);
    assert.match(dupText, /died before committing/, dupText);
    // The lesson killed c1; c2 owns the partition and is the group's leader.
    assert.equal(await card.locator('.group-consumer[data-consumer="c1"] .consumer-killed').textContent(), 'KILLED');
    assert.equal(await card.locator('.lag-table .lag-owner').first().textContent(), 'c2');
    assert.equal(await page.locator('.replica.leader[data-topic="payments"] .owner-badge').textContent(), '→ c2 · billing');
    assert.match(await page.locator('.coordinator-badge').first().textContent(), /^COORDINATOR billing$/);

    step = 'kill c2 with its button';
    await page.click('.consumer-kill[data-consumer="c2"]');
    await page.waitForFunction(
      () => (document.querySelector('#console-output')?.textContent ?? '').includes('$ sim consumer kill c2'),
    );
    const c2 = card.locator('.group-consumer[data-consumer="c2"]');
    await c2.locator('.consumer-killed').waitFor();
    assert.equal(await c2.locator('.consumer-killed').textContent(), 'KILLED');
    assert.equal(await c2.locator('.consumer-start').count(), 1, 'a killed consumer offers Start');
    assert.equal(await page.locator('.group-consumer-node[data-node="c2"] .killed-badge').textContent(), 'KILLED');
    assert.equal(await page.locator('.console-error').count(), 0);

    await page.screenshot({ path: path.join(OUT, 'e2e-groups.png') });
    assert.deepEqual(errors.filter((m) => /panicked|RuntimeError|unreachable/i.test(m)), [], 'no panic');
  } catch (err) {
    await page.screenshot({ path: path.join(OUT, 'e2e-groups-failure.png'), fullPage: true }).catch(() => {});
    throw new Error(`E2E step failed: ${step}\n  ${err?.message ?? err}\n  ${errors.join('\n  ')}`, { cause: err });
  } finally {
    await page.close();
  }
});

/** `curl` registering `schema` under `subject`, as a learner would type it. */
function curlRegister(subject, schema) {
  const body = JSON.stringify({ schema: JSON.stringify(schema) });
  return `curl -s -X POST -H "Content-Type: application/vnd.schemaregistry.v1+json" --data '${body}' http://localhost:8081/subjects/${subject}/versions`;
}

const ORDER_V1 = { type: 'record', name: 'Order', fields: [{ name: 'id', type: 'int' }, { name: 'item', type: 'string' }] };
const ORDER_V2 = {
  ...ORDER_V1,
  fields: [...ORDER_V1.fields, { name: 'note', type: ['null', 'string'], default: null }],
};

test('schema registry: curl in the console, then the Schema Registry tab', { timeout: 180_000 }, async () => {
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  page.setDefaultTimeout(15_000);
  const errors = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(String(err?.stack ?? err)));

  const stepUntil = async (selector) => {
    for (let i = 0; i < MAX_STEPS; i++) {
      if ((await page.locator(selector).count()) > 0) return;
      await page.click('#btn-step');
    }
    assert.ok((await page.locator(selector).count()) > 0, `no ${selector} after ${MAX_STEPS} steps`);
  };

  let step = 'open page';
  try {
    await page.goto(server.url, { waitUntil: 'load' });
    await page.waitForSelector('#app-root', { timeout: 30_000 });

    step = 'register a schema with curl in the console';
    await page.fill('#console-input', curlRegister('orders-value', ORDER_V1));
    await page.press('#console-input', 'Enter');
    assert.equal(await page.locator('.console-error').count(), 0, 'the curl line is accepted');
    // The request travels to the registry node drawn in the cluster.
    await page.locator('.message[data-api="HTTP"][data-to="schema-registry"]').waitFor();
    await page.locator('[data-node="schema-registry"]').waitFor();

    step = 'open the Schema Registry tab and step until version 1 is there';
    await page.click('#tab-registry');
    await stepUntil('.registry-version[data-version="1"]');
    await page.locator('.subject-item[data-subject="orders-value"]').waitFor();
    assert.equal(await page.textContent('#registry-subject-title'), 'orders-value');
    const v1 = page.locator('.registry-version[data-version="1"]');
    assert.equal(await v1.getAttribute('data-id'), '1');
    assert.match(await v1.textContent(), /v1.*id 1/);
    assert.match(await page.textContent('.registry-note'), /_schemas topic/);

    step = 'a second version and a draft check, for the screenshots';
    await page.fill('#console-input', curlRegister('orders-value', ORDER_V2));
    await page.press('#console-input', 'Enter');
    await stepUntil('.registry-version[data-version="2"]');
    await page.fill(
      '#registry-draft',
      JSON.stringify({ ...ORDER_V1, fields: [...ORDER_V1.fields, { name: 'x', type: 'string' }] }, null, 2),
    );
    await page.click('#registry-check');
    await stepUntil('#registry-check-verdict.verdict-refused');
    assert.match(await page.textContent('#registry-check-verdict'), /would be refused under BACKWARD/);
    await page.screenshot({ path: path.join(OUT, 'registry-1920x1080.png') });
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.locator('.registry-panel').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(OUT, 'registry-1280x800.png') });
    assert.deepEqual(errors.filter((m) => /panicked|RuntimeError|unreachable/i.test(m)), [], 'no panic');
  } catch (err) {
    await page.screenshot({ path: path.join(OUT, 'e2e-registry-failure.png'), fullPage: true }).catch(() => {});
    throw new Error(`E2E step failed: ${step}\n  ${err?.message ?? err}\n  ${errors.join('\n  ')}`, { cause: err });
  } finally {
    await page.close();
  }
});

test('a runaway command ends with a message while the page stays responsive', { timeout: 180_000 }, async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  page.setDefaultTimeout(30_000);
  const errors = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(String(err?.stack ?? err)));
  const consoleText = () => page.evaluate(() => document.querySelector('#console-output')?.textContent ?? '');
  const type = async (line) => {
    await page.fill('#console-input', line);
    await page.press('#console-input', 'Enter');
  };

  let step = 'open page';
  try {
    await page.goto(server.url, { waitUntil: 'load' });
    await page.waitForSelector('#app-root', { timeout: 30_000 });
    // Longest gap between timer callbacks while the command runs: a frozen
    // page would show one as long as the whole run.
    await page.evaluate(() => {
      window.__maxGap = 0;
      let last = performance.now();
      window.__probe = setInterval(() => {
        const now = performance.now();
        window.__maxGap = Math.max(window.__maxGap, now - last);
        last = now;
      }, 10);
    });

    step = 'a producer with request.timeout.ms=0 makes time stand still';
    await type('kafka-topics --create --topic t --partitions 1 --replication-factor 1');
    await type('kafka-console-producer --topic t --producer-property request.timeout.ms=0');
    await type('a');
    // In the page a learner steps by hand; `sim run` runs until nothing is left to do.
    await page.press('#console-input', 'Control+d');
    await type('sim run');
    await page.waitForFunction(
      () => (document.querySelector('#console-output')?.textContent ?? '').includes('Time stands still at t = 0 ms'),
      null,
      { timeout: 90_000 },
    );
    const text = await consoleText();
    assert.match(text, /console-producer-1's request\.timeout\.ms makes this step repeat at once/, text.slice(-2000));
    assert.equal(await page.locator('#clock').textContent().then((t) => /t = 0 ms/.test(t)), true, 'time stood still');
    const gap = await page.evaluate(() => window.__maxGap);
    assert.ok(gap < 1000, `the page answered timers all along (longest gap ${gap.toFixed(0)} ms)`);

    step = 'Step on a stalled world says why instead of doing nothing silently';
    await page.click('#btn-step');
    await page.waitForFunction(() =>
      [...document.querySelectorAll('.notice')].some((n) => (n.textContent ?? '').startsWith('Time stands still at t = 0 ms')),
    );

    step = 'start a new cluster';
    await page.waitForSelector('#busy', { state: 'detached', timeout: 90_000 });
    await type('sim brokers 3');
    await page.waitForFunction(() => (document.querySelector('#console-output')?.textContent ?? '').includes('Started a new cluster'));

    step = 'a day-long advance runs in slices and ends saying where it stopped and how to go on';
    await page.evaluate(() => {
      window.__maxGap = 0;
    });
    await type('sim advance 86400000');
    // Pause while it runs, if it still runs (it may already be done on a fast machine).
    if (await page.locator('#busy').count()) await page.click('#btn-play').catch(() => {});
    await page.waitForFunction(() =>
      /(stopped after 100000 steps \(the most one command takes\)|Stopped `sim advance 86400000` after \d+ step\(s\)), at step \d+ \(t = \d+ ms\)\. Type `sim advance \d+` to go on\./.test(
        document.querySelector('#console-output')?.textContent ?? '',
      ),
    );
    const gap2 = await page.evaluate(() => window.__maxGap);
    assert.ok(gap2 < 1000, `the page answered timers all along (longest gap ${gap2.toFixed(0)} ms)`);
    await page.waitForSelector('#busy', { state: 'detached' });
    assert.deepEqual(errors.filter((m) => /panicked|RuntimeError|unreachable/i.test(m)), [], 'no panic');
  } catch (err) {
    await page.screenshot({ path: path.join(OUT, 'e2e-runaway-failure.png'), fullPage: true }).catch(() => {});
    throw new Error(`E2E step failed: ${step}\n  ${err?.message ?? err}\n  ${errors.join('\n  ')}`, { cause: err });
  } finally {
    await page.close();
  }
});

test('guided lesson beat by beat, then a challenge to its ✓', { timeout: 240_000 }, async () => {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  page.setDefaultTimeout(20_000);
  const errors = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(String(err?.stack ?? err)));
  // A beat runs in slices; beat n is done when the panel reports it and nothing runs.
  const beatDone = async (n) => {
    await page.waitForFunction((n) => {
      const done = document.querySelector('.guide-done .guide-beat-title')?.textContent ?? '';
      return !document.querySelector('#busy') && done.startsWith(`Beat ${n} of`);
    }, n, { timeout: 60_000 });
  };

  let step = 'open page';
  try {
    await page.goto(server.url, { waitUntil: 'load' });
    await page.waitForSelector('#app-root', { timeout: 30_000 });

    step = 'the lessons page lists every chapter';
    await page.click('#lessons-page summary');
    assert.ok((await page.locator('#lessons-page .lessons-chapter').count()) >= 9);
    assert.ok((await page.locator('#lessons-page .lesson-entry').count()) >= 30);

    step = 'start "acks=1: the leader dies" from the lessons page';
    await page.click('.lesson-entry[data-lesson="41-acks1-leader-dies"] button');
    await page.waitForSelector('.guide-beat');
    assert.match(await page.locator('.guide-beat .guide-beat-title').textContent(), /Beat 1 of 5/);

    step = 'beat 1: three replicas, orders-0 highlighted';
    await page.click('#guide-next');
    await beatDone(1);
    assert.equal(await page.locator('.guide-check.check-no').count(), 0);
    assert.equal(await page.locator('.replica.lesson-highlight[data-topic="orders"]').count(), 3);
    await page.screenshot({ path: path.join(OUT, 'e2e-lesson-beat1.png') });

    step = 'beat 2';
    await page.click('#guide-next');
    await beatDone(2);
    assert.equal(await page.locator('.guide-check.check-no').count(), 0);

    step = 'beat 3 asks first: Next beat waits for the answer';
    assert.ok(await page.locator('#guide-next').isDisabled());
    assert.match(await page.locator('.predict-question').textContent(), /How many brokers hold it/);
    await page.locator('.predict-choice', { hasText: 'One: only the leader' }).click();
    assert.equal(await page.locator('.predict-choice.choice-right').count(), 1);
    assert.match(await page.locator('.predict-because').textContent(), /acks=1 means the leader answers/);
    await page.screenshot({ path: path.join(OUT, 'e2e-lesson-predict.png') });
    await page.click('#guide-next');
    await beatDone(3);
    assert.equal(await page.locator('.guide-check.check-no').count(), 0);
    assert.equal(await page.locator('.producer-node.lesson-highlight[data-node="console-producer-2"]').count(), 1);

    step = 'beat 4: the leader dies, "second" is LOST';
    await page.click('#guide-next');
    await beatDone(4);
    assert.equal(await page.locator('.guide-check.check-no').count(), 0);
    assert.equal(await page.locator('.producer-node[data-node="console-producer-2"] .produced.lost .lost-badge').count(), 1);
    assert.match(await page.locator('#outcome-callouts .callout-lost').textContent(), /^LOST: console-producer-2 was told that "second"/);
    assert.ok((await page.locator('.scrubber .marker[data-kind="fence"]').count()) >= 1, 'the fencing is on the scrubber');
    // The loss is marked where it happened; its sentence is shown on hover.
    const lostMarker = page.locator('.scrubber .marker[data-kind="records-lost"]');
    assert.equal(await lostMarker.count(), 1, 'one lost record, one marker');
    const lostAt = Number(await lostMarker.getAttribute('data-step'));
    assert.ok(lostAt > 0 && lostAt <= Number(await page.locator('#step-counter').textContent()), `lost at step ${lostAt}`);
    await lostMarker.hover();
    await page.waitForFunction(() => (document.querySelector('#scrubber-sentence')?.textContent ?? '').startsWith('LOST: '));
    assert.match(await page.locator('#scrubber-sentence').textContent(), new RegExp(`^LOST: console-producer-2 was told that "second".* — #${lostAt} · `));
    await page.screenshot({ path: path.join(OUT, 'e2e-lesson-lost.png') });
    await page.mouse.move(5, 5);

    step = 'beat 4 in the metrics panel: one election since the beat started';
    await page.click('#metrics-panel summary');
    assert.match(await page.locator('#metrics-panel .hint').textContent(), /since the beat started/);
    const electionRow = page.locator('#metrics-panel tbody tr', { has: page.locator('th', { hasText: /^LeaderElectionRateAndTimeMs$/ }) });
    assert.equal(await electionRow.locator('td').nth(1).textContent(), '+1');
    assert.equal(await page.locator('#metrics-panel tbody tr', { has: page.locator('th', { hasText: /^UnderReplicatedPartitions$/ }) }).locator('td').first().textContent(), '1');
    await page.click('#metrics-panel summary');

    step = 'Previous beat undoes beat 4; Next beat plays it again';
    await page.click('#guide-prev');
    await beatDone(3);
    assert.equal(await page.locator('#outcome-callouts .callout-lost').count(), 0, 'before the leader dies nothing is lost');
    assert.equal(await page.locator('.scrubber .marker.marker-future[data-kind="records-lost"]').count(), 1, 'the loss is ahead, greyed');
    await page.click('#guide-next');
    await beatDone(4);
    assert.equal(await page.locator('.guide-check.check-no').count(), 0);
    assert.match(await page.locator('#outcome-callouts .callout-lost').textContent(), /^LOST: console-producer-2/);
    assert.equal(await page.locator('.scrubber .marker[data-kind="records-lost"]').count(), 1);

    step = 'beat 5: answer, run, lesson complete and recorded';
    await page.locator('.predict-choice', { hasText: 'No, broker 1 deletes it' }).click();
    await page.click('#guide-next');
    await beatDone(5);
    assert.equal(await page.locator('.guide-check.check-no').count(), 0);
    await page.waitForSelector('.guide-end');
    assert.equal(await page.locator('.lesson-entry[data-lesson="41-acks1-leader-dies"] .lesson-badge').textContent(), '✓');
    assert.match(await page.locator('#lessons-page summary').textContent(), /: 1 of \d+ done/);
    const stored = await page.evaluate(() => localStorage.getItem('kafka-sim-progress'));
    assert.match(stored, /41-acks1-leader-dies done/);

    step = 'challenge: shrink the ISR without killing a broker';
    if (!(await page.locator('#lessons-page').evaluate((d) => d.open))) await page.click('#lessons-page summary');
    await page.click('.lesson-entry[data-lesson="94-shrink-the-isr"] button');
    await page.waitForSelector('.guide-goal');
    await page.click('#guide-next');
    await beatDone(1);
    assert.doesNotMatch(await page.locator('.guide-goal').textContent(), /Goal reached/);
    for (const line of ['sim broker pause 3 6000', 'sim advance 5000']) {
      await page.fill('#console-input', line);
      await page.press('#console-input', 'Enter');
      await page.waitForFunction(() => !document.querySelector('#busy'), null, { timeout: 60_000 });
    }
    await page.waitForFunction(() => (document.querySelector('.guide-goal')?.textContent ?? '').includes('✓ Goal reached'));
    assert.equal(await page.locator('.guide-goal .check-no').count(), 0);
    assert.equal(await page.locator('.lesson-entry[data-lesson="94-shrink-the-isr"] .lesson-badge').textContent(), '✓');
    await page.screenshot({ path: path.join(OUT, 'e2e-challenge-done.png') });

    step = 'progress is kept in the browser: a reload still shows both ✓';
    await page.reload({ waitUntil: 'load' });
    await page.waitForSelector('#app-root', { timeout: 30_000 });
    assert.match(await page.locator('#lessons-page summary').textContent(), /: 2 of \d+ done/);
    assert.equal(await page.locator('.lesson-entry[data-lesson="41-acks1-leader-dies"] .lesson-badge').textContent(), '✓');
    assert.equal(await page.locator('.lesson-entry[data-lesson="94-shrink-the-isr"] .lesson-badge').textContent(), '✓');
    assert.deepEqual(errors.filter((m) => /panicked|RuntimeError|unreachable/i.test(m)), [], 'no panic');
  } catch (err) {
    await page.screenshot({ path: path.join(OUT, 'e2e-lessons-failure.png'), fullPage: true }).catch(() => {});
    throw new Error(`E2E step failed: ${step}\n  ${err?.message ?? err}\n  ${errors.join('\n  ')}`, { cause: err });
  } finally {
    await page.close();
  }
});

test('time and numbers: focus folds, play speeds, scrubber, metrics, callouts', { timeout: 240_000 }, async () => {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  page.setDefaultTimeout(20_000);
  const errors = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(String(err?.stack ?? err)));
  const idle = () => page.waitForFunction(() => !document.querySelector('#busy'), null, { timeout: 60_000 });
  const type = async (line) => {
    await page.fill('#console-input', line);
    await page.press('#console-input', 'Enter');
    await idle();
  };
  const clock = async () => Number((await page.locator('#clock').textContent()).match(/t = (\d+) ms/)[1]);
  const stepNow = async () => Number(await page.locator('#step-counter').textContent());

  let step = 'open page';
  try {
    await page.goto(server.url, { waitUntil: 'load' });
    await page.waitForSelector('#app-root', { timeout: 30_000 });

    step = 'a group processes records twice: marked on the consumer and in the event log';
    await page.selectOption('#scenario', '10-crash-before-commit');
    await page.click('#scenario-run');
    await page.waitForSelector('#busy', { timeout: 2_000 }).catch(() => {});
    await idle();
    assert.match(await page.locator('.group-consumer-node[data-node="c2"] .twice-mark').textContent(), /processed twice/);
    const twice = await page.locator('#outcome-callouts .callout-twice').allTextContents();
    assert.ok(twice.some((t) => /^PROCESSED TWICE: c2 processed/.test(t)), twice.join('\n'));

    step = 'Focus folds the background steps into counted rows';
    assert.equal(await page.locator('#event-log .event-fold').count(), 0, 'no folds without Focus');
    await page.check('#focus');
    const fold = page.locator('#event-log .event-fold').first();
    await fold.waitFor();
    const count = Number(await fold.getAttribute('data-count'));
    assert.ok(count >= 1);
    assert.match(await fold.locator('.fold-toggle').textContent(), new RegExp(`… ${count} background steps? \\((heartbeats|checks|idle fetches)`));
    await page.screenshot({ path: path.join(OUT, 'e2e-focus-folded.png') });
    const rowsBefore = await page.locator('#event-log li.event').count();
    await fold.locator('.fold-toggle').click();
    await page.waitForFunction(() => document.querySelector('#event-log .event-fold .fold-toggle')?.getAttribute('aria-expanded') === 'true');
    assert.ok((await page.locator('#event-log li.event-folded').count()) >= Math.min(count, 3), 'the fold lists its steps');
    const kinds = await page.locator('#event-log li.event-folded').evaluateAll((els) => els.map((e) => e.dataset.kind));
    assert.ok(kinds.every((k) => /heartbeat|session|isr-check|fetch|check|noop|ignored|retention-ok/.test(k)), kinds.join());
    await page.screenshot({ path: path.join(OUT, 'e2e-focus-expanded.png') });
    await page.locator('#event-log .event-fold .fold-toggle[aria-expanded="true"]').first().click();
    await page.waitForFunction((n) => document.querySelectorAll('#event-log li.event').length <= n, rowsBefore);

    step = 'Step with Focus passes background steps to one that matters';
    const before = await stepNow();
    await page.click('#btn-step');
    await idle();
    const after = await stepNow();
    assert.ok(after > before, `stepped from ${before} to ${after}`);
    const kind = await page.locator(`#event-log li.event.current`).getAttribute('data-kind');
    assert.doesNotMatch(kind, /^(heartbeat|heartbeat-ack|session-ok|fetch-wait|fetch-empty|isr-check)$/, kind);
    await page.uncheck('#focus');

    step = 'Play by virtual time: 20× runs fast, 0.1× is slow motion';
    const labels = await page.locator('#speed option').allTextContents();
    assert.ok(labels.includes('0.1× time') && labels.includes('20× time'), labels.join());
    const playFor = async (label, ms) => {
      await page.selectOption('#speed', { label });
      const t0 = await clock();
      await page.click('#btn-play');
      await page.waitForTimeout(ms);
      await page.click('#btn-play');
      await idle();
      return (await clock()) - t0;
    };
    const fast = await playFor('20× time', 1500);
    assert.ok(fast >= 5_000, `20× for 1.5 s moved the clock ${fast} ms`);
    const slow = await playFor('0.1× time', 1500);
    assert.ok(slow <= 1_000, `0.1× for 1.5 s moved the clock ${slow} ms`);

    step = 'the metrics panel: Kafka names, now, change, sparklines';
    await page.click('#metrics-panel summary');
    const names = await page.locator('#metrics-panel tbody th').allTextContents();
    for (const n of ['UnderReplicatedPartitions', 'OfflinePartitionsCount', 'ActiveControllerCount', 'IsrShrinksPerSec',
      'IsrExpandsPerSec', 'LeaderElectionRateAndTimeMs', 'UncleanLeaderElectionsPerSec', 'MessagesInPerSec', 'BytesInPerSec',
      'lag billing', 'lag-ms billing']) {
      assert.ok(names.includes(n), `${n} in ${names.join(', ')}`);
    }
    assert.ok(names.some((n) => n.startsWith('records-lag-max ')), names.join());
    assert.ok((await page.locator('#metrics-panel svg.sparkline polyline').count()) >= names.length);
    assert.match(await page.locator('#metrics-panel .hint').textContent(), /records-lag-max is, as in Kafka, the largest lag recorded in the last 2 samples of 30 s/);
    await page.screenshot({ path: path.join(OUT, 'e2e-metrics.png') });

    step = 'a refused schema shows the rule it broke; a 404 is no marker';
    await type(`curl -s -X PUT -H "Content-Type: application/json" --data '{"compatibility": "FORWARD"}' http://localhost:8081/config/p-value`);
    await type(`curl -s -X POST -H "Content-Type: application/vnd.schemaregistry.v1+json" --data '{"schema": "{\\"type\\":\\"record\\",\\"name\\":\\"P\\",\\"fields\\":[{\\"name\\":\\"id\\",\\"type\\":\\"int\\"},{\\"name\\":\\"amount\\",\\"type\\":\\"int\\"}]}"}' http://localhost:8081/subjects/p-value/versions`);
    await type('curl -s http://localhost:8081/subjects/nothing/versions/latest');
    await type('sim advance 1000'); // the requests travel and are answered
    assert.match(await page.locator('#console-output').textContent(), /"error_code":40401/);
    assert.equal(await page.locator('.scrubber .marker[data-kind="schema-refused"]').count(), 0, 'a 404 is no refused schema');
    await type(`curl -s -X POST -H "Content-Type: application/vnd.schemaregistry.v1+json" --data '{"schema": "{\\"type\\":\\"record\\",\\"name\\":\\"P\\",\\"fields\\":[{\\"name\\":\\"id\\",\\"type\\":\\"int\\"}]}"}' http://localhost:8081/subjects/p-value/versions`);
    await type('sim advance 1000');
    await page.waitForFunction(() => (document.querySelector('#outcome-callouts .callout-refused')?.textContent ?? '').includes('READER_FIELD_MISSING_DEFAULT_VALUE'));
    assert.match(await page.locator('#outcome-callouts .callout-refused').textContent(), /^REFUSED: curl-\d+'s schema for p-value breaks READER_FIELD_MISSING_DEFAULT_VALUE under FORWARD/);
    const refused = page.locator('.scrubber .marker[data-kind="schema-refused"]');
    assert.equal(await refused.count(), 1);

    step = 'the scrubber: hover reads a marker, click seeks there, drag seeks';
    const at = Number(await refused.getAttribute('data-step'));
    await refused.hover();
    await page.waitForFunction((at) => (document.querySelector('#scrubber-sentence')?.textContent ?? '').startsWith(`#${at} · `), at);
    assert.match(await page.locator('#scrubber-sentence').textContent(), /HTTP 409/);
    await refused.click();
    await page.waitForFunction((at) => document.querySelector('#step-counter')?.textContent === String(at), at);
    await page.screenshot({ path: path.join(OUT, 'e2e-scrubber.png') });
    await page.locator('#scrubber').evaluate((el) => {
      el.value = '10';
      el.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await page.waitForFunction(() => document.querySelector('#step-counter')?.textContent === '10');
    assert.equal(await page.locator('#event-log li.event.current').getAttribute('data-step'), '10');
    assert.deepEqual(errors.filter((m) => /panicked|RuntimeError|unreachable/i.test(m)), [], 'no panic');
  } catch (err) {
    await page.screenshot({ path: path.join(OUT, 'e2e-time-failure.png'), fullPage: true }).catch(() => {});
    throw new Error(`E2E step failed: ${step}\n  ${err?.message ?? err}\n  ${errors.join('\n  ')}`, { cause: err });
  } finally {
    await page.close();
  }
});
