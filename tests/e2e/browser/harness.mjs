// Shared pieces of the browser tests: a real `gateway serve` on a free loopback
// port with a fresh data directory, and headless Debian Chromium driven by
// playwright-core. Nothing leaves loopback.
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(new URL('../../..', import.meta.url).pathname);

export function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

async function waitUp(url, child, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode}`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch (e) { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gateway not up at ${url} after ${ms} ms`);
}

// Starts `gateway serve` with `extra` merged into a config of a temp dir.
// `extra` may be a function of {port, base, dir} returning the keys to merge,
// for keys that depend on the port (public_url).
export async function startGateway(binary, extra = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'gw-browser-'));
  const port = await freePort();
  const more = typeof extra === 'function' ? extra({ port, base: `http://127.0.0.1:${port}`, dir }) : extra;
  const config = {
    listen: `127.0.0.1:${port}`,
    database: { driver: 'sqlite', path: join(dir, 'gateway.db') },
    content_dir: repoRoot,
    channels: [{ id: 'web', type: 'web' }],
    ...more,
  };
  const configPath = join(dir, 'gateway.json');
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  const child = spawn(binary, ['serve', '--config', configPath], { cwd: dir, stdio: ['ignore', 'inherit', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitUp(`${base}/healthz`, child, 30000);
  } catch (e) {
    child.kill('SIGKILL');
    throw new Error(`${e.message}\n${stderr}`);
  }
  return {
    base,
    dir,
    configPath,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 15000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  const userDataDir = mkdtempSync(join(tmpdir(), 'gw-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

export function check(cond, what) {
  if (!cond) throw new Error(`FAILED: ${what}`);
  console.log(`ok - ${what}`);
}
