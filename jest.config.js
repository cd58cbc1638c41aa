/** @type {import('jest').Config} */
const shared = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  // The consumer apps under test/compat/ run through scripts/compat.mjs, on their own installs.
  modulePathIgnorePatterns: ['<rootDir>/test/compat/'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/compat/'],
  moduleNameMapper: {
    '^nestjs-tinyauth$': '<rootDir>/src/index.ts',
    '^nestjs-tinyauth/testing$': '<rootDir>/src/testing/index.ts',
    '^nestjs-tinyauth/terminus$': '<rootDir>/src/terminus/index.ts',
    '^nestjs-tinyauth/policy$': '<rootDir>/src/policy/index.ts',
  },
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
};

module.exports = {
  testTimeout: 30000,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.spec.ts'] },
    { ...shared, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'] },
    { ...shared, displayName: 'browser', testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'] },
  ],
};
