// The API client's resends of a correction (PATCH), against the fake wx transport.
const { fake, ok, failure } = require('./support/pages')
const { application, SESSION } = require('./fixtures')
const platform = require('../platform/wx')
const { createApi } = require('../api/client')

beforeEach(() => {
  fake.reset()
  fake.state.routes['POST /auth/login'] = ok(SESSION)
})

test('a correction is resent with its Idempotency-Key on every try', async () => {
  const keys = []
  fake.state.routes['PATCH /membership-applications/7'] = (request) => {
    keys.push(request.header['Idempotency-Key'])
    return keys.length < 3 ? failure(503, 'database_unavailable', '系统繁忙，请稍后重试') : ok(application())
  }
  const api = createApi(platform, 'https://intake.test/mp/v1', { retryDelays: [10, 10, 10] })
  const retried = []
  const answer = await api.resubmit(7, { employer: '北京顺义物流有限公司' }, 'mp-correction-1', (error) => retried.push(error.code))
  expect(answer.id).toBe(7)
  expect(keys).toEqual(['mp-correction-1', 'mp-correction-1', 'mp-correction-1'])
  expect(retried).toEqual(['database_unavailable', 'database_unavailable'])
})
