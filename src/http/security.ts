/** Security headers: helmet with a strict Content-Security-Policy (no inline script, no eval, no framing). */
import helmet from 'helmet';
import type { RequestHandler } from 'express';

export function securityHeaders(options: { hsts: boolean }): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
      },
    },
    referrerPolicy: { policy: 'same-origin' },
    frameguard: { action: 'deny' },
    // HSTS only means something over HTTPS; sent when the app is told it runs behind a TLS proxy
    strictTransportSecurity: options.hsts ? { maxAge: 31536000 } : false,
    crossOriginEmbedderPolicy: false,
  });
}
