// The subject export as a ZIP of CSVs, for people: sessions.csv, events.csv, consent.csv, intent_predictions.csv, audit.csv and a
// README.txt saying what each holds. Streamed: each CSV is read a page of rows at a time, only when the archive
// reaches it, and the archive is written as it is read (yazl deflates each entry as a stream).
import { Readable } from 'node:stream';
import yazl from 'yazl';
import type { Db } from '../db/client.js';
import { csvFile } from './csv.js';
import { subjectSections, type Subject } from './subject-data.js';

const FILES: Record<string, string> = {
  sessions: 'one row per visit: when it started and ended, pages seen, device, browser, language, the site that referred you, campaign tags, the consent in force',
  events: 'one row per thing recorded during your visits (page views, clicks, scrolling, forms, custom events); event_data holds the details as JSON',
  consent: 'every consent choice you made on this site, with the policy version, where it was made, and your IP address shortened to its network part',
  intent_predictions: "the site's estimates of why you visited and how likely you were to buy or sign up, made from your behaviour during a visit",
  audit: "the site's log of actions about you (consent changes, exports, erasures); ids only",
};

function readme(subject: Subject, generatedAt: Date): string {
  const lines = [
    'Your data on this site',
    '',
    `Generated ${generatedAt.toISOString()} for visitor id(s): ${subject.visitor_ids.join(', ') || '(none found)'}.`,
    '',
    'Each file is a CSV table (UTF-8, comma-separated, first line the column names) that spreadsheet programs open:',
    ...Object.entries(FILES).map(([name, text]) => `- ${name}.csv: ${text}.`),
    '',
    'Times are UTC (ISO 8601). A cell that starts with an apostrophe (\') had it added so that a spreadsheet shows it',
    'as text rather than running it as a formula. A file with no lines holds nothing about you.',
    '',
  ];
  return lines.join('\r\n');
}

/** The archive as a byte stream; a database error mid-way ends it with that error (the download is cut short). */
export function exportSubjectZip(db: Db, siteId: string, subject: Subject, generatedAt: Date): Readable {
  const zip = new yazl.ZipFile();
  const options = { mtime: generatedAt };
  zip.addBuffer(Buffer.from(readme(subject, generatedAt), 'utf8'), 'README.txt', options);
  for (const [name, pages] of subjectSections(db, siteId, subject)) {
    zip.addReadStreamLazy(`${name}.csv`, options, (cb) => cb(null, Readable.from(csvFile(pages))));
  }
  zip.end();
  const out = zip.outputStream as Readable;
  zip.on('error', (err: Error) => out.destroy(err));
  return out;
}
