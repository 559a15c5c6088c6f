// 找回我的申请: on a new phone or after reinstalling WeChat, the ID number and mobile given in the
// application bring it back to this WeChat account.
const platform = require('../../platform/wx')
const currentApi = require('../../api/index')
const identity = require('../../utils/identity')
const { errorText } = require('../../utils/messages')

Component({
  data: { idNumber: '', mobile: '', errors: {}, message: '', application: null, submitting: false },
  methods: {
    onInput(event) {
      this.setData({ [event.currentTarget.dataset.field]: event.detail.value })
    },
    async submit() {
      const idNumber = identity.checkIdNumber(this.data.idNumber)
      const mobile = identity.checkMobile(this.data.mobile)
      const errors = {}
      if (idNumber.error) errors.id_number = idNumber.message
      if (mobile.error) errors.mobile = mobile.message
      this.setData({ errors, message: '' })
      if (Object.keys(errors).length || this.data.submitting) return
      this.setData({ submitting: true })
      try {
        const application = await currentApi().recover(idNumber.value, mobile.value)
        this.setData({ application })
      } catch (error) {
        this.setData({ message: errorText(error), errors: error.fields || {} })
      } finally {
        this.setData({ submitting: false })
      }
    },
    myApplications() { platform.redirectTo('/pages/me/index') },
  },
})
