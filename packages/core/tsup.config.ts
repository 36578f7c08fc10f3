import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/provider/index.ts', 'src/transport/index.ts'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node22',
});
