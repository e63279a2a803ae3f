import { describe, expect, it } from 'vitest';
import { csvCell, csvFile, csvLine } from './csv.js';

describe('csv', () => {
  it('quotes per RFC 4180 and writes values people can read', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(true)).toBe('true');
    expect(csvCell(new Date('2026-06-01T12:00:00Z'))).toBe('2026-06-01T12:00:00.000Z');
    expect(csvCell({ a: 1, b: 'x,y' })).toBe('"{""a"":1,""b"":""x,y""}"');
    expect(csvLine(['a', 1, null])).toBe('a,1,\r\n');
  });

  it('neutralises text a spreadsheet would run as a formula', () => {
    for (const danger of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx']) expect(csvCell(danger).replace(/^"/, '')[0]).toBe("'");
    expect(csvCell('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"');
    expect(csvCell('a=b')).toBe('a=b');
  });

  it('streams a BOM, a header from the first row, then the rows', async () => {
    async function* pages() {
      yield [{ a: 1, b: 'x' }];
      yield [];
      yield [{ a: 2, b: null }];
    }
    const chunks: Buffer[] = [];
    for await (const c of csvFile(pages())) chunks.push(c);
    expect(Buffer.concat(chunks).toString('utf8')).toBe('\uFEFFa,b\r\n1,x\r\n2,\r\n');
    const empty: Buffer[] = [];
    for await (const c of csvFile((async function* () {})())) empty.push(c);
    expect(Buffer.concat(empty).toString('utf8')).toBe('\uFEFF');
  });
});
