// Answers a pending approval from a process of its own. Env: REDIS_URL, QUEUE, RUN_ID, DECISIONS (JSON).
import { AgentQueue } from '../src/index.js';

const queue = new AgentQueue({ connection: process.env.REDIS_URL!, queueName: process.env.QUEUE });
await queue.handle(process.env.RUN_ID!).approve(JSON.parse(process.env.DECISIONS!) as Record<string, boolean>);
await queue.close();
process.stdout.write('approved\n');
