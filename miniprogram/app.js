// The mini-program starts on the page its 小程序码 / link names; pages load what they need themselves.
require('./platform/privacy')
const platform = require('./platform/wx')
const { freshDraft } = require('./utils/draft')
const { offerUpdates } = require('./utils/app-updates')

App({
  onLaunch() {
    freshDraft(platform.storage) // a form abandoned over a day ago leaves the phone even if never reopened
    offerUpdates(platform.updateManager(), platform.confirm)
  },
})
