// The /mp/v1 API (docs/mp_api.md) as promises. Needs a platform (platform/wx.js, or a Node bridge in tests)
// and the base URL; knows our token, the one re-login after a 401, and the retries of a submission.

const TOKEN_KEY = 'union-intake:token'
const OFFLINE = { code: 'offline', message: '网络不可用，请检查网络后重试' }
const SERVER_DOWN = { code: 'unavailable', message: '服务器暂时无法访问，请稍后再试' }
// Waits before the 2nd and 3rd try of a submission: a weak signal at a booth often returns within seconds.
const RETRY_DELAYS_MS = [1000, 3000]

class ApiError extends Error {
  constructor({ code, message, status = 0, fields = {}, retryAfter = null }) {
    super(message)
    Object.assign(this, { code, status, fields, retryAfter })
  }

  get transient() {
    return this.code === 'offline' || this.status >= 500
  }
}

function errorFrom(answer) {
  const body = (answer.data && answer.data.error) || (answer.statusCode >= 500 ? SERVER_DOWN : {})
  const header = answer.header || {}
  const retryAfter = Number(header['Retry-After'] || header['retry-after']) || null
  return new ApiError({
    code: body.code || 'unexpected',
    message: body.message || '请求没有成功，请稍后再试',
    status: answer.statusCode,
    fields: body.fields || {},
    retryAfter,
  })
}

function newIdempotencyKey() {
  const random = () => Math.random().toString(36).slice(2, 10)
  return `mp-${Date.now().toString(36)}-${random()}${random()}`
}

function createApi(platform, baseUrl, options = {}) {
  const retryDelays = options.retryDelays || RETRY_DELAYS_MS
  const storage = platform.storage

  async function send(method, path, body, token, header = {}) {
    const headers = Object.assign({ 'Content-Type': 'application/json' }, header)
    if (token) headers.Authorization = `Bearer ${token}`
    let answer
    try {
      answer = await platform.request({ url: baseUrl + path, method, data: body, header: headers })
    } catch (failure) {
      throw new ApiError(OFFLINE)
    }
    if (answer.statusCode >= 200 && answer.statusCode < 300) return answer.data
    throw errorFrom(answer)
  }

  async function login() {
    const code = await platform.login().catch(() => { throw new ApiError(OFFLINE) })
    const session = await send('POST', '/auth/login', { code })
    storage.set(TOKEN_KEY, session.token)
    return session
  }

  // Runs operation(token); on a 401 (expired, or the server's key changed) logs in again once and repeats.
  async function signedIn(operation) {
    const token = storage.get(TOKEN_KEY) || (await login()).token
    try {
      return await operation(token)
    } catch (error) {
      if (error.status !== 401) throw error
      storage.remove(TOKEN_KEY)
      return operation((await login()).token)
    }
  }

  const call = (method, path, body, header) => signedIn((token) => send(method, path, body, token, header))

  async function withRetries(operation) {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await operation()
      } catch (error) {
        if (!error.transient || attempt >= retryDelays.length) throw error
        await new Promise((resolve) => setTimeout(resolve, retryDelays[attempt]))
      }
    }
  }

  async function upload(path, filePath, name) {
    return signedIn(async (token) => {
      let answer
      try {
        answer = await platform.uploadFile({ url: baseUrl + path, filePath, name, header: { Authorization: `Bearer ${token}` } })
      } catch (failure) {
        throw new ApiError(OFFLINE)
      }
      if (answer.statusCode === 200) return answer.data
      throw errorFrom(answer)
    })
  }

  return {
    login,
    entry: (code) => call('GET', `/entries/${encodeURIComponent(code)}`),
    verifyPhone: (code) => call('POST', '/auth/phone', { code }),
    readIdCard: (filePath) => upload('/id-card/ocr', filePath, 'image'),
    // The same key on every try (and after the app is killed): the server answers the first result again.
    join: (form, idempotencyKey) =>
      withRetries(() => call('POST', '/membership-applications', form, { 'Idempotency-Key': idempotencyKey })),
    resubmit: (applicationId, form) =>
      withRetries(() => call('PATCH', `/membership-applications/${applicationId}`, form)),
    applyForCard: (form) => withRetries(() => call('POST', '/mutual-aid-card-applications', form)),
    me: () => call('GET', '/me'),
    // The proof is this WeChat's verified phone, or the booth's code when one is given; never a typed mobile.
    recover: (idNumber, recoveryCode) =>
      call('POST', '/membership-applications/recover', { id_number: idNumber, recovery_code: recoveryCode || null }),
    privacyNotice: () => call('GET', '/privacy-notice'),
    cardInfo: () => call('GET', '/card-info'),
  }
}

module.exports = { createApi, ApiError, newIdempotencyKey, TOKEN_KEY }
