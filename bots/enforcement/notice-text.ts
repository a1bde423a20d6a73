// The plain text of an enforcement notice: the tenant, the figure, the limit
// and what happens next.
import type { Notification } from '../../edges/notify/types.js';
import { formatNumber } from '../core/format.js';
import type { Notice } from './decide.js';

const SUBJECT: Record<Notice['kind'], string> = {
  warning: 'usage warning',
  throttle: 'throttled',
  suspend: 'suspended',
  lifted: 'restrictions lifted',
};

export function noticeNotification(notice: Notice): Notification {
  const subject = `rp9: ${notice.tenant} ${SUBJECT[notice.kind]}${notice.limit ? ` (${notice.limit})` : ''}`;
  const lines = [`Tenant: ${notice.tenant}`];
  if (notice.limit && notice.used !== undefined && notice.allowed !== undefined) {
    const percent = notice.percent !== undefined && Number.isFinite(notice.percent) ? ` (${Math.round(notice.percent)} %)` : '';
    lines.push(`Limit: ${notice.limit}`, `Used: ${formatNumber(notice.used)} of ${formatNumber(notice.allowed)}${percent}`);
  }
  lines.push(`Next: ${notice.next}`);
  return { key: notice.key, tenant: notice.tenant, email: notice.email, subject, text: `${lines.join('\n')}\n` };
}
