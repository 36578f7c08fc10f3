import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  // @internal members (BullMQ and ioredis objects) stay out of the .d.ts: ioredis's own types
  // do not check with skipLibCheck off.
  dts: { compilerOptions: { stripInternal: true } },
  sourcemap: true,
  clean: true,
  target: 'node22',
});
