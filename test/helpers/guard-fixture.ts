/** Users and policies the guard's e2e tests run against (service `test`, as in flask_tinyauth's README). */
export const SERVICE_KEY = { id: 'AKSVCTEST', secret: 'svc-test-secret' };
export const ALICE_KEY = { id: 'AKALICE', secret: 'alice-secret' };
export const BOB_KEY = { id: 'AKBOB', secret: 'bob-secret' };

const arn = (rest: string): string => `arn:tinyauth:test:default::${rest}`;

export const guardFixture = {
  users: [
    {
      username: 'svc-test',
      password: null,
      access_keys: [[SERVICE_KEY.id, SERVICE_KEY.secret]],
      policies: [
        {
          name: 'caller',
          policy: {
            Statement: [
              {
                Effect: 'Allow',
                Action: [
                  'tinyauth:BatchAuthorizeByToken',
                  'tinyauth:GetTokenForLogin',
                  // What local mode reads (protocol §8.8).
                  'tinyauth:GetServiceUserSigningToken',
                  'tinyauth:GetServiceAccessKeySigningToken',
                  'tinyauth:GetServiceUserPolicies',
                ],
                Resource: ['arn:tinyauth:tinyauth:::services/test'],
              },
            ],
          },
        },
      ],
    },
    {
      username: 'alice',
      password: 'alice-pass',
      access_keys: [[ALICE_KEY.id, ALICE_KEY.secret]],
      policies: [
        {
          name: 'apples',
          policy: {
            Statement: [
              { Effect: 'Allow', Action: 'test:ListApples', Resource: arn('apples/') },
              { Effect: 'Allow', Action: ['test:GetApple', 'test:EatApple'], Resource: arn('apples/*') },
              { Effect: 'Deny', Action: 'test:*', Resource: arn('apples/rotten') },
              { Effect: 'Allow', Action: 'test:EnterOrchard', Resource: arn('orchards/') },
              { Effect: 'Allow', Action: 'test:PickFrom', Resource: arn('trees/*') },
              { Effect: 'Allow', Action: 'test:Ping', Resource: arn('') },
            ],
          },
        },
      ],
    },
    {
      username: 'bob',
      password: 'bob-pass',
      access_keys: [[BOB_KEY.id, BOB_KEY.secret]],
      policies: [
        {
          name: 'some-apples',
          policy: {
            Statement: [
              { Effect: 'Allow', Action: 'test:GetApple', Resource: arn('apples/*') },
              { Effect: 'Allow', Action: 'test:PickFrom', Resource: arn('trees/*') },
            ],
          },
        },
      ],
    },
  ],
  groups: [],
};

export function basic(key: { id: string; secret: string }): string {
  return `Basic ${Buffer.from(`${key.id}:${key.secret}`).toString('base64')}`;
}

/** Mints a session for `username` through the compatible server's get-token-for-login. */
export async function sessionCookie(
  tinyauthUrl: string,
  username: string,
  password: string,
): Promise<string> {
  const res = await fetch(`${tinyauthUrl}api/v1/services/test/get-token-for-login`, {
    method: 'POST',
    headers: { Authorization: basic(SERVICE_KEY), 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password, 'csrf-strategy': 'cookie' }),
  });
  if (res.status !== 200) throw new Error(`login for ${username} failed: HTTP ${res.status}`);
  const { token } = (await res.json()) as { token: string };
  return `tinysess=${token}`;
}

/** forRoot options connecting an app to `endpoint` as the fixture's `test` service, with `extra` on top. */
export function serviceOptions<Extra extends object = Record<never, never>>(
  endpoint: string,
  extra?: Extra,
): { endpoint: string; accessKeyId: string; secretAccessKey: string; service: string } & Extra {
  return {
    endpoint,
    accessKeyId: SERVICE_KEY.id,
    secretAccessKey: SERVICE_KEY.secret,
    service: 'test',
    ...(extra as Extra),
  };
}
