// A booth phone open all day takes a version released meanwhile: once WeChat has it ready, the person holding
// the phone is asked, and the app restarts into it only when they agree.
const { fake, settle } = require('./support/pages')

// WeChat's update manager as the base library hands it out: the app registers, WeChat calls back.
function simulatedUpdateManager() {
  const manager = { readyListeners: [], applied: 0 }
  Object.assign(manager, {
    onCheckForUpdate() {},
    onUpdateFailed() {},
    onUpdateReady: (listener) => manager.readyListeners.push(listener),
    applyUpdate: () => { manager.applied += 1 },
    becomesReady: () => manager.readyListeners.forEach((listener) => listener()),
  })
  return manager
}

let app = null
let manager = null
let modals = []
let answer = true

beforeAll(() => {
  global.App = (definition) => { app = definition }
  require('../app')
})

beforeEach(() => {
  fake.reset()
  manager = simulatedUpdateManager()
  modals = []
  fake.wx.getUpdateManager = () => manager
  fake.wx.showModal = (options) => {
    modals.push(options)
    setTimeout(() => options.success({ confirm: answer, cancel: !answer }), 0)
  }
})

async function launchAndPublishAVersion() {
  app.onLaunch()
  expect(modals).toEqual([]) // nothing is asked before the new version is there
  manager.becomesReady()
  await settle()
}

test('a new version ready during the day is offered, and applied when the user agrees', async () => {
  answer = true
  await launchAndPublishAVersion()
  expect(modals.map((m) => [m.title, m.content, m.confirmText])).toEqual([
    ['有新版本', '新版本已准备好，重启小程序即可使用。现在重启吗？', '重启'],
  ])
  expect(manager.applied).toBe(1)
})

test('declined, the phone carries on with the version it runs', async () => {
  answer = false
  await launchAndPublishAVersion()
  expect(modals).toHaveLength(1)
  expect(manager.applied).toBe(0)
})

test('a base library without the update manager simply starts', () => {
  delete fake.wx.getUpdateManager
  expect(() => app.onLaunch()).not.toThrow()
})
