// 找回我的申请: on a new phone or after reinstalling WeChat, the ID number plus either this WeChat's verified phone
// number (the one on the application) or a code booth staff gave after checking the ID card. A typed mobile
// proves nothing, so none is asked for; an approved membership needs the code (docs/mp_api.md).
const platform = require('../../platform/wx')
const currentApi = require('../../api/index')
const identity = require('../../utils/identity')
const { errorText } = require('../../utils/messages')
const { takeOfferedIdNumber } = require('../../utils/recovery-offer')

const NO_PROOF = '请先验证微信手机号，或填写现场工作人员给的找回码'
// The booth's code is 6 digits (recovery.issue_code); a slip is caught here, not spent on the hourly limit.
const CODE_PATTERN = /^\d{6}$/
const CODE_FORMAT = '找回码是工作人员给的6位数字，请核对'

Component({
  data: {
    idNumber: '', recoveryCode: '', verifiedPhone: null, errors: {}, message: '', application: null,
    submitting: false,
  },
  methods: {
    async onLoad() {
      // Sent here by the join form's 409: the ID number it was refused for.
      this.setData({ idNumber: takeOfferedIdNumber() || '' })
      // Whether this WeChat already verified its phone (masked); without an answer the button offers it.
      const me = await currentApi().me().catch(() => null)
      if (me && me.worker.phone) this.setData({ verifiedPhone: me.worker.phone })
    },
    onInput(event) {
      this.setData({ [event.currentTarget.dataset.field]: event.detail.value })
    },
    async onPhoneNumber(event) {
      if (!event.detail.code) return // refused, or no phone bound: the booth's code remains
      try {
        const worker = await currentApi().verifyPhone(event.detail.code)
        this.setData({ verifiedPhone: worker.phone, errors: Object.assign({}, this.data.errors, { proof: '' }) })
      } catch (error) {
        platform.toast(errorText(error))
      }
    },
    async submit() {
      const idNumber = identity.checkIdNumber(this.data.idNumber)
      const code = this.data.recoveryCode.trim()
      const errors = {}
      if (idNumber.error) errors.id_number = idNumber.message
      if (!code && !this.data.verifiedPhone) errors.proof = NO_PROOF
      if (code && !CODE_PATTERN.test(code)) errors.recovery_code = CODE_FORMAT
      this.setData({ errors, message: '' })
      if (Object.keys(errors).length || this.data.submitting) return
      this.setData({ submitting: true })
      try {
        const application = await currentApi().recover(idNumber.value, code)
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
