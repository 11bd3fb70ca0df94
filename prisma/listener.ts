/**
 * A dedicated connection that LISTENs for revision notifications and calls
 * `onNotify` with the notified revision for each, and without one on every
 * (re)connect, since notifications sent while disconnected are lost. A
 * dropped connection is re-opened after `reconnectMs`; the snapshot poll
 * covers the gap.
 */
import pg from 'pg';
import { revisionChannel } from './store/write.ts';

export class RevisionListener {
  #client: pg.Client | undefined;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly url: string,
    private readonly onNotify: (revision?: number) => void,
    private readonly reconnectMs: number,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  /** The backend pid of the listening connection, when connected. */
  get pid(): number | undefined {
    return (this.#client as unknown as { processID?: number } | undefined)?.processID;
  }

  async start(): Promise<void> {
    this.#stopped = false;
    await this.#connect();
  }

  async #connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    client.on('notification', (msg) => {
      const revision = Number(msg.payload);
      this.onNotify(Number.isSafeInteger(revision) && revision > 0 ? revision : undefined);
    });
    client.on('error', (err) => {
      this.onError(err);
      this.#retry(client);
    });
    client.on('end', () => this.#retry(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${revisionChannel}`);
      this.#client = client;
      this.onNotify();
    } catch (err) {
      this.onError(err);
      this.#retry(client);
    }
  }

  #retry(client: pg.Client): void {
    if (this.#client === client) this.#client = undefined;
    client.removeAllListeners('end');
    client.end().catch(() => {});
    if (this.#stopped || this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!this.#stopped) void this.#connect();
    }, this.reconnectMs).unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    const client = this.#client;
    this.#client = undefined;
    if (client) {
      client.removeAllListeners('end');
      await client.end().catch(() => {});
    }
  }
}
