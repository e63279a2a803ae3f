// Sends a subject export as a dated attachment: streamed JSON, or a ZIP of CSVs (format=zip).
import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { Db } from '../db/client.js';
import type { ExportFormat } from './data-schemas.js';
import { exportSubjectZip } from './export-zip.js';
import { exportSubject, type Subject } from './subject-data.js';

export function sendExport(reply: FastifyReply, db: Db, siteId: string, subject: Subject, at: Date, format: ExportFormat) {
  const name = `augur-subject-data-${at.toISOString().slice(0, 10)}`;
  reply.header('cache-control', 'no-store');
  if (format === 'zip') {
    return reply
      .header('content-type', 'application/zip')
      .header('content-disposition', `attachment; filename="${name}.zip"`)
      .send(exportSubjectZip(db, siteId, subject, at));
  }
  return reply
    .header('content-type', 'application/json; charset=utf-8')
    .header('content-disposition', `attachment; filename="${name}.json"`)
    .send(Readable.from(exportSubject(db, siteId, subject, at)));
}
