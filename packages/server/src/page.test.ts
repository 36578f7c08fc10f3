// The chat page in real headless Chromium (Debian's /usr/bin/chromium through playwright-core).
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { CodeAgent, tool, type AgentRun } from '@smol/core';
import { sleep } from '@smol/core/provider';
import { ScriptedModel } from '@smol/testing';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { closeServers, startServer, until, weatherAgent } from '../test/helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SHOTS = fileURLToPath(new URL('../test/screenshots/', import.meta.url));

let browser: Browser;
let page: Page;

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
  await page?.close();
  await closeServers();
});

function codeAgent() {
  const model = new ScriptedModel(
    (messages) =>
      messages.some((m) => m.role === 'assistant')
        ? 'Thought: I have it.\n<code>\nfinal_answer(report);\n</code>'
        : 'Thought: I will ask for the weather.\n<code>\n// one call\nconst report = await get_weather({ city: "Paris" });\nconsole.log(report, 42);\n</code>',
    { chunkChars: 8, delayMs: 10 },
  );
  const getWeather = tool({ name: 'get_weather', description: 'Weather.', inputSchema: z.object({ city: z.string() }), execute: async ({ city }, { signal }) => (await sleep(1, signal), `sunny in ${city}`) });
  return new CodeAgent({ model, tools: [getWeather], maxSteps: 4, telemetry: false });
}

/** Console errors of the page (a script error, a blocked style or script under the CSP). */
let consoleErrors: string[] = [];

async function open(url: string): Promise<Page> {
  page = await browser.newPage();
  consoleErrors = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  await page.goto(`${url}/`);
  await expect.poll(() => page.textContent('#agent-info')).toMatch(/on scripted-model/);
  return page;
}

describe('the chat page', () => {
  it('runs a task from the keyboard and streams thoughts, tool calls, observations and the answer', async () => {
    const { url } = await startServer({}, { delayMs: 20 });
    await open(url);
    expect(await page.textContent('#agent-info')).toBe('ToolCallingAgent on scripted-model · tools: get_weather');
    await page.getByLabel('Task').fill('What is the weather in Paris?');
    await page.getByLabel('Task').press('Control+Enter');
    await page.waitForSelector('.answer', { timeout: 10_000 });
    expect(await page.textContent('#status')).toBe('done');
    expect(await page.textContent('.step[data-step="1"] .thought')).toBe('Let me check the weather.');
    expect(await page.textContent('.tool-call')).toBe('→ get_weather({"city":"Paris"})');
    expect(await page.textContent('.observation')).toBe('← sunny in Paris');
    expect(await page.textContent('.answer .output')).toBe('sunny in Paris');
    expect(await page.locator('#history li').count()).toBe(1);
    expect(await page.textContent('#history li .state')).toBe('success');
    // Nothing was blocked by the page's content security policy, and no script failed.
    expect(consoleErrors).toEqual([]);
  });

  it('shows a CodeAgent\'s code highlighted, and its output', async () => {
    const { url } = await startServer({ agents: { coder: codeAgent() } });
    await open(url);
    await page.getByLabel('Task').fill('Weather?');
    await page.getByRole('button', { name: 'Run' }).click();
    await page.waitForSelector('.answer', { timeout: 15_000 });
    expect(await page.textContent('.step[data-step="1"] .thought')).toBe('Thought: I will ask for the weather.');
    expect(await page.textContent('.step[data-step="1"] pre.code')).toContain('const report = await get_weather({ city: "Paris" });');
    expect(await page.locator('.step[data-step="1"] pre.code .kw').allTextContents()).toEqual(expect.arrayContaining(['const', 'await']));
    expect(await page.textContent('.step[data-step="1"] pre.code .str')).toBe('"Paris"');
    expect(await page.textContent('.step[data-step="1"] pre.code .com')).toBe('// one call');
    expect(await page.textContent('.logs')).toContain('sunny in Paris 42');
    expect(await page.textContent('.answer .output')).toBe('sunny in Paris');
    // On a desktop the transcript is the wide column, the history the narrow one.
    expect(await page.evaluate(() => document.querySelector('main')!.clientWidth > 2 * document.querySelector('nav')!.clientWidth)).toBe(true);
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: `${SHOTS}code-agent.png`, fullPage: true });
  });

  it('with tokens, asks for one and keeps it for the session', async () => {
    const { url } = await startServer({ tokens: 'page-secret' });
    page = await browser.newPage();
    await page.goto(`${url}/`);
    await expect.poll(() => page.textContent('#agent-info')).toBe('This server needs an access token.');
    await page.getByLabel('Access token').fill('page-secret');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.textContent('#agent-info')).toMatch(/on scripted-model/);
    await page.getByLabel('Task').fill('Weather?');
    await page.getByRole('button', { name: 'Run' }).click();
    await page.waitForSelector('.answer', { timeout: 10_000 });
    expect(await page.isHidden('#token-box')).toBe(true);
  });

  it('Stop cancels the run on the server', async () => {
    const runs: AgentRun[] = [];
    const server = await startServer({ onRun: (r) => runs.push(r) }, { delayMs: 3000 });
    await open(server.url);
    await page.getByLabel('Task').fill('Weather?');
    await page.getByRole('button', { name: 'Run' }).click();
    await until(() => runs.length === 1);
    await expect.poll(() => page.isEnabled('#stop')).toBe(true);
    await page.getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => page.textContent('#status')).toBe('stopped');
    expect(runs[0].signal.aborted).toBe(true);
    await until(() => server.activeRuns === 0);
    expect(await page.isEnabled('#run')).toBe(true);
    expect(await page.textContent('#history li .state')).toBe('stopped');
  });

  it('asks for approval with buttons, and the run goes on when approved', async () => {
    const { url } = await startServer({}, { approval: true });
    await open(url);
    await page.getByLabel('Task').fill('Weather?');
    await page.getByRole('button', { name: 'Run' }).click();
    await page.waitForSelector('.approval', { timeout: 10_000 });
    expect(await page.textContent('#status')).toBe('waiting for your approval');
    expect(await page.textContent('.approval .tool-call')).toBe('get_weather({"city":"Paris"})');
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: `${SHOTS}approval.png` });
    // The first button has the focus: Enter approves.
    await page.keyboard.press('Enter');
    await page.waitForSelector('.answer', { timeout: 10_000 });
    expect(await page.textContent('.answer .output')).toBe('sunny in Paris');
    expect(await page.locator('.approval').count()).toBe(0);
  });

  it('uploads an image and a text file with the task; the model gets both', async () => {
    const server = await startServer();
    await open(server.url);
    await page.getByLabel('Task').fill('What is in this picture?');
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
    await page.getByLabel('Attachments: images or text files (optional)').setInputFiles([
      { name: 'dot.png', mimeType: 'image/png', buffer: png },
      { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('the sky is red today') },
    ]);
    await page.getByRole('button', { name: 'Run' }).click();
    await page.waitForSelector('.answer', { timeout: 10_000 });
    expect(await page.getAttribute('.task .thumbs img', 'alt')).toBe('attached image 1');
    const user = server.model.calls[0].messages.find((m) => m.role === 'user')!;
    expect(user.content).toEqual(expect.arrayContaining([{ type: 'image', image: `data:image/png;base64,${png.toString('base64')}`, mediaType: 'image/png' }]));
    // The text file reached the model with the task.
    expect(JSON.stringify(user.content)).toContain('the sky is red today');
    expect(await page.textContent('.task .meta')).toBe('attached: notes.txt');
  });

  it('reconnects mid-run from the last event id and misses nothing; a reload follows the run again', async () => {
    const sockets = new Set<Socket>();
    const { agent } = weatherAgent({ delayMs: 600 });
    const server = await startServer({ agents: agent });
    server.server.on('connection', (s: Socket) => {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
    });
    const follows: string[] = [];
    server.server.on('request', (req: { url?: string; headers: Record<string, unknown> }) => {
      if (req.url?.endsWith('/events')) follows.push(String(req.headers['last-event-id']));
    });
    await open(server.url);
    await page.getByLabel('Task').fill('Weather?');
    await page.getByRole('button', { name: 'Run' }).click();
    await page.waitForFunction(() => (document.querySelector('.step .thought')?.textContent ?? '').length > 0, undefined, { timeout: 10_000 });
    // The network drops: every connection to the server is cut while the run goes on.
    for (const s of sockets) s.destroy();
    await page.waitForSelector('.answer', { timeout: 15_000 });
    // The page came back for the rest of the run, from the last event it had.
    expect(follows.length).toBeGreaterThanOrEqual(1);
    expect(Number(follows[0])).toBeGreaterThan(1);
    expect(await page.textContent('#status')).toBe('done');
    // Every delta arrived exactly once.
    expect(await page.textContent('.step[data-step="1"] .thought')).toBe('Let me check the weather.');
    expect(await page.locator('.tool-call').count()).toBe(1);
    expect(await page.textContent('.answer .output')).toBe('sunny in Paris');

    // A reload in the middle of the next run: the page finds it in the session's history and follows it.
    await page.getByLabel('Task').fill('Weather again?');
    await page.getByRole('button', { name: 'Run' }).click();
    await page.waitForFunction(() => document.querySelectorAll('.step').length > 0, undefined, { timeout: 10_000 });
    await page.reload();
    await page.waitForSelector('.answer', { timeout: 15_000 });
    expect(await page.textContent('.task')).toBe('Weather again?');
    expect(await page.textContent('.step[data-step="1"] .thought')).toBe('Let me check the weather.');
    expect(await page.locator('#history li').count()).toBe(2);
  });

  it('is readable on a phone: no sideways scrolling, every control labelled', async () => {
    const { url } = await startServer();
    page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
    await page.goto(`${url}/`);
    await page.getByLabel('Task').fill('What is the weather in Paris?');
    await page.getByRole('button', { name: 'Run' }).click();
    await page.waitForSelector('.answer', { timeout: 10_000 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    const unlabelled = await page.evaluate(() =>
      [...document.querySelectorAll('input, textarea, select')].filter((e) => !(e as HTMLInputElement).labels?.length && !e.getAttribute('aria-label')).map((e) => e.id),
    );
    expect(unlabelled).toEqual([]);
    // One agent, no token: neither the picker nor the token field shows.
    expect(await page.isHidden('#agent-row')).toBe(true);
    expect(await page.isHidden('#token-box')).toBe(true);
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: `${SHOTS}phone.png`, fullPage: true });
  });
});
