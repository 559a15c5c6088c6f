// Issue 24, the join form's last dead ends: a 409 leads on to 找回我的申请, refusals of fields with no input of
// their own are still shown, pickers open at their answer and can be cleared, the verified phone survives an
// app kill, and an ID-card photo over the server's 2 MB is made smaller (or refused) before it is uploaded.
const { fake, renderPage, openJoinForm, fire, settle, text, attribute, ok, failure } = require('./support/pages')
const { entry, application, SESSION } = require('./fixtures')

const CODE = 'Abc123_-xyz'
const VALID_ID = '110113199003071239'
const JOIN = 'POST /membership-applications'
const MB = 1024 * 1024

beforeEach(() => {
  fake.reset()
  fake.state.routes['POST /auth/login'] = ok(SESSION)
  fake.state.routes[`GET /entries/${CODE}`] = ok(entry())
})

const openForm = () => openJoinForm(CODE)

async function fillValidForm(page) {
  const answers = { name: '王小明', id_number: VALID_ID, mobile: '13912345678', employer: '北京顺义物流有限公司' }
  for (const [field, value] of Object.entries(answers)) await fire(page, `#${field}`, 'input', { value })
  await fire(page, '#consent', 'change', { value: ['agree'] })
}

const joinRequests = () => fake.state.requests.filter((r) => r.method === 'POST' && r.url.endsWith('/membership-applications'))

describe('a 409 on the join form', () => {
  test('already_applied offers 找回我的申请, which opens with the ID number filled in', async () => {
    fake.state.routes[JOIN] = failure(409, 'already_applied', '该身份证号已有一份正在办理的入会申请')
    const page = await openForm()
    await fillValidForm(page)
    await page.instance.submit()
    expect(text(page, '#conflict')).toContain('找回码')
    await fire(page, '#to-recover', 'tap')
    expect(fake.state.navigations).toEqual(['/pages/recover/index'])

    fake.state.routes['GET /me'] = ok({ worker: { id: 1, kind: 'wechat', phone: null }, membership_applications: [], card_applications: [] })
    const recover = renderPage('recover')
    await recover.instance.onLoad({})
    await settle()
    expect(attribute(recover, '#id_number', 'value')).toBe(VALID_ID)
  })

  test('already_member says where the membership is seen and how to bring it here', async () => {
    fake.state.routes[JOIN] = failure(409, 'already_member', '该身份证号已是工会会员，无需重复申请')
    const page = await openForm()
    await fillValidForm(page)
    await page.instance.submit()
    expect(text(page, '#message')).toBe('该身份证号已是工会会员，无需重复申请')
    expect(text(page, '#conflict')).toContain('「我的申请」')
    expect(page.querySelector('#to-recover')).toBeTruthy()
  })
})

test('the server\'s refusal of 现居住地, a choice or the consent version is shown beside it', async () => {
  const page = await openForm()
  await fillValidForm(page)
  fake.state.routes[JOIN] = failure(422, 'validation_failed', '填写的内容有误，请按提示修改', {
    residence: '现居住地过长', industry: '所属行业不在可选范围内', consent_version: '缺少同意书版本，请刷新页面后重试',
    id_valid_until: '身份证有效期格式不正确',
  })
  await page.instance.submit()
  expect(text(page, '#error-residence')).toBe('现居住地过长')
  expect(text(page, '#error-industry')).toBe('所属行业不在可选范围内')
  expect(text(page, '#error-consent_version')).toBe('缺少同意书版本，请刷新页面后重试')
  // A field the form has no input for is still told.
  expect(text(page, '#message')).toContain('身份证有效期格式不正确')
})

test('a picker opens at the answer chosen, and a choice can be cleared', async () => {
  const page = await openForm()
  await fire(page, '#choice-education', 'change', { value: 2 })
  expect(text(page, '#choice-education')).toBe('大学专科')
  expect(attribute(page, '#choice-education', 'value')).toBe(2)
  await fire(page, '#clear-education', 'tap')
  expect(page.instance.data.answers.education).toBeNull()
  expect(text(page, '#choice-education')).toBe('请选择（选填）')
  expect(page.querySelector('#clear-education')).toBeFalsy()
  await fillValidForm(page)
  fake.state.routes[JOIN] = ok(application(), 201)
  await page.instance.submit()
  expect(joinRequests()[0].data.education).toBeNull()
})

test('the verified WeChat phone survives the app being killed: no second (paid) verification', async () => {
  fake.state.routes['POST /auth/phone'] = ok({ id: 1, kind: 'wechat', phone: '139****5678' })
  const first = await openForm()
  await fire(first, '#phone', 'getphonenumber', { code: 'phone-code-1' })
  expect(first.querySelector('#phone')).toBeFalsy()

  const reopened = await openForm() // storage kept, page memory gone: what an app kill leaves
  expect(reopened.querySelector('#phone')).toBeFalsy()
  expect(attribute(reopened, '#mobile', 'placeholder')).toBe('已验证 139****5678')
  await fillValidForm(reopened)
  await fire(reopened, '#mobile', 'input', { value: '' })
  fake.state.routes[JOIN] = ok(application(), 201)
  await reopened.instance.submit()
  expect(text(reopened, '#error-mobile')).toBeNull()
  expect(fake.state.requests.filter((r) => r.url.endsWith('/auth/phone'))).toHaveLength(1)
})

test('the verified phone is forgotten with the token it came with; a new login says it again', async () => {
  fake.state.routes['POST /auth/phone'] = ok({ id: 1, kind: 'wechat', phone: '139****5678' })
  const first = await openForm()
  await fire(first, '#phone', 'getphonenumber', { code: 'phone-code-1' })
  const realNow = Date.now
  Date.now = () => realNow() + (SESSION.expires_in + 60) * 1000
  try {
    expect((await openForm()).querySelector('#phone')).toBeTruthy()
    // The next scan's request meets the expired token and logs in again (here: no token, no remembered visit).
    fake.state.storage.delete('union-intake:token')
    fake.state.storage.delete('union-intake:visit')
    fake.state.routes['POST /auth/login'] = ok({ ...SESSION, worker: { ...SESSION.worker, phone: '139****5678' } })
    expect((await openForm()).querySelector('#phone')).toBeFalsy()
  } finally {
    Date.now = realNow
  }
})

describe('an ID-card photo over the server\'s 2 MB', () => {
  test('is compressed on the phone first, and the smaller one is uploaded', async () => {
    fake.state.chosenImage = { tempFilePath: 'wxfile://tmp/id.jpg', size: 5 * MB, fileType: 'image' }
    fake.state.compressedSize = 800 * 1024
    fake.state.routes['POST /id-card/ocr'] = ok({ name: '王小明', id_number: VALID_ID })
    const page = await openForm()
    await fire(page, '#take-photo', 'tap')
    await settle()
    expect(fake.state.compressions).toHaveLength(1)
    expect(fake.state.uploads.map((u) => u.filePath)).toEqual(['wxfile://tmp/id.jpg.compressed.jpg'])
    expect(text(page, '#ocr-note')).toBe('已识别，请核对姓名和身份证号')
  })

  test('still too big after compressing, it is refused with a clear message and never uploaded', async () => {
    fake.state.chosenImage = { tempFilePath: 'wxfile://tmp/huge.png', size: 12 * MB, fileType: 'image' }
    fake.state.compressedSize = 3 * MB
    const page = await openForm()
    await fire(page, '#pick-photo', 'tap')
    await settle()
    expect(fake.state.uploads).toEqual([])
    expect(text(page, '#ocr-note')).toContain('超过 2 MB')
    expect(page.querySelector('#name')).toBeTruthy()
  })
})
