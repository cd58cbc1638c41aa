import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The sign-in page's stylesheet and script, as served under `<path>/static/`. */
export interface LoginAssets {
  readonly css: string;
  readonly script: string;
}

let loaded: LoginAssets | undefined;

/**
 * Reads `assets/login.css` and `assets/login.js` beside this module (copied into dist/ by `npm run build`) once per
 * process. Throws when they are missing: a package built without them cannot serve its login page.
 */
export function loginAssets(): LoginAssets {
  if (loaded === undefined) {
    const dir = join(__dirname, 'assets');
    loaded = {
      css: readFileSync(join(dir, 'login.css'), 'utf8'),
      script: readFileSync(join(dir, 'login.js'), 'utf8'),
    };
  }
  return loaded;
}
