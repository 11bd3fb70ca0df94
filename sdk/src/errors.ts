/**
 * WardenError: every failed call. An HTTP answer that is not 2xx carries
 * the server's Kubernetes `Status` (code, reason, message, causes); a call
 * that got no answer (unreachable server, timeout) has `status` 0 and a
 * reason of its own (`Unreachable`, `Timeout`).
 */
import type { components } from './generated/openapi.js';

export type Status = components['schemas']['Status'];
export type StatusCause = components['schemas']['StatusCause'];

export class WardenError extends Error {
  /** The HTTP status code; 0 when no answer arrived. */
  readonly status: number;
  /** The Status reason (`NotFound`, `Forbidden`, `Invalid`, ...), or `Unreachable` / `Timeout`. */
  readonly reason: string;
  /** `details.causes` of the Status: for `Invalid`, one per field. */
  readonly causes: StatusCause[];
  /** The Status object as the server sent it, when it sent one. */
  readonly body?: Status;

  constructor(status: number, reason: string, message: string, opts: { causes?: StatusCause[]; body?: Status; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'WardenError';
    this.status = status;
    this.reason = reason;
    this.causes = opts.causes ?? [];
    this.body = opts.body;
  }

  /** The Status code, as kube clients name it. */
  get code(): number {
    return this.status;
  }

  /** From an answer's status code and parsed body (a Status, or anything else a proxy may send). */
  static fromResponse(status: number, body: unknown, statusText = ''): WardenError {
    const s = isStatus(body) ? body : undefined;
    const reason = s?.reason || reasonForCode(status);
    const message = s?.message || (typeof body === 'string' && body.trim() ? body.trim().slice(0, 500) : `${status} ${statusText || reason}`.trim());
    return new WardenError(status, reason, message, { causes: s?.details?.causes, body: s });
  }
}

function isStatus(body: unknown): body is Status {
  return typeof body === 'object' && body !== null && (body as { kind?: unknown }).kind === 'Status';
}

/** The reason kube-apiserver gives each code, for answers that carry no Status. */
function reasonForCode(code: number): string {
  switch (code) {
    case 400: return 'BadRequest';
    case 401: return 'Unauthorized';
    case 403: return 'Forbidden';
    case 404: return 'NotFound';
    case 405: return 'MethodNotAllowed';
    case 409: return 'Conflict';
    case 410: return 'Expired';
    case 413: return 'RequestEntityTooLarge';
    case 415: return 'UnsupportedMediaType';
    case 422: return 'Invalid';
    case 429: return 'TooManyRequests';
    case 500: return 'InternalError';
    case 503: return 'ServiceUnavailable';
    case 504: return 'Timeout';
    default: return 'Unknown';
  }
}
