const { fake, openJoinForm, fire, settle, text, ok, failure } = require('./support/pages')
const { entry, application, SESSION } = require('./fixtures')
const { DRAFT_KEY, DRAFT_MAX_AGE_MS } = require('../utils/draft')

const CODE = 'Abc123_-xyz'
const VALID_ID = '110113199003071239'

beforeEach(() => {
  fake.reset()
  fake.state.routes['POST /auth/login'] = ok(SESSION)
  fake.state.routes[`GET /entries/${CODE}`] = ok(entry())
})

const openForm = () => openJoinForm(CODE)

function type(page, field, value) {
  return fire(page, `#${field}`, 'input', { value })
}

async function fillValidForm(page) {
  await type(page, 'name', '王小明')
  await type(page, 'id_number', VALID_ID)
  await type(page, 'mobile', '139 1234 5678')
  await type(page, 'employer', '北京顺义物流有限公司')
  await fire(page, '#choice-new_form_job', 'change', { value: 0 })
  await fire(page, '#consent', 'change', { value: ['agree'] })
}

function storedDraft() {
  return fake.state.storage.has(DRAFT_KEY) ? JSON.parse(fake.state.storage.get(DRAFT_KEY)) : null
}

test('a photo of the ID card fills name and number for the worker to check', async () => {
  fake.state.chosenImage = { tempFilePath: 'wxfile://tmp/id.jpg', size: 120000, fileType: 'image' }
  fake.state.routes['POST /id-card/ocr'] = ok({ name: '王小明', id_number: VALID_ID })
  const page = await openForm()
  page.querySelector('#take-photo').dispatchEvent('tap')
  await settle()
  expect(fake.state.uploads).toEqual([expect.objectContaining({ filePath: 'wxfile://tmp/id.jpg', name: 'image' })])
  expect(fake.state.uploads[0].header.Authorization).toBe('Bearer token-1')
  expect(page.instance.data.answers).toMatchObject({ name: '王小明', id_number: VALID_ID })
  expect(text(page, '#ocr-note')).toBe('已识别，请核对姓名和身份证号')
})

test('a back-side photo says what to do and leaves typing open', async () => {
  fake.state.chosenImage = { tempFilePath: 'wxfile://tmp/back.jpg', size: 90000, fileType: 'image' }
  fake.state.routes['POST /id-card/ocr'] = failure(422, 'id_card_back_side', '这是身份证的国徽面，请拍摄有照片的人像面')
  const page = await openForm()
  page.querySelector('#pick-photo').dispatchEvent('tap')
  await settle()
  expect(text(page, '#ocr-note')).toBe('这是身份证的国徽面，请拍摄有照片的人像面')
  expect(page.instance.data.answers.id_number).toBeUndefined()
})

test('wrong answers are named next to their fields before anything is sent', async () => {
  const page = await openForm()
  await type(page, 'id_number', '110113199003071230')
  await type(page, 'mobile', '1234')
  page.querySelector('#submit').dispatchEvent('tap')
  await settle()
  expect(text(page, '#error-name')).toBe('请填写姓名')
  expect(text(page, '#error-id_number')).toBe('身份证号校验位不正确，请核对后重新输入')
  expect(text(page, '#error-mobile')).toBe('手机号应为11位，以1开头')
  expect(text(page, '#error-consent')).toContain('请阅读并同意')
  expect(fake.state.requests.filter((r) => r.method === 'POST' && r.url.endsWith('/membership-applications'))).toEqual([])
})

test('typed answers survive the app being killed and reopened', async () => {
  const first = await openForm()
  await type(first, 'name', '王小明')
  await type(first, 'employer', '北京顺义物流有限公司')
  const reopened = await openForm()
  expect(reopened.instance.data.answers).toMatchObject({ name: '王小明', employer: '北京顺义物流有限公司' })
})

test('a submission lost to a weak network is retried with the same key, then the draft is cleared', async () => {
  const keys = []
  fake.state.routes['POST /membership-applications'] = (request) => {
    keys.push(request.header['Idempotency-Key'])
    if (keys.length === 1) return failure(503, 'unavailable', '服务暂时不可用，请稍后再试')
    return ok(application(), 201)
  }
  const page = await openForm()
  await fillValidForm(page)
  page.instance.submit()
  await settle(20)
  await new Promise((resolve) => setTimeout(resolve, 1100))
  await settle(10)
  expect(keys.length).toBe(2)
  expect(keys[0]).toMatch(/^mp-/)
  expect(keys[1]).toBe(keys[0])
  const sent = fake.state.requests.find((r) => r.url.endsWith('/membership-applications')).data
  expect(sent).toMatchObject({ entry_code: CODE, name: '王小明', id_number: VALID_ID, mobile: '13912345678', new_form_job: '快递员', consent: true, consent_version: '2026-11' })
  expect(storedDraft()).toBeNull()
  expect(fake.state.navigations).toEqual(['/pages/me/index?submitted=7'])
})

test('offline after every try, the answers and the key stay for the next tap', async () => {
  fake.state.routes['POST /membership-applications'] = ok(application(), 201)
  const page = await openForm()
  await fillValidForm(page)
  fake.state.offline = true
  jest.useFakeTimers()
  const submitting = page.instance.submit()
  await jest.advanceTimersByTimeAsync(120 * 1000)
  await submitting
  jest.useRealTimers()
  expect(text(page, '#message')).toBe('网络不可用，请检查网络后重试。填写的内容已保存，可点「重新提交」再试')
  const draft = storedDraft()
  expect(draft.answers.name).toBe('王小明')
  expect(draft.idempotencyKey).toMatch(/^mp-/)
  fake.state.offline = false
  await page.instance.submit()
  await settle()
  const sentKeys = fake.state.requests.filter((r) => r.url.endsWith('/membership-applications')).map((r) => r.header['Idempotency-Key'])
  expect(new Set(sentKeys)).toEqual(new Set([draft.idempotencyKey]))
  expect(storedDraft()).toBeNull()
})

test('the server\'s field errors, a closed meeting and the rate limit are shown in Chinese', async () => {
  const page = await openForm()
  await fillValidForm(page)
  fake.state.routes['POST /membership-applications'] = failure(409, 'already_applied', '该身份证号已有一份正在办理的入会申请')
  await page.instance.submit()
  expect(text(page, '#message')).toBe('该身份证号已有一份正在办理的入会申请')
  fake.state.routes['POST /membership-applications'] = failure(429, 'rate_limited', '操作太频繁，请稍后再试', {}, { 'Retry-After': '1800' })
  await page.instance.submit()
  expect(text(page, '#message')).toBe('操作太频繁，请 1800 秒后再试。填写的内容已保存，可点「重新提交」再试')
  fake.state.routes['POST /membership-applications'] = failure(410, 'meeting_closed', '本场沟通会已结束')
  await page.instance.submit()
  expect(text(page, '#message')).toContain('沟通会已结束或尚未开始')
  expect(storedDraft()).toBeNull()
})

test('the WeChat phone number stands in for typing, after the privacy pop-up is agreed to', async () => {
  fake.state.routes['POST /auth/phone'] = ok({ id: 1, kind: 'wechat', phone: '139****5678' })
  const page = await openForm()
  // WeChat asks the app before the first privacy API; our pop-up shows and waits for the worker.
  const decided = fake.needPrivacy()
  await settle()
  expect(page.querySelector('#privacy-popup >>> .sheet')).toBeTruthy()
  page.querySelector('#privacy-popup >>> #agree-privacy').dispatchEvent('agreeprivacyauthorization')
  expect(await decided).toBe('agree')
  expect(fake.state.privacyAnswers).toEqual(['exposureAuthorization', 'agree'])
  page.querySelector('#phone').dispatchEvent('getphonenumber', { detail: { code: 'phone-code-1' } })
  await settle()
  expect(fake.state.requests.find((r) => r.url.endsWith('/auth/phone')).data).toEqual({ code: 'phone-code-1' })
  await type(page, 'name', '王小明')
  await type(page, 'id_number', VALID_ID)
  await type(page, 'employer', '北京顺义物流有限公司')
  await fire(page, '#consent', 'change', { value: ['agree'] })
  fake.state.routes['POST /membership-applications'] = ok(application(), 201)
  await page.instance.submit()
  expect(text(page, '#error-mobile')).toBeNull()
  expect(fake.state.requests.find((r) => r.url.endsWith('/membership-applications')).data.mobile).toBeNull()
})

test('refusing the privacy pop-up refuses the call and typing stays possible', async () => {
  const page = await openForm()
  const decided = fake.needPrivacy()
  await settle()
  page.querySelector('#privacy-popup >>> .refuse').dispatchEvent('tap')
  expect(await decided).toBe('disagree')
  await settle()
  expect(page.querySelector('#privacy-popup >>> .sheet')).toBeFalsy()
  expect(page.querySelector('#mobile')).toBeTruthy()
})

test('a draft with the ID number ends when the server says this ID already applied or is already a member', async () => {
  for (const [code, message] of [['already_applied', '该身份证号已有一份正在办理的入会申请'], ['already_member', '该身份证号已是工会会员']]) {
    const page = await openForm()
    await fillValidForm(page)
    fake.state.routes['POST /membership-applications'] = failure(409, code, message)
    await page.instance.submit()
    expect(text(page, '#message')).toBe(message)
    expect(storedDraft()).toBeNull()
  }
})

test('a draft left for more than a day is dropped from the phone when the form is opened again', async () => {
  const first = await openForm()
  await type(first, 'name', '王小明')
  await type(first, 'id_number', VALID_ID)
  const started = storedDraft().savedAt
  expect(typeof started).toBe('number')
  const realNow = Date.now
  Date.now = () => started + DRAFT_MAX_AGE_MS + 1000
  try {
    const reopened = await openForm()
    expect(reopened.instance.data.answers).toEqual({})
    expect(storedDraft()).toBeNull()
  } finally {
    Date.now = realNow
  }
  expect(DRAFT_MAX_AGE_MS).toBeLessThanOrEqual(24 * 3600 * 1000)
})

test('typing on the next day does not keep a draft longer than a day from its start', async () => {
  const page = await openForm()
  await type(page, 'name', '王小明')
  const started = storedDraft().savedAt
  expect(typeof started).toBe('number')
  const realNow = Date.now
  Date.now = () => started + DRAFT_MAX_AGE_MS - 1000
  try {
    await type(page, 'employer', '北京顺义物流有限公司')
    expect(storedDraft().savedAt).toBe(started)
  } finally {
    Date.now = realNow
  }
})
