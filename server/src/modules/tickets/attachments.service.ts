import type { Actor } from '../../platform/auth/actor.js';
import { AppError } from '../../platform/http/errors.js';
import { claimBlob, discardBlob, openBlob } from '../../platform/files/store.js';
import { storeUpload, type StoredFile } from './files.js';
import * as repo from './repo.js';
import type { Visibility } from './schema.js';
import { assertWritable, TicketBase } from './ticket-context.js';
import type { TimelineItem } from './ticket-view.js';

/** A ticket's files: uploads recorded on the timeline (content claimed in the same transaction) and downloads in scope. */
export class TicketAttachmentService extends TicketBase {
  /**
   * Stores an upload (after checking that the ticket exists and takes attachments, so nothing
   * is written for a ticket the caller cannot see) and records it on the timeline.
   */
  async addAttachment(actor: Actor, id: number, visibility: Visibility, upload: { filename: string; stream: NodeJS.ReadableStream; truncated: () => boolean }): Promise<TimelineItem> {
    if (actor.customerId !== null && visibility !== 'public') throw AppError.field('visibility', 'tickets.customerPublicOnly');
    const pre = await repo.findTicket(this.db, actor.scope, id);
    if (!pre) throw AppError.notFound();
    assertWritable(pre);
    const stored: StoredFile = await storeUpload(this.db, upload.filename, upload.stream as import('node:stream').Readable, upload.truncated);
    // The content is kept only if the attachment is recorded: the same transaction claims it.
    const applied = await this.command(
      actor,
      id,
      { sla: () => false },
      async () => undefined,
      async (t, { now, trx }) => {
        assertWritable(t);
        await claimBlob(trx, stored.blobId, stored.mime);
        const fileId = await repo.insertFile(trx, { ticket_id: t.id, event_id: null, name: stored.name, mime: stored.mime, size: stored.size, sha256: stored.sha256, blob_id: stored.blobId, created_at: now, created_by: actor.userId || null });
        const data = { fileId, name: stored.name, mime: stored.mime, size: stored.size };
        return {
          entries: [{ type: 'attachment', visibility, data }],
          after: (tx, eventIds) => repo.setFileEvent(tx, fileId, eventIds[0]),
          audit: { action: 'attach', after: { ...data, sha256: stored.sha256, visibility } },
        };
      },
    ).catch(async (err: unknown) => {
      await discardBlob(this.db, stored.blobId);
      throw err;
    });
    return this.createdItem(actor, applied);
  }

  async attachment(actor: Actor, id: number, fileId: number): Promise<{ name: string; mime: string; size: number; stream: NodeJS.ReadableStream }> {
    const ticket = await repo.findTicket(this.db, actor.scope, id);
    if (!ticket) throw AppError.notFound();
    const file = await repo.findFile(this.db, id, fileId, actor.customerId !== null);
    if (!file) throw AppError.notFound();
    const content = await openBlob(this.db, file.blob_id);
    return { name: file.name, mime: file.mime, size: content.size, stream: content.stream };
  }
}
