import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/cli.ts', 'src/redis-server.ts'],
  format: ['esm'],
  dts: { entry: ['src/index.ts', 'src/redis-server.ts'] },
  sourcemap: true,
  clean: true,
  target: 'node22',
});
