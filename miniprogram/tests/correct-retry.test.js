// Issue 24 item 2: a correction whose first answer is lost on a weak signal is sent again, and the server
// answers the retry of a correction that already landed with 200 and the application (tests/api/
// test_correction_retry.py) — so the worker reads success, not 「只有被退回的申请才能修改后重新提交」.
const { fake, renderPage, settle, text, ok } = require('./support/pages')
const { entry, application, SESSION } = require('./fixtures')

const PATCH = 'PATCH /membership-applications/7'
const RETURNED = application({
  status: 'returned', status_label: '退回待修改', return_reason: '请填写单位全称', returned_fields: ['employer'],
})
const CORRECTED = application({ employer: '北京顺义物流有限公司仁和分公司' })

beforeEach(() => {
  fake.reset()
  fake.state.routes['POST /auth/login'] = ok(SESSION)
  fake.state.routes['GET /me'] = ok({ worker: { id: 1 }, membership_applications: [RETURNED], card_applications: [] })
  fake.state.storage.set('union-intake:visit', JSON.stringify(entry()))
})

afterEach(() => jest.useRealTimers())

// The server as it now is: the first PATCH lands but its answer never reaches the phone; the same
// correction again finds the application already holding it and answers 200 with it.
function serverLosingTheFirstAnswer(keys = []) {
  const received = []
  fake.state.routes[PATCH] = (request) => {
    received.push(request.data)
    keys.push(request.header['Idempotency-Key'])
    fake.state.offline = received.length === 1
    return ok(CORRECTED)
  }
  return received
}

test('a correction whose first answer was lost is retried and reported as done', async () => {
  const received = serverLosingTheFirstAnswer()
  const page = renderPage('correct')
  page.instance.onLoad({ id: '7' })
  await settle()
  page.querySelector('#field-employer').dispatchEvent('input', { detail: { value: '北京顺义物流有限公司仁和分公司' } })
  await settle()
  jest.useFakeTimers()
  const submitting = page.instance.submit()
  await jest.advanceTimersByTimeAsync(100)
  await jest.advanceTimersByTimeAsync(5000)
  await submitting

  expect(received).toEqual([{ employer: '北京顺义物流有限公司仁和分公司' }, { employer: '北京顺义物流有限公司仁和分公司' }])
  expect(text(page, '#message')).toBeNull()
  expect(fake.state.navigations).toEqual(['/pages/me/index'])
})

test('a retried correction carries one key and says it is retrying; changed answers are another correction', async () => {
  const keys = []
  serverLosingTheFirstAnswer(keys)
  const page = renderPage('correct')
  page.instance.onLoad({ id: '7' })
  await settle()
  page.querySelector('#field-employer').dispatchEvent('input', { detail: { value: '北京顺义物流有限公司' } })
  await settle()
  jest.useFakeTimers()
  const submitting = page.instance.submit()
  await jest.advanceTimersByTimeAsync(100)
  expect(text(page, '#message')).toBe('网络繁忙，正在为您重试…')
  await jest.advanceTimersByTimeAsync(5000)
  await submitting
  jest.useRealTimers()
  page.querySelector('#field-employer').dispatchEvent('input', { detail: { value: '北京顺义物流有限公司仁和分公司' } })
  await settle()
  await page.instance.submit()

  expect(keys).toHaveLength(3)
  expect(keys[0]).toMatch(/.{16,}/)
  expect(keys[1]).toBe(keys[0])
  expect(keys[2]).not.toBe(keys[0])
})
