#!/usr/bin/env node
// smol-demo: `pnpm demo` and `pnpm demo serve`.
import { main } from './main.js';

const io = { stdout: process.stdout, stderr: process.stderr, env: process.env };
const code = await main(process.argv.slice(2), io);
// `serve` keeps running (its server holds the event loop); the demo exits with its code.
process.exitCode = code;
