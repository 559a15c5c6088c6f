// The contract run (started by tests/miniprogram/test_contract.py against a real server and the fake WeChat):
// the mini-program's own adapter, API client and form logic, with wx bridged to HTTP, on two "phones".
// Run alone: API_BASE_URL=http://127.0.0.1:8000/mp/v1 ENTRY_CODE=... PHOTO_PATH=... node --test <this file>
const test = require('node:test')
const assert = require('node:assert/strict')
const { createPhone } = require('./http-wx')
const platform = require('../../platform/wx')
const { createApi } = require('../../api/client')
const { entryCodeFromScan } = require('../../utils/entry-code')
const { rememberVisit, visitFor } = require('../../utils/visit')
const { loadDraft, saveDraft, clearDraft } = require('../../utils/draft')
const { formErrors, applicationBody, filledFromIdCard } = require('../../utils/join-form')
const { newIdempotencyKey } = require('../../api/client')

const { API_BASE_URL, ENTRY_CODE, PHOTO_PATH, ID_NAME, ID_NUMBER } = process.env
const MOBILE = '13912345678'

// platform/wx.js reads the `wx` global at each call, so holding a phone means making its wx the global.
function hold(phone) {
  global.wx = phone.wx
  return createApi(platform, API_BASE_URL, { retryDelays: [200, 500] })
}

test('scan → login → OCR fill → join → card → me, then 找回我的申请 on a second phone by its verified number', async () => {
  const first = createPhone({ loginCode: 'contract-phone-a', photoPath: PHOTO_PATH })
  let api = hold(first)

  const code = entryCodeFromScan({ scanType: 'WX_CODE', path: `pages/entry/index?scene=${ENTRY_CODE}` })
  const entry = await api.entry(code)
  assert.deepEqual(entry.actions, ['join'])
  rememberVisit(platform.storage, entry)
  assert.ok(platform.storage.get('union-intake:token'), 'wx.login → /auth/login stored our token')

  assert.equal((await api.verifyPhone(`phone:${MOBILE}`)).phone, '139****5678')

  const photo = await platform.chooseImage('camera')
  const reading = await api.readIdCard(photo.tempFilePath)
  assert.deepEqual(reading, { name: ID_NAME, id_number: ID_NUMBER })

  const visit = await visitFor(platform.storage, api, code)
  const draft = loadDraft(platform.storage, code)
  draft.answers = filledFromIdCard({ employer: '北京顺义物流有限公司', new_form_job: visit.form_options.new_form_job[0], consent: true }, reading)
  draft.idempotencyKey = newIdempotencyKey()
  saveDraft(platform.storage, draft)
  assert.deepEqual(formErrors(draft.answers, true), {})
  const body = applicationBody(code, draft.answers, visit.form_options.consent_version)
  const joined = await api.join(body, draft.idempotencyKey)
  assert.equal(joined.status, 'submitted')
  assert.equal(joined.card_eligibility.available, true)
  assert.equal(joined.mobile, '139****5678', 'the verified WeChat phone number stood in for typing')
  // The answer of a retry whose first try did arrive: the same application, not a second one.
  assert.equal((await api.join(body, draft.idempotencyKey)).id, joined.id)
  clearDraft(platform.storage)

  const card = await api.applyForCard({ entry_code: code, delivery: 'onsite', branch: null, consent: true })
  assert.equal(card.membership_application_id, joined.id)

  const me = await api.me()
  assert.deepEqual(me.membership_applications.map((a) => a.id), [joined.id])
  assert.deepEqual(me.card_applications.map((c) => c.id), [card.id])
  assert.equal(me.card_eligibility.code, 'card_already_applied')
  assert.ok(me.membership_applications[0].status_text && me.membership_applications[0].reviewing_org.name)

  // A new phone: a new WeChat login, nothing in storage, the application found by ID number and the phone
  // number WeChat vouches for (never a typed one).
  const second = createPhone({ loginCode: 'contract-phone-b', photoPath: PHOTO_PATH })
  api = hold(second)
  assert.deepEqual((await api.me()).membership_applications, [])
  await assert.rejects(api.recover(ID_NUMBER), { code: 'phone_not_verified', status: 403 })
  await api.verifyPhone('phone:13800000000')
  await assert.rejects(api.recover(ID_NUMBER), { code: 'recovery_failed', status: 404 })
  await api.verifyPhone(`phone:${MOBILE}`)
  const recovered = await api.recover(ID_NUMBER)
  assert.equal(recovered.id, joined.id)
  assert.deepEqual((await api.me()).membership_applications.map((a) => a.id), [joined.id])
  // The first phone keeps a read-only line of it.
  api = hold(first)
  const old = await api.me()
  assert.deepEqual(old.membership_applications, [])
  assert.deepEqual(old.moved_applications.map((a) => [a.id, a.status_text]), [[joined.id, '已转到其他手机']])

})

test('an expired token is replaced by one new login and the request repeated', async () => {
  const phone = createPhone({ loginCode: 'contract-phone-c', photoPath: PHOTO_PATH })
  const api = hold(phone)
  platform.storage.set('union-intake:token', 'a-token-the-server-never-signed')
  const entry = await api.entry(ENTRY_CODE)
  assert.equal(entry.entry_code, ENTRY_CODE)
  assert.notEqual(platform.storage.get('union-intake:token'), 'a-token-the-server-never-signed')
})

test('a revoked or unknown code and a photo of the back are refused with their codes', async () => {
  const api = hold(createPhone({ loginCode: 'contract-phone-d', photoPath: process.env.BACK_PHOTO_PATH }))
  await assert.rejects(api.entry('no-such-code'), { code: 'entry_code_not_found', status: 404 })
  await assert.rejects(api.readIdCard(process.env.BACK_PHOTO_PATH), { code: 'id_card_back_side', status: 422 })
})

test('the privacy notice and the card information the pages render come in the shape they read', async () => {
  const api = hold(createPhone({ loginCode: 'contract-phone-e', photoPath: PHOTO_PATH }))
  const notice = await api.privacyNotice()
  assert.ok(notice.title && notice.version && notice.contact)
  assert.ok(notice.sections.length > 0 && notice.sections.every((s) => s.heading && s.body))
  const info = await api.cardInfo()
  assert.ok(info.title && info.sections.length > 0 && info.sections.every((s) => s.heading && s.body))
})
