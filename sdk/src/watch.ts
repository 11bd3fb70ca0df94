/**
 * Kube's watch protocol as an async iterable: newline-delimited
 * `{"type","object"}` events from `?watch=true`, resumed from the last
 * resourceVersion seen when the server ends the stream, and, after a 410
 * `Expired` ERROR event (or a 410 answer), a relist whose differences from
 * what the watch had seen are emitted as ADDED / MODIFIED / DELETED before
 * watching on from the list's resourceVersion (as an informer does).
 */
import type { CallOptions } from './context.js';
import { WardenError, type Status } from './errors.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

export interface WatchEvent<T> {
  type: WatchEventType;
  object: T;
}

export interface WatchOptions extends CallOptions {
  namespace?: string;
  /** Start after this resourceVersion; absent: the server first sends every existing object as ADDED. */
  resourceVersion?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Ask the server to end each stream after this long (the watch then resumes). */
  timeoutSeconds?: number;
}

interface Source<T> {
  open(resourceVersion: string | undefined, signal: AbortSignal): Promise<ReadableStream<Uint8Array>>;
  relist(signal: AbortSignal): Promise<{ items: T[]; resourceVersion?: string }>;
}

type Meta = { metadata?: { name?: string; namespace?: string; resourceVersion?: string } };

const keyOf = (o: Meta) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

/** The lines of a byte stream. */
async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += decoder.decode(value, { stream: true });
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line) yield line;
      }
    }
    const rest = (buf + decoder.decode()).trim();
    if (rest) yield rest;
  } finally {
    reader.cancel().catch(() => {});
  }
}

export async function* watchEvents<T extends Meta>(source: Source<T>, opts: WatchOptions): AsyncGenerator<WatchEvent<T>, void, undefined> {
  const stop = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, stop.signal]) : stop.signal;
  const known = new Map<string, T>();
  let resourceVersion = opts.resourceVersion;
  try {
    while (!signal.aborted) {
      let expired = false;
      let events = 0;
      const started = Date.now();
      try {
        const stream = await source.open(resourceVersion, signal);
        for await (const line of lines(stream)) {
          const ev = JSON.parse(line) as { type: string; object: T & Status };
          if (ev.type === 'ERROR') {
            if (ev.object?.code === 410) { expired = true; break; }
            throw WardenError.fromResponse(ev.object?.code ?? 500, ev.object);
          }
          events++;
          resourceVersion = ev.object?.metadata?.resourceVersion ?? resourceVersion;
          if (ev.type === 'DELETED') known.delete(keyOf(ev.object));
          else if (ev.type !== 'BOOKMARK') known.set(keyOf(ev.object), ev.object);
          yield { type: ev.type as WatchEventType, object: ev.object };
        }
      } catch (err) {
        if (signal.aborted) return;
        if (err instanceof WardenError && err.status === 410) expired = true;
        else throw err;
      }
      if (expired) {
        const list = await source.relist(signal);
        const seen = new Set<string>();
        for (const o of list.items) {
          const k = keyOf(o);
          seen.add(k);
          const before = known.get(k);
          known.set(k, o);
          if (!before) yield { type: 'ADDED', object: o };
          else if (before.metadata?.resourceVersion !== o.metadata?.resourceVersion) yield { type: 'MODIFIED', object: o };
        }
        for (const [k, o] of [...known]) {
          if (!seen.has(k)) { known.delete(k); yield { type: 'DELETED', object: o }; }
        }
        resourceVersion = list.resourceVersion;
      } else if (events === 0 && Date.now() - started < 1000) {
        // A stream that ended at once: do not spin.
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  } finally {
    stop.abort();
  }
}
