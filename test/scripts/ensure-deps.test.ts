import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { lockHash } = require('../../scripts/ensure-deps') as { lockHash: (root: string) => string };

function clone(edit: (pkg: Record<string, any>) => void): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'offerhub-deps-'));
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));
  edit(pkg);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  fs.copyFileSync(path.join(__dirname, '..', '..', 'package-lock.json'), path.join(dir, 'package-lock.json'));
  return dir;
}

test('a new npm script does not make npm test or npm start reinstall the dependencies; a new dependency does', () => {
  const base = lockHash(clone(() => {}));
  expect(lockHash(clone((p) => (p.scripts['another'] = 'node x.js')))).toBe(base);
  expect(lockHash(clone((p) => (p.dependencies['left-pad'] = '1.3.0')))).not.toBe(base);
  expect(lockHash(clone((p) => (p.devDependencies['left-pad'] = '1.3.0')))).not.toBe(base);
});
