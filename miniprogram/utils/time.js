// A server timestamp (RFC 3339, UTC) as read in Beijing, whatever the phone's own time zone: 2026-12-01 14:05.
const BEIJING_OFFSET_MS = 8 * 3600 * 1000

function beijingTime(timestamp) {
  const moment = new Date(Date.parse(timestamp) + BEIJING_OFFSET_MS)
  const two = (n) => String(n).padStart(2, '0')
  const day = `${moment.getUTCFullYear()}-${two(moment.getUTCMonth() + 1)}-${two(moment.getUTCDate())}`
  return `${day} ${two(moment.getUTCHours())}:${two(moment.getUTCMinutes())}`
}

module.exports = { beijingTime }
