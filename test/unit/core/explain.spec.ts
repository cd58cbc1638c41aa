import { compilePolicy, explainPolicy, formatExplanation, type PolicyExplanation } from '../../../src/core';
import { loadPolicyCases } from '../../helpers/conformance';

const data = loadPolicyCases();

/** The statement an explanation says decided, checked against what tinyauth's rules make of it. */
function expectConsistent(e: PolicyExplanation): void {
  if (e.decision === 'Deny') {
    const s = e.statements[e.decidedBy as number];
    expect(s.outcome).toBe('applied');
    expect(s.effectCountsAs).toBe('Deny');
    expect(s.effect).toBe('Deny');
    // nothing after the deciding Deny is evaluated
    for (const later of e.statements.slice(s.index + 1)) expect(later.outcome).toBe('not-reached');
  } else if (e.decision === 'Allow') {
    const s = e.statements[e.decidedBy as number];
    expect(s.outcome).toBe('applied');
    expect(s.effectCountsAs).toBe('Allow');
    expect(
      e.statements.filter((x) => x.outcome === 'applied').every((x) => x.effectCountsAs === 'Allow'),
    ).toBe(true);
  } else if (e.decision === 'Default') {
    expect(e.decidedBy).toBeUndefined();
    expect(e.statements.every((x) => x.outcome === 'skipped')).toBe(true);
  }
  for (const s of e.statements) {
    if (s.outcome === 'applied') {
      expect(s.action.matched).toBe(true);
      expect(s.resource.matched).toBe(true);
      expect(s.conditions.every((c) => c.result === 'holds')).toBe(true);
    }
    if (s.outcome === 'skipped') {
      // the part evaluation stopped at did fail on its own, and every part before it matched
      expect(s.failedParts[0]).toBe(s.skippedAt);
    }
  }
}

describe('explainPolicy: the verdict of every recorded tinyauth case', () => {
  it.each(data.cases.map((c) => [`${c.id} [${c.category}] ${c.name}`, c] as const))('%s', (_title, c) => {
    const e = explainPolicy(c.policy, c.action, c.resource, c.context);
    expect(e.decision).toBe(c.expected);
    expect(explainPolicy(compilePolicy(c.policy), c.action, c.resource, c.context).decision).toBe(c.expected);
    expectConsistent(e);
    const text = formatExplanation(e);
    expect(text.split('\n')[0]).toContain(`: ${c.expected}`);
    if (e.decidedBy !== undefined) expect(text).toContain(`statement ${e.decidedBy}: `);
  });

  it('covers the realistic (merged user policy) category', () => {
    expect(data.cases.filter((c) => c.category === 'realistic').length).toBeGreaterThan(10);
  });
});

describe('explainPolicy: the recorded error cases are errors, never Allow', () => {
  it.each(data.error_cases.map((c) => [`${c.id} ${c.name} (${c.raises})`, c] as const))('%s', (_title, c) => {
    const e = explainPolicy(c.policy, c.action, c.resource, c.context);
    expect(e.decision).toBe('Error');
    expect(e.error?.type).toBe(c.raises);
    // the type is tinyauth's; the message text only approximates Python's repr of the value
    expect(e.error?.message).toEqual(expect.any(String));
    expect(e.statements.filter((s) => s.outcome === 'applied' && s.effectCountsAs === 'Allow')).toEqual([]);
    expect(formatExplanation(e)).toMatch(/: Error \(/);
    if (e.decidedBy !== undefined) expect(e.statements[e.decidedBy].outcome).toMatch(/raised|invalid/);
  });
});

describe('explainPolicy: the trace', () => {
  const policy = {
    Statement: [
      { Effect: 'Allow', Action: 'svc:Get*', Resource: 'arn:tinyauth:svc:default::apples/*' },
      {
        Effect: 'Allow',
        Action: 'svc:DeleteApple',
        Resource: '*',
        Condition: { StringEquals: { Team: 'red' }, IpAddress: { SourceIp: '10.0.0.0/8' } },
      },
      { Effect: 'deny', Action: 'svc:Eat*', Resource: '*' },
      { Effect: 'Deny', Action: 'svc:*', Resource: '*/rotten' },
    ],
  };

  it('shows each condition with the value it saw, or missing, and the nearest misses of a Default', () => {
    const e = explainPolicy(policy, 'svc:DeleteApple', 'arn:tinyauth:svc:default::apples/fred', {
      SourceIp: '10.1.2.3',
    });
    expect(e.decision).toBe('Default');
    expect(e.statements[1].conditions).toEqual([
      expect.objectContaining({
        operator: 'StringEquals',
        key: 'Team',
        expected: 'red',
        missing: true,
        result: 'fails',
        reached: true,
      }),
      expect.objectContaining({
        operator: 'IpAddress',
        key: 'SourceIp',
        seen: '10.1.2.3',
        result: 'holds',
        reached: false,
      }),
    ]);
    expect(e.statements[0]).toMatchObject({
      outcome: 'skipped',
      skippedAt: 'action',
      failedParts: ['action'],
    });
    expect(e.nearestMisses).toEqual([
      { statement: 0, failedOn: 'action' },
      { statement: 1, failedOn: 'condition' },
      { statement: 2, failedOn: 'action' },
    ]);
    const text = formatExplanation(e);
    expect(text).toContain('Condition StringEquals Team = "red", context: missing -> fails');
    expect(text).toContain(
      'nearest misses: statement 0 (Action only), statement 1 (Condition only), statement 2 (Action only)',
    );
  });

  it('names the Deny that decided and says a lower-case "deny" counts as Allow', () => {
    const deny = explainPolicy(policy, 'svc:GetApple', 'arn:tinyauth:svc:default::apples/rotten');
    expect(deny).toMatchObject({ decision: 'Deny', decidedBy: 3 });
    expect(deny.statements[0].outcome).toBe('applied');
    const eat = explainPolicy(policy, 'svc:EatApple', 'x');
    expect(eat).toMatchObject({ decision: 'Allow', decidedBy: 2 });
    expect(eat.statements[2]).toMatchObject({ effect: 'deny', effectCountsAs: 'Allow', outcome: 'applied' });
    expect(formatExplanation(eat)).toContain(
      'statement 2: Effect "deny" (counts as Allow) -> applied, DECIDED',
    );
  });

  it('marks statements after a raising one as not reached', () => {
    const e = explainPolicy(
      {
        Statement: [
          { Effect: 'Allow', Action: '*', Resource: '*', Condition: { Bogus: {} } },
          policy.Statement[0],
        ],
      },
      'svc:GetApple',
      'arn:tinyauth:svc:default::apples/x',
    );
    expect(e).toMatchObject({
      decision: 'Error',
      decidedBy: 0,
      error: { type: 'KeyError', message: "'Bogus'" },
    });
    expect(e.statements.map((s) => s.outcome)).toEqual(['raised', 'not-reached']);
  });
});
