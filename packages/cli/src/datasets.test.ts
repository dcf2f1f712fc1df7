import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { readCsv } from '@interdict/core';

const datasetsDir = () =>
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../datasets');

interface ManifestFile {
  file: string;
  kind: string;
  order: number;
  load: boolean;
  rows: number;
  description: string;
}
const readManifest = () =>
  JSON.parse(readFileSync(path.join(datasetsDir(), 'manifest.json'), 'utf8')) as {
    files: ManifestFile[];
  };

/**
 * The bundle's promises, checked from the files themselves: every checksum PROVENANCE.md lists is
 * recomputed (compressed and decompressed), every manifest entry is documented there, and the row
 * counts (counted independently with Python's csv module when the bundle was made) still hold.
 */
interface ProvenanceRow {
  file: string;
  rows: number;
  bytes: number;
  sha256Compressed: string;
  sha256Original: string;
}

function provenanceTable(): ProvenanceRow[] {
  const text = readFileSync(path.join(datasetsDir(), 'PROVENANCE.md'), 'utf8');
  const rows: ProvenanceRow[] = [];
  const pattern =
    /^\| `([^`]+)` \| ([\d,]+) \| ([\d,]+) \| `([0-9a-f]{64})` \| `([0-9a-f]{64})` \|$/gm;
  for (const m of text.matchAll(pattern)) {
    rows.push({
      file: m[1] as string,
      rows: Number((m[2] as string).replaceAll(',', '')),
      bytes: Number((m[3] as string).replaceAll(',', '')),
      sha256Compressed: m[4] as string,
      sha256Original: m[5] as string,
    });
  }
  return rows;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function countRecords(file: string, original: Buffer): Promise<number> {
  if (file.endsWith('.xml.gz')) {
    const text = original.toString('utf8');
    return (text.match(/<INDIVIDUAL>/g) ?? []).length + (text.match(/<ENTITY>/g) ?? []).length;
  }
  // OFAC's legacy files have no header and end in a DOS EOF byte (0x1A); give them a dummy header
  // so the reader counts every record. UN/LOCODE has 1,040 rows mangled upstream with extra fields.
  const isOfac = file.includes('ofac-sdn');
  const body = isOfac ? Buffer.concat([Buffer.from('h\r\n'), original]) : original;
  const cleaned = isOfac && body.at(-1) === 0x1a ? body.subarray(0, -1) : body;
  let n = 0;
  for await (const _row of readCsv([cleaned], {
    encoding: isOfac ? 'latin1' : 'utf-8',
    relaxColumnCount: true,
  })) {
    n++;
  }
  return n;
}

describe('datasets bundle', () => {
  const table = provenanceTable();
  const manifest = readManifest();

  it('documents every manifest file in PROVENANCE.md and nothing else', () => {
    expect(table.length).toBeGreaterThan(0);
    expect(table.map((r) => r.file).sort()).toEqual(manifest.files.map((f) => f.file).sort());
  });

  it('keeps each file well under 5 MB and the bundle under 20 MB', () => {
    let total = 0;
    for (const row of table) {
      const size = statSync(path.join(datasetsDir(), row.file)).size;
      expect(size, row.file).toBe(row.bytes);
      expect(size, row.file).toBeLessThan(5 * 1024 * 1024);
      total += size;
    }
    expect(total).toBeLessThan(20 * 1024 * 1024);
  });

  for (const row of table) {
    it(`${row.file}: checksums and row count match PROVENANCE.md`, async () => {
      const compressed = readFileSync(path.join(datasetsDir(), row.file));
      expect(sha256(compressed)).toBe(row.sha256Compressed);
      const original = gunzipSync(compressed);
      expect(sha256(original)).toBe(row.sha256Original);
      expect(await countRecords(row.file, original)).toBe(row.rows);
      const entry = manifest.files.find((f) => f.file === row.file);
      expect(entry?.rows).toBe(row.rows);
    });
  }
});
