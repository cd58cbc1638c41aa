import {
  LINT_RULES,
  lintPolicyDocument,
  lintPolicyInput,
  LintInputError,
  patternCovers,
  type LintSettings,
} from '../../../src/core';
import { demoFixture } from '../../../src/testing/demo-fixture';
import { loadHttpExchanges } from '../../helpers/conformance';

const ok = { Effect: 'Allow', Action: 'apples:GetApple', Resource: 'arn:tinyauth:apples:default::apples/*' };
const doc = (...statements: unknown[]) => ({ Statement: statements });
const rulesOf = (d: unknown, settings?: LintSettings) => lintPolicyDocument(d, settings).map((f) => f.rule);

/** [rule, a document that breaks it, a close document that does not, the settings of the passing one]. */
const examples: [string, unknown, unknown, LintSettings?][] = [
  ['effect-allows', doc({ ...ok, Effect: 'Block' }), doc(ok)],
  ['deny-case', doc({ ...ok, Effect: 'deny' }), doc({ ...ok, Effect: 'Deny' })],
  ['effect-missing', doc({ Action: ok.Action, Resource: ok.Resource }), doc(ok)],
  [
    'not-action',
    doc({ Effect: 'Deny', NotAction: 'apples:GetApple', Resource: '*' }),
    doc({ ...ok, Effect: 'Deny' }),
  ],
  ['not-action', doc({ ...ok, NotResource: 'arn:tinyauth:apples:default::pears/*' }), doc(ok)],
  ['no-action-or-resource', doc({ Effect: 'Allow', Action: 'apples:GetApple' }), doc(ok)],
  ['non-string-pattern', doc({ ...ok, Action: ['apples:GetApple', 5] }), doc(ok)],
  [
    'unknown-operator',
    doc({ ...ok, Condition: { Bool: { Mfa: true } } }),
    doc({ ...ok, Condition: { StringEquals: { Mfa: true } } }),
  ],
  [
    'bad-ip',
    doc({ ...ok, Condition: { IpAddress: { SourceIp: '10.1.2.3/8' } } }),
    doc({ ...ok, Condition: { IpAddress: { SourceIp: '10.0.0.0/8' } } }),
  ],
  [
    'bad-ip',
    doc({ ...ok, Condition: { NotIpAddress: { SourceIp: ['10.0.0.0/8'] } } }),
    doc({ ...ok, Condition: { NotIpAddress: { SourceIp: '::1' } } }),
  ],
  ['malformed-condition', doc({ ...ok, Condition: 'SourceIp=10.0.0.1' }), doc({ ...ok, Condition: {} })],
  [
    'malformed-condition',
    doc({ ...ok, Condition: { StringEquals: 'x' } }),
    doc({ ...ok, Condition: { StringEquals: {} } }),
  ],
  [
    'context-key-never-sent',
    doc({ ...ok, Effect: 'Deny', Condition: { StringNotEquals: { Team: 'red' } } }),
    doc({ ...ok, Effect: 'Deny', Condition: { StringNotEquals: { Team: 'red' } } }),
    { contextKeys: ['Team'] },
  ],
  [
    'context-key-never-sent',
    doc({ ...ok, Condition: { StringEquals: { sourceip: '1.2.3.4' } } }),
    doc({ ...ok, Condition: { StringEquals: { SourceIp: '1.2.3.4', Mfa: true, RequestDateTime: 'x' } } }),
  ],
  ['statement-object', { Statement: ok }, doc(ok)],
  ['statement-not-list', { Statement: 'Allow everything' }, doc(ok)],
  ['statement-not-object', doc(ok, 'Allow'), doc(ok, ok)],
  ['action-prefix', doc({ ...ok, Action: 'GetApple' }), doc({ ...ok, Action: 'apples:GetApple' })],
  ['action-prefix', doc({ ...ok, Action: 'Get*' }), doc({ ...ok, Action: '*Apple' })],
  [
    'resource-partition',
    doc({ ...ok, Resource: 'apples/*' }),
    doc({ ...ok, Resource: 'arn:tinyauth:apples:*' }),
  ],
  [
    'resource-partition',
    doc({ ...ok, Resource: 'arn:aws:s3:::bucket' }),
    doc({ ...ok, Resource: 'arn:aws:s3:::bucket' }),
    { partition: 'aws' },
  ],
  [
    'shadowed-by-deny',
    doc({ Effect: 'Deny', Action: 'apples:*', Resource: '*' }, ok),
    doc({ Effect: 'Deny', Action: 'apples:Delete*', Resource: '*' }, ok),
  ],
  [
    'shadowed-by-deny',
    doc(ok, { Effect: 'Deny', Action: '*', Resource: 'arn:tinyauth:apples:*' }),
    doc(ok, {
      Effect: 'Deny',
      Action: '*',
      Resource: 'arn:tinyauth:apples:*',
      Condition: { IpAddress: { SourceIp: '10.0.0.0/8' } },
    }),
  ],
  [
    'allow-all',
    doc({ Effect: 'Allow', Action: '*', Resource: '*' }),
    doc({ Effect: 'Allow', Action: 'apples:*', Resource: '*' }),
  ],
  [
    'glob-unclosed-bracket',
    doc({ ...ok, Resource: 'arn:tinyauth:apples:default::apples/[golden' }),
    doc({ ...ok, Resource: 'arn:tinyauth:apples:default::apples/[g]olden' }),
  ],
  ['glob-reversed-range', doc({ ...ok, Action: 'apples:[z-a]*' }), doc({ ...ok, Action: 'apples:[a-z]*' })],
  ['glob-caret', doc({ ...ok, Action: 'apples:[^D]*' }), doc({ ...ok, Action: 'apples:[!D]*' })],
  [
    'glob-backslash',
    doc({ ...ok, Resource: 'arn:tinyauth:apples:default::apples/\\*' }),
    doc({ ...ok, Resource: 'arn:tinyauth:apples:default::apples/[*]' }),
  ],
];

describe('policy lint rules: each has a failing and a passing example', () => {
  it.each(
    examples.map(([rule, bad, good, settings], i) => [`${rule} #${i}`, rule, bad, good, settings] as const),
  )('%s', (_t, rule, bad, good, settings) => {
    expect(rulesOf(bad)).toContain(rule);
    expect(rulesOf(good, settings)).not.toContain(rule);
  });

  it('covers every rule', () => {
    const ids = Object.values(LINT_RULES).map((r) => r.id);
    expect(new Set(examples.map(([r]) => r))).toEqual(new Set(ids));
  });

  it('gives each finding its rule severity, the statement path and one-line message and fix', () => {
    const findings = lintPolicyDocument(doc(ok, { ...ok, Effect: 'DENY' }));
    expect(findings).toEqual([
      {
        rule: 'deny-case',
        severity: 'error',
        path: '$.Statement[1]',
        message: 'Effect "DENY" is not exactly "Deny": it ALLOWS',
        fix: LINT_RULES.denyCase.fix,
      },
    ]);
    for (const r of Object.values(LINT_RULES)) expect(`${r.summary}${r.fix}`).not.toContain('\n');
  });

  it('reads pattern coverage conservatively', () => {
    expect(patternCovers('*', 'apples:Get*')).toBe(true);
    expect(patternCovers('apples:*', 'apples:Get[AB]*')).toBe(true);
    expect(patternCovers('apples:Get*', 'apples:*')).toBe(false);
    expect(patternCovers('apples:?etApple', 'apples:GetApple')).toBe(true);
    expect(patternCovers('apples:?et*', 'apples:Get*')).toBe(false);
  });
});

describe('policy lint inputs', () => {
  it('lints a list of documents as one user policy (a Deny in one shadows an Allow in another)', () => {
    const { kind, findings } = lintPolicyInput([
      doc(ok),
      doc({ Effect: 'Deny', Action: 'apples:*', Resource: '*' }),
    ]);
    expect(kind).toBe('documents');
    expect(findings).toEqual([
      expect.objectContaining({ rule: 'shadowed-by-deny', path: '$[0].Statement[0]' }),
    ]);
  });

  it("lints a fixture, comparing a user's group policies with their own", () => {
    const fixture = {
      groups: [
        {
          name: 'no-deletes',
          policies: [{ name: 'd', policy: doc({ Effect: 'Deny', Action: 'apples:Delete*', Resource: '*' }) }],
        },
      ],
      users: [
        {
          username: 'a',
          groups: ['no-deletes'],
          policies: [{ name: 'p', policy: doc({ ...ok, Action: 'apples:DeleteApple' }) }],
        },
        { username: 'b', policies: [{ name: 'p', policy: doc({ ...ok, Action: 'apples:DeleteApple' }) }] },
      ],
    };
    const { kind, findings } = lintPolicyInput(fixture);
    expect(kind).toBe('fixture');
    expect(findings).toEqual([
      expect.objectContaining({
        rule: 'shadowed-by-deny',
        path: '$.users[0].policies[0].policy.Statement[0]',
        message: expect.stringContaining('$.groups[0].policies[0].policy.Statement[0]'),
      }),
    ]);
  });

  it('refuses other input', () => {
    expect(() => lintPolicyInput({ Version: '2012-10-17' })).toThrow(LintInputError);
    expect(() => lintPolicyInput('policy')).toThrow(LintInputError);
  });

  it('finds only the allow-all grant in the demo fixture', () => {
    expect(lintPolicyInput(demoFixture).findings).toEqual([
      expect.objectContaining({
        rule: 'allow-all',
        severity: 'warning',
        path: '$.users[1].policies[0].policy.Statement[0]',
      }),
    ]);
  });

  it('finds the never-sent context keys and the root grant in the recorded fixture', () => {
    const { findings } = lintPolicyInput(loadHttpExchanges().fixtures);
    expect(findings.map((f) => [f.rule, f.path])).toEqual([
      ['context-key-never-sent', '$.users[4].policies[0].policy.Statement[1]'],
      ['context-key-never-sent', '$.users[4].policies[0].policy.Statement[3]'],
      ['allow-all', '$.root.policies[0].policy.Statement[0]'],
    ]);
    // bob's Team and Env conditions are fine for a service that sends those keys
    expect(
      lintPolicyInput(loadHttpExchanges().fixtures, { contextKeys: ['Team', 'Env'] }).findings,
    ).toHaveLength(1);
  });
});
