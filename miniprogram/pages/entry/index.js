// Opened by a 小程序码 (scene), a 普通链接二维码 (q) or 扫一扫: where the worker is and what they can do here.
const platform = require('../../platform/wx')
const currentApi = require('../../api/index')
const { entryCodeFromOptions, entryCodeFromScan } = require('../../utils/entry-code')
const { rememberVisit } = require('../../utils/visit')
const { errorText, isStop } = require('../../utils/messages')

Component({
  data: { state: 'scan', entry: null, error: '', stopped: false, canJoin: false, canApplyForCard: false },
  methods: {
    onLoad(options) {
      this.entryCode = entryCodeFromOptions(options)
      if (this.entryCode) this.open()
    },
    async open() {
      this.setData({ state: 'loading', error: '' })
      try {
        const entry = await currentApi().entry(this.entryCode)
        rememberVisit(platform.storage, entry)
        this.setData({
          state: 'ready',
          entry,
          canJoin: entry.actions.indexOf('join') >= 0,
          canApplyForCard: entry.actions.indexOf('card') >= 0,
        })
      } catch (error) {
        this.setData({ state: 'error', error: errorText(error), stopped: isStop(error) })
      }
    },
    async scan() {
      let result
      try {
        result = await platform.scanCode()
      } catch (cancelled) {
        return
      }
      const code = entryCodeFromScan(result)
      if (!code) {
        this.setData({ state: 'scan', error: '这不是职工入会二维码，请扫描沟通会现场张贴的二维码' })
        return
      }
      this.entryCode = code
      this.open()
    },
    join() { platform.navigateTo(`/pages/join/index?code=${this.entryCode}`) },
    applyForCard() { platform.navigateTo(`/pages/card/index?code=${this.entryCode}`) },
    myApplications() { platform.navigateTo('/pages/me/index') },
    recover() { platform.navigateTo('/pages/recover/index') },
    privacy() { platform.navigateTo('/pages/privacy/index') },
  },
})
