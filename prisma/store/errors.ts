/** Store outcomes a caller must handle: the API turns them into kube Status objects. */
export type StoreErrorReason = 'NotFound' | 'AlreadyExists' | 'Conflict';

export class StoreError extends Error {
  constructor(
    readonly reason: StoreErrorReason,
    readonly kind: string,
    readonly objectName: string,
    readonly namespace?: string,
    detail?: string,
  ) {
    super(detail ?? `${reason}: ${kind} ${namespace ? `${namespace}/` : ''}${objectName}`);
  }
}

/** Prisma's known request errors carry a code; unique and foreign-key violations are ordinary outcomes here. */
export function prismaCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Connection-level failures: the server is down, restarting, refusing, or the link to it broke. */
const unavailableCodes = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN',
  // PostgreSQL: connection exceptions, shutdown and startup, too many connections, statement timeout.
  '08000', '08001', '08003', '08004', '08006', '57P01', '57P02', '57P03', '53300', '57014',
  // Prisma: server unreachable, timed out, closed the connection, pool timeout.
  'P1001', 'P1002', 'P1008', 'P1017', 'P2024',
]);
const unavailableKinds = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections', 'DatabaseDoesNotExist']);
const unavailableText = /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Can't reach database server|server closed the connection|the database system is (starting up|shutting down|in recovery mode)|terminating connection due to administrator command|Connection closed|not queryable/i;

/**
 * Whether `err` (or an error it wraps) says the database could not be
 * reached or stopped answering, rather than that a statement was wrong: the
 * API answers those 503 with Retry-After instead of 500.
 */
export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 4) return false;
  const e = err as { code?: unknown; kind?: unknown; message?: unknown; cause?: unknown; originalCode?: unknown };
  if (typeof e.code === 'string' && unavailableCodes.has(e.code)) return true;
  if (typeof e.originalCode === 'string' && unavailableCodes.has(e.originalCode)) return true;
  if (typeof e.kind === 'string' && unavailableKinds.has(e.kind)) return true;
  if (typeof e.message === 'string' && unavailableText.test(e.message)) return true;
  return isDatabaseUnavailable(e.cause, depth + 1);
}

/**
 * Whether every string can be held by PostgreSQL: text and jsonb cannot
 * hold NUL, so no stored name, label or filter contains one, and a lookup
 * by such a string finds nothing without asking the database (which would
 * answer with an error).
 */
export function storable(...values: (string | undefined)[]): boolean {
  for (const v of values) if (v !== undefined && v.includes('\u0000')) return false;
  return true;
}
