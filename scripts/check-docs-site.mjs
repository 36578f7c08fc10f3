// Checks the built documentation site in a real browser (Debian's chromium through playwright-core):
// the home page and a guide render, and the local search finds a page. Run `pnpm docs` first.
// Usage: pnpm docs:browser-check   (installs chromium with scripts/ensure-chromium.sh when missing)
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'docs/.vitepress/dist');
if (!existsSync(join(dist, 'index.html'))) {
  console.error('docs/.vitepress/dist is missing: run `pnpm docs` first');
  process.exit(1);
}
execFileSync('bash', [join(root, 'scripts/ensure-chromium.sh')], { stdio: 'inherit' });

const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.svg': 'image/svg+xml', '.woff2': 'font/woff2' };
// A static server with VitePress's clean URLs: /guide/tools → guide/tools.html.
const server = createServer((req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
  const candidates = [join(dist, path), join(dist, `${path}.html`), join(dist, path, 'index.html')];
  const file = candidates.find((f) => existsSync(f) && statSync(f).isFile());
  if (!file) return res.writeHead(404).end('not found');
  res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
  createReadStream(file).pipe(res);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};
const heading = (page) => page.locator('main h1').first().textContent({ timeout: 5_000 }).catch(() => '');
const started = Date.now();
try {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));

  await page.goto(`${base}/`, { waitUntil: 'networkidle' });
  check((await page.title()).includes('smol'), 'home page: title');
  check((await heading(page)).includes('smol documentation'), 'home page: heading');

  await page.goto(`${base}/guide/getting-started`, { waitUntil: 'networkidle' });
  check((await heading(page)).includes('Getting started'), 'guide: heading');
  check((await page.locator('main div[class*="language-ts"] pre').count()) > 3, 'guide: highlighted TypeScript examples');
  check((await page.locator('.VPSidebar a', { hasText: 'Troubleshooting' }).count()) > 0, 'guide: sidebar');

  // Local search: open it with the search button, type, read the results.
  await page.locator('.VPNavBarSearch button').first().click();
  await page.locator('#localsearch-input').fill('continueFrom');
  await page.locator('.VPLocalSearchBox .result').first().waitFor({ timeout: 10_000 });
  const results = await page.locator('.VPLocalSearchBox .result').allTextContents();
  check(results.length > 0 && results.some((r) => /concurrency/i.test(r)), `search "continueFrom": ${results.length} results, one in the concurrency guide`);

  await page.goto(`${base}/api/classes/AgentRun`, { waitUntil: 'networkidle' });
  check((await heading(page)).includes('AgentRun'), 'API reference: AgentRun page');
  check(errors.length === 0, `no page errors${errors.length ? `: ${errors.join('; ')}` : ''}`);
} finally {
  await browser.close();
  server.close();
}
console.log(`${failures.length ? 'FAILED' : 'passed'} in ${Date.now() - started} ms`);
process.exit(failures.length ? 1 : 0);
