// Installs npm dependencies when node_modules is missing or was installed from other dependencies (package.json's dependency fields and package-lock.json). Plain Node: it runs before any dependency exists.
const { spawnSync } = require('node:child_process');
const nodeCrypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');

/** What `npm install` installs from: package.json's dependency fields and the lock file. Its scripts do not count. */
const INSTALL_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies', 'bundleDependencies', 'overrides'];

function lockHash(root = ROOT) {
  const lock = path.join(root, 'package-lock.json');
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  return nodeCrypto
    .createHash('sha256')
    .update(JSON.stringify(INSTALL_FIELDS.map((field) => pkg[field] ?? null)))
    .update(fs.existsSync(lock) ? fs.readFileSync(lock) : '')
    .digest('hex');
}

function ensureDeps() {
  const marker = path.join(ROOT, 'node_modules', '.offerhub-deps');
  const want = lockHash();
  if (fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === want) return;
  console.log('[setup] installing npm dependencies…');
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error('[setup] npm install failed');
    process.exit(r.status ?? 1);
  }
  fs.writeFileSync(marker, lockHash());
}

/** Where a Chromium is: CHROMIUM_PATH, else the first of Debian's and other distributions' names on the PATH; or null. */
function findChromium() {
  if (process.env.CHROMIUM_PATH) return fs.existsSync(process.env.CHROMIUM_PATH) ? process.env.CHROMIUM_PATH : null;
  for (const name of ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome']) {
    for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
      const candidate = path.join(dir, name);
      if (dir && fs.existsSync(candidate)) return candidate;
    }
  }
  return null;
}

/**
 * The browser test (test/e2e/topup-browser.test.ts) drives Airtm's hosted page in a real headless Chromium, from the
 * system's packages. Missing, it is installed with apt-get (as the Temporal CLI is built when missing), so a fresh
 * machine runs it too; where that cannot be done the test fails, saying so. Answers the path (also set as CHROMIUM_PATH).
 */
function ensureChromium() {
  let found = findChromium();
  if (!found) {
    console.log('[setup] installing Chromium (apt-get install chromium) for the browser test…');
    const asRoot = process.getuid?.() === 0;
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const run = (args) => spawnSync(asRoot ? args[0] : 'sudo', asRoot ? args.slice(1) : ['-n', ...args], { stdio: 'inherit', env });
    if (run(['apt-get', 'update', '-qq']).status === 0) run(['apt-get', 'install', '-y', '-qq', 'chromium']);
    found = findChromium();
    if (!found) console.error('[setup] Chromium could not be installed: the browser test will fail (install the `chromium` package)');
  }
  if (found) process.env.CHROMIUM_PATH = found;
  return found;
}

module.exports = { ensureDeps, ensureChromium, findChromium, lockHash, ROOT };
