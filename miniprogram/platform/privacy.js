// The app's one privacy gate, listening to WeChat from the first page that shows a privacy pop-up.
const platform = require('./wx')
const { createPrivacyGate } = require('../utils/privacy-gate')

module.exports = createPrivacyGate(platform)
