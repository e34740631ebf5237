import { Logger } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** dist/src/ui -> dist/ui, where `npm run build` puts the console (the same layout in the image). */
export const CONSOLE_DIR = join(__dirname, '..', '..', 'ui');
export const CONSOLE_PATH = '/ui';

/**
 * Serves the web console's static files under /ui from this process (no separate server, nothing
 * from the internet). The files are public; every API call the console makes carries its key.
 * The page itself is never cached, so a new build shows on reload.
 */
export function mountConsole(app: NestExpressApplication, dir = CONSOLE_DIR): void {
  if (!existsSync(join(dir, 'index.html'))) {
    new Logger('Console').warn(`web console not built (no ${dir}/index.html): run npm run build`);
    return;
  }
  app.useStaticAssets(dir, {
    prefix: CONSOLE_PATH,
    index: 'index.html',
    redirect: true,
    fallthrough: true,
    setHeaders: (res, path) => res.setHeader('cache-control', path.endsWith('.html') ? 'no-cache' : 'public, max-age=300'),
  });
}
