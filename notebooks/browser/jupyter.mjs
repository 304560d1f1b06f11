// jupyter.mjs starts and stops a private Jupyter Notebook server for the browser test: on
// 127.0.0.1, on a free port, with a random token, serving a temporary copy of the notebooks.
import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

// jupyterCommand returns Debian's jupyter (a pyenv or venv python3 earlier on PATH usually lacks
// the classic notebook), else the one on PATH.
export function jupyterCommand() {
  for (const c of ['/usr/bin/jupyter', 'jupyter']) {
    try {
      execFileSync(c, ['notebook', '--version'], { stdio: 'ignore', timeout: 30_000 });
      return c;
    } catch {
      // try the next one
    }
  }
  throw new Error('jupyter notebook is not installed: sudo apt-get install -y jupyter-notebook (scripts/setup.sh --test does)');
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// startJupyter starts `jupyter notebook` serving dir with env added to its environment (the
// kernels inherit it). It resolves once GET /api answers with the token, within timeoutMs;
// otherwise it stops the server and rejects with the end of its log.
export async function startJupyter({ dir, env, configDir, runtimeDir, timeoutMs = 90_000 }) {
  const jupyter = jupyterCommand();
  const port = await freePort();
  const token = randomBytes(24).toString('hex');
  const args = ['notebook', '--no-browser', '--ip=127.0.0.1', `--port=${port}`, '--port-retries=0',
    `--NotebookApp.token=${token}`, `--notebook-dir=${dir}`, '--NotebookApp.open_browser=False'];
  if (process.getuid?.() === 0) args.push('--allow-root');
  const child = spawn(jupyter, args, {
    env: { ...process.env, JUPYTER_CONFIG_DIR: configDir, JUPYTER_RUNTIME_DIR: runtimeDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so stop() can end the kernels it started too
  });
  let log = '';
  const keep = (b) => { log = (log + b.toString()).slice(-20_000); };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = null;
  child.on('exit', (code, signal) => { exited = { code, signal }; });
  const server = {
    url: `http://127.0.0.1:${port}`,
    token,
    log: () => log,
    stop: () => stopJupyter(child, `http://127.0.0.1:${port}`, token, () => exited),
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) {
      throw new Error(`jupyter notebook exited (${JSON.stringify(exited)}) before answering on ${server.url}/api:\n${log.slice(-4000)}`);
    }
    try {
      const res = await fetch(`${server.url}/api`, {
        headers: { Authorization: `token ${token}` },
        signal: AbortSignal.timeout(5_000),
      });
      if (res.ok) return server;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`jupyter notebook did not answer on ${server.url}/api within ${timeoutMs / 1000}s:\n${log.slice(-4000)}`);
    }
    await sleep(500);
  }
}

// stopJupyter asks the server to shut down (POST /api/shutdown, which also shuts its kernels
// down), then sends SIGTERM and at last SIGKILL to its process group, each wait bounded.
async function stopJupyter(child, url, token, exited) {
  const waitExit = async (ms) => {
    const end = Date.now() + ms;
    while (!exited() && Date.now() < end) await sleep(200);
    return exited() !== null;
  };
  if (exited()) return;
  try {
    await fetch(`${url}/api/shutdown`, {
      method: 'POST',
      headers: { Authorization: `token ${token}` },
      signal: AbortSignal.timeout(5_000),
    });
  } catch {
    // it may already be gone, or hung: the signals below handle both
  }
  if (await waitExit(15_000)) return killGroup(child.pid, 'SIGKILL');
  killGroup(child.pid, 'SIGTERM');
  if (await waitExit(10_000)) return killGroup(child.pid, 'SIGKILL');
  killGroup(child.pid, 'SIGKILL');
  await waitExit(5_000);
}

// killGroup signals the process group led by pid (the server and anything left of its kernels);
// a group that is already gone is fine.
function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // no such process group
  }
}
