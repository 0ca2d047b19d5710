/** One jest run for the whole repository: unit tests beside the code, integration and e2e tests. */
const swc = [
  '@swc/jest',
  {
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

module.exports = {
  testEnvironment: 'node',
  roots: [
    '<rootDir>/packages',
    '<rootDir>/api',
    '<rootDir>/plugins',
    '<rootDir>/sfu',
    '<rootDir>/test',
    '<rootDir>/web-angular/src',
  ],
  testMatch: ['**/*.test.ts'],
  // browser tests run on their own, in a loopback-only network namespace (scripts/test.mjs)
  testPathIgnorePatterns: [
    '/node_modules/',
    '/dist/',
    ...(process.env.KAIHU_BROWSER_TESTS === '1' ? [] : ['<rootDir>/test/browser/']),
  ],
  transform: {
    '^.+\\.(t|j|mj)s$': swc,
  },
  transformIgnorePatterns: ['/node_modules/(?!(graphql-upload|fs-capacitor)/)'],
  moduleNameMapper: {
    '^@kaihu/domain$': '<rootDir>/packages/domain/src',
    '^@kaihu/(plugin-api|counter-local|sms-outbox|storage-fs|broker-demo)$': '<rootDir>/plugins/$1/src',
    '^@kaihu/sfu$': '<rootDir>/sfu/src',
  },
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  setupFiles: ['reflect-metadata'],
  testTimeout: 60000,
};
