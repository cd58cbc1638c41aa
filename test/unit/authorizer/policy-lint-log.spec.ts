import { Logger } from '@nestjs/common';
import { PolicyLintLog } from '../../../src/authorizer/local/policy-lint-log';

describe("local mode's lint of fetched policies", () => {
  const lines: string[] = [];
  beforeEach(() => {
    lines.length = 0;
    jest
      .spyOn(Logger.prototype, 'warn')
      .mockImplementation((m: unknown) => void lines.push(`WARN ${String(m)}`));
    jest
      .spyOn(Logger.prototype, 'error')
      .mockImplementation((m: unknown) => void lines.push(`ERROR ${String(m)}`));
  });
  afterEach(() => jest.restoreAllMocks());

  const groupDeny = { Effect: 'deny', Action: 'apples:Delete*', Resource: '*' };
  const own = {
    Effect: 'Allow',
    Action: 'apples:Get*',
    Resource: '*',
    Condition: { StringEquals: { Team: 'red' } },
  };

  it("logs each finding once, even when a shared statement sits at other places in other users' policies", () => {
    const log = new PolicyLintLog({ contextKeys: [] });
    log.check('alice', { Statement: [groupDeny, own] });
    log.check('alice', { Statement: [groupDeny, own] });
    log.check('bob', { Statement: [{ ...own, Action: 'apples:List*' }, groupDeny] });
    expect(lines).toEqual([
      expect.stringMatching(
        /^ERROR policy lint error \[deny-case\] user "alice" \$\.Statement\[0\]: .* Fix: write "Deny"/,
      ),
      expect.stringMatching(
        /^WARN policy lint warning \[context-key-never-sent\] user "alice" \$\.Statement\[1\]/,
      ),
      expect.stringMatching(
        /^WARN policy lint warning \[context-key-never-sent\] user "bob" \$\.Statement\[0\]/,
      ),
    ]);
  });

  it('reads the configured context keys and never throws on odd answers', () => {
    const log = new PolicyLintLog({ contextKeys: ['Team'] });
    log.check('alice', { Statement: [own] });
    log.check('x', null);
    log.check('y', { Statement: ['Effect', 'Action'] });
    expect(lines).toEqual([
      expect.stringMatching(/^ERROR policy lint error \[statement-not-list\] user "x" \$: /),
      expect.stringMatching(/^ERROR policy lint error \[statement-not-object\] user "y" \$\.Statement\[0\]/),
      expect.stringMatching(/^ERROR policy lint error \[statement-not-object\] user "y" \$\.Statement\[1\]/),
    ]);
  });
});
