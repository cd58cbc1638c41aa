/**
 * Every ```ts block of README.md must compile, as written, against the BUILT package (dist/, what `npm install
 * nestjs-tinyauth` gives a user), not against src/. Each block becomes one file of test-output/readme-snippets/,
 * and one `tsc --noEmit` checks them all; a failure names the README line.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BUILD_TIMEOUT_MS, ROOT, ensureBuilt } from '../helpers/package-build';

const OUT = join(ROOT, 'test-output', 'readme-snippets');
const run = promisify(execFile);

/** One ```ts block: its text and the README line of its first code line. */
interface Snippet {
  file: string;
  firstLine: number;
  code: string;
}

function extractSnippets(markdown: string): Snippet[] {
  const lines = markdown.split('\n');
  const snippets: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[i])) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^```\s*$/.test(lines[end])) end++;
    if (end === lines.length) throw new Error(`README.md:${i + 1}: unclosed ts block`);
    const firstLine = start + 1; // 1-based
    snippets.push({
      file: `snippet-line-${String(firstLine).padStart(4, '0')}.ts`,
      firstLine,
      code: lines.slice(start, end).join('\n') + '\n',
    });
    i = end;
  }
  return snippets;
}

/** The compiler settings of the repository (strict, decorators), but `nestjs-tinyauth` resolves to dist/. */
const TSCONFIG = {
  extends: '../../tsconfig.json',
  compilerOptions: {
    noEmit: true,
    baseUrl: '.',
    rootDir: '.',
    paths: {
      'nestjs-tinyauth': ['../../dist/index.d.ts'],
      'nestjs-tinyauth/testing': ['../../dist/testing/index.d.ts'],
      'nestjs-tinyauth/terminus': ['../../dist/terminus/index.d.ts'],
      'nestjs-tinyauth/policy': ['../../dist/policy/index.d.ts'],
    },
    types: ['node', 'jest'],
  },
  include: ['*.ts'],
};

describe('README.md TypeScript snippets', () => {
  const snippets = extractSnippets(readFileSync(join(ROOT, 'README.md'), 'utf8'));

  beforeAll(async () => {
    await ensureBuilt();
    rmSync(OUT, { recursive: true, force: true });
    mkdirSync(OUT, { recursive: true });
    writeFileSync(join(OUT, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
    for (const s of snippets) writeFileSync(join(OUT, s.file), s.code);
  }, BUILD_TIMEOUT_MS + 30_000);

  it('has ts snippets to check', () => {
    expect(snippets.length).toBeGreaterThanOrEqual(8);
  });

  it('imports the package by its public names only', () => {
    const deep = snippets.filter((s) =>
      /from '(?:\.{1,2}\/|nestjs-tinyauth\/(?!testing'|terminus'|policy'))/.test(s.code),
    );
    expect(deep.map((s) => `README.md:${s.firstLine}`)).toEqual([]);
  });

  it('type-checks every snippet against the built package', async () => {
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    let output = '';
    try {
      await run(process.execPath, [tsc, '-p', join(OUT, 'tsconfig.json'), '--pretty', 'false'], {
        cwd: OUT,
        maxBuffer: 16 * 1024 * 1024,
      });
    } catch (err) {
      const { stdout, stderr } = err as { stdout?: string; stderr?: string };
      output = `${stdout ?? ''}${stderr ?? ''}`;
    }
    // "snippet-line-0123.ts(5,3): error TS2304: ..." becomes "README.md:127:3: error TS2304: ...".
    const byFile = new Map(snippets.map((s) => [s.file, s]));
    const errors = output
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => {
        const m = /^(snippet-line-\d+\.ts)\((\d+),(\d+)\): (.*)$/.exec(l);
        const snippet = m && byFile.get(m[1]);
        return snippet ? `README.md:${snippet.firstLine + Number(m[2]) - 1}:${m[3]}: ${m[4]}` : l;
      });
    expect(errors).toEqual([]);
  }, 120_000);
});
