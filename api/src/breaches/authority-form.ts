import { FIELD_VOCABULARY } from '@citizen-vault/chaincode/rules';
import { canonicalRecord, type Breach, type BreachClock } from './breach.js';
import type { BreachDetail } from './ports.js';

/**
 * The notification to the authority in its form. Decree 356/2025 keeps the contents Decree 13/2023
 * Art. 23 listed: the nature of the breach (time, place, act, organisations, kinds and amount of
 * personal data), the contact of the person in charge of data protection, the possible consequences,
 * the measures taken, and the reason when notice comes after 72 hours. Both the JSON and the
 * Vietnamese document are built from this one value; the JSON also carries the canonical record
 * whose SHA-256 the ledger holds, so the authority can check it.
 */
export const AUTHORITY = 'Cục An ninh mạng và phòng, chống tội phạm sử dụng công nghệ cao (A05), Bộ Công an';

const categories = new Map(FIELD_VOCABULARY.categories.map((c) => [c.code, c]));

function fieldOf(path: string): { path: string; label: { vi: string; en: string }; sensitive: boolean } {
  const [category, name] = path.split('.');
  const f = categories.get(category ?? '')?.fields.find((x) => x.name === name);
  return { path, label: f?.labels ?? { vi: path, en: path }, sensitive: f?.sensitive ?? false };
}

export interface AuthorityForm {
  form: { title: string; recipient: string; basis: string[] };
  breach: {
    id: string;
    state: Breach['state'];
    summary: string;
    detectedAt: string;
    recordedAt: string;
    closedAt: string | null;
    window: { from: string; to: string };
    dataCategories: { code: string; label: { vi: string; en: string } }[];
    fields: { path: string; label: { vi: string; en: string }; sensitive: boolean }[];
    sensitiveDataInvolved: boolean;
    consumers: { id: string; name: string; affectedSubjects: number }[];
    affectedSubjects: number;
    affectedReads: number;
  };
  contact: string;
  consequences: string;
  measures: string;
  notification: { dueAt: string; authorityNotifiedAt: string | null; clock: BreachClock['status']; lateReason: string };
  evidence: { version: number; recordHash: string; affectedHash: string; canonicalRecord: string; ledgerTransactionId: string | null } | null;
  generatedAt: string;
}

export function authorityForm(d: BreachDetail, now: Date): AuthorityForm {
  const b = d.breach;
  const latest = d.versions.at(-1);
  const fields = b.fields.map(fieldOf);
  return {
    form: {
      title: 'Thông báo vi phạm quy định về bảo vệ dữ liệu cá nhân',
      recipient: AUTHORITY,
      basis: ['Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15', 'Nghị định 356/2025/NĐ-CP'],
    },
    breach: {
      id: b.id,
      state: b.state,
      summary: b.summary,
      detectedAt: b.detectedAt.toISOString(),
      recordedAt: b.recordedAt.toISOString(),
      closedAt: b.closedAt?.toISOString() ?? null,
      window: { from: b.window.from.toISOString(), to: b.window.to.toISOString() },
      dataCategories: b.dataCategories.map((code) => ({ code, label: categories.get(code)?.labels ?? { vi: code, en: code } })),
      fields,
      sensitiveDataInvolved: fields.some((f) => f.sensitive),
      consumers: d.consumers,
      affectedSubjects: b.affectedSubjects,
      affectedReads: b.affectedReads,
    },
    contact: b.contact,
    consequences: b.consequences,
    measures: b.measures,
    notification: {
      dueAt: b.notifyDueAt.toISOString(),
      authorityNotifiedAt: b.authorityNotifiedAt?.toISOString() ?? null,
      clock: d.clock.status,
      lateReason: b.lateReason,
    },
    evidence: latest
      ? {
          version: latest.version,
          recordHash: latest.recordHash,
          affectedHash: latest.affectedHash,
          canonicalRecord: canonicalRecord(b, latest.affectedHash),
          ledgerTransactionId: latest.ledgerTransactionId,
        }
      : null,
    generatedAt: now.toISOString(),
  };
}

const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const vnTime = new Intl.DateTimeFormat('vi-VN', {
  timeZone: 'Asia/Ho_Chi_Minh',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});
const at = (iso: string | null): string => (iso ? `${vnTime.format(new Date(iso))} (GMT+7)` : 'chưa');
const text = (s: string): string => (s.trim() === '' ? '<em>(chưa ghi)</em>' : escape(s).replace(/\n/g, '<br>'));

const CLOCK_WORDS: Record<BreachClock['status'], string> = {
  ON_TIME: 'đang trong thời hạn',
  DUE_SOON: 'sắp hết thời hạn',
  OVERDUE: 'đã quá thời hạn, chưa thông báo',
  NOTIFIED: 'đã thông báo đúng hạn',
  NOTIFIED_LATE: 'đã thông báo sau thời hạn',
};

/** The same form as a document a person reads, in Vietnamese; every value is escaped. */
export function authorityFormHtml(f: AuthorityForm): string {
  const b = f.breach;
  const rows = (pairs: [string, string][]): string => pairs.map(([k, v]) => `<tr><th scope="row">${k}</th><td>${v}</td></tr>`).join('\n');
  return `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<title>${escape(f.form.title)} – ${escape(b.id)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;line-height:1.5;padding:0 1rem}th{text-align:left;vertical-align:top;padding-right:1rem;width:16rem}td,th{border-bottom:1px solid #ddd;padding:.4rem 0}table{border-collapse:collapse;width:100%}code{word-break:break-all}</style>
</head>
<body>
<h1>${escape(f.form.title.toLocaleUpperCase('vi'))}</h1>
<p>Kính gửi: ${escape(f.form.recipient)}</p>
<p>Căn cứ: ${f.form.basis.map(escape).join('; ')}.</p>
<h2>1. Mô tả tính chất của vi phạm</h2>
<table>
${rows([
  ['Mã vụ việc', `<code>${escape(b.id)}</code>`],
  ['Tóm tắt', text(b.summary)],
  ['Thời điểm phát hiện', at(b.detectedAt)],
  ['Thời điểm ghi nhận vào sổ', at(b.recordedAt)],
  ['Khoảng thời gian liên quan', `từ ${at(b.window.from)} đến trước ${at(b.window.to)}`],
  ['Nhóm dữ liệu cá nhân', b.dataCategories.map((c) => escape(c.label.vi)).join(', ')],
  ['Trường dữ liệu', b.fields.map((x) => escape(x.label.vi) + (x.sensitive ? ' (dữ liệu cá nhân nhạy cảm)' : '')).join(', ')],
  ['Có dữ liệu cá nhân nhạy cảm', b.sensitiveDataInvolved ? 'Có' : 'Không'],
  ['Tổ chức liên quan', b.consumers.map((c) => `${escape(c.name || c.id)}: ${c.affectedSubjects} chủ thể dữ liệu`).join('<br>')],
  ['Số chủ thể dữ liệu bị ảnh hưởng', String(b.affectedSubjects)],
  ['Số lượt truy cập dữ liệu liên quan', String(b.affectedReads)],
  ['Trạng thái', b.state === 'OPEN' ? 'Đang xử lý' : `Đã đóng lúc ${at(b.closedAt)}`],
])}
</table>
<h2>2. Người phụ trách bảo vệ dữ liệu cá nhân</h2>
<p>${text(f.contact)}</p>
<h2>3. Hậu quả, thiệt hại có thể xảy ra</h2>
<p>${text(f.consequences)}</p>
<h2>4. Biện pháp đã áp dụng để xử lý, giảm thiểu tác hại</h2>
<p>${text(f.measures)}</p>
<h2>5. Thời hạn thông báo (72 giờ kể từ khi phát hiện)</h2>
<table>
${rows([
  ['Hạn thông báo', at(f.notification.dueAt)],
  ['Đã thông báo cơ quan chức năng lúc', at(f.notification.authorityNotifiedAt)],
  ['Tình trạng', CLOCK_WORDS[f.notification.clock]],
  ...(f.notification.lateReason.trim() ? ([['Lý do thông báo chậm', text(f.notification.lateReason)]] as [string, string][]) : []),
])}
</table>
<h2>6. Bằng chứng trên sổ cái</h2>
${
  f.evidence
    ? `<table>
${rows([
  ['Phiên bản hồ sơ', String(f.evidence.version)],
  ['Mã băm SHA-256 của hồ sơ', `<code>${escape(f.evidence.recordHash)}</code>`],
  ['Giao dịch trên sổ cái', f.evidence.ledgerTransactionId ? `<code>${escape(f.evidence.ledgerTransactionId)}</code>` : 'đang chờ ghi'],
])}
</table>`
    : '<p>Chưa có.</p>'
}
<p><small>Lập lúc ${at(f.generatedAt)}. Văn bản này không chứa danh tính của chủ thể dữ liệu.</small></p>
</body>
</html>
`;
}
