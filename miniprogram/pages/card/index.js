// The 职工互助服务卡: what it is (from the server), how to receive it, and the application.
const platform = require('../../platform/wx')
const currentApi = require('../../api/index')
const { visitFor } = require('../../utils/visit')
const { errorText, RETRYING } = require('../../utils/messages')

Component({
  data: {
    state: 'loading', info: null, deliveries: [], branches: [], delivery: '', branch: '', branchAt: 0, consent: false,
    message: '', submitting: false, retrying: false,
  },
  methods: {
    async onLoad(options) {
      this.entryCode = options.code
      try {
        const [visit, info] = await Promise.all([
          visitFor(platform.storage, currentApi(), this.entryCode),
          currentApi().cardInfo(),
        ])
        const offered = visit.form_options
        this.setData({ state: 'form', info, deliveries: offered.card_delivery, branches: offered.card_branches })
      } catch (error) {
        this.setData({ state: 'stopped', message: errorText(error) })
      }
    },
    onDelivery(event) { this.setData({ delivery: event.detail.value, message: '' }) },
    // branchAt: the picker opens at the branch chosen.
    onBranch(event) {
      const branchAt = Number(event.detail.value)
      this.setData({ branch: this.data.branches[branchAt], branchAt })
    },
    onConsent(event) { this.setData({ consent: event.detail.value.indexOf('agree') >= 0 }) },
    missing() {
      if (!this.data.delivery) return '请选择领卡方式'
      if (this.data.delivery === 'branch' && !this.data.branch) return '请选择领卡的银行网点'
      return this.data.consent ? '' : '请阅读并同意办卡须知'
    },
    async submit() {
      const missing = this.missing()
      this.setData({ message: missing })
      if (missing || this.data.submitting) return
      const { delivery, branch, consent } = this.data
      this.setData({ submitting: true })
      const stillTrying = () => this.setData({ retrying: true, message: RETRYING })
      try {
        await currentApi().applyForCard({
          entry_code: this.entryCode, delivery, branch: delivery === 'branch' ? branch : null, consent,
        }, stillTrying)
        platform.redirectTo('/pages/me/index')
      } catch (error) {
        // A retry whose first try did arrive: the card is applied for, which is what the worker wanted.
        if (error.code === 'card_already_applied') platform.redirectTo('/pages/me/index')
        else this.setData({ message: errorText(error) })
      } finally {
        this.setData({ submitting: false, retrying: false })
      }
    },
  },
})
