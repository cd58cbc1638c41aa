/**
 * Accessibility of every page a user of the login flow sees, in Chromium: the sign-in page, a failed sign-in, the
 * sample app's signed-in page and its 403 page, each in the light and the dark colour scheme, on a desktop and a
 * 375 px wide phone viewport.
 *
 * Two checks per page. axe-core (WCAG 2.0/2.1/2.2 A and AA rules) must find nothing. axe does not measure the
 * non-text contrast of WCAG 2.2 SC 1.4.11 (3:1 for what identifies a control or its state), so the test measures it
 * from computed styles: every text field's border against the colours on both sides of it, and the focus indicator
 * of every stop of the Tab order against what is behind it.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AxeResults, RunOptions } from 'axe-core';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium } from './launch';
import { AppModule } from '../../sample-app/src/app.module';
import { contrastRatio, hex, over, parseCssColor, type Rgba } from './contrast';

// What the page.evaluate callbacks touch in the browser (the project compiles without the DOM library).
interface DomElement {
  tagName: string;
  id: string;
  className: string;
  textContent: string | null;
  parentElement: DomElement | null;
  children: ArrayLike<DomElement>;
  blur(): void;
}
interface DomStyle {
  getPropertyValue(name: string): string;
}
declare const document: {
  activeElement: DomElement | null;
  body: DomElement;
  documentElement: DomElement & { scrollWidth: number };
  querySelectorAll(selector: string): ArrayLike<DomElement>;
  getAnimations(): Array<{ finished: Promise<unknown> }>;
};
declare function getComputedStyle(element: DomElement): DomStyle;
declare const axe: { run(context: unknown, options: RunOptions): Promise<AxeResults> };
/** `paintedInPage`, installed in the page by `nonTextContrast`. */
declare const tinyauthPainted: (element: DomElement) => Painted;

const OUTPUT = join(__dirname, '..', '..', 'test-output');
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
/** WCAG 2.2 SC 1.4.11 Non-text Contrast. */
const NON_TEXT_MINIMUM = 3;

const SCHEMES = ['light', 'dark'] as const;
const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 375, height: 740 },
] as const;

/** Starts the sample app (embedded demo tinyauth, login flow mounted) on an ephemeral loopback port. */
async function startSample(adapter: 'express' | 'fastify'): Promise<{ app: INestApplication; url: string }> {
  const app: INestApplication =
    adapter === 'fastify'
      ? await NestFactory.create<NestFastifyApplication>(AppModule, new FastifyAdapter(), {
          logger: false,
          forceCloseConnections: true,
        })
      : await NestFactory.create(AppModule, { logger: false, forceCloseConnections: true });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${port}` };
}

/** Runs axe-core in the page with the WCAG A/AA tags and returns its violations, one readable line per node. */
async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, so the page's own CSP (no inline script) stays in force.
  if (!(await page.evaluate(() => typeof axe !== 'undefined'))) await page.evaluate(AXE_SOURCE);
  const results = await page.evaluate(
    (tags) => axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
    WCAG_TAGS,
  );
  return results.violations.flatMap((v) =>
    v.nodes.map(
      (n) => `${v.id} (${v.impact ?? 'n/a'}) at ${n.target.join(' ')}: ${n.failureSummary ?? v.help}`,
    ),
  );
}

/** Computed colours of an element and of what lies behind it, for the contrast arithmetic in Node. */
interface Painted {
  label: string;
  /** Child indexes from <html> down: tells apart elements with the same label, and finds the element again. */
  path: string;
  /** border-<side>-color of the sides that are drawn. */
  borders: string[];
  outline: { style: string; width: string; color: string; offset: string };
  boxShadow: string;
  /** The element's own background-color. */
  fill: string;
  /** background-color of each ancestor, nearest first, and whether it also paints an image (gradient). */
  behind: Array<{ color: string; image: boolean }>;
}

/** Collects `Painted` for `element` (runs in the page; self-contained). */
function paintedInPage(element: DomElement): Painted {
  const style = getComputedStyle(element);
  const get = (name: string): string => style.getPropertyValue(name);
  const borders = ['top', 'right', 'bottom', 'left']
    .filter((side) => get(`border-${side}-style`) !== 'none' && parseFloat(get(`border-${side}-width`)) > 0)
    .map((side) => get(`border-${side}-color`));
  const behind: Painted['behind'] = [];
  const path: number[] = [];
  for (let node = element.parentElement, child = element; node; child = node, node = node.parentElement) {
    path.unshift(Array.prototype.indexOf.call(node.children, child));
    const s = getComputedStyle(node);
    behind.push({
      color: s.getPropertyValue('background-color'),
      image: s.getPropertyValue('background-image') !== 'none',
    });
  }
  const id = element.id ? `#${element.id}` : '';
  const cls = element.className ? `.${element.className.split(' ').join('.')}` : '';
  const text = (element.textContent ?? '').trim().slice(0, 30);
  return {
    label: `${element.tagName.toLowerCase()}${id}${cls}${text ? ` "${text}"` : ''}`,
    path: path.join('/'),
    borders,
    outline: {
      style: get('outline-style'),
      width: get('outline-width'),
      color: get('outline-color'),
      offset: get('outline-offset'),
    },
    boxShadow: get('box-shadow'),
    fill: get('background-color'),
    behind,
  };
}

/** The opaque colour behind an element: its ancestors' backgrounds composited from the first opaque one. */
function backdrop(painted: Painted): Rgba {
  const layers: Rgba[] = [];
  for (const layer of painted.behind) {
    const color = parseCssColor(layer.color);
    if (layer.image && color.a < 1) {
      throw new Error(`${painted.label}: the background behind it is an image; the test cannot measure it`);
    }
    layers.push(color);
    if (color.a === 1) return layers.reduceRight((below, top) => over(top, below));
  }
  throw new Error(`${painted.label}: no opaque background behind it`);
}

/** The colours of a `box-shadow` value (Chromium computes it with the colour first). */
function shadowColors(value: string): string[] {
  if (value === 'none') return [];
  return [...value.matchAll(/rgba?\([^)]*\)/g)].map((m) => m[0]);
}

/** One non-text contrast measurement and its verdict. */
interface Measured {
  what: string;
  ratio: number;
}

/** A text field's border against the colour outside it and the field's own fill (WCAG 1.4.11, "adjacent"). */
function borderContrast(painted: Painted): Measured[] {
  const outside = backdrop(painted);
  const inside = over(parseCssColor(painted.fill), outside);
  if (painted.borders.length === 0) {
    return [{ what: `${painted.label}: no border, so nothing outlines the field`, ratio: 1 }];
  }
  return [...new Set(painted.borders)].map((border) => {
    const color = over(parseCssColor(border), outside);
    const ratio = Math.min(contrastRatio(color, outside), contrastRatio(color, inside));
    return { what: `${painted.label} border ${hex(color)} vs ${hex(outside)}/${hex(inside)}`, ratio };
  });
}

/**
 * The focus indicator: what focusing changed on the element (its outline, box-shadow ring or border colour),
 * against what surrounds it. The best of those changes is the indicator a user sees; no change is no indicator.
 */
function focusContrast(focused: Painted, rest: Painted): Measured {
  const outside = backdrop(focused);
  const drawn = (p: Painted): boolean => p.outline.style !== 'none' && parseFloat(p.outline.width) > 0;
  const candidates: Array<{ kind: string; color: Rgba; against: Rgba }> = [];
  if (
    drawn(focused) &&
    JSON.stringify(focused.outline) !== JSON.stringify(drawn(rest) ? rest.outline : null)
  ) {
    // A negative offset draws the outline over the element's own fill.
    const within = parseFloat(focused.outline.offset) < 0;
    candidates.push({
      kind: `outline (${focused.outline.style})`,
      color: parseCssColor(focused.outline.color),
      against: within ? over(parseCssColor(focused.fill), outside) : outside,
    });
  }
  if (focused.boxShadow !== rest.boxShadow) {
    for (const c of shadowColors(focused.boxShadow)) {
      candidates.push({ kind: 'box-shadow', color: parseCssColor(c), against: outside });
    }
  }
  if (JSON.stringify(focused.borders) !== JSON.stringify(rest.borders)) {
    for (const b of new Set(focused.borders)) {
      candidates.push({ kind: 'border', color: parseCssColor(b), against: outside });
    }
  }
  if (candidates.length === 0) return { what: `${focused.label}: focusing it changes nothing`, ratio: 1 };
  const measured = candidates.map(({ kind, color, against }) => {
    const seen = over(color, against);
    return {
      what: `${focused.label} focus ${kind} ${hex(seen)} vs ${hex(against)}`,
      ratio: contrastRatio(seen, against),
    };
  });
  return measured.reduce((best, m) => (m.ratio > best.ratio ? m : best));
}

/** Waits for running CSS transitions (a focus ring fading in) to end, so computed colours are the final ones. */
async function settled(page: Page): Promise<void> {
  await page.evaluate(() =>
    Promise.all(document.getAnimations().map((a) => a.finished)).then(() => undefined),
  );
}

/** Measures every text field's border, then walks the Tab order measuring each stop's focus indicator. */
async function nonTextContrast(page: Page): Promise<Measured[]> {
  // Installed as a global through the DevTools protocol: the page's CSP forbids building functions from strings.
  await page.evaluate(`globalThis.tinyauthPainted = ${paintedInPage.toString()};`);
  // At rest: nothing focused (the sign-in page autofocuses a field), and no transition half-way.
  await page.evaluate(() => document.activeElement?.blur());
  await settled(page);
  const fields = await page.evaluate(() =>
    Array.from(document.querySelectorAll('input:not([type="hidden"]), select, textarea')).map((el) =>
      tinyauthPainted(el),
    ),
  );
  const measured = fields.flatMap(borderContrast);

  // Tab walks from wherever focus last was, leaves the document after the last stop and re-enters at the first:
  // walking until a stop comes round again visits every stop once, whatever the starting point.
  const seen = new Set<string>();
  let outside = 0;
  for (let press = 0; press < 60 && outside < 2; press++) {
    await page.keyboard.press('Tab');
    await settled(page);
    const painted = await page.evaluate(() => {
      const active = document.activeElement;
      return active && active !== document.body ? tinyauthPainted(active) : undefined;
    });
    if (painted === undefined) {
      outside++;
      continue;
    }
    outside = 0;
    if (seen.has(painted.path)) break;
    seen.add(painted.path);
    // The same element unfocused; the next Tab still starts from it.
    await page.evaluate(() => document.activeElement?.blur());
    await settled(page);
    const rest = await page.evaluate((path) => {
      let node: DomElement = document.documentElement;
      for (const index of path.split('/')) node = node.children[Number(index)];
      return tinyauthPainted(node);
    }, painted.path);
    measured.push(focusContrast(painted, rest));
  }
  if (seen.size === 0) measured.push({ what: 'the page has no Tab stop at all', ratio: 1 });
  return measured;
}

/** Everything under 3:1, as readable lines (empty when the page passes). */
const failures = (measured: Measured[]): string[] =>
  measured.filter((m) => m.ratio < NON_TEXT_MINIMUM).map((m) => `${m.what}: ${m.ratio.toFixed(2)}:1`);

describe('contrast arithmetic', () => {
  it('matches the ratios WCAG publishes', () => {
    const white = parseCssColor('rgb(255, 255, 255)');
    expect(contrastRatio(parseCssColor('rgb(0, 0, 0)'), white)).toBeCloseTo(21, 5);
    expect(contrastRatio(parseCssColor('rgb(118, 118, 118)'), white)).toBeCloseTo(4.54, 2);
    // The sign-in page before this test existed: input border and button focus ring on the white card.
    expect(contrastRatio(parseCssColor('rgb(201, 209, 222)'), white)).toBeCloseTo(1.54, 2);
    expect(contrastRatio(over(parseCssColor('rgba(47, 91, 211, 0.35)'), white), white)).toBeCloseTo(1.71, 2);
    expect(() => parseCssColor('oklch(0.5 0.1 200)')).toThrow(/cannot measure/);
  });
});

let browser: Browser;
const savedEnv: NodeJS.ProcessEnv = {};

beforeAll(async () => {
  // The sample runs its embedded demo tinyauth only when no TINYAUTH_* setting points elsewhere.
  for (const name of Object.keys(process.env).filter((n) => n.startsWith('TINYAUTH_'))) {
    savedEnv[name] = process.env[name];
    delete process.env[name];
  }
  browser = await launchChromium();
}, 60000);

afterAll(async () => {
  await browser?.close();
  Object.assign(process.env, savedEnv);
});

describe.each(['express', 'fastify'] as const)('accessibility of the pages in Chromium (%s)', (adapter) => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    ({ app, url } = await startSample(adapter));
  });
  afterAll(async () => {
    await app?.close();
  });

  describe.each(SCHEMES)('%s scheme', (scheme) => {
    it.each(VIEWPORTS)(
      '$name: sign-in, failed sign-in, signed-in page and 403 page pass',
      async (viewport) => {
        const context = await browser.newContext({
          colorScheme: scheme,
          viewport: { width: viewport.width, height: viewport.height },
        });
        try {
          const page = await context.newPage();
          const report: Record<string, { axe: string[]; nonText: string[]; reflow: string[] }> = {};
          const check = async (name: string): Promise<void> => {
            const width = await page.evaluate(() => document.documentElement.scrollWidth);
            report[name] = {
              axe: await axeViolations(page),
              nonText: failures(await nonTextContrast(page)),
              // WCAG 1.4.10 Reflow, which axe does not check either: no sideways scrolling on a phone.
              reflow: width > viewport.width ? [`${width}px wide in a ${viewport.width}px viewport`] : [],
            };
          };

          await page.goto(`${url}/`);
          expect(page.url()).toBe(`${url}/login?next=%2F`);
          if (adapter === 'express') {
            await page.screenshot({
              path: join(OUTPUT, `a11y-login-${scheme}-${viewport.name}.png`),
              fullPage: true,
            });
          }
          await check('sign-in page');

          await page.getByLabel('User name').fill('reader');
          await page.getByLabel('Password').fill('not-the-password');
          await page.getByRole('button', { name: 'Sign in' }).click();
          await page.getByRole('alert').filter({ hasText: 'Wrong user name or password.' }).waitFor();
          if (adapter === 'express') {
            await page.screenshot({ path: join(OUTPUT, `a11y-login-error-${scheme}-${viewport.name}.png`) });
          }
          await check('failed sign-in');

          await page.getByLabel('Password').fill('reader-pass');
          await Promise.all([
            page.waitForURL(`${url}/`),
            page.getByRole('button', { name: 'Sign in' }).click(),
          ]);
          await expect(page.textContent('#identity')).resolves.toBe('reader');
          await check('signed-in page');

          await Promise.all([
            page.waitForURL(/\/login/),
            page.getByRole('link', { name: 'Sign out' }).click(),
          ]);
          await page.goto(`${url}/`);
          await page.getByLabel('User name').fill('nobody');
          await page.getByLabel('Password').fill('nobody-pass');
          const [forbidden] = await Promise.all([
            page.waitForResponse((r) => r.url() === `${url}/` && r.request().method() === 'GET'),
            page.getByRole('button', { name: 'Sign in' }).click(),
          ]);
          expect(forbidden.status()).toBe(403);
          await page.getByRole('heading', { name: 'Not allowed' }).waitFor();
          if (adapter === 'express') {
            await page.screenshot({ path: join(OUTPUT, `a11y-forbidden-${scheme}-${viewport.name}.png`) });
          }
          await check('403 page');

          const clean = Object.fromEntries(
            ['sign-in page', 'failed sign-in', 'signed-in page', '403 page'].map((name) => [
              name,
              { axe: [], nonText: [], reflow: [] },
            ]),
          );
          expect(report).toEqual(clean);
        } finally {
          await context.close();
        }
      },
      // Four pages, each with axe and a walk of its Tab order, on a machine that may be busy.
      180000,
    );
  });
});
