// The /mp/v1 API (docs/mp_api.md) as promises. Needs a platform (platform/wx.js, or a Node bridge in tests)
// and the base URL; knows our token, the one re-login after a 401, and the retries of a submission.

const TOKEN_KEY = 'union-intake:token'
// {phone (masked), until}: whether WeChat verified this worker's phone, as long as the token the server said so
// with lives; after an app kill the form needs no second (paid) verification, and each login says it afresh.
const PHONE_KEY = 'union-intake:verified-phone'
const OFFLINE = { code: 'offline', message: '网络不可用，请检查网络后重试' }
const SERVER_DOWN = { code: 'unavailable', message: '服务器暂时无法访问，请稍后再试' }
// Waits between the tries of a submission that met no answer, a 5xx or a 429: 60 s in all, as long as a database
// failover or restart takes (the server answers 503 meanwhile and is idempotent by key; docs/decisions.md).
const RETRY_DELAYS_MS = [1000, 2000, 4000, 8000, 15000, 15000, 15000]

class ApiError extends Error {
  constructor({ code, message, status = 0, fields = {}, retryAfter = null }) {
    super(message)
    Object.assign(this, { code, status, fields, retryAfter })
  }

  // Worth sending again unchanged: no answer came, the server was briefly down, or it asked us to wait.
  get transient() {
    return this.code === 'offline' || this.status >= 500 || this.status === 429
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

function keyHeader(idempotencyKey) {
  return idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {}
}

function newIdempotencyKey() {
  const random = () => Math.random().toString(36).slice(2, 10)
  return `mp-${Date.now().toString(36)}-${random()}${random()}`
}

function createApi(platform, baseUrl, options = {}) {
  const retryDelays = options.retryDelays || RETRY_DELAYS_MS
  // A Retry-After longer than the whole schedule (an hourly limit) is not waited out: the worker is told at once.
  const longestWait = retryDelays.reduce((total, delay) => total + delay, 0)
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
    storage.set(PHONE_KEY, { phone: session.worker.phone, until: Date.now() + session.expires_in * 1000 })
    return session
  }

  async function verifyPhone(code) {
    const worker = await call('POST', '/auth/phone', { code })
    const saved = storage.get(PHONE_KEY)
    storage.set(PHONE_KEY, { phone: worker.phone, until: saved ? saved.until : Date.now() })
    return worker
  }

  function verifiedPhone() {
    const saved = storage.get(PHONE_KEY)
    return saved && saved.until > Date.now() ? saved.phone : null
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

  // How long to wait before sending again after this failure, or null to give up: the schedule's next wait,
  // longer when the server's Retry-After asks for it.
  function waitBeforeRetry(error, attempt) {
    if (!error.transient || attempt >= retryDelays.length) return null
    const asked = (error.retryAfter || 0) * 1000
    return asked > longestWait ? null : Math.max(retryDelays[attempt], asked)
  }

  // onRetry(error) is told before each wait, so the page can say it is still trying.
  async function withRetries(operation, onRetry = () => {}) {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await operation()
      } catch (error) {
        const wait = waitBeforeRetry(error, attempt)
        if (wait === null) throw error
        onRetry(error)
        await new Promise((resolve) => setTimeout(resolve, wait))
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
    verifyPhone,
    verifiedPhone,
    readIdCard: (filePath) => upload('/id-card/ocr', filePath, 'image'),
    // The same key on every try (and after the app is killed): the server answers the first result again.
    join: (form, idempotencyKey, onRetry) =>
      withRetries(() => call('POST', '/membership-applications', form, keyHeader(idempotencyKey)), onRetry),
    // A correction's key, one per correction, makes a retry whose first answer was lost answer 200, not 409.
    resubmit: (applicationId, form, idempotencyKey, onRetry) => withRetries(
      () => call('PATCH', `/membership-applications/${applicationId}`, form, keyHeader(idempotencyKey)), onRetry),
    applyForCard: (form, onRetry) => withRetries(() => call('POST', '/mutual-aid-card-applications', form), onRetry),
    me: () => call('GET', '/me'),
    // The proof is this WeChat's verified phone, or the booth's code when one is given; never a typed mobile.
    recover: (idNumber, recoveryCode) =>
      call('POST', '/membership-applications/recover', { id_number: idNumber, recovery_code: recoveryCode || null }),
    privacyNotice: () => call('GET', '/privacy-notice'),
    cardInfo: () => call('GET', '/card-info'),
  }
}

module.exports = { createApi, ApiError, newIdempotencyKey, TOKEN_KEY, PHONE_KEY, RETRY_DELAYS_MS }
