import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Context } from 'hono';
import type { AppEnv } from './env';
import { consolePolicy, cspNonce, DOCS_POLICY, inlineScriptHashes } from './security-headers';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
  '.pbf': 'application/x-protobuf',
  '.geojson': 'application/geo+json',
};

/** A file strictly inside `root`, or undefined (no `..` escapes, no folders). */
async function fileInside(root: string, urlPath: string): Promise<string | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const file = path.resolve(root, `.${path.posix.normalize(`/${decoded}`)}`);
  if (file !== root && !file.startsWith(root + path.sep)) return undefined;
  try {
    return (await stat(file)).isFile() ? file : undefined;
  } catch {
    return undefined;
  }
}

async function sendFile(
  c: Context<AppEnv>,
  file: string,
  cache: string,
  policy = consolePolicy(),
): Promise<Response> {
  const body = await readFile(file);
  return c.body(body, 200, {
    'content-type': TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
    'cache-control': cache,
    'content-security-policy': policy,
  });
}

/**
 * The console's index.html for this response: a fresh CSP nonce in `<meta property="csp-nonce">`
 * (read by MantineProvider's `getStyleNonce` and by Vite's CSS preloader), and a policy that
 * allows that nonce for `<style>` and the page's own inline scripts by their SHA-256. The
 * browser hides a nonce attribute's value from the DOM once parsed (HTML §2.6.3 "nonce
 * hiding"), so injected markup cannot read it back through attribute selectors.
 */
async function sendIndex(c: Context<AppEnv>, file: string): Promise<Response> {
  const html = await readFile(file, 'utf8');
  const nonce = cspNonce(c);
  const meta = `<meta property="csp-nonce" nonce="${nonce}">`;
  const withNonce = /<head(\s[^>]*)?>/i.test(html)
    ? html.replace(/<head(\s[^>]*)?>/i, (head) => `${head}\n    ${meta}`)
    : meta + html;
  return c.html(withNonce, 200, {
    'cache-control': 'no-store',
    'content-security-policy': consolePolicy({ nonce, scriptHashes: inlineScriptHashes(html) }),
  });
}

/**
 * The console: files from the Vite build, and index.html for every other GET so client-side
 * routes survive a reload (SPA fallback). Hashed files under /assets/ never change.
 */
export function serveConsole(consoleDir: string) {
  const root = path.resolve(consoleDir);
  return async (c: Context<AppEnv>): Promise<Response | undefined> => {
    const file = await fileInside(root, c.req.path);
    if (file && path.basename(file) === 'index.html') return sendIndex(c, file);
    if (file) {
      const immutable = c.req.path.startsWith('/assets/');
      return sendFile(c, file, immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    }
    const index = await fileInside(root, '/index.html');
    if (index) return sendIndex(c, index);
    return c.html(
      '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Interdict</title></head><body><main><h1>Interdict</h1><p>The console has not been built: run <code>npm run build -w @interdict/web</code>. The API is at <a href="/api/docs">/api/docs</a>.</p></main></body></html>',
      200,
      { 'content-security-policy': consolePolicy() },
    );
  };
}

const swaggerRoot = path.dirname(
  createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'),
);
const SWAGGER_FILES = new Set([
  'swagger-ui.css',
  'swagger-ui-bundle.js',
  'swagger-ui-standalone-preset.js',
  'favicon-32x32.png',
]);

/** Swagger UI from the swagger-ui-dist package on disk: no CDN, works offline. */
export function docsPage(c: Context<AppEnv>): Response {
  c.header('content-security-policy', DOCS_POLICY);
  return c.html(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Interdict API</title>
<link rel="stylesheet" href="/api/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/api/docs/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script>
</body>
</html>`);
}

export async function docsAsset(c: Context<AppEnv>, name: string): Promise<Response | undefined> {
  if (name === 'init.js') {
    return c.body(
      // validatorUrl null: no badge image from validator.swagger.io (nothing leaves the site).
      "window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#swagger-ui', validatorUrl: null });\n",
      200,
      { 'content-type': 'text/javascript; charset=utf-8', 'content-security-policy': DOCS_POLICY },
    );
  }
  if (!SWAGGER_FILES.has(name)) return undefined;
  return sendFile(c, path.join(swaggerRoot, name), 'public, max-age=86400', DOCS_POLICY);
}
