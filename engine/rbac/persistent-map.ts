/**
 * An immutable string-keyed map that shares structure between versions, so a
 * snapshot of 100,000 objects can be changed in microseconds while older
 * snapshots keep serving.
 *
 * Keys are spread over a fixed number of shards by hash; a new version copies
 * the shard table (a fixed-size array of references) and only the shards it
 * touches. Iteration order is by shard, then by insertion within a shard:
 * stable for one version, but not meaningful; callers that need an order
 * keep their own (see the `seq` numbers in state.ts).
 */

const shardBits = 10;
const shardCount = 1 << shardBits;

type Shard<V> = ReadonlyMap<string, V>;

function shardOf(key: string): number {
  // FNV-1a over UTF-16 code units, folded to the shard count.
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h ^ (h >>> shardBits) ^ (h >>> (2 * shardBits))) & (shardCount - 1);
}

export class PersistentMap<V> {
  private constructor(
    private readonly shards: ReadonlyArray<Shard<V> | undefined>,
    /** Number of entries. */
    readonly size: number,
  ) {}

  static empty<V>(): PersistentMap<V> {
    return new PersistentMap<V>(new Array(shardCount).fill(undefined), 0);
  }

  /** @internal The editor's way back to an immutable map. */
  static ofShards<V>(shards: ReadonlyArray<Shard<V> | undefined>, size: number): PersistentMap<V> {
    return new PersistentMap<V>(shards, size);
  }

  static from<V>(entries: Iterable<readonly [string, V]>): PersistentMap<V> {
    const editor = PersistentMap.empty<V>().edit();
    for (const [k, v] of entries) editor.set(k, v);
    return editor.done();
  }

  get(key: string): V | undefined {
    return this.shards[shardOf(key)]?.get(key);
  }

  has(key: string): boolean {
    return this.shards[shardOf(key)]?.has(key) ?? false;
  }

  /** A batch of changes: each touched shard is copied once, however many keys change in it. */
  edit(): PersistentMapEditor<V> {
    return new PersistentMapEditor<V>(this.shards, this.size);
  }

  set(key: string, value: V): PersistentMap<V> {
    return this.edit().set(key, value).done();
  }

  delete(key: string): PersistentMap<V> {
    return this.edit().delete(key).done();
  }

  *entries(): IterableIterator<[string, V]> {
    for (const shard of this.shards) if (shard) yield* shard.entries();
  }

  *keys(): IterableIterator<string> {
    for (const shard of this.shards) if (shard) yield* shard.keys();
  }

  *values(): IterableIterator<V> {
    for (const shard of this.shards) if (shard) yield* shard.values();
  }
}

/**
 * Mutable only until `done()`: the map it was created from is never changed.
 * `get` sees the edits made so far.
 */
export class PersistentMapEditor<V> {
  private shards: Array<Shard<V> | undefined> | undefined;
  private readonly owned = new Set<number>();
  private finished = false;

  constructor(private readonly base: ReadonlyArray<Shard<V> | undefined>, private size: number) {}

  get(key: string): V | undefined {
    return (this.shards ?? this.base)[shardOf(key)]?.get(key);
  }

  has(key: string): boolean {
    return (this.shards ?? this.base)[shardOf(key)]?.has(key) ?? false;
  }

  set(key: string, value: V): this {
    const shard = this.writable(shardOf(key));
    if (!shard.has(key)) this.size++;
    shard.set(key, value);
    return this;
  }

  delete(key: string): this {
    const i = shardOf(key);
    if (!(this.shards ?? this.base)[i]?.has(key)) return this;
    this.writable(i).delete(key);
    this.size--;
    return this;
  }

  done(): PersistentMap<V> {
    if (this.finished) throw new Error('PersistentMapEditor.done() called twice');
    this.finished = true;
    return PersistentMap.ofShards(this.shards ?? this.base, this.size);
  }

  private writable(i: number): Map<string, V> {
    if (this.finished) throw new Error('PersistentMapEditor used after done()');
    if (!this.shards) this.shards = this.base.slice();
    if (!this.owned.has(i)) {
      this.shards[i] = new Map(this.shards[i] ?? []);
      this.owned.add(i);
    }
    return this.shards[i] as Map<string, V>;
  }
}
