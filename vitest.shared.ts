import { basename } from 'node:path';
import { defineConfig } from 'vitest/config';

// .ci/run collects one JSON report per package to print a single "N passed, N failed" line.
const jsonDir = process.env.SMOL_VITEST_JSON_DIR;

// Shared by every package: resolve workspace packages to their sources (no build needed
// for a test run) and fail any test that writes to the console from a library path.
export default defineConfig({
  resolve: { conditions: ['@smol/source'] },
  ssr: { resolve: { conditions: ['@smol/source'] } },
  test: {
    setupFiles: [new URL('./vitest.setup.ts', import.meta.url).pathname],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    reporters: jsonDir ? ['default', ['json', { outputFile: `${jsonDir}/${basename(process.cwd())}.json` }]] : ['default'],
  },
});
