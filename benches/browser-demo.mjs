// Browser scale figures of issue 10 ("a live demo runs for an hour"), and the page weight.
//
//   node benches/browser-demo.mjs            (./run bench builds dist/ first and runs it)
//
// Drives the built site (dist/, served from the sub-path /sim/) in headless Chromium the way a
// teacher would, through the console input only:
//
//   kafka-topics --create --topic orders --partitions 6 --replication-factor 3
//   sim run
//   sim producer add web --topic orders --rate 50/s
//   sim consumer add c1 --group g1 --topic orders
//   sim advance 30000          (repeated until BENCH_VIRTUAL_S of virtual time)
//
// At virtual time 0 and after every BENCH_POINT_EVERY_S (60 s) it prints one JSON line with the
// renderer's resident set, the records on the log, the Step and Back click latency (timed in the
// page) and the long tasks since the previous point; at the end a summary line with the budgets
// of issue 10, then a page-weight line. JSON on stdout, progress on stderr. Budgets are reported,
// never asserted: the exit status is non-zero only when the harness itself broke (the page never
// loaded, Chromium missing…). A hard cap per advance and per scenario, and a cap on the
// renderer's memory, stop a slow or memory-hungry build with "timed_out" / "stopped" instead of
// hanging or exhausting the machine; the browser and the server are always closed.
//
// Environment (all optional):
//   DIST_DIR (dist), CHROMIUM_PATH (/usr/bin/chromium)
//   BENCH_VIRTUAL_S (600)        virtual time to reach
//   BENCH_ADVANCE_MS (30000)     the argument of each `sim advance`
//   BENCH_POINT_EVERY_S (60)     virtual seconds between measurement points
//   BENCH_CLICKS (15)            Step clicks (then as many Back clicks) per point
//   BENCH_ADVANCE_CAP_S (120)    wall-clock cap of one advance
//   BENCH_SCENARIO_CAP_S (1800)  wall-clock cap of the whole scenario
//   BENCH_MAX_RSS_MB (6144)      stop when the renderer's resident set exceeds this
//   BENCH_WEIGHT_ONLY=1          print only the page-weight line (no browser)
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.resolve(process.env.DIST_DIR ?? path.join(REPO, 'dist'));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const num = (name, dflt) => {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name}=${v} is not a number`);
  return n;
};
const VIRTUAL_S = num('BENCH_VIRTUAL_S', 600);
const ADVANCE_MS = num('BENCH_ADVANCE_MS', 30_000);
const POINT_EVERY_S = num('BENCH_POINT_EVERY_S', 60);
const CLICKS = Math.max(1, Math.round(num('BENCH_CLICKS', 15)));
const ADVANCE_CAP_MS = num('BENCH_ADVANCE_CAP_S', 120) * 1000;
const SCENARIO_CAP_MS = num('BENCH_SCENARIO_CAP_S', 1800) * 1000;
const MAX_RSS_MB = num('BENCH_MAX_RSS_MB', 6144);
const WEIGHT_ONLY = process.env.BENCH_WEIGHT_ONLY === '1';

// Budgets of issue 10 (reported, never asserted).
const BUDGET = {
  rss_120s_mb: 400,
  step_p50_120s_ms: 16,
  rss_600s_mb: 600,
  step_p50_600s_ms: 16,
  back_p50_600s_ms: 30,
  longest_task_ms: 200,
  page_weight_gz_kb: 400,
};

// What the bench relies on in the page (keep these stable, or update them here).
const SEL = {
  root: '#app-root',
  consoleInput: '#console-input',
  consoleOutput: '#console-output',
  consoleError: '.console-error',
  step: '#btn-step',
  back: '#btn-back',
  clock: '#clock', // text "t = <ms> ms"
  counter: '#step-counter',
  // Leader replicas of the topic; the log end offset is the .cell-offset in .leo-slot.
  leaderLeo: '.replica.leader[data-topic="orders"] .leo-slot .cell-offset',
};

const log = (...a) => console.error('[bench]', ...a);
const emit = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);
const round = (x, d = 1) => (x == null || !Number.isFinite(x) ? null : Math.round(x * 10 ** d) / 10 ** d);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function percentile(values, p) {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

class Cap extends Error {}

let interrupted = false; // SIGINT/SIGTERM: cleaning up, errors from the closed page are expected

/** Resolves like `promise`, or rejects with a Cap error after `ms`. */
function capped(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Cap(`${what}: over ${Math.round(ms / 1000)} s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

// ---- processes: our Chromium is in this process's tree; other people's are not ----

function descendants(root) {
  const children = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(d));
    } catch {
      // the process ended meanwhile
    }
  }
  const out = [];
  const todo = [root];
  while (todo.length) {
    for (const c of children.get(todo.pop()) ?? []) {
      out.push(c);
      todo.push(c);
    }
  }
  return out;
}

function cmdline(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

function statusMb(pid, field) {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** VmRSS (MB) of the largest renderer process among our descendants. */
function rendererRssMb() {
  let best = null;
  for (const pid of descendants(process.pid)) {
    if (!cmdline(pid).includes('type=renderer')) continue;
    const mb = statusMb(pid, 'VmRSS');
    if (mb != null && (best == null || mb > best)) best = mb;
  }
  return best;
}

function killChromiumTree() {
  for (const pid of descendants(process.pid)) {
    if (!/chrom/i.test(cmdline(pid))) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

// ---- page weight ----

function gzipBytes(file) {
  // The same measure as scripts/size-report.sh: gzip -9 of the file.
  return execFileSync('gzip', ['-9', '-c', file], { maxBuffer: 1 << 30 }).length;
}

function pageWeight(requested) {
  let files;
  let source;
  if (requested && requested.size) {
    files = [...requested].map((rel) => path.join(DIST, rel)).filter((f) => fs.existsSync(f));
    source = 'requests of the first load';
  } else {
    files = fs
      .readdirSync(DIST)
      .filter((f) => /\.(wasm|js|mjs|css|html)$/.test(f))
      .map((f) => path.join(DIST, f));
    source = 'wasm/js/css/html files at the top of dist/';
  }
  const kb = { wasm: 0, js: 0, css: 0, html: 0, other: 0 };
  for (const f of files) {
    const ext = path.extname(f).slice(1);
    const type = ext === 'mjs' ? 'js' : ext in kb ? ext : 'other';
    kb[type] += gzipBytes(f) / 1024;
  }
  const total = Object.values(kb).reduce((a, b) => a + b, 0);
  const line = {
    scenario: 'page-weight',
    wasm_gz_kb: round(kb.wasm),
    js_gz_kb: round(kb.js),
    css_gz_kb: round(kb.css),
    html_gz_kb: round(kb.html),
  };
  if (kb.other) line.other_gz_kb = round(kb.other);
  Object.assign(line, {
    total_gz_kb: round(total),
    files: files.map((f) => path.relative(DIST, f)).sort(),
    counted: source,
    budget_kb: BUDGET.page_weight_gz_kb,
    within_budget: total <= BUDGET.page_weight_gz_kb,
  });
  return line;
}

// ---- the browser scenario ----

const INIT_SCRIPT = () => {
  // Long tasks (> 50 ms on the main thread) since the last read, and the time Enter was
  // pressed in the console (a capture listener runs before the app's own handler).
  const b = (window.__bench = { longtasks: [], enterAt: null, doneAt: null });
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) b.longtasks.push(e.duration);
    }).observe({ type: 'longtask', buffered: true });
    b.longtaskSupported = true;
  } catch {
    b.longtaskSupported = false;
  }
  document.addEventListener(
    'keydown',
    (e) => {
      if (e.key === 'Enter' && e.target && e.target.id === 'console-input') b.enterAt = performance.now();
    },
    true,
  );
};

/** Clock of the page in ms, from "t = 1234 ms". */
async function clockMs(page) {
  const text = await page.textContent(SEL.clock, { timeout: 5_000 });
  const m = /(\d+)\s*ms/.exec(text ?? '');
  if (!m) throw new Error(`${SEL.clock} has no "N ms" in ${JSON.stringify(text)}`);
  return Number(m[1]);
}

async function readRecords(page) {
  return page.evaluate((sel) => {
    const cells = [...document.querySelectorAll(sel)];
    if (!cells.length) return null;
    let sum = 0;
    for (const c of cells) {
      const n = Number((c.textContent ?? '').trim());
      if (!Number.isFinite(n)) return null;
      sum += n;
    }
    return sum;
  }, SEL.leaderLeo);
}

/**
 * Clicks `selector` n times, each timed in the page from click() to the next macrotask (the
 * budget's measure), or with `framed` to the first macrotask after the next animation frame:
 * the click until its picture is laid out (layout and pill placement happen in the frame).
 */
async function timeClicks(page, selector, n, framed = false) {
  return page.evaluate(
    async ({ selector, n, framed }) => {
      const out = [];
      for (let i = 0; i < n; i++) {
        const b = document.querySelector(selector);
        if (!b || b.disabled) break;
        const t0 = performance.now();
        b.click();
        if (framed) await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
        else await new Promise((r) => setTimeout(r, 0));
        out.push(performance.now() - t0);
      }
      return out;
    },
    { selector, n, framed },
  );
}

async function takeLongTasks(page) {
  return page.evaluate(() => {
    const t = window.__bench.longtasks;
    window.__bench.longtasks = [];
    return t;
  });
}

/** Types a line in the console and presses Enter (the press returns when the page handled it). */
async function typeLine(page, line, capMs) {
  await page.fill(SEL.consoleInput, line);
  await capped(page.press(SEL.consoleInput, 'Enter'), capMs, `Enter on "${line}"`);
}

async function consoleErrors(page) {
  return page.$$eval(SEL.consoleError, (els) => els.map((e) => e.textContent));
}

async function browserScenario() {
  const { chromium } = await import('playwright-core');
  const { serveDirectory } = await import('../tests/e2e/static-server.mjs');
  if (!fs.existsSync(path.join(DIST, 'index.html'))) throw new Error(`${DIST}/index.html not found: build first (./run build)`);
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (apt-get install chromium)`);

  const requested = new Set();
  let firstLoad = null;
  const points = [];
  const allLongTasks = [];
  let longtaskSupported = null;
  let stopped = null; // why the scenario ended early
  let timedOut = false;
  let peakRss = null;
  let pageBusy = null; // after a stop: still busy (true) or idle again (false)
  const started = Date.now();
  const remaining = () => SCENARIO_CAP_MS - (Date.now() - started);

  const server = await serveDirectory(DIST, '/sim/');
  let browser;
  const cleanup = async () => {
    await capped(browser?.close() ?? Promise.resolve(), 20_000, 'closing Chromium').catch(() => {});
    killChromiumTree();
    await server.close().catch(() => {});
  };
  const onSignal = async (sig) => {
    interrupted = true;
    log(`${sig}: closing Chromium and the server`);
    await cleanup();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
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
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    page.setDefaultTimeout(30_000);
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(String(e?.message ?? e)));
    // A renderer that dies (e.g. out of memory) ends the scenario at once.
    let crashed = false;
    let onCrash;
    const crash = new Promise((_, reject) => {
      onCrash = reject;
    });
    crash.catch(() => {});
    page.on('crash', () => {
      crashed = true;
      onCrash(new Error('the renderer crashed'));
    });
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text());
    });
    page.on('response', (res) => {
      const u = new URL(res.url());
      if (res.status() < 400 && u.pathname.startsWith('/sim/')) {
        const rel = u.pathname.slice('/sim/'.length) || 'index.html';
        requested.add(rel.endsWith('/') ? `${rel}index.html` : rel);
      }
    });
    await page.addInitScript(INIT_SCRIPT);

    log(`open ${server.url}`);
    await page.goto(server.url, { waitUntil: 'load' });
    await page.waitForSelector(SEL.root, { timeout: 60_000 });
    firstLoad = new Set(requested);
    longtaskSupported = await page.evaluate(() => window.__bench.longtaskSupported);
    const loadTasks = await takeLongTasks(page);
    allLongTasks.push(...loadTasks);

    // The setup, typed as a teacher would. The page is in step mode: `sim run` completes the
    // topic creation; the producer and the consumer then run on the clock.
    const setup = [
      'kafka-topics --create --topic orders --partitions 6 --replication-factor 3',
      'sim run',
      'sim producer add web --topic orders --rate 50/s',
      'sim consumer add c1 --group g1 --topic orders',
    ];
    for (const line of setup) {
      log(`$ ${line}`);
      await typeLine(page, line, ADVANCE_CAP_MS);
    }
    const errs = await consoleErrors(page);
    if (errs.length) throw new Error(`the setup was refused: ${errs.join(' | ')}`);
    const startClock = await clockMs(page);

    let advances = [];
    let virtualMs = 0;
    const measure = async () => {
      const rss = rendererRssMb();
      if (rss != null) peakRss = Math.max(peakRss ?? 0, rss);
      const records = await readRecords(page).catch(() => null);
      const step = await capped(timeClicks(page, SEL.step, CLICKS), ADVANCE_CAP_MS, 'Step clicks');
      const back = await capped(timeClicks(page, SEL.back, step.length), ADVANCE_CAP_MS, 'Back clicks');
      // The same clicks until the next frame is laid out (forward, then back to where it was).
      const stepFrame = await capped(timeClicks(page, SEL.step, CLICKS, true), ADVANCE_CAP_MS, 'Step clicks (framed)');
      await capped(timeClicks(page, SEL.back, stepFrame.length), ADVANCE_CAP_MS, 'Back clicks');
      const tasks = await takeLongTasks(page);
      allLongTasks.push(...tasks);
      const point = {
        scenario: 'browser-demo',
        virtual_s: Math.round(virtualMs / 1000),
        clock_ms: await clockMs(page),
        records,
        renderer_rss_mb: round(rss),
        step_p50_ms: round(percentile(step, 50)),
        step_p95_ms: round(percentile(step, 95)),
        back_p50_ms: round(percentile(back, 50)),
        back_p95_ms: round(percentile(back, 95)),
        step_frame_p50_ms: round(percentile(stepFrame, 50)),
        clicks: step.length,
        advance_s: advances.length ? round(advances[advances.length - 1], 2) : null,
        advances_s: advances.map((a) => round(a, 2)),
        longest_task_ms: round(tasks.length ? Math.max(...tasks) : 0),
        tasks_over_200ms: tasks.filter((t) => t > 200).length,
      };
      advances = [];
      points.push(point);
      emit(point);
    };

    await measure();
    let nextPoint = POINT_EVERY_S * 1000;
    while (virtualMs < VIRTUAL_S * 1000) {
      const cap = Math.min(ADVANCE_CAP_MS, remaining());
      if (cap <= 0) {
        timedOut = true;
        stopped = `scenario over BENCH_SCENARIO_CAP_S=${SCENARIO_CAP_MS / 1000}`;
        break;
      }
      const before = await clockMs(page);
      const target = before + ADVANCE_MS;
      log(`$ sim advance ${ADVANCE_MS}   (virtual ${(virtualMs + ADVANCE_MS) / 1000} s, cap ${Math.round(cap / 1000)} s)`);
      await page.evaluate(() => {
        window.__bench.enterAt = null;
        window.__bench.doneAt = null;
      });
      const wallStart = Date.now();
      // Watch the renderer's memory while the page is busy; stop when it is over the cap.
      let rssStop = null;
      let tripRss;
      const rssTripped = new Promise((_, reject) => {
        tripRss = reject;
      });
      rssTripped.catch(() => {});
      const watch = setInterval(() => {
        const rss = rendererRssMb();
        if (rss == null) return;
        peakRss = Math.max(peakRss ?? 0, rss);
        if (rss > MAX_RSS_MB && !rssStop) {
          rssStop = rss;
          tripRss(new Error('renderer RSS over the cap'));
        }
      }, 500);
      const done = (async () => {
        await typeLine(page, `sim advance ${ADVANCE_MS}`, cap);
        // Finished when the clock shows the target; the predicate notes the time in the page.
        await page.waitForFunction(
          ({ sel, target }) => {
            const m = /(\d+)\s*ms/.exec(document.querySelector(sel)?.textContent ?? '');
            if (m && Number(m[1]) >= target) {
              window.__bench.doneAt = performance.now();
              return true;
            }
            return false;
          },
          { sel: SEL.clock, target },
          { timeout: Math.max(1, cap - (Date.now() - wallStart)), polling: 'raf' },
        );
      })();
      done.catch(() => {});
      try {
        await capped(Promise.race([done, rssTripped, crash]), cap, `sim advance ${ADVANCE_MS}`);
      } catch (e) {
        clearInterval(watch);
        const from = `from virtual ${virtualMs / 1000} s to ${(virtualMs + ADVANCE_MS) / 1000} s`;
        if (crashed) {
          stopped = `the renderer crashed during sim advance ${ADVANCE_MS} ${from}`;
        } else if (rssStop) {
          stopped = `renderer RSS ${Math.round(rssStop)} MB over BENCH_MAX_RSS_MB=${MAX_RSS_MB}`;
        } else if (e instanceof Cap || e?.name === 'TimeoutError') {
          timedOut = true;
          stopped = `sim advance ${ADVANCE_MS} ${from} took over ${Math.round(cap / 1000)} s`;
        } else {
          throw e;
        }
        log(`stopped: ${stopped}`);
        if (!crashed) {
          // Is the page still busy with the advance, or did it fail?
          pageBusy = await capped(page.evaluate(() => false), 5_000, 'probe').catch(() => true);
        }
        break;
      }
      clearInterval(watch);
      const wall = (Date.now() - wallStart) / 1000;
      const t = await page.evaluate(() => window.__bench);
      const inPage = t.enterAt != null && t.doneAt != null ? (t.doneAt - t.enterAt) / 1000 : wall;
      advances.push(inPage);
      virtualMs += ADVANCE_MS;
      log(`  took ${inPage.toFixed(2)} s (clock ${await clockMs(page)} ms, renderer ${Math.round(rendererRssMb() ?? 0)} MB)`);
      if (rssStop) {
        stopped = `renderer RSS ${Math.round(rssStop)} MB over BENCH_MAX_RSS_MB=${MAX_RSS_MB}`;
        log(`stopped: ${stopped}`);
        break;
      }
      if (virtualMs >= nextPoint || virtualMs >= VIRTUAL_S * 1000) {
        nextPoint += POINT_EVERY_S * 1000;
        try {
          await measure();
        } catch (e) {
          if (!(e instanceof Cap)) throw e;
          timedOut = true;
          stopped = `measuring at virtual ${virtualMs / 1000} s: ${e.message}`;
          log(`stopped: ${stopped}`);
          break;
        }
        const rss = points[points.length - 1].renderer_rss_mb;
        if (rss != null && rss > MAX_RSS_MB) {
          stopped = `renderer RSS ${Math.round(rss)} MB over BENCH_MAX_RSS_MB=${MAX_RSS_MB}`;
          log(`stopped: ${stopped}`);
          break;
        }
      }
    }
    if (pageErrors.some((m) => /panicked|RuntimeError|unreachable|memory/i.test(m))) {
      stopped = `${stopped ?? 'completed'}; the page reported: ${pageErrors.join(' | ').slice(0, 400)}`;
    }

    // ---- summary ----
    const at = (s) => points.find((p) => p.virtual_s === s);
    const why = stopped ? `not reached: ${stopped}` : 'not reached';
    const budget = (value, limit, measured = value != null) =>
      measured
        ? { value, budget: limit, within_budget: value <= limit }
        : { value, budget: limit, within_budget: false, note: why };
    const p120 = at(120);
    const p600 = at(600);
    const longest = allLongTasks.length ? Math.max(...allLongTasks) : 0;
    const reachedEnd = !stopped && virtualMs >= VIRTUAL_S * 1000;
    emit({
      scenario: 'browser-demo-summary',
      virtual_s_reached: Math.round(virtualMs / 1000),
      virtual_s_target: VIRTUAL_S,
      start_clock_ms: startClock,
      completed: reachedEnd,
      timed_out: timedOut,
      stopped,
      page_busy_at_stop: pageBusy,
      page_errors: pageErrors.slice(0, 5).map((m) => m.slice(0, 200)),
      wall_s: round((Date.now() - started) / 1000),
      peak_renderer_rss_mb: round(peakRss),
      longest_task_ms: round(longest),
      tasks_over_200ms: allLongTasks.filter((t) => t > 200).length,
      longtask_supported: longtaskSupported,
      budgets: {
        rss_120s_mb: budget(p120?.renderer_rss_mb ?? null, BUDGET.rss_120s_mb),
        step_p50_120s_ms: budget(p120?.step_p50_ms ?? null, BUDGET.step_p50_120s_ms),
        rss_600s_mb: budget(p600?.renderer_rss_mb ?? null, BUDGET.rss_600s_mb),
        step_p50_600s_ms: budget(p600?.step_p50_ms ?? null, BUDGET.step_p50_600s_ms),
        back_p50_600s_ms: budget(p600?.back_p50_ms ?? null, BUDGET.back_p50_600s_ms),
        // "the page stays responsive throughout": only meaningful when the run reached 600 s.
        longest_task_ms: budget(round(longest), BUDGET.longest_task_ms, reachedEnd || longest > BUDGET.longest_task_ms),
      },
    });
  } finally {
    await cleanup();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return firstLoad;
}

async function main() {
  if (!fs.existsSync(DIST)) throw new Error(`${DIST} does not exist: build first (./run build)`);
  let requested = null;
  if (!WEIGHT_ONLY) requested = await browserScenario();
  emit(pageWeight(requested));
}

main().catch((e) => {
  if (interrupted) return; // the signal handler exits
  console.error(`[bench] harness error: ${e?.stack ?? e}`);
  killChromiumTree();
  process.exit(1);
});
