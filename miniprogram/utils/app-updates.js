// Booth phones keep the mini-program open all day: a version released meanwhile is downloaded by WeChat in the
// background, and once it is ready whoever holds the phone is asked to restart into it — never forced, since a
// worker may be halfway through a form (a cold start takes the new version anyway).
const RESTART_QUESTION = {
  title: '有新版本',
  content: '新版本已准备好，重启小程序即可使用。现在重启吗？',
  confirmText: '重启',
}

function offerUpdates(updateManager, confirm) {
  if (!updateManager) return
  updateManager.onUpdateReady(async () => {
    const restart = await confirm(RESTART_QUESTION).catch(() => false)
    if (restart) updateManager.applyUpdate()
  })
}

module.exports = { offerUpdates, RESTART_QUESTION }
