// CSV for people (RFC 4180): CRLF lines, quoted where needed, and safe to open in a spreadsheet.

/** Written once at the start of a file, so Excel reads it as UTF-8. */
export const UTF8_BOM = '\uFEFF';

// A cell a spreadsheet would run as a formula (CSV injection); an apostrophe makes it text.
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One cell: dates as ISO 8601, objects and arrays as JSON text, null as empty. */
export function csvCell(value: unknown): string {
  let text: string;
  if (value === null || value === undefined) return '';
  if (value instanceof Date) text = value.toISOString();
  else if (typeof value === 'object') text = JSON.stringify(value);
  else text = String(value);
  // Only text can carry a formula; a negative number stays a number.
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvLine = (cells: unknown[]): string => cells.map(csvCell).join(',') + '\r\n';

/**
 * A CSV file from pages of rows, a page per chunk: a BOM, then a header of the first row's columns (every row of a
 * section has the same columns), then the rows. Nothing stored gives a file with the BOM alone.
 */
export async function* csvFile(pages: AsyncIterable<Record<string, unknown>[]>): AsyncGenerator<Buffer> {
  let columns: string[] | undefined;
  yield Buffer.from(UTF8_BOM, 'utf8');
  for await (const rows of pages) {
    if (!rows.length) continue;
    let chunk = '';
    if (!columns) {
      columns = Object.keys(rows[0]!);
      chunk += csvLine(columns);
    }
    for (const row of rows) chunk += csvLine(columns.map((c) => row[c]));
    yield Buffer.from(chunk, 'utf8');
  }
}
