// The mini-program starts on the page its 小程序码 / link names; pages load what they need themselves.
require('./platform/privacy')

App({})
