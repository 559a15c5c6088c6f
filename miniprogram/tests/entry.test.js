const { fake, renderPage, settle, text, ok, failure } = require('./support/pages')
const { entry, SESSION } = require('./fixtures')

beforeEach(() => {
  fake.reset()
  fake.state.routes['POST /auth/login'] = ok(SESSION)
})

test('a 小程序码 scene logs in, opens the entry and offers the join form', async () => {
  fake.state.routes['GET /entries/Abc123_-xyz'] = ok(entry())
  const page = renderPage('entry')
  page.instance.onLoad({ scene: encodeURIComponent('Abc123_-xyz') })
  await settle()
  expect(text(page, '#meeting-title')).toBe('顺义区2026年冬季职工沟通会')
  expect(fake.state.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
    'POST http://127.0.0.1:8000/mp/v1/auth/login',
    'GET http://127.0.0.1:8000/mp/v1/entries/Abc123_-xyz',
  ])
  expect(fake.state.requests[1].header.Authorization).toBe('Bearer token-1')
  page.querySelector('#join').dispatchEvent('tap')
  await settle()
  expect(fake.state.navigations).toEqual(['/pages/join/index?code=Abc123_-xyz'])
})

test('a 普通链接二维码 opens the same entry from its q parameter', async () => {
  fake.state.routes['GET /entries/Abc123_-xyz'] = ok(entry({ actions: ['card'] }))
  const page = renderPage('entry')
  page.instance.onLoad({ q: encodeURIComponent('https://intake.example.cn/q/Abc123_-xyz') })
  await settle()
  expect(page.querySelector('#join')).toBeFalsy()
  expect(text(page, '#apply-card')).toBe('申请职工互助服务卡')
})

test('扫一扫 on a wxacode reads the scene from its path; a foreign code is refused', async () => {
  fake.state.routes['GET /entries/Abc123_-xyz'] = ok(entry())
  const page = renderPage('entry')
  page.instance.onLoad({})
  await settle()
  fake.state.scanResult = { scanType: 'QR_CODE', result: 'https://www.example.com/', path: '' }
  page.querySelector('#scan').dispatchEvent('tap')
  await settle()
  expect(text(page, '#scan-error')).toContain('不是职工入会二维码')
  fake.state.scanResult = { scanType: 'WX_CODE', result: '', path: 'pages/entry/index?scene=Abc123_-xyz' }
  page.querySelector('#scan').dispatchEvent('tap')
  await settle()
  expect(text(page, '#meeting-title')).toBe('顺义区2026年冬季职工沟通会')
})

test('a closed meeting and a revoked code say so and offer no retry', async () => {
  fake.state.routes['GET /entries/closed1'] = failure(410, 'meeting_closed', '本场沟通会已结束')
  const page = renderPage('entry')
  page.instance.onLoad({ scene: 'closed1' })
  await settle()
  expect(text(page, '#entry-error')).toContain('沟通会已结束')
  expect(page.querySelector('#retry')).toBeFalsy()

  fake.state.routes['GET /entries/gone1'] = failure(404, 'entry_code_not_found', '二维码无效或已停用')
  const revoked = renderPage('entry')
  revoked.instance.onLoad({ scene: 'gone1' })
  await settle()
  expect(text(revoked, '#entry-error')).toContain('二维码已失效')
})

test('offline, the page says so and opens once the network is back', async () => {
  fake.state.routes['GET /entries/Abc123_-xyz'] = ok(entry())
  fake.state.offline = true
  const page = renderPage('entry')
  page.instance.onLoad({ scene: 'Abc123_-xyz' })
  await settle()
  expect(text(page, '#entry-error')).toBe('网络不可用，请检查网络后重试')
  fake.state.offline = false
  page.querySelector('#retry').dispatchEvent('tap')
  await settle()
  expect(text(page, '#meeting-title')).toBe('顺义区2026年冬季职工沟通会')
})

test('an expired token logs in again once and repeats the request', async () => {
  fake.state.storage.set('union-intake:token', JSON.stringify('old-token'))
  let calls = 0
  fake.state.routes['GET /entries/Abc123_-xyz'] = (request) => {
    calls += 1
    if (request.header.Authorization === 'Bearer old-token') return failure(401, 'token_expired', '登录已过期，请重新进入')
    return ok(entry())
  }
  const page = renderPage('entry')
  page.instance.onLoad({ scene: 'Abc123_-xyz' })
  await settle(10)
  expect(calls).toBe(2)
  expect(text(page, '#meeting-title')).toBe('顺义区2026年冬季职工沟通会')
  expect(JSON.parse(fake.state.storage.get('union-intake:token'))).toBe('token-1')
})

test('after joining, the entry shows the application\'s status and why the card cannot be applied for', async () => {
  const membership = { id: 7, status: 'submitted', status_label: '待审核', status_text: '已提交，等待仁和镇工会审核' }
  const eligibility = { available: false, code: 'card_not_eligible', message: '互助服务卡面向女职工55周岁以下、男职工60周岁以下的会员' }
  fake.state.routes['GET /entries/Abc123_-xyz'] = ok(entry({ actions: [], membership, card_eligibility: eligibility }))
  const page = renderPage('entry')
  page.instance.onLoad({ scene: 'Abc123_-xyz' })
  await settle()
  expect(text(page, '#membership-status')).toBe('待审核')
  expect(text(page, '#card-eligibility')).toContain('55周岁以下')
  expect(page.querySelector('#join')).toBeFalsy()
})
