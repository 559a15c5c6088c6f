// Rendering a page (a Component, as WeChat allows) with miniprogram-simulate, against the fake wx.
const path = require('path')
const simulate = require('miniprogram-simulate')
const { createFakeWx } = require('./fake-wx')

const ROOT = path.join(__dirname, '..', '..')

// One fake per test file: platform/privacy registers its listener once, on the first wx it meets.
const fake = createFakeWx()
global.wx = fake.wx

// Loaded once per file: jest keeps the page module cached, so a second load would define nothing.
const loaded = {}

function renderPage(name) {
  loaded[name] = loaded[name] || simulate.load(path.join(ROOT, 'pages', name, 'index'), { rootPath: ROOT })
  const page = simulate.render(loaded[name])
  page.attach(document.createElement('parent-wrapper'))
  return page
}

// Let every pending promise and zero-delay timer (the fake's answers) run.
async function settle(times = 6) {
  for (let i = 0; i < times; i += 1) await simulate.sleep(0)
}

function text(page, selector) {
  const found = page.querySelector(selector)
  return found ? found.dom.textContent.trim() : null
}

// An attribute as the page rendered it (a picker's value, an input's placeholder), or undefined.
function attribute(page, selector, name) {
  const found = page.querySelector(selector)
  const attr = found && found.toJSON().attrs.find((a) => a.name === name)
  return attr ? attr.value : undefined
}

// The join form opened from an entry code, as a scan does.
async function openJoinForm(code) {
  const page = renderPage('join')
  page.instance.onLoad({ code })
  await settle()
  return page
}

// Events reach the page's handler asynchronously, as on a phone.
async function fire(page, selector, name, detail) {
  page.querySelector(selector).dispatchEvent(name, { detail })
  await settle(2)
}

function ok(data, statusCode = 200) {
  return { statusCode, data }
}

function failure(statusCode, code, message, fields = {}, header = {}) {
  return { statusCode, data: { error: { code, message, fields } }, header }
}

module.exports = { fake, renderPage, openJoinForm, fire, settle, text, attribute, ok, failure, ROOT, simulate }
