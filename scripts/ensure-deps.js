// Installs npm dependencies when node_modules is missing or older than package-lock.json. Plain Node: it runs before any dependency exists.
const { spawnSync } = require('node:child_process');
const nodeCrypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');

function lockHash() {
  const lock = path.join(ROOT, 'package-lock.json');
  const pkg = fs.readFileSync(path.join(ROOT, 'package.json'));
  return nodeCrypto
    .createHash('sha256')
    .update(pkg)
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

module.exports = { ensureDeps, ROOT };
