/**
 * A spreadsheet-safe cell: every text cell quoted, and any text a spreadsheet could read as a formula
 * neutralised with a leading apostrophe — at the start of the cell and after any separator a locale
 * may split on (`,`, `;` as in vi-VN, tab), so `Acme;=cmd|' /C calc'!A0` stays text everywhere.
 */
export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  const text = (v instanceof Date ? v.toISOString() : String(v)).replace(/[,;\t](?=[=+\-@\t\r])/g, "$&'");
  const s = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return `"${s.replace(/"/g, '""')}"`;
}

export function csv(rows: Record<string, unknown>[]): string {
  if (rows.length === 0) return '';
  const headers = Object.keys(rows[0]!);
  return [headers.join(','), ...rows.map((r) => headers.map((h) => csvCell(r[h])).join(','))].join('\r\n') + '\r\n';
}
