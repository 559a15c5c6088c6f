// What a page shows for an API error: the server's Chinese message, and whether the worker can do
// anything here (try again, type instead) or must stop (closed meeting, revoked code).

const STOPS = {
  meeting_closed: '本场职工沟通会已结束或尚未开始，入会可到所在镇（街道）工会办理。',
  entry_code_not_found: '该二维码已失效，请扫描现场最新张贴的二维码。',
}

// Shown while a submission is being sent again (api/client.js keeps trying for a minute); the form stays as typed.
const RETRYING = '网络繁忙，正在为您重试…'

function waitText(error) {
  return error.retryAfter ? `，请 ${error.retryAfter} 秒后再试` : ''
}

function errorText(error) {
  if (STOPS[error.code]) return STOPS[error.code]
  if (error.code === 'rate_limited' || error.code === 'wechat_rate_limited') {
    return `操作太频繁${waitText(error) || '，请稍后再试'}`
  }
  return error.message || '请求没有成功，请稍后再试'
}

function isStop(error) {
  return Boolean(STOPS[error.code])
}

module.exports = { errorText, isStop, RETRYING }
