// notebook.test.mjs runs the lesson's notebooks in a real browser: Jupyter Notebook (classic,
// Debian's) with the lesson's kernel on 127.0.0.1, driven through Debian's chromium by
// playwright-core. For each notebook it opens a temporary copy, checks that no code line is cut
// off, clears the outputs, runs all cells, checks that each code cell ran without error or
// stderr output and that the pictures and the expected lines are there, saves, reloads, checks
// that the outputs were kept, and writes a screenshot of every cell.
//
// Run it with `make test-browser` (or `npm ci && npm test` here, once the kernel is installed
// with kernels/install.sh --user). Environment:
//
//   LESSON_EPOCHS, LESSON_TRAIN_SIZE, GOMLX_BACKEND   passed to the kernel (default 1, 2000, go)
//   LESSON_BROWSER        the chromium binary (default /usr/bin/chromium)
//   LESSON_SCREENSHOTS    where the screenshots go (default ./screenshots)
//   LESSON_RUN_TIMEOUT    seconds Run All may take per notebook (default 600)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startJupyter } from './jupyter.mjs';
import { clippedLines, openNotebook, outputs, runAll, save, unscroll } from './page.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const notebooksDir = resolve(here, '..');
const kernel = 'gonb-lesson-go';
const browserPath = process.env.LESSON_BROWSER || '/usr/bin/chromium';
const shotsDir = resolve(process.env.LESSON_SCREENSHOTS || join(here, 'screenshots'));
const runTimeoutMs = Number(process.env.LESSON_RUN_TIMEOUT || 600) * 1000;

// The notebooks, in order (the second loads the CNN the first trained, as on a student's
// machine), each with the least number of pictures it shows (PNG images and inline SVG charts;
// 03_convolution shows 50 with its settings, 03b_lenet 3), of SVG charts among them, and the
// lines its outputs must have.
const notebooks = [
  {
    file: '03_convolution.ipynb',
    minPictures: 40,
    minCharts: 1,
    want: [
      ['summary total', /243,786/],
      ['test accuracy', /test accuracy: 0\.\d{4}/],
      ['exercise checks', /✗ not yet: the model has fewer filters/],
    ],
  },
  {
    file: '03b_lenet.ipynb',
    minPictures: 3,
    minCharts: 1,
    want: [
      ['summary total', /61,706/],
      ['test accuracy', /test accuracy: 0\.\d{4}/],
    ],
  },
];

let work; // the temporary directory this test creates and removes
let server;
let context;

function say(msg) {
  process.stderr.write(`browser test: ${msg}\n`);
}

before(async () => {
  if (!existsSync(browserPath)) {
    throw new Error(`${browserPath} is missing: sudo apt-get install -y chromium fonts-noto-color-emoji (scripts/setup.sh --test does), or set LESSON_BROWSER`);
  }
  work = mkdtempSync(join(tmpdir(), 'lesson-browser-'));
  const nbDir = join(work, 'notebooks');
  for (const d of ['notebooks', 'checkpoints', 'jupyter-config', 'jupyter-runtime', 'chromium']) mkdirSync(join(work, d));
  for (const nb of notebooks) copyFileSync(join(notebooksDir, nb.file), join(nbDir, nb.file));
  server = await startJupyter({
    dir: nbDir,
    configDir: join(work, 'jupyter-config'),
    runtimeDir: join(work, 'jupyter-runtime'),
    env: {
      LESSON_EPOCHS: process.env.LESSON_EPOCHS || '1',
      LESSON_TRAIN_SIZE: process.env.LESSON_TRAIN_SIZE || '2000',
      GOMLX_BACKEND: process.env.GOMLX_BACKEND || 'go',
      LESSON_CHECKPOINT_DIR: join(work, 'checkpoints'),
    },
  });
  say(`jupyter notebook on ${server.url}, serving ${nbDir}`);
  const spec = await (await fetch(`${server.url}/api/kernelspecs`, {
    headers: { Authorization: `token ${server.token}` }, signal: AbortSignal.timeout(10_000),
  })).json();
  if (!spec.kernelspecs?.[kernel]) {
    throw new Error(`Jupyter has no kernel ${kernel} (it has ${Object.keys(spec.kernelspecs || {}).join(', ')}): run kernels/install.sh --user`);
  }
  context = await chromium.launchPersistentContext(join(work, 'chromium'), {
    executablePath: browserPath,
    headless: true,
    timeout: 60_000,
    // The handlers below stop chromium, then Jupyter, then remove the profile: playwright's own
    // would exit before the rest is done.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    viewport: { width: 1280, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  context.setDefaultTimeout(60_000);
});

// cleanUp closes chromium, stops Jupyter (and so its kernels) and removes the temporary
// directory, each step on its own, so that one failing does not leave the others undone. It
// runs once: a signal during the after hook, or a second signal, waits for the same run.
let cleaning;
function cleanUp() {
  cleaning ??= (async () => {
    if (context) await context.close().catch((e) => say(`closing chromium: ${e.message}`));
    if (server) await server.stop().catch((e) => say(`stopping jupyter: ${e.message}`));
    if (work) rmSync(work, { recursive: true, force: true, maxRetries: 5 });
  })();
  return cleaning;
}

after(cleanUp);

// Ctrl-C or a kill: Jupyter runs in a process group of its own, which the signal does not reach.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    say(`${signal}: stopping jupyter and chromium`);
    const timer = setTimeout(() => process.exit(130), 45_000);
    cleanUp().catch((e) => say(`cleaning up: ${e.message}`)).finally(() => { clearTimeout(timer); process.exit(130); });
  });
}

// The canary notebook shows that the checks can fail: a code line too long for the editor, a
// cell that writes to stderr and one that does not compile; the first and the last cells run
// fine (GoNB goes on after a failed cell) and must not be reported.
const canary = {
  file: 'canary.ipynb',
  minPictures: 1,
  want: [['canary line', /this text is never printed/]],
  cells: [
    `%%\nfmt.Println("${'a line too long for the classic notebook\'s editor, '.repeat(3)}")`,
    '%%\nfmt.Fprintln(os.Stderr, "canary: to stderr")',
    '%%\nundefinedFunction()',
    '%%\nfmt.Println("runs after the failed cell")',
  ],
};

test('the checks catch a clipped line, stderr and an error', { timeout: 300_000 }, async () => {
  const nbJSON = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: kernel, display_name: kernel, language: 'go' } },
    cells: canary.cells.map((src, i) => ({
      id: `canary-${i}`, cell_type: 'code', metadata: {}, execution_count: null, outputs: [], source: src,
    })),
  };
  writeFileSync(join(work, 'notebooks', canary.file), JSON.stringify(nbJSON));
  const page = await context.newPage();
  try {
    await openNotebook(page, server, canary.file);
    const clipped = await clippedLines(page);
    assert.deepEqual(clipped.map((c) => c.cell), [0], `clippedLines should find the long line of the canary's cell 0, found ${JSON.stringify(clipped)}`);
    await runAll(page, 240_000, (m) => say(`${canary.file}: ${m}`));
    const ran = await outputs(page);
    const err = (() => { try { checkRan(canary, ran); } catch (e) { return e.message; } return ''; })();
    for (const want of ['cell 1 wrote to stderr: canary: to stderr', 'cell 2 shows an error',
      'no canary line in the outputs', '0 pictures']) {
      assert.ok(err.includes(want), `checkRan on the canary should report "${want}"; it reported:\n${err || '(nothing)'}`);
    }
    assert.ok(!/cell [03]/.test(err), `checkRan reported the canary's cell 0 or 3, which ran fine:\n${err}`);
  } finally {
    await shutdownKernel(page);
    await page.close().catch(() => {});
  }
});

for (const nb of notebooks) {
  test(nb.file, { timeout: runTimeoutMs + 300_000 }, async (t) => {
    const page = await context.newPage();
    page.on('dialog', (d) => d.accept()); // "leave the page?" on reload: the checks below tell
    const name = nb.file.replace(/\.ipynb$/, '');
    try {
      const kernelName = await openNotebook(page, server, nb.file);
      assert.equal(kernelName, kernel, `${nb.file} opened with kernel ${kernelName}, want ${kernel}`);

      const clipped = await clippedLines(page);
      assert.deepEqual(clipped, [], `${nb.file}: code lines wider than the editor, cut off on screen (shorten them):\n` +
        clipped.map((c) => `  cell ${c.cell}: ${c.over}px too wide: ${c.text}`).join('\n'));

      const start = Date.now();
      await runAll(page, runTimeoutMs, (m) => say(`${nb.file}: ${m}`));
      say(`${nb.file}: Run All took ${Math.round((Date.now() - start) / 1000)}s`);

      const ran = await outputs(page);
      checkRan(nb, ran);

      await save(page);
      checkSavedFile(nb, join(work, 'notebooks', nb.file), ran);

      await page.reload({ timeout: 60_000 });
      await openNotebookLoaded(page, nb.file);
      const reloaded = await outputs(page);
      for (const [i, c] of ran.entries()) {
        const r = reloaded[i];
        assert.deepEqual(
          { count: r.count, images: r.images, brokenImages: r.brokenImages, svgs: r.svgs, text: r.text },
          { count: c.count, images: c.images, brokenImages: 0, svgs: c.svgs, text: c.text },
          `${nb.file} cell ${c.index}: the outputs after saving and reloading differ from those of the run`);
      }
      const n = await screenshots(page, name);
      const images = ran.reduce((s, c) => s + c.images, 0);
      const charts = ran.reduce((s, c) => s + c.svgs, 0);
      t.diagnostic(`${ran.length} code cells ran without error; ${images} images and ${charts} SVG charts kept after save and reload; ${n} cell screenshots in ${join(shotsDir, name)}`);
      t.diagnostic(ran.map((c) => c.text.match(/test accuracy: 0\.\d{4}/)?.[0]).filter(Boolean).pop() || '');
    } catch (e) {
      mkdirSync(shotsDir, { recursive: true });
      await page.screenshot({ path: join(shotsDir, `${name}-failure.png`) }).catch(() => {});
      throw e;
    } finally {
      await shutdownKernel(page);
      await page.close().catch(() => {});
    }
  });
}

// shutdownKernel shuts the page's kernel down (its memory is freed before the next notebook);
// a failure only logs: stopping the server ends every kernel anyway.
async function shutdownKernel(page) {
  await page.evaluate(() => new Promise((resolve, reject) => {
    const nb = window.Jupyter?.notebook;
    if (!nb?.session) return resolve();
    const timer = setTimeout(() => reject(new Error('no answer within 30s')), 30_000);
    nb.session.delete(() => { clearTimeout(timer); resolve(); }, (_x, _s, e) => { clearTimeout(timer); reject(new Error(String(e))); });
  })).catch((e) => say(`shutting the kernel down: ${e.message}`));
}

// openNotebookLoaded waits for the reloaded notebook; its kernel (a new one) need not be idle.
async function openNotebookLoaded(page, file) {
  await page.waitForFunction(() => window.Jupyter?.notebook?._fully_loaded, null, { timeout: 60_000, polling: 500 })
    .catch((e) => { throw new Error(`${file} did not load again after reloading: ${e.message}`); });
}

// checkRan fails on any code cell that did not run or showed an error or stderr output, and
// unless the outputs have the expected lines and at least nb.minPictures pictures.
function checkRan(nb, cells) {
  const problems = [];
  for (const c of cells) {
    if (typeof c.count !== 'number') problems.push(`cell ${c.index} did not run (prompt [${c.count ?? ' '}])`);
    for (const e of c.errors) problems.push(`cell ${c.index} shows an error: ${e.slice(0, 2000)}`);
    for (const e of c.stderr) problems.push(`cell ${c.index} wrote to stderr: ${e.slice(0, 2000)}`);
    if (c.brokenImages) problems.push(`cell ${c.index}: ${c.brokenImages} of its ${c.images} images did not load`);
  }
  const all = cells.map((c) => c.text).join('\n');
  for (const [what, re] of nb.want) {
    if (!re.test(all)) problems.push(`no ${what} in the outputs: want a match for ${re}`);
  }
  const pictures = cells.reduce((s, c) => s + c.images + c.svgs, 0);
  if (pictures < nb.minPictures) problems.push(`${pictures} pictures (PNG images and SVG charts) shown, want at least ${nb.minPictures}`);
  const charts = cells.reduce((s, c) => s + c.svgs, 0);
  if (charts < (nb.minCharts || 0)) problems.push(`${charts} SVG charts shown, want at least ${nb.minCharts}`);
  assert.deepEqual(problems, [], `${nb.file} after Run All:\n  ${problems.join('\n  ')}`);
}

// checkSavedFile checks that the saved .ipynb holds what the page showed: each code cell's
// execution count, and a picture output (PNG, JPEG, SVG, or HTML with <svg> or <img>) in every
// cell that showed a picture.
function checkSavedFile(nb, path, cells) {
  const saved = JSON.parse(readFileSync(path, 'utf8'));
  const code = saved.cells.map((c, index) => ({ ...c, index })).filter((c) => c.cell_type === 'code');
  assert.deepEqual(code.map((c) => [c.index, c.execution_count]), cells.map((c) => [c.index, c.count]),
    `${nb.file} as saved: the execution counts (cell, count) differ from the page's`);
  const text = (v) => (Array.isArray(v) ? v.join('') : v || '');
  const hasPicture = (c) => c.outputs.some((o) => o.data && (o.data['image/png'] || o.data['image/jpeg'] ||
    o.data['image/svg+xml'] || /<svg|<img/.test(text(o.data['text/html']))));
  const shown = cells.filter((c) => c.images + c.svgs > 0).map((c) => c.index);
  const kept = code.filter(hasPicture).map((c) => c.index);
  assert.deepEqual(kept, shown, `${nb.file} as saved: the cells with a picture output differ from the cells that showed one`);
}

// screenshots writes one PNG per cell into shotsDir/name/ (after removing the cell-*.png an
// earlier run wrote there) and returns how many it wrote.
async function screenshots(page, name) {
  const dir = join(shotsDir, name);
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(dir)) if (/^cell-\d+\.png$/.test(f)) unlinkSync(join(dir, f));
  await unscroll(page);
  const cells = page.locator('#notebook-container > .cell');
  const n = await cells.count();
  for (let i = 0; i < n; i++) {
    await cells.nth(i).screenshot({ path: join(dir, `cell-${String(i).padStart(2, '0')}.png`), animations: 'disabled' });
  }
  return n;
}
