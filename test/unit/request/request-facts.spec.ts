import { requestFacts } from '../../../src/request/request-facts';
import { normaliseIp } from '../../../src/request/request-facts';

describe('requestFacts', () => {
  it('keeps raw header names, order and repeats (Express shape)', () => {
    const facts = requestFacts({
      method: 'GET',
      originalUrl: '/a?b=1',
      url: '/rewritten',
      ip: '::ffff:10.0.0.7',
      params: { name: 'fred' },
      rawHeaders: ['Host', 'x', 'X-Repeat', '1', 'x-repeat', '2'],
    });
    expect(facts).toEqual({
      method: 'GET',
      url: '/a?b=1',
      headers: [
        ['Host', 'x'],
        ['X-Repeat', '1'],
        ['x-repeat', '2'],
      ],
      sourceIp: '10.0.0.7',
      params: { name: 'fred' },
    });
  });

  it('reads a Fastify request through its raw message', () => {
    const facts = requestFacts({
      method: 'POST',
      url: '/p?q',
      ip: '::1',
      raw: { rawHeaders: ['A', 'b'], url: '/p?q' },
    });
    expect(facts).toMatchObject({ url: '/p?q', headers: [['A', 'b']], sourceIp: '::1', params: {} });
  });

  it('falls back to a header object', () => {
    expect(requestFacts({ headers: { a: ['1', '2'], b: '3', c: undefined } }).headers).toEqual([
      ['a', '1'],
      ['a', '2'],
      ['b', '3'],
    ]);
  });

  it('only unwraps IPv4-mapped IPv6 addresses', () => {
    expect(normaliseIp('::ffff:192.168.1.1')).toBe('192.168.1.1');
    expect(normaliseIp('::FFFF:1.2.3.4')).toBe('1.2.3.4');
    expect(normaliseIp('2001:db8::1')).toBe('2001:db8::1');
    expect(normaliseIp('::ffff:1.2.3')).toBe('::ffff:1.2.3');
  });
});
