// The web page in real headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { AgentAbortError, type AgentRun } from '@smol/core';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseDemoArgs } from '../src/args.js';
import { startServer, type RunningServer } from '../src/serve.js';
import { io } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let browser: Browser;
let server: RunningServer | undefined;

beforeAll(async () => {
  // The browser is something this test needs, so it brings it (Debian's package) when missing.
  const ensure = spawnSync('bash', [fileURLToPath(new URL('../../../scripts/ensure-chromium.sh', import.meta.url))], { encoding: 'utf8', timeout: 240_000 });
  if (ensure.status !== 0) throw new Error(`chromium is not available: ${ensure.stderr.trim()}`);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}, 300_000);
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('the web page', () => {
  it('runs a task and shows the thoughts, code, output, answer and token usage as they stream in', async () => {
    server = await startServer(parseDemoArgs(['serve', '--port', '0', '--latency-ms', '20']), io());
    const page = await browser.newPage();
    await page.goto(`${server.url}/`);
    await expect.poll(() => page.textContent('#info')).toContain('CodeAgent');
    await page.fill('#task', 'How much do 3 apples and 2 pears cost?');
    await page.click('#run');
    await page.waitForSelector('#result:not([hidden])', { timeout: 10_000 });
    expect(await page.textContent('#status')).toBe('done');
    expect(await page.locator('.step').count()).toBe(2);
    expect(await page.textContent('.step[data-step="1"] .thought')).toBe('Thought: I will look up the price of each item with get_price, then add them up.');
    expect(await page.textContent('.step[data-step="1"] pre.code')).toContain('await get_price({ item })');
    expect(await page.textContent('.step[data-step="1"] .logs')).toContain('total: 3.00 EUR');
    expect(await page.textContent('#answer')).toBe('3 x apple and 2 x pear cost 3.00 EUR');
    expect(await page.textContent('#usage')).toMatch(/\d+ input tokens · \d+ output tokens/);
    await page.close();
  });

  it('shows tool calls and observations of a ToolCallingAgent', async () => {
    server = await startServer(parseDemoArgs(['serve', '--port', '0', '--latency-ms', '20', '--agent', 'tool']), io());
    const page = await browser.newPage();
    await page.goto(`${server.url}/`);
    await page.fill('#task', 'What is the weather in Paris and Tokyo?');
    await page.click('#run');
    await page.waitForSelector('#result:not([hidden])', { timeout: 10_000 });
    expect(await page.locator('.tool-call').allTextContents()).toEqual(['→ get_weather({"city":"Paris"})', '→ get_weather({"city":"Tokyo"})']);
    expect((await page.locator('.observation').allTextContents()).join('\n')).toMatch(/← .*Paris\n← .*Tokyo/);
    expect(await page.textContent('#answer')).toMatch(/Paris; .*Tokyo/);
    await page.close();
  });

  it('Stop aborts the run mid-way', async () => {
    const runs: AgentRun[] = [];
    // A slow model: each call waits 1.5 s, so Stop lands while the run is in flight.
    server = await startServer(parseDemoArgs(['serve', '--port', '0', '--latency-ms', '1500']), io(), { onRun: (r) => runs.push(r) });
    const page = await browser.newPage();
    await page.goto(`${server.url}/`);
    await page.click('#run');
    // Wait until the first step's thought is streaming in, then stop.
    await page.waitForFunction(() => (document.querySelector('.step .thought')?.textContent ?? '').length > 0, undefined, { timeout: 10_000 });
    expect(await page.isEnabled('#stop')).toBe(true);
    await page.click('#stop');
    expect(await page.textContent('#status')).toBe('stopped');
    await expect.poll(() => runs[0]?.signal.aborted, { timeout: 5000 }).toBe(true);
    expect(AgentAbortError.isInstance(await runs[0].result.catch((e: unknown) => e))).toBe(true);
    await expect.poll(() => server!.active()).toBe(0);
    expect(await page.isHidden('#result')).toBe(true);
    expect(await page.isEnabled('#run')).toBe(true);
    await page.close();
  });
});
