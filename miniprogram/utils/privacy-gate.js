// WeChat's 用户隐私保护指引: the first call of a privacy API (the phone-number button, the camera and album,
// the clipboard) waits until the worker agrees. WeChat hands us a `resolve`; the privacy pop-up shows our
// notice and answers it. A second request may come while the first waits (the phone button tapped, then the
// camera): the one answer of the pop-up goes to every request waiting, so none hangs.

function createPrivacyGate(platform) {
  let pending = []
  let show = null

  platform.onNeedPrivacyAuthorization((resolve) => {
    if (!show) {
      // No pop-up on this page to ask with: WeChat then refuses the call, and the page offers typing.
      resolve({ event: 'disagree' })
      return
    }
    pending.push(resolve)
    show()
    resolve({ event: 'exposureAuthorization' })
  })

  return {
    // The pop-up of the page on screen registers itself; the last one shown wins.
    attach(onShow) { show = onShow },
    detach(onShow) { if (show === onShow) show = null },
    answer(agreed) {
      const decision = agreed ? { buttonId: 'agree-privacy', event: 'agree' } : { event: 'disagree' }
      const waiting = pending
      pending = []
      waiting.forEach((resolve) => resolve(decision))
    },
  }
}

module.exports = { createPrivacyGate }
