import { FIELD_VOCABULARY, PURPOSE_VOCABULARY } from '@citizen-vault/chaincode/rules';
import type { ExportBundle } from './export-bundle.js';

/**
 * The export as a document a person reads, in Vietnamese: one self-contained HTML page (inline
 * style, no script, nothing fetched), every value from the bundle escaped. The proofs stay in the
 * JSON form, which this page names; here each access event shows its log leaf.
 */
export function exportHtml(b: ExportBundle): string {
  const head = b.log.treeHead;
  return `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Dữ liệu cá nhân của tôi — Citizen Vault</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1a1a1a;line-height:1.45}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #ccc;padding-bottom:.25rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem;font-size:.9rem}th,td{border:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}code{font-size:.8rem;word-break:break-all}.muted{color:#555}dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{font-weight:600}
</style>
</head>
<body>
<h1>Dữ liệu cá nhân của tôi</h1>
<p>Bản xuất toàn bộ dữ liệu mà Citizen Vault đang lưu giữ về bạn, theo yêu cầu số <code>${e(b.requestId)}</code> (quyền truy cập và nhận dữ liệu theo Luật Bảo vệ dữ liệu cá nhân 2025 và Nghị định 356/2025/NĐ-CP).</p>
<dl>
<dt>Mã chủ thể (bí danh)</dt><dd><code>${e(b.subjectId)}</code></dd>
<dt>Thời điểm tạo</dt><dd>${time(b.generatedAt)}</dd>
<dt>Lịch sử truy cập tính đến</dt><dd>${time(b.asOf)}</dd>
<dt>Số bản ghi</dt><dd>${b.totals.records}</dd>
<dt>Số sự đồng ý</dt><dd>${b.totals.consents}</dd>
<dt>Số lượt truy cập</dt><dd>${b.totals.accessEvents}</dd>
<dt>Số giấy phép đã dùng dữ liệu của bạn</dt><dd>${b.totals.licences}</dd>
<dt>Tổng thu nhập</dt><dd>${dong(b.totals.earnedDong)}</dd>
</dl>
<p class="muted">Bản JSON của cùng yêu cầu (định dạng <code>${e(b.format)}</code>) chứa thêm muối (salt) của từng cam kết, các văn bản đồng ý có chữ ký và bằng chứng Merkle cho từng lượt truy cập để bạn tự kiểm chứng.</p>

<h2>1. Bản ghi</h2>
${b.records.length === 0 ? '<p>Không có bản ghi nào.</p>' : b.records.map(record).join('\n')}

<h2>2. Sự đồng ý</h2>
${
  b.consents.length === 0
    ? '<p>Không có sự đồng ý nào.</p>'
    : table(
        ['Bên sử dụng', 'Mục đích', 'Trạng thái', 'Trường được phép', 'Hiệu lực', 'Lưu giữ', 'Mã băm văn bản'],
        b.consents.map((c) => [
          e(c.consumer.name),
          e(purpose(c.purpose)),
          e(CONSENT_STATUS[c.status] ?? c.status),
          e(c.grantedFields.map(field).join(', ') || '—'),
          `${time(c.validFrom)} – ${time(c.validUntil)}`,
          `${c.retentionDays} ngày`,
          `<code>${e(c.artefactHash)}</code>`,
        ]),
      )
}

<h2>3. Lịch sử truy cập</h2>
${
  head
    ? `<p>Mỗi lượt truy cập là một lá của nhật ký kiểm chứng được; cây có ${head.treeSize} lá, gốc <code>${e(head.rootHash)}</code>, ký lúc ${time(head.timestamp)} bằng khóa <code>${e(head.keyId)}</code>${
        head.anchor ? `, neo trên sổ cái tại giao dịch <code>${e(head.anchor.transactionId)}</code> (khối ${head.anchor.blockNumber})` : ''
      }.</p>`
    : ''
}
${
  b.accessEvents.length === 0
    ? '<p>Chưa có lượt truy cập nào.</p>'
    : table(
        ['Thời điểm', 'Bên truy cập', 'Mục đích', 'Trường', 'Kết quả', 'Lá nhật ký'],
        b.accessEvents.map((a) => [
          time(a.at),
          e(a.consumer.name),
          e(purpose(a.purpose)),
          e(a.fields.map(field).join(', ')),
          e(a.outcome === 'GRANTED' ? 'Được phép' : `Bị từ chối${a.reason ? ` (${a.reason})` : ''}`),
          `#${a.leafIndex}`,
        ]),
      )
}

<h2>4. Giấy phép đã dùng dữ liệu của bạn và thu nhập</h2>
${
  b.licences.length === 0
    ? '<p>Chưa có giấy phép nào dùng dữ liệu của bạn.</p>'
    : table(
        ['Sản phẩm', 'Bên mua', 'Mục đích', 'Số lần dùng', 'Từ – đến', 'Thu nhập'],
        b.licences.map((l) => [
          e(l.product.title.vi),
          e(l.buyer.name),
          e(purpose(l.purpose)),
          String(l.uses),
          `${time(l.firstUseAt)} – ${time(l.lastUseAt)}`,
          l.earnings.length === 0 ? '—' : l.earnings.map((m) => `${e(m.period)}: ${dong(m.amountDong)}`).join('<br>'),
        ]),
      )
}
</body>
</html>
`;
}

function record(r: ExportBundle['records'][number]): string {
  return `<h3>${e(category(r.category))} <span class="muted">(phiên bản ${r.version})</span></h3>
<dl>
<dt>Đơn vị lưu giữ</dt><dd>${e(r.custodian.name)}</dd>
<dt>Ngày nộp</dt><dd>${time(r.depositedAt)}</dd>
<dt>Cam kết</dt><dd><code>${e(r.commitment)}</code></dd>
</dl>
${table(
  ['Trường', 'Giá trị'],
  Object.entries(r.fields).map(([name, value]) => [e(field(`${r.category}.${name}`)), e(typeof value === 'string' ? value : JSON.stringify(value))]),
)}`;
}

function table(headers: string[], rows: string[][]): string {
  return `<table><thead><tr>${headers.map((h) => `<th>${e(h)}</th>`).join('')}</tr></thead><tbody>
${rows.map((r) => `<tr>${r.map((cell) => `<td>${cell}</td>`).join('')}</tr>`).join('\n')}
</tbody></table>`;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML content and quoted attributes. */
export function e(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

const DATE_TIME = new Intl.DateTimeFormat('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', dateStyle: 'short', timeStyle: 'short' });
const time = (iso: string): string => e(DATE_TIME.format(new Date(iso)));
const dong = (amount: string): string => `${e(BigInt(amount).toLocaleString('vi-VN'))} đồng`;

const CONSENT_STATUS: Record<string, string> = {
  REQUESTED: 'Đang chờ trả lời',
  ACTIVE: 'Đang hiệu lực',
  REJECTED: 'Đã từ chối',
  PAUSED: 'Tạm dừng',
  REVOKED: 'Đã thu hồi',
  EXPIRED: 'Hết hạn',
};
const PURPOSES = new Map(PURPOSE_VOCABULARY.purposes.map((p) => [p.code, p.labels.vi]));
const CATEGORIES = new Map(FIELD_VOCABULARY.categories.map((c) => [c.code, c.labels.vi]));
const FIELDS = new Map<string, string>(FIELD_VOCABULARY.categories.flatMap((c) => c.fields.map((f) => [`${c.code}.${f.name}`, f.labels.vi] as const)));
const purpose = (code: string): string => PURPOSES.get(code) ?? code;
const category = (code: string): string => CATEGORIES.get(code) ?? code;
const field = (path: string): string => FIELDS.get(path) ?? path;
