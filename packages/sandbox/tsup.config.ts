import { defineConfig } from 'tsup';

export default defineConfig({
  // worker.ts is its own entry: the pool starts it by URL, next to index.js.
  entry: ['src/index.ts', 'src/worker.ts'],
  format: ['esm'],
  dts: { entry: 'src/index.ts' },
  sourcemap: true,
  clean: true,
  target: 'node22',
});
