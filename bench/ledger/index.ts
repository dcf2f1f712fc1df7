// `npm run bench -- ledger [seconds]` — the ledger's figures beside the anchors.
// Sustained durable appends/s with a 1 s checkpoint interval (in-memory and real-folder blob
// writers), append-to-published-checkpoint latency p50/p99, inclusion proofs served/s,
// verifications/s, bytes stored per entry.
import { mkdtemp, mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  ed25519Signer,
  ed25519Verifier,
  memoryLogStorage,
  openCheckpoint,
  proveInclusionAsync,
  sealEnvelope,
  Sequencer,
  tileNodeSource,
  verifyInclusion,
  type LogStorage,
} from '@interdict/ledger';
import { nodeEd25519 } from '@interdict/ledger/node';
import { ledgerLogStorage, openStore } from '@interdict/store';
import { createTestSchema } from '@interdict/testkit';
import { sql } from 'kysely';

const seconds = Number(process.argv[2] ?? 5);
const ORIGIN = 'bench.interdict.example/ledger';

/** Blob writer over a real folder: write to a temp file, fsync, rename (atomic, durable). */
function folderStorage(dir: string): LogStorage & { bytes(): number } {
  let stored = 0;
  const write = async (file: string, bytes: Uint8Array) => {
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  };
  return {
    bytes: () => stored,
    get: (key) =>
      readFile(path.join(dir, key)).then(
        (b) => new Uint8Array(b),
        () => undefined,
      ),
    async put(key, bytes) {
      await write(path.join(dir, key), bytes);
      stored += bytes.length;
    },
    readCheckpoint: () =>
      readFile(path.join(dir, 'checkpoint')).then(
        (b) => new Uint8Array(b),
        () => undefined,
      ),
    writeCheckpoint: (bytes) => write(path.join(dir, 'checkpoint'), bytes),
  };
}

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    total += e.isDirectory() ? await folderBytes(p) : (await stat(p)).size;
  }
  return total;
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;
}

async function appendRun(
  label: string,
  storage: LogStorage,
  storedBytes: () => number | Promise<number>,
) {
  const signer = await ed25519Signer(ORIGIN, new Uint8Array(32).fill(1), nodeEd25519);
  // Publication times, recorded once the checkpoint write has resolved.
  const published: { size: number; at: number }[] = [];
  const timed: LogStorage = {
    ...storage,
    async writeCheckpoint(bytes) {
      await storage.writeCheckpoint(bytes);
      const size = Number(new TextDecoder().decode(bytes).split('\n')[1]);
      published.push({ size, at: performance.now() });
    },
  };
  const seq = await Sequencer.open({
    origin: ORIGIN,
    signer,
    storage: timed,
    checkpointIntervalMs: 1000,
  });
  // A realistic leaf: a sealed envelope (~330 bytes).
  const org = await ed25519Signer('org-bench', new Uint8Array(32).fill(2), nodeEd25519);
  const sealed = await sealEnvelope(
    {
      type: 'seizure-report',
      organisation: 'org-bench',
      time: new Date(),
      body: new Uint8Array(100),
    },
    org,
  );
  const template = sealed.bytes;
  const starts: number[] = [];
  const acks: number[] = [];
  const concurrency = 4000;
  const end = performance.now() + seconds * 1000;
  let n = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const e = template.slice();
        e[e.length - 2] = n & 0xff;
        n++;
        const s = performance.now();
        const idx = await seq.append(e);
        starts[idx] = s;
        acks.push(performance.now() - s);
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  await seq.close();
  const size = seq.size;
  const latencies: number[] = [];
  let p = 0;
  for (let i = 0; i < size; i++) {
    while (p < published.length && (published[p] as { size: number }).size <= i) p++;
    const pub = published[p];
    if (pub && starts[i] !== undefined) latencies.push(pub.at - (starts[i] as number));
  }
  latencies.sort((a, b) => a - b);
  acks.sort((a, b) => a - b);
  console.log(
    `${label}: ${size} durable appends in ${elapsed.toFixed(1)} s = ${Math.round(size / elapsed)} appends/s; ` +
      `append→durable ack p50 ${pct(acks, 50).toFixed(0)} ms, p99 ${pct(acks, 99).toFixed(0)} ms; ` +
      `append→published checkpoint p50 ${pct(latencies, 50).toFixed(0)} ms, p99 ${pct(latencies, 99).toFixed(0)} ms; ` +
      `${published.length} checkpoints; ${((await storedBytes()) / size).toFixed(0)} bytes stored/entry (entry ${template.length} B)`,
  );
  return { seq, size };
}

console.log(
  `ledger bench, ${seconds} s per append run, 4000 concurrent writers, 1 s checkpoint interval`,
);
const mem = memoryLogStorage();
const memBytes = () => [...mem.blobs.values()].reduce((a, b) => a + b.length, 0);
const { seq, size } = await appendRun('memory blob writer', mem, memBytes);

const dir = await mkdtemp(path.join(tmpdir(), 'interdict-ledger-bench-'));
const folder = folderStorage(dir);
await appendRun('folder blob writer (fsync + rename)', folder, () => folder.bytes());
await rm(dir, { recursive: true, force: true });

// Through the store, as the server runs it: the embedded default (PGlite data folder: tiles in
// its blob folder, checkpoint file beside them) and PostgreSQL (tiles in the blobs table).
const storeDir = await mkdtemp(path.join(tmpdir(), 'interdict-ledger-bench-store-'));
const embedded = await openStore({ dataDir: storeDir });
await appendRun('store, embedded (PGlite folder blobs)', ledgerLogStorage(embedded, ORIGIN), () =>
  folderBytes(path.join(storeDir, 'blobs')),
);
await embedded.close();
await rm(storeDir, { recursive: true, force: true });
const schema = await createTestSchema('ledger_bench');
const pg = await openStore({ databaseUrl: schema.url });
await appendRun('store, PostgreSQL (blobs table)', ledgerLogStorage(pg, ORIGIN), () => 0);
const pgBytes = await sql<{
  n: string;
}>`SELECT coalesce(sum(length(bytes)), 0) AS n FROM blobs`.execute(pg.db);
console.log(
  `  PostgreSQL blobs table: ${Number(pgBytes.rows[0]?.n ?? 0)} bytes of tiles and bundles`,
);
await pg.close();
await schema.drop();

// Proofs served: in-memory node hashes (what the server keeps), and straight from tiles.
const tree = seq.hashes;
const root = tree.root(size);
let t = performance.now();
let proofs = 0;
const proofList: { i: number; p: Uint8Array[] }[] = [];
while (performance.now() - t < 2000) {
  for (let k = 0; k < 1000; k++) {
    const i = (proofs * 7919) % size;
    const p = tree.inclusionProof(i, size);
    if (proofList.length < 20000) proofList.push({ i, p });
    proofs++;
  }
}
const proofRate = proofs / ((performance.now() - t) / 1000);
t = performance.now();
let tileProofs = 0;
// One tile-backed source, like a server's tile cache (tiles are immutable, so caching is safe).
const src = tileNodeSource((k) => mem.get(k), size);
while (performance.now() - t < 2000) {
  for (let k = 0; k < 100; k++)
    await proveInclusionAsync(src, (tileProofs++ * 104729) % size, size);
}
const tileRate = tileProofs / ((performance.now() - t) / 1000);

// Verifications: inclusion proofs, checkpoint signatures (node:crypto and @noble).
const leaves = new Map<number, Uint8Array>();
for (const { i } of proofList.slice(0, 2000)) leaves.set(i, tree.node(0, i).slice());
t = performance.now();
let verifs = 0;
while (performance.now() - t < 2000) {
  for (const { i, p } of proofList.slice(0, 2000)) {
    verifyInclusion(tree.node(0, i), i, size, p, root);
    verifs++;
  }
}
const verifyRate = verifs / ((performance.now() - t) / 1000);
const signer = await ed25519Signer(ORIGIN, new Uint8Array(32).fill(1), nodeEd25519);
const note = seq.checkpoint?.note as string;
const rates: string[] = [];
for (const [name, ed] of [
  ['node:crypto', nodeEd25519],
  ['@noble', undefined],
] as const) {
  const v = ed25519Verifier(ORIGIN, signer.publicKey, ed);
  t = performance.now();
  let c = 0;
  while (performance.now() - t < 1500) {
    await openCheckpoint(note, [v], ORIGIN);
    c++;
  }
  rates.push(`${name} ${Math.round(c / ((performance.now() - t) / 1000))}/s`);
}
console.log(
  `inclusion proofs served: ${Math.round(proofRate)}/s from in-memory hashes (tree of ${size}), ` +
    `${Math.round(tileRate)}/s generated from tiles in the blob store`,
);
console.log(
  `verifications: ${Math.round(verifyRate)} inclusion proofs/s; checkpoint signatures ${rates.join(', ')}`,
);
console.log(
  'anchors (issue 4): Tessera POSIX ~10,000 writes/s on 7 cores, 2–4 s to integration; Sunlight 41 ms p50 / 101 ms p99 ' +
    'sequencing with 1 s pooling; Trillian on MySQL 400–500 entries/s. Goals here (2 cores): ≥ 20,000 durable appends/s, ' +
    'p99 append→checkpoint < 1.5 s, ≥ 100,000 inclusion proofs/s.',
);
