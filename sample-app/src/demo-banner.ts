import { DEMO_USERS } from './embedded-tinyauth';

/** One ready-to-paste command of the tour, with the status it answers. */
export interface DemoCall {
  command: string;
  expect: number;
}

const basic = (key: { id: string; secret: string }): string => `-u ${key.id}:${key.secret}`;

/** The curl tour printed at start-up (and shown in the README): allowed, allowed, unauthenticated, forbidden. */
export function demoCalls(appUrl: string): DemoCall[] {
  const [admin, reader] = DEMO_USERS;
  const api = `${appUrl}api/v1/apples`;
  const apple = `'{"name":"fuji","color":"red","weight":190}'`;
  return [
    { command: `curl -i ${basic(admin.key)} ${api}`, expect: 200 },
    { command: `curl -i ${basic(reader.key)} ${api}/granny-smith`, expect: 200 },
    { command: `curl -i ${api}`, expect: 401 },
    {
      command: `curl -i ${basic(reader.key)} -H 'Content-Type: application/json' -d ${apple} ${api}`,
      expect: 403,
    },
    {
      command: `curl -i ${basic(admin.key)} -H 'Content-Type: application/json' -d ${apple} ${api}`,
      expect: 201,
    },
  ];
}

/**
 * What the demo prints once it listens: where to go, who to sign in as, and what to paste. Only demo mode prints
 * credentials, and only the embedded fixture's throwaway ones.
 */
export function demoBanner(appUrl: string, tinyauthUrl: string): string {
  const users = DEMO_USERS.map((u) => `    ${`${u.name} / ${u.password}`.padEnd(24)}${u.can}`);
  const calls = demoCalls(appUrl).map((c) => `    ${c.command}   # ${c.expect}`);
  return [
    '',
    '  nestjs-tinyauth sample app: demo mode',
    '',
    `  App:       ${appUrl}`,
    `  tinyauth:  ${tinyauthUrl} (embedded, demo fixture; set TINYAUTH_ENDPOINT to use a real one)`,
    '',
    `  Open ${appUrl} and sign in as:`,
    ...users,
    '',
    '  Call the API with an access key (HTTP Basic):',
    ...calls,
    '',
    '  Ctrl-C to stop.',
    '',
    '',
  ].join('\n');
}
