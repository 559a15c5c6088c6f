// WeChat's 用户隐私保护指引: the first call of a privacy API (the phone-number button, the camera and album,
// the clipboard) waits until the worker agrees. WeChat hands us a `resolve`; the privacy pop-up shows our
// notice and answers it. One pending request at a time, as WeChat sends them.

function createPrivacyGate(platform) {
  let pending = null
  let show = null

  platform.onNeedPrivacyAuthorization((resolve) => {
    if (!show) {
      // No pop-up on this page to ask with: WeChat then refuses the call, and the page offers typing.
      resolve({ event: 'disagree' })
      return
    }
    pending = resolve
    show()
    resolve({ event: 'exposureAuthorization' })
  })

  return {
    // The pop-up of the page on screen registers itself; the last one shown wins.
    attach(onShow) { show = onShow },
    detach(onShow) { if (show === onShow) show = null },
    answer(agreed) {
      if (!pending) return
      pending(agreed ? { buttonId: 'agree-privacy', event: 'agree' } : { event: 'disagree' })
      pending = null
    },
  }
}

module.exports = { createPrivacyGate }
