// page.mjs drives one notebook in the classic Jupyter Notebook UI (notebook 6): the functions
// passed to page.evaluate run in the page, where the classic UI exposes window.Jupyter.
import { setTimeout as sleep } from 'node:timers/promises';

// openNotebook opens file and waits, within timeoutMs, until the notebook is loaded and its
// kernel is connected and idle. It returns the kernel's name.
export async function openNotebook(page, server, file, timeoutMs = 120_000) {
  await page.goto(`${server.url}/notebooks/${encodeURIComponent(file)}?token=${server.token}`, { timeout: 60_000 });
  await waitFor(page, timeoutMs, `${file} to load with its kernel idle`, () => {
    const nb = window.Jupyter && window.Jupyter.notebook;
    const icon = document.querySelector('#kernel_indicator_icon');
    return Boolean(nb && nb._fully_loaded && nb.kernel && nb.kernel.is_connected() &&
      icon && icon.classList.contains('kernel_idle_icon'));
  });
  return page.evaluate(() => window.Jupyter.notebook.kernel.name);
}

// waitFor polls fn in the page every 500 ms until it returns true; after timeoutMs it throws,
// naming what it waited for and any dialog the page shows.
async function waitFor(page, timeoutMs, what, fn) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await page.evaluate(fn)) return;
    if (Date.now() > deadline) {
      throw new Error(`waited ${timeoutMs / 1000}s for ${what}${await dialogText(page)}`);
    }
    await sleep(500);
  }
}

// dialogText returns ", the page shows the dialog: …" when a modal dialog is open (the kernel
// died, a kernel spec is missing, …), else "".
async function dialogText(page) {
  const t = await page.evaluate(() => {
    const m = document.querySelector('.modal.in, .modal[style*="display: block"]');
    return m ? m.innerText.replace(/\s+/g, ' ').trim() : '';
  }).catch(() => '');
  return t ? `; the page shows the dialog: ${t}` : '';
}

// clippedLines returns the code lines wider than their editor, as the reader sees them: the
// classic notebook cuts a long line off (a horizontal scrollbar appears), so each rendered
// CodeMirror line's text is measured against its editor's visible width.
export function clippedLines(page) {
  return page.evaluate(() => {
    const out = [];
    window.Jupyter.notebook.get_cells().forEach((cell, i) => {
      if (cell.cell_type !== 'code') return;
      const scroller = cell.code_mirror.getScrollerElement();
      const right = scroller.getBoundingClientRect().left + scroller.clientWidth;
      for (const line of scroller.querySelectorAll('pre.CodeMirror-line')) {
        const span = line.firstElementChild;
        if (!span) continue;
        const over = span.getBoundingClientRect().right - right;
        if (over > 0.5) out.push({ cell: i, over: Math.round(over), text: line.textContent });
      }
    });
    return out;
  });
}

// runAll clears every output, runs all cells and waits, within timeoutMs, until no code cell
// is queued or running and the kernel is idle. progress is called every ~30 s.
export async function runAll(page, timeoutMs, progress) {
  await page.evaluate(() => {
    window.Jupyter.notebook.clear_all_output();
    window.Jupyter.notebook.execute_all_cells();
  });
  const deadline = Date.now() + timeoutMs;
  let lastReport = Date.now();
  let quiet = 0;
  for (;;) {
    const s = await page.evaluate(() => {
      const cells = window.Jupyter.notebook.get_cells().filter((c) => c.cell_type === 'code');
      const icon = document.querySelector('#kernel_indicator_icon');
      return {
        total: cells.length,
        waiting: cells.filter((c) => c.input_prompt_number === '*').length,
        idle: Boolean(icon && icon.classList.contains('kernel_idle_icon')),
        dead: Boolean(icon && icon.classList.contains('kernel_dead_icon')),
      };
    });
    if (s.dead) throw new Error(`the kernel died while running the cells${await dialogText(page)}`);
    // Done when nothing is queued and the kernel stays idle for two polls in a row.
    quiet = s.waiting === 0 && s.idle ? quiet + 1 : 0;
    if (quiet >= 2) return;
    if (Date.now() > deadline) {
      throw new Error(`after ${timeoutMs / 1000}s ${s.waiting} of ${s.total} code cells are still queued or running${await dialogText(page)}`);
    }
    if (Date.now() - lastReport > 30_000) {
      lastReport = Date.now();
      progress(`${s.total - s.waiting} of ${s.total} code cells done`);
    }
    await sleep(1_000);
  }
}

// save saves the notebook (File → Save and Checkpoint) and waits for the UI to confirm it.
export function save(page) {
  return page.evaluate(() => new Promise((resolve, reject) => {
    const nb = window.Jupyter.notebook;
    const timer = setTimeout(() => reject(new Error('no notebook_saved event within 60s')), 60_000);
    nb.events.one('notebook_saved.Notebook', () => { clearTimeout(timer); resolve(); });
    nb.events.one('notebook_save_failed.Notebook', (_e, err) => {
      clearTimeout(timer);
      reject(new Error(`saving failed: ${(err && err.message) || err}`));
    });
    nb.save_checkpoint();
  }));
}

// outputs describes what each code cell shows: its execution count, error and stderr texts,
// pictures (PNG/JPEG <img>, loaded, and inline <svg> charts) and its output text.
export function outputs(page) {
  return page.evaluate(() => window.Jupyter.notebook.get_cells().flatMap((cell, index) => {
    if (cell.cell_type !== 'code') return [];
    const el = cell.element[0];
    const area = el.querySelector('.output');
    const imgs = area ? [...area.querySelectorAll('.output_area img')] : [];
    // An <svg> inside another is part of one picture.
    const svgs = area ? [...area.querySelectorAll('.output_area svg')].filter((s) => !s.parentElement.closest('svg')) : [];
    const texts = (sel) => (area ? [...area.querySelectorAll(sel)].map((e) => e.innerText.trim()) : []);
    return [{
      index,
      count: cell.input_prompt_number,
      errors: texts('.output_error'),
      stderr: texts('.output_stderr'),
      images: imgs.length,
      brokenImages: imgs.filter((i) => !(i.complete && i.naturalWidth > 0)).length,
      svgs: svgs.filter((s) => s.getBoundingClientRect().width > 0).length,
      text: area ? area.innerText.trim() : '',
    }];
  }));
}

// unscroll lets the page grow to the notebook's height: the classic notebook scrolls inside
// #site, which screenshots of elements below the first screen would miss.
export function unscroll(page) {
  return page.addStyleTag({ content: '#site { height: auto !important; overflow: visible !important; }' });
}
