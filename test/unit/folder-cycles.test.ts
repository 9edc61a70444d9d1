import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

/** A folder of production code: a layer (api, workflows, …) or, inside src/, an area (src/orders, src/db, …). */
const folderOf = (file: string) => {
  const parts = file.split('/');
  return parts[0] === 'src' && parts.length > 2 ? `src/${parts[1]}` : parts[0]!;
};

/** Groups of folders that import each other round in a circle (Tarjan's strongly connected components of size > 1). */
function circles(edges: Map<string, Set<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const group: string[] = [];
    for (let w = stack.pop()!; ; w = stack.pop()!) {
      group.push(w);
      if (w === v) break;
    }
    if (group.length > 1) found.push(group.sort());
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return found;
}

/**
 * dependency-cruiser refuses a circle between files; this holds folders to it too (docs/ARCHITECTURE.md: imports only
 * point down the picture): no two layers, and no two areas of src/, import each other, even through others or by type.
 */
test('no circle between the folders of production code (the layers, and the areas of src/)', () => {
  const r = spawnSync(
    path.join(ROOT, 'node_modules', '.bin', 'depcruise'),
    [...['bin', 'api', 'worker', 'workflows', 'activities', 'src'], '--config', '.dependency-cruiser.cjs', '--output-type', 'json'],
    { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  expect(r.status).toBe(0);
  const { modules } = JSON.parse(r.stdout) as { modules: Array<{ source: string; dependencies: Array<{ resolved: string }> }> };
  const edges = new Map<string, Set<string>>();
  for (const m of modules) {
    if (!/^(bin|api|worker|workflows|activities|src)\//.test(m.source)) continue;
    for (const d of m.dependencies) {
      if (!/^(bin|api|worker|workflows|activities|src)\//.test(d.resolved)) continue;
      const [from, to] = [folderOf(m.source), folderOf(d.resolved)];
      if (from !== to) edges.set(from, (edges.get(from) ?? new Set()).add(to));
    }
  }
  expect(edges.size).toBeGreaterThan(10);
  expect(circles(edges)).toEqual([]);
});
