// 我的申请, the card application, 找回我的申请 and the privacy notice.
const { fake, renderPage, settle, text, attribute, ok, failure } = require('./support/pages')
const { entry, application, SESSION } = require('./fixtures')
const env = require('../config/env')

const CODE = 'Abc123_-xyz'
const ME = {
  worker: { id: 1, kind: 'wechat', phone: '139****5678' },
  membership_applications: [application({
    status: 'approved', status_label: '已通过', status_text: '入会申请已通过，欢迎加入工会', member_no: 'SY2026000123',
  })],
  card_applications: [{
    id: 3, membership_application_id: 7, status: 'pending', status_label: '待报送', status_text: '已提交，等待工会报送银行',
    delivery: 'branch', branch: '北京银行仁和支行', created_at: '2026-12-01T06:10:00+00:00',
  }],
  card_eligibility: { available: false, code: 'card_already_applied', message: '已申请过互助服务卡' },
}

beforeEach(() => {
  fake.reset()
  fake.state.routes['POST /auth/login'] = ok(SESSION)
  fake.state.routes[`GET /entries/${CODE}`] = ok(entry({ actions: ['card'] }))
})

async function tap(page, selector) {
  page.querySelector(selector).dispatchEvent('tap')
  await settle()
}

describe('我的申请', () => {
  afterEach(() => { env.REVIEW_TEMPLATE_ID = '' })

  test('shows status in words, reviewer, member number and the card; the number can be copied', async () => {
    fake.state.routes['GET /me'] = ok(ME)
    const page = renderPage('me')
    page.instance.onLoad({})
    await settle()
    expect(text(page, '#application-7 .status')).toBe('已通过')
    expect(text(page, '#application-7 .status-text')).toBe('入会申请已通过，欢迎加入工会')
    expect(page.querySelector('#application-7').dom.textContent).toContain('仁和镇工会（一般 5 个工作日内）')
    expect(text(page, '#application-7 .member-no')).toContain('SY2026000123')
    expect(text(page, '#card-3')).toContain('北京银行仁和支行')
    expect(page.querySelector('#apply-card')).toBeFalsy()
    await tap(page, '#application-7 .copy')
    expect(fake.state.copied).toEqual(['SY2026000123'])
  })

  test('a returned application shows the reason', async () => {
    const returned = application({ status: 'returned', status_label: '退回待修改', return_reason: '工作单位请填写全称' })
    fake.state.routes['GET /me'] = ok({ ...ME, membership_applications: [returned], card_applications: [] })
    const page = renderPage('me')
    page.instance.onLoad({})
    await settle()
    expect(text(page, '#application-7 .return-reason')).toBe('退回原因：工作单位请填写全称')
  })

  test('after submitting, one tap subscribes to the review result', async () => {
    env.REVIEW_TEMPLATE_ID = 'tmpl-review-result'
    fake.state.routes['GET /me'] = ok(ME)
    const page = renderPage('me')
    page.instance.onLoad({ submitted: '7' })
    await settle()
    await tap(page, '#subscribe')
    expect(fake.state.subscribeRequests).toEqual([['tmpl-review-result']])
    expect(fake.state.toasts).toEqual(['审核结果出来后会通过微信通知你'])
    expect(page.querySelector('#subscribe')).toBeFalsy()
  })

  test('a new member may go on to the card at the meeting scanned on this phone', async () => {
    fake.state.storage.set('union-intake:visit', JSON.stringify(entry()))
    const eligible = { available: true, code: null, message: null }
    fake.state.routes['GET /me'] = ok({ ...ME, card_applications: [], card_eligibility: eligible })
    const page = renderPage('me')
    page.instance.onLoad({})
    await settle()
    await tap(page, '#apply-card')
    expect(fake.state.navigations).toEqual([`/pages/card/index?code=${CODE}`])
  })

  test('an application recovered onto another phone stays as a read-only line saying so', async () => {
    const line = {
      id: 7, status: 'moved_away', status_text: '已转到其他手机', moved_at: '2026-12-01T06:05:00+00:00',
      name: '王**', id_number: '110***********1239', meeting_title: '顺义区2026年冬季职工沟通会',
      reviewing_org: { name: '仁和镇总工会' },
    }
    fake.state.routes['GET /me'] = ok({ ...ME, membership_applications: [], card_applications: [], moved_applications: [line] })
    const page = renderPage('me')
    page.instance.onLoad({})
    await settle()
    expect(text(page, '#moved-7 .status')).toBe('已转到其他手机')
    expect(text(page, '#moved-7 .moved-on')).toBe('转出时间：2026-12-01 14:05')
    expect(text(page, '#moved-7 .moved-hint')).toContain('请尽快联系仁和镇总工会')
    expect(page.querySelector('#moved-7 .correct')).toBeFalsy()
    expect(text(page, '#nothing')).toContain('这个微信上已没有入会申请')
  })

  test('back from correcting or recovering, it shows the status as it is now', async () => {
    const returned = application({ status: 'returned', status_label: '退回待修改', return_reason: '工作单位请填写全称' })
    fake.state.routes['GET /me'] = ok({ ...ME, membership_applications: [returned], card_applications: [] })
    const page = renderPage('me')
    page.instance.onLoad({})
    page.instance.onShow()
    await settle()
    expect(text(page, '#application-7 .status')).toBe('退回待修改')
    expect(fake.state.requests.filter((r) => r.url.endsWith('/me'))).toHaveLength(1)
    fake.state.routes['GET /me'] = ok({ ...ME, membership_applications: [application()], card_applications: [] })
    page.instance.onShow() // WeChat shows the page again when the page above it (修改后重新提交) goes back
    await settle()
    expect(text(page, '#application-7 .status')).toBe('待审核')
    expect(page.querySelector('#application-7 .return-reason')).toBeFalsy()
  })

  test('with nothing applied for, it offers to recover an application', async () => {
    fake.state.routes['GET /me'] = ok({ ...ME, membership_applications: [], card_applications: [] })
    const page = renderPage('me')
    page.instance.onLoad({})
    await settle()
    await tap(page, '#recover')
    expect(fake.state.navigations).toEqual(['/pages/recover/index'])
  })
})

describe('互助服务卡', () => {
  async function openCard() {
    fake.state.routes['GET /card-info'] = ok({ title: '职工互助服务卡', sections: [{ heading: '是什么', body: '北京市总工会为会员办理的服务卡。' }] })
    const page = renderPage('card')
    page.instance.onLoad({ code: CODE })
    await settle()
    return page
  }

  test('explains the card, asks for a branch when collected at a bank, and applies', async () => {
    fake.state.routes['POST /mutual-aid-card-applications'] = ok(ME.card_applications[0], 201)
    const page = await openCard()
    expect(text(page, '#card-title')).toBe('职工互助服务卡')
    page.querySelector('#delivery').dispatchEvent('change', { detail: { value: 'branch' } })
    await settle()
    page.querySelector('#consent').dispatchEvent('change', { detail: { value: ['agree'] } })
    await tap(page, '#submit')
    expect(text(page, '#message')).toBe('请选择领卡的银行网点')
    page.querySelector('#branch').dispatchEvent('change', { detail: { value: 1 } })
    await settle()
    expect(attribute(page, '#branch', 'value')).toBe(1) // reopened, the picker shows the branch chosen
    await tap(page, '#submit')
    const sent = fake.state.requests.find((r) => r.url.endsWith('/mutual-aid-card-applications')).data
    expect(sent).toEqual({ entry_code: CODE, delivery: 'branch', branch: '北京银行仁和支行', consent: true })
    expect(fake.state.navigations).toEqual(['/pages/me/index'])
  })

  test('the age rule is told in the server\'s words', async () => {
    fake.state.routes['POST /mutual-aid-card-applications'] = failure(409, 'card_not_eligible', '互助服务卡面向女职工55周岁以下、男职工60周岁以下的会员')
    const page = await openCard()
    page.querySelector('#delivery').dispatchEvent('change', { detail: { value: 'onsite' } })
    await settle()
    page.querySelector('#consent').dispatchEvent('change', { detail: { value: ['agree'] } })
    await tap(page, '#submit')
    expect(text(page, '#message')).toContain('55周岁以下')
  })
})

describe('找回我的申请', () => {
  const RECOVER = 'POST /membership-applications/recover'

  async function openRecovery(phone) {
    fake.state.routes['GET /me'] = ok({ ...ME, worker: { ...ME.worker, phone } })
    const page = renderPage('recover')
    await page.instance.onLoad({})
    await settle()
    return page
  }

  async function attempt(page, idNumber, code = '') {
    page.querySelector('#id_number').dispatchEvent('input', { detail: { value: idNumber } })
    page.querySelector('#recovery_code').dispatchEvent('input', { detail: { value: code } })
    await settle()
    await tap(page, '#submit')
    return page
  }

  const sent = () => fake.state.requests.filter((r) => r.url.endsWith('/recover')).map((r) => r.data)

  test('the ID number and the WeChat-verified phone bring the application back; no mobile is typed', async () => {
    fake.state.routes[RECOVER] = ok(application())
    const page = await openRecovery('139****5678')
    expect(page.querySelector('#mobile')).toBeFalsy()
    expect(text(page, '#verified-phone')).toBe('已验证 139****5678')
    await attempt(page, '110113199003071239')
    expect(text(page, '#recovered')).toContain('待审核')
    expect(sent()).toEqual([{ id_number: '110113199003071239', recovery_code: null }])
  })

  test('without a verified phone it asks WeChat for the number, or takes the booth\'s code', async () => {
    fake.state.routes[RECOVER] = ok(application())
    fake.state.routes['POST /auth/phone'] = ok({ id: 1, kind: 'wechat', phone: '139****5678' })
    const page = await openRecovery(null)
    await attempt(page, '110113199003071239')
    expect(text(page, '#error-proof')).toBe('请先验证微信手机号，或填写现场工作人员给的找回码')
    expect(sent()).toEqual([])
    page.querySelector('#phone').dispatchEvent('getphonenumber', { detail: { code: 'phone-code-1' } })
    await settle()
    expect(text(page, '#verified-phone')).toBe('已验证 139****5678')
    const withCode = await openRecovery(null)
    await attempt(withCode, '110113199003071239', '123456')
    expect(sent()).toEqual([{ id_number: '110113199003071239', recovery_code: '123456' }])
  })

  test('the booth\'s 找回码 alone brings back a membership; a code that is not 6 digits is caught before sending', async () => {
    fake.state.routes[RECOVER] = ok(application({ status: 'approved', status_label: '已通过', member_no: 'SY2026000123' }))
    const page = await openRecovery(null)
    await attempt(page, '110113199003071239', '12345')
    expect(text(page, '#error-recovery_code')).toBe('找回码是工作人员给的6位数字，请核对')
    expect(sent()).toEqual([])
    await attempt(page, '110113199003071239', ' 012345 ')
    expect(sent()).toEqual([{ id_number: '110113199003071239', recovery_code: '012345' }])
    expect(text(page, '#recovered')).toContain('已通过')
  })

  test('a wrong number is caught before sending; a mismatch, a membership and the limit are told', async () => {
    const page = await openRecovery('139****5678')
    expect(text(await attempt(page, '110113199003071230'), '#error-id_number')).toBe('身份证号校验位不正确，请核对后重新输入')
    expect(sent()).toEqual([])
    fake.state.routes[RECOVER] = failure(404, 'recovery_failed', '没有找到与所填身份证号和您的微信手机号（或找回码）相符的入会申请')
    expect(text(await attempt(page, '110113199003071239'), '#message')).toContain('没有找到')
    fake.state.routes[RECOVER] = failure(409, 'member_needs_recovery_code', '已入会的申请需要找回码')
    expect(text(await attempt(page, '110113199003071239'), '#message')).toBe('已入会的申请需要找回码')
    fake.state.routes[RECOVER] = failure(429, 'rate_limited', '操作太频繁，请稍后再试', {}, { 'Retry-After': '60' })
    expect(text(await attempt(page, '110113199003071239'), '#message')).toBe('操作太频繁，请 60 秒后再试')
  })
})

test('the privacy notice shows the server\'s sections and contact', async () => {
  fake.state.routes['GET /privacy-notice'] = ok({
    version: '2026-11', title: '个人信息保护说明', contact: '顺义区总工会 010-69440000',
    sections: [{ heading: '我们收集哪些信息', body: '姓名、身份证号、手机号、工作单位。' }],
  })
  const page = renderPage('privacy')
  page.instance.onLoad({})
  await settle()
  expect(text(page, '#notice-title')).toBe('个人信息保护说明')
  expect(text(page, '#contact')).toBe('顺义区总工会 010-69440000')
})

describe('修改后重新提交', () => {
  const returned = application({
    status: 'returned', status_label: '退回待修改', return_reason: '身份证号与姓名不符，请核对',
    returned_fields: ['id_number', 'industry'],
  })

  async function openCorrection() {
    fake.state.storage.set('union-intake:visit', JSON.stringify(entry()))
    fake.state.routes['GET /me'] = ok({ ...ME, membership_applications: [returned], card_applications: [] })
    const page = renderPage('correct')
    page.instance.onLoad({ id: '7' })
    await settle()
    return page
  }

  test('the me page leads a returned application to its correction', async () => {
    fake.state.routes['GET /me'] = ok({ ...ME, membership_applications: [returned], card_applications: [] })
    const page = renderPage('me')
    page.instance.onLoad({})
    await settle()
    await tap(page, '#application-7 .correct')
    expect(fake.state.navigations).toEqual(['/pages/correct/index?id=7'])
  })

  test('only the flagged fields are asked again, checked, and sent as a PATCH', async () => {
    fake.state.routes['PATCH /membership-applications/7'] = ok(application())
    const page = await openCorrection()
    expect(text(page, '#return-reason')).toBe('退回原因：身份证号与姓名不符，请核对')
    expect(page.querySelector('#field-name')).toBeFalsy()
    page.querySelector('#field-id_number').dispatchEvent('input', { detail: { value: '110113199003071230' } })
    await settle()
    await tap(page, '#submit')
    expect(text(page, '#error-id_number')).toBe('身份证号校验位不正确，请核对后重新输入')
    page.querySelector('#field-id_number').dispatchEvent('input', { detail: { value: '110113199003071239' } })
    page.querySelector('#field-industry').dispatchEvent('change', { detail: { value: 0 } })
    await settle()
    await tap(page, '#submit')
    const patch = fake.state.requests.find((r) => r.method === 'PATCH')
    expect(patch.data).toEqual({ id_number: '110113199003071239', industry: '制造业' })
    expect(fake.state.navigations).toEqual(['/pages/me/index'])
  })

  test('an application that is not returned is not offered for correction', async () => {
    fake.state.routes['GET /me'] = ok(ME)
    const page = renderPage('correct')
    page.instance.onLoad({ id: '7' })
    await settle()
    expect(text(page, '#stopped')).toBe('这份申请不需要修改，可在「我的申请」查看进度')
  })
})
