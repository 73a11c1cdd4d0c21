/**
 * The API reference site (generator/emit/docs/): what it holds and that it stands alone (every
 * link resolves, nothing from the network, the same bytes twice), then, in a real headless
 * Chromium (Debian's `chromium`, driven by puppeteer-core; `.ci/run` installs it), that the
 * filter answers as you type, that "Try it" puts the SDK runtime's exact request on the wire of a
 * loopback CATMAID-like server, that a write asks first, and that no request leaves for another host.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffModels } from '../generator/diff/index.js';
import { browserRuntime } from '../generator/emit/docs/html.js';
import { emitDocs } from '../generator/emit/docs/index.js';
import type { EmittedFile } from '../generator/emit/files.js';
import { headerLine } from '../generator/emit/provenance.js';
import { render } from '../generator/emit/templates.js';
import { fixtureModel } from './helpers.js';

/** The little of the DOM the page functions below touch (the tests compile without the DOM library). */
interface Element {
  id: string;
  textContent: string | null;
  previousElementSibling: Element | null;
  getAttribute(name: string): string | null;
}
declare const document: { querySelector(selector: string): Element | null; cookie: string };
declare const localStorage: { length: number };
declare const sessionStorage: { length: number };

const model = fixtureModel('example');
let runtimeScript: string;
let files: EmittedFile[];

beforeAll(async () => {
  runtimeScript = await browserRuntime(render('runtime.ts', { header: `// ${headerLine(model)}` }), headerLine(model));
  const older = fixtureModel('era-2021-path');
  files = emitDocs(model, { packageName: 'catmaid-client', runtimeScript, sourceUrl: 'https://example.org/{commit}/{file}#L{line}', changes: [{ ...diffModels(older, model), from: 'older', to: 'example' }] });
});

const byPath = () => new Map(files.map((f) => [f.path, f.content]));

describe('the site', () => {
  it('has an index, a page per operation, the changes and its assets, the same bytes twice', async () => {
    const operations = model.routes.filter((r) => r.path !== null).reduce((n, r) => n + r.operations.length, 0);
    expect(files.filter((f) => f.path.startsWith('operations/'))).toHaveLength(operations);
    expect(files.map((f) => f.path).filter((p) => !p.startsWith('operations/'))).toEqual(['assets/runtime.js', 'assets/site.css', 'assets/site.js', 'changes.html', 'index.html']);
    const again = emitDocs(model, { packageName: 'catmaid-client', runtimeScript: await browserRuntime(render('runtime.ts', { header: `// ${headerLine(model)}` }), headerLine(model)), sourceUrl: 'https://example.org/{commit}/{file}#L{line}', changes: [{ ...diffModels(fixtureModel('era-2021-path'), model), from: 'older', to: 'example' }] });
    expect(again).toEqual(files);
  });

  it('links only to its own files, and loads nothing from elsewhere', () => {
    const site = byPath();
    for (const [path, content] of site) {
      if (!path.endsWith('.html')) continue;
      for (const m of content.matchAll(/(?:href|src)="([^"#]*)(#[^"]*)?"/g)) {
        const target = m[1]!;
        if (target === '') continue;
        // Source links (--source-url) are the only absolute ones, and only as links.
        if (/^https?:/.test(target)) {
          expect(m[0]).toMatch(/^href="https:\/\/example\.org\//);
          continue;
        }
        expect(site.has(join(dirname(path), target).replace(/\\/g, '/')), `${path} → ${target}`).toBe(true);
      }
    }
  });

  it('shows an operation: parameters with their wire form, the answer as a tree, drift, snippets, what changed', () => {
    const page = byPath().get('operations/listAnnotations.html')!;
    // (handlebars escapes `=` too)
    expect(page).toContain('<code>annotations[0]&#x3D;1&amp;annotations[1]&#x3D;2</code>');
    expect(page).toContain('indexed keys');
    expect(page).toContain('curl -H &#x27;X-Authorization: Token $CATMAID_TOKEN&#x27;');
    expect(page).toContain('import { createClient, listAnnotations } from &#x27;catmaid-client&#x27;;');
    expect(page).toMatch(/<ul class="tree"><li><code>annotations<\/code>/);
    const write = byPath().get('operations/annotateEntities.html')!;
    expect(write).toContain('This operation changes data');
    expect(write).toContain('data-writes="1"');
    const changes = byPath().get('changes.html')!;
    expect(changes).toMatch(/<a href="operations\/[A-Za-z]+\.html">/);
    expect(changes).toContain('<h2 id="release-0">example <span class="muted">(compared with older)</span></h2>');
    // an operation the older release lacked says when it came
    const added = [...byPath().entries()].filter(([p, c]) => p.startsWith('operations/') && c.includes('<strong>example</strong>: added.'));
    expect(added.length).toBeGreaterThan(0);
  });
});

/** Debian's Chromium, where it is installed. */
const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

describe.skipIf(!chromium)('in headless Chromium', () => {
  let dir: string;
  let server: Server;
  let base: string;
  const received: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: string }> = [];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let browser: any;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'catmaid-codegen-site-'));
    for (const f of files) {
      mkdirSync(dirname(join(dir, f.path)), { recursive: true });
      writeFileSync(join(dir, f.path), f.content);
    }
    // A CATMAID-like server that allows the page's origin (file:// pages send `Origin: null`).
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const cors = { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Headers': 'X-Authorization, Content-Type', 'Access-Control-Allow-Methods': 'GET, POST' };
        if (req.method === 'OPTIONS') return void res.writeHead(204, cors).end();
        received.push({ method: req.method!, url: req.url!, headers: req.headers, body });
        res.writeHead(200, { ...cors, 'Content-Type': 'application/json' }).end(JSON.stringify({ annotations: [{ id: 1, name: 'a' }] }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const puppeteer = (await import('puppeteer-core')).default;
    browser = await puppeteer.launch({ executablePath: chromium, args: ['--no-sandbox', '--headless=new'] });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  /** A page that records every request it makes and every script error. */
  async function open(path: string) {
    const page = await browser.newPage();
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (r: { url(): string }) => requests.push(r.url()));
    page.on('pageerror', (e: Error) => errors.push(e.message));
    const started = performance.now();
    await page.goto(pathToFileURL(join(dir, path)).href, { waitUntil: 'load' });
    return { page, requests, errors, loadMs: performance.now() - started };
  }

  it('filters the index as you type', async () => {
    const { page, errors } = await open('index.html');
    const total = await page.$$eval('ul.ops li', (rows: Element[]) => rows.length);
    await page.type('#q', 'annotations');
    const shown = await page.$$eval('ul.ops li:not([hidden])', (rows: Element[]) => rows.map((r) => r.getAttribute('data-id')));
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.length).toBeLessThan(total);
    expect(shown).toContain('listAnnotations');
    expect(await page.$eval('#count', (e: Element) => e.textContent)).toBe(`${shown.length} operations shown`);
    await page.click('#only-writes');
    const writes = await page.$$eval('ul.ops li:not([hidden])', (rows: Element[]) => rows.map((r) => r.getAttribute('data-writes')));
    expect(writes.every((w: string) => w === '1')).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("sends the SDK runtime's request from Try it, and nothing to any other host", async () => {
    const { page, requests, errors } = await open('operations/listAnnotations.html');
    received.length = 0;
    await page.type('#try-base', base);
    await page.type('#try-token', 'secret-token');
    const labels = await page.$$eval('[data-param]', (inputs: Element[]) => inputs.map((i) => (i.previousElementSibling?.textContent ?? '').split(' ')[0]));
    const field = (name: string) => `#p-${labels.indexOf(name)}`;
    await page.type(field('project_id'), '3');
    await page.type(field('annotations'), 'a, b');
    await page.select(field('with_annotations'), 'true');
    await page.click('#try-form button[type=submit]');
    await page.waitForFunction(() => /^200 /.test(document.querySelector('#try-result p')?.textContent ?? ''));
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ method: 'GET', url: '/3/annotations/?annotations%5B0%5D=a&annotations%5B1%5D=b&with_annotations=true', body: '' });
    expect(received[0]!.headers['x-authorization']).toBe('Token secret-token');
    expect(await page.$eval('#try-result pre', (e: Element) => JSON.parse(e.textContent ?? ''))).toEqual({ annotations: [{ id: 1, name: 'a' }] });
    // The token is in no URL, and the page stored nothing.
    expect(requests.filter((u) => u.includes('secret-token'))).toEqual([]);
    expect(await page.evaluate(() => [localStorage.length, sessionStorage.length, document.cookie])).toEqual([0, 0, '']);
    expect(requests.filter((u) => !u.startsWith('file://') && !u.startsWith(base))).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('asks before an operation that writes, and sends nothing when told no', async () => {
    const { page } = await open('operations/annotateEntities.html');
    received.length = 0;
    const dialogs: string[] = [];
    page.on('dialog', async (d: { message(): string; dismiss(): Promise<void> }) => {
      dialogs.push(d.message());
      await d.dismiss();
    });
    await page.type('#try-base', base);
    const required = await page.$$eval('[data-param][required]', (inputs: Element[]) => inputs.map((i) => `#${i.id}`));
    for (const id of required) await page.type(id, '1');
    await page.click('#try-form button[type=submit]');
    await page.waitForFunction(() => document.querySelector('#try-result p')?.textContent === 'Not sent.');
    expect(dialogs).toEqual([`This operation changes data on ${base}. Send it?`]);
    expect(received).toEqual([]);
    await page.close();
  });
});
