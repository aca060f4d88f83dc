/**
 * What a client can do about an error; the SDK has one error class per kind (`consent_scope` is
 * `ConsentScopeError`), so codes that call for the same handling share one.
 */
export type ErrorKind =
  | 'invalid_request'
  | 'authentication'
  | 'permission'
  | 'not_found'
  | 'conflict'
  | 'consent_not_active'
  | 'consent_expired'
  | 'consent_scope'
  | 'rate_limit'
  | 'quota_exceeded'
  | 'privacy_budget_exhausted'
  | 'licence_not_usable'
  | 'service_unavailable';

/** One error code: its HTTP status, its kind, and the sentence a person reads, in English and in Vietnamese. */
export interface ErrorEntry {
  readonly status: number;
  readonly kind: ErrorKind;
  readonly en: string;
  readonly vi: string;
}

/**
 * Every error code the API answers: the one vocabulary the error handler, the OpenAPI document
 * (`x-error-codes`), the SDK's typed errors and the portal's messages share. The domain names a
 * code; only the HTTP error handler turns it into a status. The SDK's and the portal's tables are
 * generated from here: after a change, run `npm run generate:errors`.
 */
export const ERROR_CATALOG = {
  invalid_request: {
    status: 400,
    kind: 'invalid_request',
    en: "Some of what you entered isn't right. Please check it and try again.",
    vi: 'Một số thông tin bạn nhập chưa đúng. Vui lòng kiểm tra lại.',
  },
  invalid_json: {
    status: 400,
    kind: 'invalid_request',
    en: 'What was sent could not be read. Reload the page and try again.',
    vi: 'Không đọc được nội dung đã gửi. Hãy tải lại trang và thử lại.',
  },
  payload_too_large: {
    status: 413,
    kind: 'invalid_request',
    en: 'What you sent is too large.',
    vi: 'Nội dung gửi đi quá lớn.',
  },
  unauthorized: {
    status: 401,
    kind: 'authentication',
    en: 'Your session has ended or is not valid. Please sign in again.',
    vi: 'Phiên đăng nhập đã hết hạn hoặc không hợp lệ. Vui lòng đăng nhập lại.',
  },
  forbidden: {
    status: 403,
    kind: 'permission',
    en: 'You are not allowed to do this.',
    vi: 'Bạn không có quyền thực hiện việc này.',
  },
  not_found: {
    status: 404,
    kind: 'not_found',
    en: "We couldn't find this. It may have been removed, or you may not have access to it.",
    vi: 'Không tìm thấy mục này. Có thể nó đã bị xoá hoặc bạn không có quyền xem.',
  },
  conflict: {
    status: 409,
    kind: 'conflict',
    en: "This couldn't be done because things changed in the meantime. Reload the page and try again.",
    vi: 'Việc này không thực hiện được vì trạng thái đã thay đổi. Hãy tải lại trang và thử lại.',
  },
  illegal_transition: {
    status: 409,
    kind: 'conflict',
    en: "This can't be done in the current state (for example, the consent was already withdrawn). Reload the page.",
    vi: 'Không thể làm việc này ở trạng thái hiện tại (ví dụ: sự đồng ý đã bị rút lại). Hãy tải lại trang.',
  },
  not_available: {
    status: 503,
    kind: 'service_unavailable',
    en: "The service isn't ready right now. Please try again in a few minutes.",
    vi: 'Hệ thống tạm thời chưa sẵn sàng. Vui lòng thử lại sau ít phút.',
  },
  ledger_unavailable: {
    status: 503,
    kind: 'service_unavailable',
    en: "The ledger isn't answering right now. Nothing was changed; please try again in a few minutes.",
    vi: 'Sổ cái tạm thời không phản hồi. Chưa có gì thay đổi; vui lòng thử lại sau ít phút.',
  },
  ledger_error: {
    status: 502,
    kind: 'service_unavailable',
    en: 'The ledger could not complete this. Please try again in a few minutes; if it keeps happening, contact the operator.',
    vi: 'Sổ cái không hoàn tất được việc này. Vui lòng thử lại sau ít phút; nếu vẫn lỗi, hãy liên hệ đơn vị vận hành.',
  },
  consent_not_active: {
    status: 403,
    kind: 'consent_not_active',
    en: 'The consent is not in force (paused, withdrawn or not approved).',
    vi: 'Sự đồng ý không còn hiệu lực (đã bị tạm dừng, rút lại hoặc chưa được chấp thuận).',
  },
  consent_expired: {
    status: 403,
    kind: 'consent_expired',
    en: 'The consent has expired.',
    vi: 'Sự đồng ý đã hết hạn.',
  },
  consent_not_yet_valid: {
    status: 403,
    kind: 'consent_expired',
    en: 'The consent has not started yet.',
    vi: 'Sự đồng ý chưa có hiệu lực.',
  },
  purpose_mismatch: {
    status: 403,
    kind: 'consent_scope',
    en: 'The purpose does not match the consent.',
    vi: 'Mục đích không khớp với sự đồng ý.',
  },
  field_not_granted: {
    status: 403,
    kind: 'consent_scope',
    en: 'Some of the information was not agreed to by the citizen.',
    vi: 'Có thông tin chưa được công dân đồng ý chia sẻ.',
  },
  frequency_exceeded: {
    status: 429,
    kind: 'rate_limit',
    en: 'The number of uses allowed in this period is used up.',
    vi: 'Đã vượt số lần sử dụng được phép trong kỳ này.',
  },
  not_acceptable: {
    status: 406,
    kind: 'invalid_request',
    en: 'The server cannot answer in that format.',
    vi: 'Máy chủ không trả lời được theo định dạng này.',
  },
  idempotency_key_reused: {
    status: 422,
    kind: 'invalid_request',
    en: 'This request was already sent once with different content. Reload the page and try again.',
    vi: 'Yêu cầu này đã được gửi trước đó với nội dung khác. Hãy tải lại trang và thử lại.',
  },
  idempotency_key_in_use: {
    status: 409,
    kind: 'conflict',
    en: 'Your earlier request is still being processed. Wait a moment and try again; it will not be done twice.',
    vi: 'Yêu cầu trước của bạn vẫn đang được xử lý. Hãy chờ một lát rồi thử lại; việc này sẽ không bị thực hiện hai lần.',
  },
  database_unavailable: {
    status: 503,
    kind: 'service_unavailable',
    en: "The vault's database isn't answering right now. Nothing was changed; please try again in a minute.",
    vi: 'Cơ sở dữ liệu của kho tạm thời không phản hồi. Chưa có gì thay đổi; vui lòng thử lại sau một phút.',
  },
  quota_exceeded: {
    status: 429,
    kind: 'quota_exceeded',
    en: "The licence's quota for this period is used up.",
    vi: 'Đã dùng hết hạn mức của giấy phép trong kỳ này.',
  },
  privacy_budget_exhausted: {
    status: 403,
    kind: 'privacy_budget_exhausted',
    en: "The licence's privacy budget is used up.",
    vi: 'Đã dùng hết ngân sách riêng tư của giấy phép.',
  },
  product_not_serving: {
    status: 403,
    kind: 'licence_not_usable',
    en: 'This product is not offered on the exchange right now.',
    vi: 'Sản phẩm này hiện không được cung cấp trên sàn.',
  },
  prelisting_check_failed: {
    status: 422,
    kind: 'invalid_request',
    en: 'The product does not pass the pre-listing check yet; fix the blocking points.',
    vi: 'Sản phẩm chưa đạt kiểm tra trước niêm yết; hãy sửa các điểm bị chặn.',
  },
  licence_not_active: {
    status: 403,
    kind: 'licence_not_usable',
    en: 'The licence is not in force.',
    vi: 'Giấy phép không còn hiệu lực.',
  },
  licence_not_yet_valid: {
    status: 403,
    kind: 'licence_not_usable',
    en: 'The licence has not started yet.',
    vi: 'Giấy phép chưa có hiệu lực.',
  },
  licence_expired: {
    status: 403,
    kind: 'licence_not_usable',
    en: 'The licence has expired.',
    vi: 'Giấy phép đã hết hạn.',
  },
  purpose_not_permitted: {
    status: 403,
    kind: 'permission',
    en: "The product's terms do not permit this purpose.",
    vi: 'Mục đích này không được điều khoản của sản phẩm cho phép.',
  },
  buyer_not_verified: {
    status: 403,
    kind: 'permission',
    en: 'The buying organisation is not verified.',
    vi: 'Tổ chức mua chưa được xác minh.',
  },
  csrf_token_invalid: {
    status: 403,
    kind: 'permission',
    en: 'Your session could not confirm this request came from this site. Reload the page and try again.',
    vi: 'Phiên đăng nhập không xác nhận được yêu cầu này đến từ trang này. Hãy tải lại trang rồi thử lại.',
  },
  rate_limited: {
    status: 429,
    kind: 'rate_limit',
    en: 'Too many requests. Please wait a moment and try again.',
    vi: 'Có quá nhiều yêu cầu. Vui lòng đợi một chút rồi thử lại.',
  },
  internal: {
    status: 500,
    kind: 'service_unavailable',
    en: 'Something went wrong on our side. It has been logged; please try again later.',
    vi: 'Đã có lỗi ở phía hệ thống. Lỗi đã được ghi lại; vui lòng thử lại sau.',
  },
  // Data-subject requests (issue 15).
  extension_already_used: {
    status: 409,
    kind: 'conflict',
    en: 'This request has already been extended once; the law allows only one extension.',
    vi: 'Yêu cầu này đã được gia hạn một lần; pháp luật chỉ cho phép gia hạn một lần.',
  },
  deadline_passed: {
    status: 409,
    kind: 'conflict',
    en: 'The deadline for this request has already passed, so it can no longer be extended.',
    vi: 'Thời hạn xử lý yêu cầu này đã hết nên không thể gia hạn nữa.',
  },
  // Erasure, legal holds, restriction and objection (issue 15 items 4 and 5).
  subject_restricted: {
    status: 403,
    kind: 'consent_not_active',
    en: 'The citizen has restricted or objected to the processing of their data, so it cannot be read now.',
    vi: 'Công dân đã yêu cầu hạn chế hoặc phản đối việc xử lý dữ liệu của mình nên hiện không thể đọc dữ liệu này.',
  },
  legal_hold_active: {
    status: 409,
    kind: 'conflict',
    en: "A legal hold is in place on this citizen's data, so it cannot be erased until the hold is lifted.",
    vi: 'Dữ liệu của công dân này đang bị phong tỏa theo yêu cầu pháp lý nên chưa thể xóa cho đến khi lệnh phong tỏa được gỡ bỏ.',
  },
  subject_erased: {
    status: 409,
    kind: 'conflict',
    en: "This citizen's data is being erased or has been erased, so this can no longer be done.",
    vi: 'Dữ liệu của công dân này đang được xóa hoặc đã bị xóa nên không thể thực hiện việc này nữa.',
  },
  erasure_certificate_not_ready: {
    status: 409,
    kind: 'conflict',
    en: 'The erasure certificate is not ready yet: the request has not been carried out. Please check again later.',
    vi: 'Giấy chứng nhận xóa dữ liệu chưa sẵn sàng vì yêu cầu chưa được thực hiện xong. Vui lòng kiểm tra lại sau.',
  },
  // KEK rotation (issue 15 item 8).
  kek_version_in_use: {
    status: 409,
    kind: 'conflict',
    en: "This key version still protects some citizens' data (or protects all new data), so it can't be retired yet. Finish the key rotation first.",
    vi: 'Phiên bản khoá này vẫn đang bảo vệ dữ liệu của một số công dân (hoặc mọi dữ liệu mới) nên chưa thể ngừng sử dụng. Hãy hoàn tất việc xoay vòng khoá trước.',
  },
  // Exports (issue 15 item 2).
  export_not_ready: {
    status: 409,
    kind: 'conflict',
    en: 'Your export is not ready yet. It is prepared shortly after you ask for it; please try again in a moment.',
    vi: 'Bản xuất dữ liệu của bạn chưa sẵn sàng. Bản xuất được chuẩn bị ngay sau khi bạn yêu cầu; vui lòng thử lại sau ít phút.',
  },
  // Passkeys: decisions the citizen's device signs, and their evidence (issue 17 item 3, branch passkeys).
  passkey_required: {
    status: 409,
    kind: 'conflict',
    en: 'Add a passkey on this device first; then your device can sign your decisions.',
    vi: 'Hãy thêm khoá truy cập (passkey) trên thiết bị này trước; sau đó thiết bị mới ký được quyết định của bạn.',
  },
  passkey_challenge_invalid: {
    status: 409,
    kind: 'conflict',
    en: 'This signing request has expired or was already used. Please press the button again.',
    vi: 'Yêu cầu ký này đã hết hạn hoặc đã được dùng. Vui lòng bấm lại nút.',
  },
  passkey_assertion_invalid: {
    status: 403,
    kind: 'permission',
    en: "Your device's signature could not be verified for this decision, so nothing was changed.",
    vi: 'Không xác minh được chữ ký của thiết bị cho quyết định này, nên chưa có gì thay đổi.',
  },
  passkey_registration_invalid: {
    status: 400,
    kind: 'invalid_request',
    en: 'The passkey could not be added. Please try again.',
    vi: 'Không thêm được khoá truy cập. Vui lòng thử lại.',
  },
  evidence_not_ready: {
    status: 409,
    kind: 'conflict',
    en: 'The evidence is not complete yet: the log signs its next tree head in a few seconds. Please try again shortly.',
    vi: 'Bằng chứng chưa đầy đủ: nhật ký sẽ ký đầu cây tiếp theo sau vài giây. Vui lòng thử lại sau giây lát.',
  },
  erasure_compaction_scheduled: {
    status: 409,
    kind: 'conflict',
    en: "The citizen's data key is destroyed; the storage compaction that removes what is left on disk is scheduled, and the request is completed then.",
    vi: 'Khoá dữ liệu của công dân đã bị huỷ; việc dọn dẹp bộ nhớ lưu trữ để xoá phần còn lại trên đĩa đã được lên lịch, và yêu cầu sẽ hoàn tất khi đó.',
  },
  // Versioned notices and re-consent (issue 17 item 4).
  notice_outdated: {
    status: 409,
    kind: 'conflict',
    en: 'The notice this request showed has since changed materially. It cannot be approved; the request must be made again under the current notice.',
    vi: 'Thông báo mà yêu cầu này hiển thị đã thay đổi đáng kể. Không thể chấp thuận yêu cầu này; tổ chức cần gửi lại yêu cầu theo thông báo hiện hành.',
  },
  reconsent_required: {
    status: 403,
    kind: 'consent_not_active',
    en: 'A material change to the notice paused this consent until the citizen consents again.',
    vi: 'Thông báo đã thay đổi đáng kể nên sự đồng ý này tạm dừng cho đến khi công dân đồng ý lại.',
  },
  notice_unchanged: {
    status: 409,
    kind: 'conflict',
    en: 'This text is the same as the current version: a new version must change it.',
    vi: 'Nội dung này giống phiên bản hiện hành: phiên bản mới phải có thay đổi.',
  },
} as const satisfies Record<string, ErrorEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOG;
