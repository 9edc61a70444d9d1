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

module.exports = { ensureDeps, lockHash, ROOT };
