import { createHash, randomBytes } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { isHttps } from './auth/middleware';
import type { AppEnv, ServerConfig } from './env';

/**
 * Content-Security-Policy (CSP Level 3, https://www.w3.org/TR/CSP3/) for each kind of response.
 *
 * - API answers (JSON, problems, metrics, tiles) are never documents: nothing may load or run
 *   from them, and nobody may frame them.
 * - The console: scripts only from this origin plus the exact inline scripts of the built
 *   index.html, by SHA-256 (the colour-scheme script that runs before first paint); never
 *   'unsafe-inline' or 'unsafe-eval'. Styles from this origin plus `<style>` elements that carry
 *   this response's nonce: Mantine 9 writes its CSS variables, its responsive style props and
 *   the "no transitions while switching scheme" rule into `<style>` elements at run time, with
 *   contents that depend on props, so hashes cannot cover them; MantineProvider's
 *   `getStyleNonce` stamps the nonce that the server puts in `<meta property="csp-nonce">` (the
 *   place Vite's own CSS preloader reads it from). Style *attributes* are allowed
 *   (`style-src-attr 'unsafe-inline'`): ECharts writes its tooltips as HTML with `style="…"`
 *   attributes whose values (colours, positions) vary, so neither a nonce nor hashes can cover
 *   them, and blocking them breaks every chart tooltip. An attribute cannot run script, and with
 *   images and fonts limited to this origin it cannot send anything elsewhere; the CSS
 *   exfiltration tricks (attribute selectors with `url()`) need a `<style>` element or sheet,
 *   which stay nonce- or origin-only.
 *   Images from this origin, `data:` (Mantine's and MapLibre's inline SVG icons) and `blob:`
 *   (charts exported as images); MapLibre's worker is a file of this origin.
 * - Swagger UI at /api/docs: its bundle injects `<style>` elements without a nonce and its
 *   markup uses inline styles, so that page alone allows 'unsafe-inline' styles; scripts stay
 *   'self' only (our init script is a file, not inline).
 */
const COMMON = ["base-uri 'none'", "object-src 'none'", "frame-ancestors 'none'"];

export const API_POLICY = ["default-src 'none'", ...COMMON, "form-action 'none'"].join('; ');

export function consolePolicy(options: { nonce?: string; scriptHashes?: string[] } = {}): string {
  const hashes = (options.scriptHashes ?? []).map((h) => `'sha256-${h}'`);
  const nonce = options.nonce ? [`'nonce-${options.nonce}'`] : [];
  return [
    "default-src 'self'",
    ['script-src', "'self'", ...hashes].join(' '),
    ['style-src', "'self'", ...nonce].join(' '),
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self'",
    "manifest-src 'self'",
    ...COMMON,
    "form-action 'self'",
  ].join('; ');
}

export const DOCS_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  ...COMMON,
  "form-action 'self'",
].join('; ');

/**
 * Browser features the console never uses are switched off for it and anything it might embed
 * (Permissions Policy, https://www.w3.org/TR/permissions-policy-1/). Clipboard writing (the
 * "copy secret" buttons) and fullscreen (maps) stay available to this origin only.
 */
export const PERMISSIONS_POLICY = [
  'accelerometer=()',
  'autoplay=()',
  'bluetooth=()',
  'camera=()',
  'clipboard-read=()',
  'clipboard-write=(self)',
  'display-capture=()',
  'encrypted-media=()',
  'fullscreen=(self)',
  'geolocation=()',
  'gyroscope=()',
  'hid=()',
  'idle-detection=()',
  'magnetometer=()',
  'microphone=()',
  'midi=()',
  'payment=()',
  'publickey-credentials-get=()',
  'screen-wake-lock=()',
  'serial=()',
  'usb=()',
  'xr-spatial-tracking=()',
].join(', ');

/** Two years, with subdomains (the HSTS preload list's minimum is one year; RFC 6797 §6.1). */
const HSTS = 'max-age=63072000; includeSubDomains';

/** A fresh CSP nonce: 128 random bits, base64 (CSP3 §2.3.1 asks for at least 128). */
export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

/** The nonce of this response's console page (created on first use). */
export function cspNonce(c: Context<AppEnv>): string {
  let nonce = c.get('cspNonce');
  if (!nonce) {
    nonce = newNonce();
    c.set('cspNonce', nonce);
  }
  return nonce;
}

/** SHA-256 (base64) of each inline `<script>` (one without `src`) in an HTML page. */
export function inlineScriptHashes(html: string): string[] {
  const hashes: string[] = [];
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)) {
    const attributes = m[1] ?? '';
    const body = m[2] ?? '';
    if (/\bsrc\s*=/i.test(attributes) || body.length === 0) continue;
    hashes.push(createHash('sha256').update(body, 'utf8').digest('base64'));
  }
  return hashes;
}

/**
 * Security headers on every response: whatever CSP the handler chose (the console and the docs
 * set their own), else the API's; nosniff, no referrer, no framing, cross-origin isolation of
 * windows and resources, the permissions policy, and HSTS only when the request reached us over
 * TLS (directly, or through a trusted proxy that says so in X-Forwarded-Proto): HSTS on plain
 * http is ignored by browsers (RFC 6797 §8.1) and would mislead an operator into thinking the
 * deployment is protected.
 */
export function securityHeaders(config: ServerConfig): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    const h = c.res.headers;
    if (!h.has('content-security-policy')) h.set('content-security-policy', API_POLICY);
    h.set('x-content-type-options', 'nosniff');
    h.set('referrer-policy', 'no-referrer');
    h.set('x-frame-options', 'DENY');
    h.set('permissions-policy', PERMISSIONS_POLICY);
    h.set('cross-origin-opener-policy', 'same-origin');
    h.set('cross-origin-resource-policy', 'same-origin');
    h.set('origin-agent-cluster', '?1');
    h.set('x-permitted-cross-domain-policies', 'none');
    // X-XSS-Protection's auditor is gone from browsers and could be abused; OWASP says send 0.
    h.set('x-xss-protection', '0');
    if (isHttps(c, config)) h.set('strict-transport-security', HSTS);
    else h.delete('strict-transport-security');
  };
}
