// WeChat's privacy pop-up (components/privacy-popup, utils/privacy-gate.js): every request waiting is answered,
// and the sheet's buttons stay clear of the iPhone home indicator.
const fs = require('fs')
const path = require('path')
const { fake, openJoinForm, settle, ok, ROOT } = require('./support/pages')
const { entry, SESSION } = require('./fixtures')

const CODE = 'Abc123_-xyz'

beforeEach(() => {
  fake.reset()
  fake.state.routes['POST /auth/login'] = ok(SESSION)
  fake.state.routes[`GET /entries/${CODE}`] = ok(entry())
})

const openForm = () => openJoinForm(CODE)

test('a second privacy request while the first waits: one answer of the pop-up settles both', async () => {
  const page = await openForm()
  const decisions = []
  // The phone-number button, then 拍照识别 before the worker has answered the pop-up.
  fake.needPrivacy().then((answer) => decisions.push(['phone', answer]))
  fake.needPrivacy().then((answer) => decisions.push(['camera', answer]))
  await settle()
  page.querySelector('#privacy-popup >>> #agree-privacy').dispatchEvent('agreeprivacyauthorization')
  await settle()
  expect(decisions).toEqual([['phone', 'agree'], ['camera', 'agree']])
  expect(page.querySelector('#privacy-popup >>> .sheet')).toBeFalsy()
})

test('refusing answers every waiting request too', async () => {
  const page = await openForm()
  const decisions = []
  fake.needPrivacy().then((answer) => decisions.push(answer))
  fake.needPrivacy().then((answer) => decisions.push(answer))
  await settle()
  page.querySelector('#privacy-popup >>> .refuse').dispatchEvent('tap')
  await settle()
  expect(decisions).toEqual(['disagree', 'disagree'])
})

test('the pop-up sheet keeps its buttons above the iPhone home indicator', () => {
  const css = fs.readFileSync(path.join(ROOT, 'components', 'privacy-popup', 'index.wxss'), 'utf8')
  const sheet = /\.sheet\s*\{([^}]*)\}/.exec(css)[1]
  expect(sheet).toMatch(/padding-bottom:\s*calc\([^;]*env\(safe-area-inset-bottom\)\)/)
})
