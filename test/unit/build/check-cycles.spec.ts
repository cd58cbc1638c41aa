import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const script = path.resolve(__dirname, '../../../scripts/check-cycles.mjs');
const run = (root?: string) =>
  spawnSync(process.execPath, root === undefined ? [script] : [script, root], { encoding: 'utf8' });

describe('the folder import-cycle check', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cycles-'));
    for (const folder of ['a', 'b', 'c']) mkdirSync(path.join(dir, folder));
    writeFileSync(path.join(dir, 'leaf.ts'), 'export const x = 1;\n');
    writeFileSync(
      path.join(dir, 'a/one.ts'),
      "import { y } from '../b/two';\nimport { x } from '../leaf';\n",
    );
    writeFileSync(path.join(dir, 'b/two.ts'), "export { z } from '../c/three';\n");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('passes a one-way tree', () => {
    writeFileSync(path.join(dir, 'c/three.ts'), "import { x } from '../leaf';\n");
    expect(run(dir).status).toBe(0);
  });

  it('fails on a cycle through three folders and names the imports', () => {
    writeFileSync(path.join(dir, 'c/three.ts'), "import type { Q } from '../a/one';\n");
    const result = run(dir);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('- a, b, c');
    expect(result.stderr).toContain("c/three.ts imports '../a/one'");
  });

  it('passes on this package', () => {
    expect(run().status).toBe(0);
  });
});
