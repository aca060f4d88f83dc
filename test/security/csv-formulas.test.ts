import { describe, expect, it } from 'vitest';
import { csv, csvCell } from '../../api/src/audit/csv-report.js';

/**
 * The audit reports' CSV (issue 14, item 6): a spreadsheet must never read a cell as a formula,
 * whichever list separator its locale splits on (`,`, or `;` as vi-VN does, or tab).
 */
describe('CSV formula guard', () => {
  /** Every field a spreadsheet could see, splitting the unquoted cell on any separator. */
  const fieldsOf = (cell: string) =>
    cell
      .replace(/^"|"$/g, '')
      .replace(/""/g, '"')
      .split(/[,;\t]/);

  it("neutralises a formula after any separator, as in Acme;=cmd|' /C calc'!A0;", () => {
    const attacks = [
      "Acme;=cmd|' /C calc'!A0;",
      '=HYPERLINK("http://evil")',
      '+1+1',
      '-1+1',
      '@SUM(A1)',
      '\t=1',
      '\r=1',
      'Acme,=1+1',
      'Acme\t=1+1',
      'Acme;+1',
      'Acme;-1',
      'Acme;@x',
      'Acme;\t=1',
      'Acme;\r=1',
      'a;;=1',
      'a,;=1',
    ];
    for (const name of attacks) {
      const cell = csvCell(name);
      expect(cell, name).toMatch(/^".*"$/s); // every text cell quoted
      const dangerous = fieldsOf(cell).filter((f) => /^[=+\-@\t\r]/.test(f));
      expect(dangerous, `${name} → ${cell}`).toEqual([]);
    }
    expect(csvCell("Acme;=cmd|' /C calc'!A0;")).toBe(`"Acme;'=cmd|' /C calc'!A0;"`);
  });

  it('quotes every text cell, leaves numbers plain, and keeps the text readable', () => {
    expect(csvCell('Ngân hàng "Tốt"')).toBe('"Ngân hàng ""Tốt"""');
    expect(csvCell(42)).toBe('42');
    expect(csvCell(null)).toBe('');
    expect(csv([{ name: 'A;=1', n: 3 }])).toBe(`name,n\r\n"A;'=1",3\r\n`);
  });
});
