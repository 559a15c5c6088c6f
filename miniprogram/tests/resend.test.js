// Issue 25: while the database is stopped for half a minute (a failover, a restart) the server answers 503 at
// once; the join form keeps resending the same request for at least a minute, says so, and keeps the form.
const { fake, renderPage, settle, text, ok, failure } = require('./support/pages')
const { entry, application, SESSION } = require('./fixtures')
const { DRAFT_KEY } = require('../utils/draft')

const CODE = 'Abc123_-xyz'
const JOIN = 'POST /membership-applications'
const DATABASE_DOWN = failure(503, 'database_unavailable', '系统繁忙，请稍后重试', {}, { 'Retry-After': '5' })

beforeEach(() => {
  fake.reset()
  fake.state.routes['POST /auth/login'] = ok(SESSION)
  fake.state.routes[`GET /entries/${CODE}`] = ok(entry())
})

afterEach(() => jest.useRealTimers())

async function filledForm() {
  const page = renderPage('join')
  page.instance.onLoad({ code: CODE })
  await settle()
  const answers = { name: '王小明', id_number: '110113199003071239', mobile: '13912345678', employer: '北京顺义物流有限公司' }
  for (const [field, value] of Object.entries(answers)) {
    page.querySelector(`#${field}`).dispatchEvent('input', { detail: { value } })
  }
  page.querySelector('#consent').dispatchEvent('change', { detail: { value: ['agree'] } })
  await settle()
  return page
}

// Each try the server saw: when (on jest's clock) and with which key.
function recordTries(answerFor) {
  const tries = []
  fake.state.routes[JOIN] = (request) => {
    tries.push({ at: Date.now(), key: request.header['Idempotency-Key'] })
    return answerFor(tries.length)
  }
  return tries
}

test('a join meeting 503s resends the same key for at least a minute, saying so, then offers to resend', async () => {
  const tries = recordTries(() => DATABASE_DOWN)
  const page = await filledForm()
  jest.useFakeTimers()
  const submitting = page.instance.submit()
  await jest.advanceTimersByTimeAsync(100)
  expect(text(page, '#message')).toBe('网络繁忙，正在为您重试…')
  await jest.advanceTimersByTimeAsync(55 * 1000)
  expect(text(page, '#message')).toBe('网络繁忙，正在为您重试…')
  expect(page.instance.data.submitting).toBe(true)
  await jest.advanceTimersByTimeAsync(60 * 1000)
  await submitting

  expect(tries.length).toBeGreaterThanOrEqual(6)
  expect(tries[tries.length - 1].at - tries[0].at).toBeGreaterThanOrEqual(60 * 1000)
  expect(new Set(tries.map((t) => t.key))).toEqual(new Set([tries[0].key]))
  // The gaps grow (the server is not hammered) and none is shorter than the 5 s its Retry-After asked.
  const gaps = tries.slice(1).map((t, i) => t.at - tries[i].at)
  gaps.forEach((gap) => expect(gap).toBeGreaterThanOrEqual(5000))
  expect(gaps[gaps.length - 1]).toBeGreaterThan(gaps[0])

  expect(text(page, '#message')).toBe('系统繁忙，请稍后重试。填写的内容已保存，可点「重新提交」再试')
  expect(text(page, '#submit')).toBe('重新提交')
  expect(page.instance.data.answers).toMatchObject({ name: '王小明', employer: '北京顺义物流有限公司', consent: true })
  expect(JSON.parse(fake.state.storage.get(DRAFT_KEY)).idempotencyKey).toBe(tries[0].key)
})

test('a server back after 30 s takes the join from the resend, and the worker lands on 我的申请', async () => {
  const tries = recordTries(() => (Date.now() - tries[0].at < 30 * 1000 ? DATABASE_DOWN : ok(application(), 201)))
  const page = await filledForm()
  jest.useFakeTimers()
  const submitting = page.instance.submit()
  await jest.advanceTimersByTimeAsync(45 * 1000)
  await submitting
  expect(new Set(tries.map((t) => t.key)).size).toBe(1)
  expect(fake.state.navigations).toEqual(['/pages/me/index?submitted=7'])
  expect(fake.state.storage.has(DRAFT_KEY)).toBe(false)
})

test('no answer at all (offline) is resent on the same schedule', async () => {
  const tries = recordTries(() => ok(application(), 201))
  const page = await filledForm()
  fake.state.offline = true
  jest.useFakeTimers()
  const submitting = page.instance.submit()
  await jest.advanceTimersByTimeAsync(20 * 1000)
  expect(text(page, '#message')).toBe('网络繁忙，正在为您重试…')
  fake.state.offline = false
  await jest.advanceTimersByTimeAsync(20 * 1000)
  await submitting
  expect(new Set(tries.map((t) => t.key)).size).toBe(1)
  expect(fake.state.navigations).toEqual(['/pages/me/index?submitted=7'])
})

test('a 429 is resent no sooner than its Retry-After; one longer than the whole minute is told at once', async () => {
  const tries = recordTries((n) => (n === 1 ? failure(429, 'rate_limited', '操作太频繁', {}, { 'Retry-After': '20' }) : ok(application(), 201)))
  const page = await filledForm()
  jest.useFakeTimers()
  const submitting = page.instance.submit()
  await jest.advanceTimersByTimeAsync(30 * 1000)
  await submitting
  expect(tries.length).toBe(2)
  expect(tries[1].at - tries[0].at).toBeGreaterThanOrEqual(20 * 1000)
  jest.useRealTimers()

  const hourly = recordTries(() => failure(429, 'rate_limited', '操作太频繁', {}, { 'Retry-After': '1800' }))
  const again = await filledForm()
  await again.instance.submit()
  expect(hourly.length).toBe(1)
  expect(text(again, '#message')).toContain('操作太频繁，请 1800 秒后再试')
})

test('the card application rides out the same outage, saying so while it resends', async () => {
  const tries = []
  fake.state.routes['GET /card-info'] = ok({ title: '职工互助服务卡', sections: [{ heading: '是什么', body: '服务卡。' }] })
  fake.state.routes['POST /mutual-aid-card-applications'] = () => {
    tries.push(Date.now())
    return tries.length < 4 ? DATABASE_DOWN : ok({ id: 3, status: 'pending' }, 201)
  }
  const page = renderPage('card')
  page.instance.onLoad({ code: CODE })
  await settle()
  page.querySelector('#delivery').dispatchEvent('change', { detail: { value: 'onsite' } })
  page.querySelector('#consent').dispatchEvent('change', { detail: { value: ['agree'] } })
  await settle()
  jest.useFakeTimers()
  const submitting = page.instance.submit()
  await jest.advanceTimersByTimeAsync(1000)
  expect(text(page, '#message')).toBe('网络繁忙，正在为您重试…')
  expect(page.querySelector('#message').dom.className).toContain('hint')
  await jest.advanceTimersByTimeAsync(30 * 1000)
  await submitting
  expect(tries).toHaveLength(4)
  expect(fake.state.navigations).toEqual(['/pages/me/index'])
})
