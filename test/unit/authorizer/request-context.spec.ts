import { decisionContext, requestDateTime } from '../../../src/authorizer/request-context';

describe('requestDateTime', () => {
  it("formats as Python's naive isoformat() with microseconds, for each millisecond asked", () => {
    const moments = [
      '2026-11-30T14:09:49.123Z',
      '2026-11-30T14:09:49.123Z',
      '2026-11-30T14:09:49.124Z',
      '1999-12-31T23:59:59.999Z',
    ];
    expect(moments.map((m) => requestDateTime(new Date(m)))).toEqual([
      '2026-11-30T14:09:49.123000',
      '2026-11-30T14:09:49.123000',
      '2026-11-30T14:09:49.124000',
      '1999-12-31T23:59:59.999000',
    ]);
  });

  it('reads the clock when no date is given', () => {
    const before = Date.now();
    const text = requestDateTime();
    const after = Date.now();
    const at = Date.parse(`${text.slice(0, 23)}Z`);
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(after);
  });

  it('throws for an invalid date, as toISOString does', () => {
    expect(() => requestDateTime(new Date(NaN))).toThrow(RangeError);
  });

  it('gives SourceIp and RequestDateTime beside the extra keys', () => {
    const facts = { method: 'GET', url: '/', headers: [], sourceIp: '10.0.0.1', params: {} };
    const at = new Date('2026-11-30T00:00:00.000Z');
    expect(decisionContext(facts, { Team: 'red' }, at)).toEqual({
      SourceIp: '10.0.0.1',
      RequestDateTime: '2026-11-30T00:00:00.000000',
      Team: 'red',
    });
  });
});
