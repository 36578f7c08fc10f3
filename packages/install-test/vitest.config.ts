import { mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// Packing and a real npm install take a while: one file, generous timeouts.
export default mergeConfig(shared, { test: { testTimeout: 120_000, hookTimeout: 240_000 } });
