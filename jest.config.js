/** Three projects: pure units; workflows on the time-skipping server; the HTTP API end to end. */
const transform = {
  '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }],
};

/** Projects that need servers share one global setup, which brings them up once per run. */
const project = (name, { servers }) => ({
  displayName: name,
  testEnvironment: 'node',
  transform,
  testMatch: [`<rootDir>/test/${name}/**/*.test.ts`],
  ...(servers && {
    globalSetup: '<rootDir>/test/setup/global-setup.ts',
    globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
    setupFilesAfterEnv: ['<rootDir>/test/setup/long-timeout.ts'],
  }),
});

module.exports = {
  projects: [
    project('unit', { servers: false }),
    project('workflow', { servers: true }),
    project('integration', { servers: true }),
  ],
};
