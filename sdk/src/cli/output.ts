/**
 * How the CLI prints: aligned tables (kubectl's three-space gutters),
 * JSON or YAML for `-o`, colour only on a terminal, progress on stderr only
 * on a terminal, and errors as one line.
 */
import YAML from 'yaml';
import { WardenError } from '../errors.js';

export type Format = 'table' | 'json' | 'yaml';
export const formats: readonly Format[] = ['table', 'json', 'yaml'];

export interface Io {
  out(text: string): void;
  err(text: string): void;
  color: boolean;
  progress: boolean;
}

export function processIo(): Io {
  // A reader that went away (`warden ... | head`) ends the output quietly, as other CLIs do.
  for (const s of [process.stdout, process.stderr]) s.on('error', (err: NodeJS.ErrnoException) => { if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0); else throw err; });
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    color: !!process.stdout.isTTY && !process.env.NO_COLOR,
    progress: !!process.stderr.isTTY,
  };
}

export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('   ').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

/** Prints data as `-o` asks: a table, or the data itself as JSON or YAML. */
export function print(io: Io, format: Format, data: unknown, asTable: () => string): void {
  if (format === 'json') io.out(JSON.stringify(data, null, 2) + '\n');
  else if (format === 'yaml') io.out(YAML.stringify(data));
  else io.out(asTable());
}

export function paint(io: Io, text: string, colour: 'green' | 'red' | 'yellow'): string {
  if (!io.color) return text;
  const code = { green: 32, red: 31, yellow: 33 }[colour];
  return `\x1b[${code}m${text}\x1b[0m`;
}

/** An error a user caused before any request (bad arguments, no server): exit 2. */
export class UsageError extends Error {}

/** The one line an error prints, as kubectl words it. */
export function describeError(err: unknown): string {
  if (err instanceof WardenError) {
    if (err.status === 0) return `error: ${err.message}`;
    const causes = err.causes.filter((c) => c.message && !err.message.includes(c.message)).map((c) => `${c.field ? `${c.field}: ` : ''}${c.message}`);
    return `Error from server (${err.reason}): ${err.message}${causes.length ? `: ${causes.join('; ')}` : ''}`;
  }
  if (err instanceof UsageError) return `error: ${err.message}`;
  return `error: ${err instanceof Error ? err.message : String(err)}`;
}

export async function collect<T>(io: Io, what: string, items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of items) {
    out.push(x);
    if (io.progress && out.length % 500 === 0) io.err(`\r${out.length} ${what}…`);
  }
  if (io.progress && out.length >= 500) io.err('\r\x1b[K');
  return out;
}
