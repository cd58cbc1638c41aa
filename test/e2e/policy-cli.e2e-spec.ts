/**
 * The built `nestjs-tinyauth` CLI (the package's bin), run as a process: lint and explain, exit codes and JSON.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { demoFixture } from 'nestjs-tinyauth/testing';
import { conformanceDir } from '../helpers/conformance';
import { BUILD_TIMEOUT_MS, ensureBuilt, ROOT } from '../helpers/package-build';

const cli = path.join(ROOT, 'dist/cli/main.js');

function run(args: string[], stdin?: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: ROOT });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('close', (code) => resolve({ code, out, err }));
    child.stdin.end(stdin ?? '');
  });
}

function file(name: string, content: unknown): string {
  const f = path.join(mkdtempSync(path.join(tmpdir(), 'tinyauth-lint-')), name);
  writeFileSync(f, typeof content === 'string' ? content : JSON.stringify(content));
  return f;
}

const trapped = {
  Statement: [
    { Effect: 'deny', Action: 'apples:Delete*', Resource: '*' },
    { Effect: 'Allow', Action: 'apples:Get*', Resource: '*', Condition: { StringEquals: { Team: 'red' } } },
  ],
};

beforeAll(() => ensureBuilt(), BUILD_TIMEOUT_MS);

describe('nestjs-tinyauth lint', () => {
  it('lints the demo fixture: one warning, exit status 0', async () => {
    const r = await run(['lint', file('demo.json', demoFixture)]);
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      [
        '$.users[1].policies[0].policy.Statement[0]: warning allow-all: Allow on Action "*" and Resource "*"',
        '  fix: grant the actions and resources the user needs, e.g. "apples:*" on "arn:tinyauth:apples:*"',
        '0 error(s), 1 warning(s)',
        '',
      ].join('\n'),
    );
  });

  it('reads standard input, prints JSON and exits 1 on errors', async () => {
    const r = await run(['lint', '-', '--format', 'json'], JSON.stringify(trapped));
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toEqual({
      kind: 'document',
      errors: 1,
      warnings: 1,
      findings: [
        expect.objectContaining({
          rule: 'deny-case',
          severity: 'error',
          path: '$.Statement[0]',
          fix: expect.any(String),
        }),
        expect.objectContaining({
          rule: 'context-key-never-sent',
          severity: 'warning',
          path: '$.Statement[1]',
        }),
      ],
    });
  });

  it('takes the configured context keys and partition into account', async () => {
    const r = await run(
      ['lint', '-', '--format=json', '--context-keys', 'Team,Env', '--partition', 'aws'],
      JSON.stringify(
        [trapped.Statement[1], { Effect: 'Allow', Action: 'apples:X', Resource: 'arn:aws:s3:::b' }].map(
          (s) => ({ Statement: [s] }),
        ),
      ),
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ kind: 'documents', findings: [], errors: 0, warnings: 0 });
  });

  it('lints the recorded fixture straight from the conformance file', async () => {
    const r = await run(['lint', path.join(conformanceDir, 'http-exchanges.json'), '--format', 'json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.out) as { findings: { rule: string }[] }).findings.map((f) => f.rule)).toEqual([
      'context-key-never-sent',
      'context-key-never-sent',
      'allow-all',
    ]);
  });

  const usageErrors: [string[], RegExp, string?][] = [
    [['lint'], /exactly one <file>/],
    [['lint', 'a.json', 'b.json'], /exactly one <file>/],
    [['lint', '/no/such/file.json'], /cannot read \/no\/such\/file.json: ENOENT/],
    [['lint', '-', '--format', 'xml'], /--format must be text or json/],
    [['lint', '-', '--bogus'], /Unknown option '--bogus'/],
    [['lint', '-'], /standard input is not JSON/, 'not json'],
    [['lint', '-'], /expected a policy document/, '{"Version": "2012-10-17"}'],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['explain', '-', '--action', 'a:b'], /explain needs --action and --resource/],
    [
      ['explain', '-', '--action', 'a:b', '--resource', 'r'],
      /a fixture needs --user NAME/,
      JSON.stringify(demoFixture),
    ],
    [
      ['explain', '-', '--action', 'a:b', '--resource', 'r', '--user', 'ghost'],
      /no user "ghost"/,
      JSON.stringify(demoFixture),
    ],
    [
      ['explain', '-', '--action', 'a:b', '--resource', 'r', '--context', '[1]'],
      /--context must be a JSON object/,
      JSON.stringify(trapped),
    ],
  ];
  it.each(usageErrors.map(([args, message, stdin]) => [args, message, stdin ?? ''] as const))(
    '%j is a usage error: status 2',
    async (args, message, stdin) => {
      const r = await run(args, stdin);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err).toContain('usage:');
    },
  );

  it('prints help with status 0', async () => {
    expect(await run(['lint', '--help'])).toMatchObject({
      code: 0,
      out: expect.stringContaining('usage: nestjs-tinyauth lint'),
    });
    expect(await run(['--help'])).toMatchObject({
      code: 0,
      out: expect.stringContaining('explain <file|->'),
    });
  });
});

describe('nestjs-tinyauth explain', () => {
  it("explains a fixture user's merged policy: 0 when allowed", async () => {
    const r = await run(
      [
        'explain',
        '-',
        '--user',
        'reader',
        '--action',
        'apples:GetApple',
        '--resource',
        'arn:tinyauth:apples:default::apples/fred',
      ],
      JSON.stringify(demoFixture),
    );
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      '"apples:GetApple" on "arn:tinyauth:apples:default::apples/fred": Allow (allowed by statement 0; no Deny applied)',
    );
  });

  it('exits 1 for a refusal and prints the trace as JSON', async () => {
    const r = await run(
      [
        'explain',
        '-',
        '--action',
        'apples:GetApple',
        '--resource',
        'r',
        '--context',
        '{"Team": "blue"}',
        '--format',
        'json',
      ],
      JSON.stringify(trapped),
    );
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({
      decision: 'Default',
      nearestMisses: [
        { statement: 0, failedOn: 'action' },
        { statement: 1, failedOn: 'condition' },
      ],
      statements: [{ outcome: 'skipped' }, { conditions: [{ key: 'Team', seen: 'blue', result: 'fails' }] }],
    });
  });

  it('exits 1 for a policy tinyauth cannot evaluate (500), never an Allow', async () => {
    const broken = {
      Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { Bool: { Mfa: 'true' } } }],
    };
    const r = await run(['explain', '-', '--action', 'a:b', '--resource', 'r'], JSON.stringify(broken));
    expect(r.code).toBe(1);
    expect(r.out).toContain(": Error (KeyError: 'Bool'; tinyauth answers 500, never an Allow)");
  });
});
