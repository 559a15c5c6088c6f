// The pop-up WeChat's privacy rules require before the phone-number button, the camera/album and the clipboard.
const gate = require('../../platform/privacy')
const platform = require('../../platform/wx')

Component({
  data: { visible: false },
  lifetimes: {
    attached() {
      this.show = () => this.setData({ visible: true })
      gate.attach(this.show)
    },
    detached() { gate.detach(this.show) },
  },
  pageLifetimes: {
    // Another page may have taken the gate; the page on screen asks.
    show() { gate.attach(this.show) },
  },
  methods: {
    agree() {
      this.setData({ visible: false })
      gate.answer(true)
    },
    refuse() {
      this.setData({ visible: false })
      gate.answer(false)
      this.triggerEvent('refused')
    },
    openContract() {
      platform.openPrivacyContract().catch(() => platform.toast('请在微信「设置—隐私」中查看隐私保护指引'))
    },
  },
})
