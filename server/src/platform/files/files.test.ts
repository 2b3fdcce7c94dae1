import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../app.js';
import { openDatabase } from '../../db/index.js';
import { migrateTo } from '../../db/migrate.js';
import { insertBareTicket } from '../../test/bare-rows.js';
import { createTestDatabase, describeDb, emptyDatabase, login, testConfig, type TestDatabase } from '../../test/harness.js';
import { ticketWorld } from '../../test/tickets-fixture.js';
import { downloadStoredFiles, sha256, withStoredFiles } from '../../test/uploads.js';
import { claimBlob, CHUNK_BYTES, discardBlob, openBlob, writeBlob } from './store.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'yunwei-files-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

// A collector to call between samples, so that memory still held is told from garbage not yet collected.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const held = () => {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

/** `total` bytes of noise in 64 KiB pieces made as they are read, hashed on the way; `sample` runs every 2 MiB. */
function noise(total: number, sample: () => void): { stream: Readable; sha256: () => string } {
  const hash = createHash('sha256');
  async function* pieces() {
    for (let sent = 0; sent < total; ) {
      const piece = randomBytes(Math.min(64 * 1024, total - sent));
      hash.update(piece);
      sent += piece.length;
      if (sent % (2 * 1024 * 1024) === 0) sample();
      yield piece;
    }
  }
  return { stream: Readable.from(pieces()), sha256: () => hash.digest('hex') };
}

const MB = 1024 * 1024;

describeDb('file store', (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
  });
  afterAll(() => t.close());
  const count = async (table: 'file_blobs' | 'file_blob_chunks') => Number((await t.database.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  it('streams 30 MB in and out in 256 KiB chunks without holding the file in memory', async () => {
    const db = t.database.db;
    const base = held();
    let peak = 0;
    const sample = () => {
      peak = Math.max(peak, held() - base);
    };
    const source = noise(30 * MB, sample);
    const blob = await writeBlob(db, source.stream, { limit: 40 * MB });
    expect(blob).toMatchObject({ size: 30 * MB, sha256: source.sha256() });
    expect(peak, `memory held while writing: ${(peak / MB).toFixed(1)} MB`).toBeLessThan(12 * MB);
    const chunks = await db.selectFrom('file_blob_chunks').select(['seq', (eb) => eb.fn('length', ['bytes']).as('n')]).where('blob_id', '=', blob.id).orderBy('seq').execute();
    expect(chunks.length).toBe((30 * MB) / CHUNK_BYTES);
    expect(chunks.every((c, i) => c.seq === i && Number(c.n) === CHUNK_BYTES)).toBe(true);

    await claimBlob(db, blob.id, 'application/zip');
    const opened = await openBlob(db, blob.id);
    expect(opened).toMatchObject({ size: 30 * MB, sha256: blob.sha256, mediaType: 'application/zip' });
    const hash = createHash('sha256');
    peak = 0;
    let read = 0;
    for await (const part of opened.stream) {
      hash.update(part as Buffer);
      read += (part as Buffer).length;
      if (read % (2 * MB) === 0) sample();
    }
    expect(hash.digest('hex')).toBe(blob.sha256);
    expect(peak, `memory held while reading: ${(peak / MB).toFixed(1)} MB`).toBeLessThan(12 * MB);
  });

  it('stops at the caller\'s limit with a clear error and keeps nothing of the upload', async () => {
    const before = [await count('file_blobs'), await count('file_blob_chunks')];
    const err = await writeBlob(t.database.db, noise(3 * MB, () => {}).stream, { limit: 2 * MB }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 413, code: 'too_large', params: { limit: '2 MB' } });
    expect([await count('file_blobs'), await count('file_blob_chunks')]).toEqual(before);
  });

  it('a blob never claimed is discarded; a claimed one is kept', async () => {
    const db = t.database.db;
    const refused = await writeBlob(db, Readable.from([Buffer.from('refused')]));
    const kept = await writeBlob(db, Readable.from([Buffer.from('kept')]));
    await claimBlob(db, kept.id, 'text/plain; charset=utf-8');
    await discardBlob(db, refused.id);
    await discardBlob(db, kept.id);
    await expect(openBlob(db, refused.id)).rejects.toMatchObject({ status: 404, code: 'file_missing' });
    const parts: Buffer[] = [];
    for await (const p of (await openBlob(db, kept.id)).stream) parts.push(p as Buffer);
    expect(Buffer.concat(parts).toString()).toBe('kept');
  });
});

describeDb('0015_file_blobs on an existing installation', (kind) => {
  it('moves the files under DATA_DIR/files into the database; a file missing on disk is reported, not fatal', async () => {
    const { database, close } = await emptyDatabase(kind);
    const dataDir = path.join(tmp, `legacy-${kind}`);
    try {
      await migrateTo(database, '0014_jobs_kind_due');
      const db = database.db;
      const now = Date.now();
      const { customerId, ticketId } = await insertBareTicket(db, now);
      // Content-addressed files as the old versions wrote them: DATA_DIR/files/ab/cd/<sha256>.
      const onDisk = (bytes: Buffer) => {
        const hash = sha256(bytes);
        const rel = path.join('files', hash.slice(0, 2), hash.slice(2, 4), hash);
        fs.mkdirSync(path.dirname(path.join(dataDir, rel)), { recursive: true });
        fs.writeFileSync(path.join(dataDir, rel), bytes);
        return { hash, rel };
      };
      const attachment = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(600 * 1024)]);
      const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(40 * 1024)]);
      const scan = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(5000)]);
      const a = onDisk(attachment);
      const p = onDisk(pdf);
      const s = onDisk(scan);
      const file = (name: string, bytes: Buffer, hash: string, rel: string) => ({ ticket_id: ticketId, event_id: null, name, mime: 'application/pdf', size: bytes.length, sha256: hash, storage_path: rel, created_at: now, created_by: null });
      const [kept, lost] = await db
        .insertInto('files')
        .values([file('巡检.pdf', attachment, a.hash, a.rel), file('丢失.pdf', pdf, 'f'.repeat(64), path.join('files', 'ff', 'ff', 'f'.repeat(64)))] as never)
        .returning('id')
        .execute();
      const reportRow = await db
        .insertInto('repair_reports')
        .values({ ticket_id: ticketId, seq: 1, number: 'INC-2026-000001-R1', customer_id: customerId, state: 'signed', customer_name: '客户M', reported_at: now, time_zone: 'Asia/Shanghai', parts_used: '[]', signed_on_paper: 1, scan_name: '签字单.jpg', scan_mime: 'image/jpeg', scan_size: scan.length, scan_sha256: s.hash, scan_path: s.rel, pdf_sha256: p.hash, pdf_size: pdf.length, pdf_path: p.rel, version: 3, created_at: now, updated_at: now } as never)
        .returning('id')
        .executeTakeFirstOrThrow();

      // The configured installation's DATA_DIR reaches the migration through the database handle.
      database.dataDir = dataDir;
      expect(await migrateTo(database, '0015_file_blobs')).toEqual(['0015_file_blobs']);

      const content = async (blobId: number | null) => {
        const parts: Buffer[] = [];
        for await (const part of (await openBlob(db, blobId)).stream) parts.push(part as Buffer);
        return Buffer.concat(parts);
      };
      const files = await db.selectFrom('files').selectAll().orderBy('id').execute();
      expect(files.map((f) => f.id)).toEqual([kept.id, lost.id]);
      expect((await content(files[0].blob_id)).equals(attachment)).toBe(true);
      expect(files[1].blob_id).toBeNull();
      await expect(openBlob(db, files[1].blob_id)).rejects.toMatchObject({ status: 404, code: 'file_missing' });
      expect(files[0]).not.toHaveProperty('storage_path');
      const migrated = await db.selectFrom('repair_reports').selectAll().where('id', '=', reportRow.id).executeTakeFirstOrThrow();
      expect((await content(migrated.pdf_blob_id)).equals(pdf)).toBe(true);
      expect((await content(migrated.scan_blob_id)).equals(scan)).toBe(true);
      expect(migrated).not.toHaveProperty('pdf_path');
      const blobs = await db.selectFrom('file_blobs').select(['state', 'media_type', 'sha256']).orderBy('id').execute();
      expect(blobs).toEqual([
        { state: 'stored', media_type: 'application/pdf', sha256: a.hash },
        { state: 'stored', media_type: 'image/jpeg', sha256: s.hash },
        { state: 'stored', media_type: 'application/pdf', sha256: p.hash },
      ]);
      // The old files stay where they were until the operator removes them.
      expect(fs.existsSync(path.join(dataDir, a.rel))).toBe(true);
    } finally {
      await close();
    }
  });
});

// The documented way to run several processes: one PostgreSQL, each process with its own DATA_DIR.
describe.skipIf(!process.env.TEST_POSTGRES_URL)('two processes on one PostgreSQL, each with its own DATA_DIR', () => {
  it('each serves the files uploaded through the other', async () => {
    const w = await ticketWorld('postgres', { DATA_DIR: path.join(tmp, 'process-a') });
    const other = openDatabase({ databaseUrl: process.env.TEST_POSTGRES_URL, pgSchema: w.t.database.schema, poolSize: 3 });
    const b = await buildApp({ config: testConfig({ DATA_DIR: path.join(tmp, 'process-b') }), database: other, logger: false });
    try {
      const engOnB = await login(b, 'eng');
      // Uploaded and signed through process A, downloaded through B …
      const fromA = await withStoredFiles(w);
      const onB = await downloadStoredFiles(engOnB, fromA);
      expect(sha256(onB.attachment)).toBe(sha256(fromA.attachment));
      expect(sha256(onB.pdf)).toBe(fromA.pdfSha256);
      // … and the other way round.
      const fromB = await withStoredFiles({ ...w, desk: await login(b, 'desk'), eng: engOnB });
      const onA = await downloadStoredFiles(w.eng, fromB);
      expect(sha256(onA.attachment)).toBe(sha256(fromB.attachment));
      expect(sha256(onA.pdf)).toBe(fromB.pdfSha256);
    } finally {
      await b.close();
      await other.close();
      await w.t.close();
    }
  });
});
