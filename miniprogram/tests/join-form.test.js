// The join form's rules, shared by the page and the contract run.
const { formErrors, applicationBody, filledFromIdCard } = require('../utils/join-form')
const { entryCodeFromOptions, entryCodeFromScan } = require('../utils/entry-code')

test('a verified WeChat phone number stands in for a typed mobile, a typed one is still checked', () => {
  const answers = { name: '王小明', id_number: '110113199003071239', employer: '顺义物流', consent: true }
  expect(formErrors(answers, true)).toEqual({})
  expect(formErrors(answers, false)).toEqual({ mobile: '请填写手机号' })
  expect(formErrors({ ...answers, mobile: '12' }, true)).toEqual({ mobile: '手机号应为11位，以1开头' })
})

test('the body carries normalised numbers and every choice, null when unanswered', () => {
  const answers = filledFromIdCard({ mobile: '+86 139-1234-5678', employer: ' 顺义物流 ', consent: true },
    { name: '王小明', id_number: '11011319900307123x' })
  const body = applicationBody('C1', answers, '2026-11')
  expect(body).toMatchObject({ entry_code: 'C1', name: '王小明', id_number: '11011319900307123X', mobile: '13912345678', employer: '顺义物流', industry: null, is_migrant_worker: null, consent: true, consent_version: '2026-11' })
})

test('entry codes come from scene, q, a scanned wxacode path or a scanned poster URL, and nothing else', () => {
  expect(entryCodeFromOptions({ scene: 'Ab_-1' })).toBe('Ab_-1')
  expect(entryCodeFromOptions({ q: encodeURIComponent('https://intake.example.cn/q/Ab_-1') })).toBe('Ab_-1')
  expect(entryCodeFromOptions({ scene: encodeURIComponent('a b') })).toBeNull()
  expect(entryCodeFromScan({ path: 'pages/entry/index?scene=Ab_-1' })).toBe('Ab_-1')
  expect(entryCodeFromScan({ result: 'https://intake.example.cn/q/Ab_-1' })).toBe('Ab_-1')
  expect(entryCodeFromScan({ result: 'https://example.com/' })).toBeNull()
})
