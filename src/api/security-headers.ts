import helmet from 'helmet';
import type { RequestHandler } from 'express';
import { AppConfig } from '../config/app-config';

/**
 * helmet's security headers on every answer. The console and the API docs load their scripts and
 * styles from this origin only; Swagger UI sets a few inline styles, hence 'unsafe-inline' for
 * styles (never for scripts). HSTS only when the service itself serves HTTPS: over plain HTTP it
 * would pin browsers to a scheme this instance does not speak.
 */
export function securityHeaders(config: AppConfig): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: { 'style-src': ["'self'", "'unsafe-inline'"], 'img-src': ["'self'", 'data:'], 'upgrade-insecure-requests': config.http.tls ? [] : null },
    },
    strictTransportSecurity: config.http.tls ? { maxAge: 15_552_000, includeSubDomains: false } : false,
  });
}
