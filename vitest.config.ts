import { defineConfig } from 'vitest/config';

// One runner for the whole repository. Unit tests live beside the code (server/src/**, web/src/**), cross-package
// integration tests in tests/integration, browser flows in tests/e2e (*.e2e.ts, run by the e2e project).
// CI asks for a JSON summary beside the usual output, to print one plain closing line.
const jsonReport = process.env.VITEST_JSON_REPORT;

export default defineConfig({
  test: {
    ...(jsonReport ? { reporters: ['default', 'json'], outputFile: { json: jsonReport } } : {}),
    projects: [
      {
        test: {
          name: 'unit',
          include: ['server/src/**/*.test.ts', 'migrations/**/*.test.ts', 'web/src/**/*.test.ts'],
          environment: 'node',
          // The exhaustive parser variants take a few seconds alone, and longer beside the integration files on
          // a two-core machine.
          testTimeout: 30_000,
          // Two files at a time (Vitest's default on two cores is one): each integration file has a schema of its
          // own, and most of their time is spent waiting on Postgres and child processes, not on a core.
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/helpers/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.e2e.ts'],
          environment: 'node',
          globalSetup: ['tests/helpers/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // A page's answer can take seconds (a sign-in hashes a password, slowly on purpose): poll longer than 1 s.
          expect: { poll: { timeout: 15_000 } },
          fileParallelism: false,
          // After the others, alone: a browser and a server process need the machine to themselves.
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
