/**
 * The demo store used by the CLI and the sample app (service `apples`).
 */
import type { Fixture } from './fixture';

/** The demo store: a calling service key, an admin, a read-only user and a user without permissions. */
export const demoFixture: Fixture = {
  users: [
    {
      username: 'sample-service',
      password: null,
      access_keys: [['AKSAMPLESERVICE', 'sample-service-secret']],
      policies: [
        {
          name: 'tinyauth-caller',
          policy: {
            Statement: [
              {
                Action: [
                  'tinyauth:BatchAuthorizeByToken',
                  'tinyauth:GetTokenForLogin',
                  'tinyauth:GetServiceUserPolicies',
                  'tinyauth:GetServiceUserSigningToken',
                  'tinyauth:GetServiceAccessKeySigningToken',
                  'tinyauth:Authorize',
                ],
                Effect: 'Allow',
                Resource: ['arn:tinyauth:tinyauth:::services/*', 'arn:tinyauth:tinyauth:::'],
              },
            ],
          },
        },
      ],
    },
    {
      username: 'admin',
      password: 'admin-pass',
      access_keys: [['AKADMIN', 'admin-secret']],
      policies: [
        { name: 'admin-all', policy: { Statement: [{ Action: '*', Effect: 'Allow', Resource: '*' }] } },
      ],
    },
    {
      username: 'reader',
      password: 'reader-pass',
      access_keys: [['AKREADER', 'reader-secret']],
      policies: [
        {
          name: 'apples-read',
          policy: {
            Statement: [
              {
                Action: ['apples:List*', 'apples:Get*', 'apples:AccessWebInterface'],
                Effect: 'Allow',
                Resource: '*',
              },
            ],
          },
        },
      ],
    },
    { username: 'nobody', password: 'nobody-pass', access_keys: [], policies: [] },
  ],
  groups: [],
};
