import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**', 'dist/**'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    // Vitest's default (cores − 1) runs the files one at a time on a 2-core CI box, and most of a
    // file's time is waiting on PostgreSQL, SMTP servers, child processes and timers: two at once
    // took the suite from 587 to 381 s on an AVX2-only EPYC (the whole of .ci/run was 13.5 min
    // there, against a 15-minute budget).
    maxWorkers: Math.max(2, availableParallelism() - 1),
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
