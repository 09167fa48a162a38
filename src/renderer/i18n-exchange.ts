// The exchange screens' texts (issue 13), Vietnamese first, English second: kept beside i18n.ts so
// the two grow without stepping on each other. useXT() answers these keys and the common ones.
import { useT, type TextKey } from './i18n.js';

const X_TEXTS = {
  navExchange: ['Liên thông', 'Exchange'],
  navAddressBook: ['Sổ địa chỉ', 'Address book'],
  exchangeSub: [
    'Mã định danh của cơ quan, hộp nhận văn bản và cách gửi (thư mục dùng chung, thư điện tử công vụ, trục liên thông); đồng bộ để gửi, nhận và cập nhật trạng thái.',
    'The agency code, the inbox and the transport (shared folder, public-service mail, national axis); sync to send, receive and update statuses.',
  ],
  selfTitle: ['Cơ quan của bàn làm việc này', "This desk's agency"],
  organId: ['Mã định danh (OrganId)', 'Agency code (OrganId)'],
  organName: ['Tên cơ quan', 'Agency name'],
  selfSaved: ['Đã lưu mã định danh {id}.', 'Agency code {id} saved.'],
  selfMissing: ['Chưa có mã định danh: nhập mã và tên cơ quan trước khi cấu hình hộp nhận.', 'No agency code yet: enter the code and name before the inbox.'],
  inboxTitle: ['Hộp nhận và cách kết nối', 'Inbox and connection'],
  transportKind: ['Cách kết nối', 'Transport'],
  tr_folder: ['Thư mục dùng chung', 'Shared folder'],
  tr_mail: ['Thư điện tử công vụ', 'Public-service mail'],
  tr_axis: ['Trục liên thông / LGSP', 'National axis / LGSP'],
  folderPath: ['Đường dẫn thư mục nhận (đầy đủ)', 'Inbox folder (full path)'],
  folderHint: ['Thư mục dùng chung của cơ quan mà các đơn vị khác thả văn bản vào, ví dụ /mnt/vanban/so-y-te.', "The agency's shared folder others drop packages into, e.g. /mnt/vanban/so-y-te."],
  imapUrl: ['Máy chủ nhận (IMAP)', 'Incoming server (IMAP)'],
  smtpUrl: ['Máy chủ gửi (SMTP)', 'Outgoing server (SMTP)'],
  mailUser: ['Tài khoản (địa chỉ thư)', 'Account (mail address)'],
  password: ['Mật khẩu', 'Password'],
  passwordEnv: ['Biến môi trường giữ mật khẩu', 'Environment variable holding it'],
  passwordKnown: ['đã có mật khẩu (biến {name})', 'password known (variable {name})'],
  passwordUnknown: ['chưa có mật khẩu (biến {name})', 'no password yet (variable {name})'],
  secretNote: [
    'Mật khẩu và khóa bí mật chỉ giữ trong bộ nhớ của ứng dụng đang chạy hoặc trong biến môi trường do cán bộ CNTT đặt, không ghi ra tệp; mở lại Kyso thì nhập lại.',
    'Passwords and secrets stay in the running app’s memory or in a variable set by IT, never in a file; type them again after restarting Kyso.',
  ],
  caFile: ['Tệp CA của máy chủ thư (PEM, nếu cơ quan tự cấp)', "The mail servers' CA file (PEM, if the agency issues its own)"],
  axisUrl: ['Địa chỉ trục / LGSP', 'Axis / LGSP address'],
  systemId: ['Mã hệ thống (systemId)', 'System id'],
  secret: ['Khóa bí mật', 'Secret key'],
  secretEnv: ['Biến môi trường giữ khóa', 'Environment variable holding it'],
  testConnection: ['Kiểm tra kết nối', 'Test connection'],
  testing: ['Đang kiểm tra kết nối…', 'Testing the connection…'],
  testOk: ['Kết nối được', 'Connected'],
  check_folder: ['Thư mục (ghi thử, đọc lại, xóa được)', 'Folder (written, read back, removed)'],
  check_SMTP: ['Máy chủ gửi SMTP (đăng nhập được)', 'SMTP server (logged in)'],
  check_IMAP: ['Máy chủ nhận IMAP (đăng nhập được)', 'IMAP server (logged in)'],
  check_axis: ['Trục liên thông (chữ ký HMAC được chấp nhận)', 'Axis (HMAC signature accepted)'],
  checkWaiting: ['{n} gói đang chờ nhận', '{n} packages waiting'],
  checkAgencies: ['{n} cơ quan trên trục', '{n} agencies on the axis'],
  testHintUnreachable: ['Kiểm tra địa chỉ, cổng máy chủ và mạng (tường lửa, VPN) với cán bộ CNTT; chưa lưu gì.', 'Check the address, the port and the network (firewall, VPN) with IT; nothing was saved.'],
  passwordTyped: ['mật khẩu vừa nhập: dùng để kiểm tra; khi bấm Lưu sẽ giữ trong bộ nhớ dưới tên biến {name}', 'password typed: used for the test; kept in memory as {name} once saved'],
  inboxSaved: ['Đã lưu hộp nhận ({kind}).', 'Inbox saved ({kind}).'],
  inboxNow: ['Đang nhận qua {kind} · {address}', 'Receiving through {kind} · {address}'],
  inboxNone: ['Chưa cấu hình hộp nhận.', 'No inbox configured yet.'],
  queueLine: ['Hàng đợi gửi: {queued} gói chờ gửi, {failed} gói bị từ chối.', 'Send queue: {queued} waiting, {failed} refused.'],
  sync: ['Đồng bộ', 'Sync'],
  syncing: ['Đang đồng bộ…', 'Syncing…'],
  syncDone: [
    'Đồng bộ lúc {time}: đã gửi {sent}, nhận {received} văn bản, cập nhật {statuses} trạng thái, trùng {duplicates}, gửi nhầm {misaddressed}, lỗi {failed}.',
    'Synced at {time}: sent {sent}, received {received} documents, {statuses} statuses applied, {duplicates} duplicates, {misaddressed} misaddressed, {failed} failed.',
  ],
  syncFailedLine: ['{organId}: chưa gửi được ({code})', '{organId}: not sent ({code})'],
  willRetry: ['sẽ thử lại', 'will retry'],
  unreadableLine: ['Không đọc được {file}: {code}', 'Cannot read {file}: {code}'],

  addressSub: [
    'Các cơ quan gửi, nhận văn bản với bàn này, theo tên hoặc mã định danh; tìm không cần gõ dấu.',
    'The agencies this desk exchanges with, by name or code; search without typing diacritics.',
  ],
  addressSearch: ['Tìm theo tên hoặc mã (vd: so noi vu, H41)', 'Search by name or code (e.g. so noi vu, H41)'],
  addressEmpty: ['Sổ địa chỉ chưa có cơ quan nào.', 'The address book is empty.'],
  addressNoMatch: ['Không có cơ quan nào khớp “{q}”.', 'No agency matches “{q}”.'],
  addressCount: ['{shown} / {total} cơ quan', '{shown} / {total} agencies'],
  peerAddress: ['Địa chỉ nhận', 'Delivery address'],
  peerAddressFolder: ['Thư mục nhận của cơ quan đó (đầy đủ)', "That agency's inbox folder (full path)"],
  peerAddressMail: ['Địa chỉ thư của cơ quan đó', "That agency's mail address"],
  peerAddressAxis: ['Qua trục: địa chỉ là mã định danh', 'Through the axis: the code is the address'],
  addPeer: ['Thêm cơ quan', 'Add an agency'],
  editPeer: ['Sửa', 'Edit'],
  editingPeer: ['Sửa cơ quan {id}', 'Edit agency {id}'],
  peerSaved: ['Đã lưu {name} vào sổ địa chỉ.', '{name} saved in the address book.'],
  peerRemoved: ['Đã xóa {id} khỏi sổ địa chỉ.', '{id} removed from the address book.'],
  confirmRemove: ['Xóa {name} ({id}) khỏi sổ địa chỉ?', 'Remove {name} ({id}) from the address book?'],
  importAgencies: ['Nhập danh sách cơ quan từ trục', 'Import the agency list from the axis'],
  importAgenciesHint: ['Cần cấu hình hộp nhận qua trục liên thông trước.', 'Configure the inbox through the axis first.'],
  importedAgencies: ['Đã nhập {added} cơ quan mới, cập nhật {updated} tên.', 'Imported {added} new agencies, {updated} names updated.'],

  sendExchange: ['Gửi liên thông', 'Send'],
  sendTitle: ['Gửi liên thông: {title}', 'Send: {title}'],
  sendPick: ['Nơi nhận (trong sổ địa chỉ)', 'Recipients (from the address book)'],
  sendNoPeers: ['Sổ địa chỉ chưa có cơ quan nào: thêm ở màn hình Sổ địa chỉ.', 'The address book is empty: add agencies in Address book.'],
  sendNotConfigured: ['Chưa cấu hình liên thông: nhập mã định danh và hộp nhận ở màn hình Liên thông.', 'Exchange is not configured: set the agency code and inbox in Exchange.'],
  signEnvelope: ['Ký gói tin bằng token của cơ quan', "Sign the package with the organisation's token"],
  pin: ['Mã PIN', 'PIN'],
  sendKind: ['Loại gửi', 'Kind'],
  sendNew: ['Văn bản mới', 'New document'],
  sendReplaces: ['Thay thế văn bản đã gửi', 'Replaces a document sent'],
  sendUpdates: ['Cập nhật văn bản đã gửi', 'Updates a document sent'],
  sendEarlier: ['Văn bản đã gửi trước', 'The earlier document'],
  sendReason: ['Lý do', 'Reason'],
  sendQueued: ['Đã xếp hàng gửi tới {n} cơ quan; bấm Đồng bộ để gửi ngay.', 'Queued to {n} agencies; press Sync to send now.'],
  recipientsTitle: ['Nơi nhận và trạng thái', 'Recipients and statuses'],
  rs_pending: ['chờ gửi', 'waiting'],
  rs_sent: ['đã gửi', 'sent'],
  rs_received: ['đã đến', 'arrived'],
  rs_accepted: ['đã tiếp nhận', 'accepted'],
  rs_rejected: ['bị từ chối', 'rejected'],
  rs_recalled: ['đã thu hồi', 'recalled'],
  'rs_withdraw-requested': ['đã yêu cầu rút lại (13)', 'withdrawal asked (13)'],
  rs_withdrawn: ['đã rút lại', 'withdrawn'],
  withdraw: ['Rút lại', 'Withdraw'],
  withdrawTitle: ['Rút lại văn bản từ {name}', 'Withdraw the document from {name}'],
  withdrawRule: [
    'Chỉ rút lại được khi nơi nhận chưa vào sổ, chưa xử lý (trạng thái 13). Văn bản vẫn còn hiệu lực (khác với thu hồi); nơi nhận trả lời 15 (đồng ý) hoặc 16 (đã xử lý, không trả lại). Gói chưa gửi đi thì không gửi nữa.',
    'Only while the recipient has not registered or processed it (status 13). The document stays valid (unlike a recall); the recipient answers 15 (given back) or 16 (already processed). A package not yet sent is simply not sent.',
  ],
  withdrawReason: ['Lý do rút lại', 'Reason for withdrawing'],
  withdrawPlaceholder: ['Ví dụ: gửi nhầm nơi nhận', 'e.g. sent to the wrong agency'],
  withdrawAsked: ['Đã yêu cầu {name} trả lại văn bản “{title}” (13); bấm Đồng bộ để gửi.', 'Asked {name} to give back “{title}” (13); press Sync to send.'],
  withdrawCancelled: ['Gói gửi {name} chưa đi: đã hủy, không gửi nữa.', 'The package to {name} had not left: cancelled, not sent.'],
  withdrawPin: ['Ký phong bì yêu cầu rút lại (13) gửi {name}: {title}', 'Sign the withdrawal envelope (13) to {name}: {title}'],
  recallPin: ['Ký phong bì thu hồi gửi {n} cơ quan: {title}', 'Sign the recall envelope to {n} agencies: {title}'],
  changePin: ['Ký phong bì {kind} gửi {n} cơ quan: {title}', 'Sign the {kind} envelope to {n} agencies: {title}'],
  envelopeSigned: ['Phong bì được ký bằng token của cơ quan (mã PIN hỏi ở bước sau).', "The envelope is signed with the organisation's token (the PIN is asked next)."],
  inboxRemove: ['Bỏ', 'Remove'],
  inboxRemoveConfirm: [
    'Bỏ hộp nhận {kind} · {address}? Kyso sẽ không đọc hộp này nữa; văn bản đã nhận và sổ địa chỉ giữ nguyên.',
    'Remove the {kind} inbox · {address}? Kyso will no longer read it; documents received and the address book stay.',
  ],
  inboxRemoved: ['Đã bỏ hộp nhận {kind}.', 'The {kind} inbox was removed.'],
  historyTitle: ['Diễn biến', 'History'],

  progressTitle: ['Xử lý', 'Processing'],
  step_assigned: ['Phân công (04)', 'Assign (04)'],
  step_processing: ['Đang xử lý (05)', 'In process (05)'],
  step_done: ['Hoàn thành (06)', 'Done (06)'],
  progressNow: ['Tình trạng xử lý: {p}', 'Processing: {p}'],
  pg_new: ['chưa phân công', 'not assigned'],
  pg_assigned: ['đã phân công', 'assigned'],
  pg_processing: ['đang xử lý', 'in process'],
  pg_done: ['hoàn thành', 'done'],
  progressNote: ['Ghi chú (không bắt buộc)', 'Note (optional)'],
  progressSent: ['Đã ghi nhận và báo về nơi gửi (đồng bộ để gửi).', 'Recorded and answered to the sender (sync to send).'],
} as const satisfies Record<string, readonly [string, string]>;

export type XKey = keyof typeof X_TEXTS;

/** Every key with its two texts, for the test that no text is missing or left untranslated. */
export const ALL_X_TEXTS: Readonly<Record<XKey, readonly [string, string]>> = X_TEXTS;

const fill = (s: string, vars: Record<string, string | number>): string => s.replace(/\{(\w+)\}/g, (w, k: string) => (vars[k] !== undefined ? String(vars[k]) : w));

export function useXT(): ReturnType<typeof useT> & { x: (key: XKey, vars?: Record<string, string | number>) => string } {
  const base = useT();
  return { ...base, x: (key, vars = {}) => fill(X_TEXTS[key][base.lang === 'vi' ? 0 : 1], vars) };
}

/** Vietnamese folded for search: no tone marks, đ as d, lower case ("Sở Nội vụ" → "so noi vu"). */
export function foldVi(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();
}

export type { TextKey };
