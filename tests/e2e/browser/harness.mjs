// Shared pieces of the browser tests: a real `gateway serve` on loopback with a
// fresh data directory, and headless Debian Chromium driven by playwright-core.
// Nothing leaves loopback. The gateway binds port 0 itself and the test reads the
// port from its "http.listening" log line: no port is picked here for another
// process to bind.
import { chromium } from 'playwright-core';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(new URL('../../..', import.meta.url).pathname);

// Resolves to the gateway's "http.listening" log line (parsed) once `stderr()`
// holds it; rejects when the gateway exits first or after `ms`.
async function waitListening(child, stderr, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const line = stderr().split('\n').find((l) => l.includes('"event":"http.listening"'));
    if (line) return JSON.parse(line);
    if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gateway did not log http.listening within ${ms} ms`);
}

// Starts `gateway serve` with `extra` merged into a config of a temp dir, and
// resolves once it listens, to {base, publicUrl, dir, configPath, stderr(),
// stop()}: `base` is the address it bound, `publicUrl` its public_url (what
// Twilio webhooks are signed for). `extra` may be a function of {dir} returning
// the keys to merge, for keys that depend on the directory.
export async function startGateway(binary, extra = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'gw-browser-'));
  const more = typeof extra === 'function' ? extra({ dir }) : extra;
  const config = {
    listen: '127.0.0.1:0',
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
  let listening;
  try {
    listening = await waitListening(child, () => stderr, 30000);
    const health = await fetch(`http://${listening.listen}/healthz`);
    if (!health.ok) throw new Error(`gateway /healthz answered ${health.status}`);
  } catch (e) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${e.message}\n${stderr}`);
  }
  return {
    base: `http://${listening.listen}`,
    publicUrl: listening.public_url,
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
  // Waits on a page give up after 60 s, not Playwright's 30: the suite also runs
  // in the sanitizer build (several times slower) on busy 2-core machines, where
  // one save that rechecks and redraws a flow has taken over 30 s. A page that
  // never gets there still fails.
  context.setDefaultTimeout(60000);
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

// Resolves to fn()'s first truthy value, trying every `every` ms; throws naming
// `what` after `ms`.
export async function waitFor(what, fn, ms = 15000, every = 100) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

// Creates a staff account with `gateway user add` (extra: more flags) on the
// gateway's config; returns its one-time password.
export function addUser(binary, gateway, name, role, extra = []) {
  const added = spawnSync(binary, ['user', 'add', name, '--role', role, ...extra, '--config', gateway.configPath],
    { encoding: 'utf8' });
  check(added.status === 0, `gateway user add creates the ${role} ${name} (${added.stderr.trim()})`);
  return added.stdout.trim().split('\n').pop().trim();
}

// The password a test account chooses at its first login.
export const passphrase = (name) => `a long passphrase of ${name} 2026`;

// Signs in on a staff page's login form.
export async function login(page, name, password) {
  await page.locator('#login-screen').waitFor();
  await page.fill('#login-username', name);
  await page.fill('#login-password', password);
  await page.click('#login-submit');
}

// Logs in with the one-time password and chooses passphrase(name).
export async function firstLogin(page, name, oneTime) {
  await login(page, name, oneTime);
  await page.locator('#password-screen').waitFor();
  await page.fill('#password-current', oneTime);
  await page.fill('#password-new', passphrase(name));
  await page.fill('#password-confirm', passphrase(name));
  await page.click('#password-submit');
}
