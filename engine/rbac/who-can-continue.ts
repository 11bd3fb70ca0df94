/**
 * Opaque continue tokens for paginated review answers. A token carries the
 * offset of the next page, a fingerprint of the question it belongs to and
 * the state revision it was issued at. A token from another question, or a
 * malformed one, is `invalid` (the API answers 400 BadRequest); one from another revision is `expired` (410
 * Expired, as kube-apiserver answers a continue token that is too old.
 */

/** A 64-bit FNV-1a hash (two 32-bit lanes) of the canonical JSON of `parts`, as 16 hex digits. */
export function questionFingerprint(parts: readonly unknown[]): string {
  const text = JSON.stringify(parts);
  let h1 = 0x811c9dc5;
  let h2 = 0x050c5d1f;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x01000193) >>> 0;
    h2 = (h2 ^ (h1 >>> 7)) >>> 0;
  }
  return h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0');
}

function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(token: string): string | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(token)) return undefined;
  try {
    const binary = atob(token.replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

export function encodeContinue(offset: number, fingerprint: string, revision: string): string {
  return toBase64Url(JSON.stringify({ v: 1, o: offset, q: fingerprint, r: revision }));
}

export type ContinueDecoding =
  | { ok: true; offset: number }
  | { ok: false; problem: 'invalid-token' | 'expired-token'; message: string };

const tooOld = 'The provided continue parameter is too old to display a consistent list result. ' +
  'You can start a new list without the continue parameter.';

/** Reads a token for the question `fingerprint` at `revision`. */
export function decodeContinue(token: string, fingerprint: string, revision: string): ContinueDecoding {
  const bad = (why: string): ContinueDecoding => ({ ok: false, problem: 'invalid-token', message: `invalid continue token: ${why}` });
  const text = fromBase64Url(token);
  if (text === undefined) return bad('not an encoded token');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return bad('not an encoded token');
  }
  const t = parsed as { v?: unknown; o?: unknown; q?: unknown; r?: unknown };
  if (typeof t !== 'object' || t === null || t.v !== 1 || typeof t.q !== 'string' || typeof t.r !== 'string' ||
    typeof t.o !== 'number' || !Number.isInteger(t.o) || t.o < 0) {
    return bad('not an encoded token');
  }
  if (t.q !== fingerprint) return bad('it belongs to a different question');
  if (t.r !== revision) return { ok: false, problem: 'expired-token', message: tooOld };
  return { ok: true, offset: t.o };
}
