import { Readable } from 'node:stream';
import type { Db } from '../../db/index.js';
import { checkType, DOCUMENT_TYPES, extractText, IMAGE_EXTS, type Detected } from '../../core/knowledge/extract.js';
import { auditActorOf, recordAudit } from '../../platform/audit/service.js';
import type { Actor } from '../../platform/auth/actor.js';
import { claimBlob, discardBlob, openBlob, writeBlob } from '../../platform/files/store.js';
import { AppError } from '../../platform/http/errors.js';
import { cleanFileName } from '../tickets/files.js';
import * as repo from './repo.js';
import { requireProvider } from './service.js';

export const MAX_FILE_BYTES = 20 * 1024 * 1024;
export const FILE_LIMIT_LABEL = '20 MB';

const DETECTED_LABEL: Record<Detected, string> = { pdf: 'PDF', zip: 'ZIP', png: 'PNG', jpeg: 'JPEG', gif: 'GIF', webp: 'WebP', text: '文本/text', other: '二进制/binary' };

/**
 * Knowledge files: documents (PDF, docx, xlsx, text) whose text is extracted for search, and
 * images shown in a body. An upload is read whole (at most 20 MB), checked (the content must be
 * what the name says and the parser must read it) and only then stored: a refused file leaves
 * nothing behind. It waits unattached, visible to its uploader only, until an article's save
 * names it in `fileIds`.
 */
export class KnowledgeFileService {
  constructor(private readonly db: Db) {}

  async upload(actor: Actor, rawName: string, stream: Readable, truncated: () => boolean) {
    requireProvider(actor);
    const name = cleanFileName(rawName);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const piece of stream) {
      const buf = Buffer.isBuffer(piece) ? piece : Buffer.from(piece as string);
      size += buf.length;
      if (size > MAX_FILE_BYTES) throw tooLarge();
      chunks.push(buf);
    }
    if (truncated()) throw tooLarge();
    const bytes = Buffer.concat(chunks, size);
    if (!size) throw AppError.field('file', 'knowledge.file.empty', { name });
    const type = checkType(name, bytes);
    if (!type.ok && type.problem === 'unsupported') throw AppError.field('file', 'knowledge.file.unsupported', { name });
    if (!type.ok) throw AppError.field('file', 'knowledge.file.mismatch', { name, claimed: DOCUMENT_TYPES[type.ext as keyof typeof DOCUMENT_TYPES].label, detected: DETECTED_LABEL[type.detected] });
    let text: string;
    try {
      text = await extractText(type.ext, bytes);
    } catch {
      throw AppError.field('file', 'knowledge.file.unreadable', { name });
    }
    const mime = DOCUMENT_TYPES[type.ext].mime;
    const inline = IMAGE_EXTS.includes(type.ext);
    const blob = await writeBlob(this.db, Readable.from([bytes]), { limit: MAX_FILE_BYTES });
    try {
      return await this.db.transaction().execute(async (trx) => {
        const now = Date.now();
        await claimBlob(trx, blob.id, mime);
        const row = await trx
          .insertInto('kb_article_files')
          .values({ article_id: null, name, mime, size, sha256: blob.sha256, blob_id: blob.id, inline: inline ? 1 : 0, text: text || null, created_at: now, created_by: actor.userId || null })
          .returning('id')
          .executeTakeFirstOrThrow();
        const id = Number(row.id);
        await recordAudit(trx, auditActorOf(actor), { action: 'upload', entity: 'kb_article_files', entityId: id, after: { name, mime, size, sha256: blob.sha256, textChars: text.length } }, now);
        return { id, name, mime, size, inline, hasText: !!text };
      });
    } catch (err) {
      await discardBlob(this.db, blob.id);
      throw err;
    }
  }

  /** The file, when its article is readable by the caller (or it is the caller's own unattached upload). */
  async download(actor: Actor, id: number): Promise<{ name: string; mime: string; size: number; stream: NodeJS.ReadableStream }> {
    const file = await this.db.selectFrom('kb_article_files').selectAll().where('id', '=', id).executeTakeFirst();
    if (!file) throw AppError.notFound();
    if (file.article_id === null) {
      if (Number(file.created_by) !== actor.userId || actor.customerId !== null) throw AppError.notFound();
    } else if (!(await repo.findArticle(this.db, actor, Number(file.article_id)))) throw AppError.notFound();
    const content = await openBlob(this.db, file.blob_id);
    return { name: file.name, mime: file.mime, size: content.size, stream: content.stream };
  }
}

const tooLarge = () => new AppError(413, 'too_large', 'http.tooLarge', { limit: FILE_LIMIT_LABEL }, [{ field: 'file', code: 'knowledge.file.tooLarge', params: { limit: FILE_LIMIT_LABEL } }]);
