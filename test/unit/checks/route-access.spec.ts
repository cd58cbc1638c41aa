import { resolveRouteAccess, findContradictions } from '../../../src/checks/route-access';
import {
  COMBOS,
  comboName,
  contradictory,
  controllerFor,
  expectedAccess,
} from '../../helpers/metadata-combos';

describe('resolveRouteAccess', () => {
  it.each(COMBOS.map((c) => [comboName(c), c] as const))('%s', (_n, combo) => {
    const cls = controllerFor(combo, 'unit');
    const access = resolveRouteAccess(cls, (cls.prototype as { get: object }).get);
    const expected = expectedAccess(combo);
    if (expected === 'open') expect(access).toEqual({ kind: 'public' });
    else if (expected === 'undeclared') expect(access).toEqual({ kind: 'undeclared' });
    // Contradictions included: should one reach a request, it is checked, never opened.
    else expect(access.kind === 'checked' && access.requirements.map((r) => r.action)).toEqual(expected);
    expect(findContradictions(cls).length > 0).toBe(contradictory(combo));
  });
});
