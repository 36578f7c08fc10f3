// Worker-thread entry: one Engine per worker, driven by messages from the host's pool.
import { parentPort, workerData } from 'node:worker_threads';
import { Engine } from './engine.ts';
import type { EngineInit, ToEngine } from './protocol.ts';

const port = parentPort!;
const engine = await Engine.create(workerData as EngineInit, (msg) => port.postMessage(msg));
port.on('message', (msg: ToEngine) => engine.handle(msg));
port.postMessage({ type: 'ready' });
