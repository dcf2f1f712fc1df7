import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

/**
 * Passes bytes through, gunzipping them when they start with the gzip magic 1f 8b
 * (RFC 1952 §2.3.1), whatever the file is called.
 */
export async function* maybeGunzip(input: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const iterator = input[Symbol.asyncIterator]();
  let head = new Uint8Array(0);
  // Read until we can see two bytes (or the input ends).
  while (head.length < 2) {
    const next = await iterator.next();
    if (next.done) break;
    const merged = new Uint8Array(head.length + next.value.length);
    merged.set(head);
    merged.set(next.value, head.length);
    head = merged;
  }
  async function* rest(): AsyncGenerator<Uint8Array> {
    if (head.length > 0) yield head;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  if (head[0] === 0x1f && head[1] === 0x8b) {
    const gunzip = Readable.from(rest(), { objectMode: false }).pipe(createGunzip());
    for await (const chunk of gunzip) yield new Uint8Array(chunk as Buffer);
  } else {
    yield* rest();
  }
}
