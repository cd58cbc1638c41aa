/**
 * The store the bench's compatible server holds: the demo fixture plus CHURN_USERS users for the churn scenario,
 * each with one access key and no password (so loading them hashes nothing), all in one group that may read apples.
 */
import { demoFixture, type Fixture } from '../src/testing';

/** Distinct end users the churn scenario cycles through. */
export const CHURN_USERS = 20_000;

/** The access key of churn user `n` (0 <= n < CHURN_USERS). */
export function churnKey(n: number): { id: string; secret: string } {
  const id = String(n).padStart(5, '0');
  return { id: `AKCHURN${id}`, secret: `churn-secret-${id}` };
}

export function benchFixture(): Fixture {
  const users = Array.from({ length: CHURN_USERS }, (_, n) => {
    const key = churnKey(n);
    return {
      username: `churn-${n}`,
      password: null,
      access_keys: [[key.id, key.secret]],
      groups: ['churners'],
    };
  });
  return {
    ...demoFixture,
    users: [...(demoFixture.users ?? []), ...users],
    groups: [
      ...(demoFixture.groups ?? []),
      {
        name: 'churners',
        policies: [
          {
            name: 'apples-read',
            policy: {
              Statement: [{ Action: ['apples:List*', 'apples:Get*'], Effect: 'Allow', Resource: '*' }],
            },
          },
        ],
      },
    ],
  };
}
