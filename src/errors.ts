// One error type for the whole API; the error handler in app.ts turns it into
// { "error": { "code", "message", "details"? } } with the right status.

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export const badRequest = (code: string, message: string, details?: unknown[]) =>
  new AppError(400, code, message, details);
export const unauthorized = (code: string, message: string) =>
  new AppError(401, code, message, undefined, { 'www-authenticate': 'Bearer' });
export const forbidden = (code: string, message: string) => new AppError(403, code, message);
export const notFound = (code: string, message: string) => new AppError(404, code, message);
export const conflict = (code: string, message: string) => new AppError(409, code, message);
export const tooManyRequests = (code: string, message: string, retryAfterSeconds: number) =>
  new AppError(429, code, message, undefined, { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) });
export const unavailable = (code: string, message: string, retryAfterSeconds = 5) =>
  new AppError(503, code, message, undefined, { 'retry-after': String(retryAfterSeconds) });
