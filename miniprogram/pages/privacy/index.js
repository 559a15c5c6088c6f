// 个人信息保护说明, as the server publishes it (the version the worker consents to), and WeChat's own guide.
const platform = require('../../platform/wx')
const currentApi = require('../../api/index')
const { errorText } = require('../../utils/messages')

Component({
  data: { state: 'loading', notice: null, message: '' },
  methods: {
    async onLoad() {
      try {
        this.setData({ state: 'ready', notice: await currentApi().privacyNotice() })
      } catch (error) {
        this.setData({ state: 'error', message: errorText(error) })
      }
    },
    openContract() {
      platform.openPrivacyContract().catch(() => platform.toast('请在微信「设置—隐私」中查看'))
    },
  },
})
