// The 入会申请 form: an ID-card photo or typing fills it, answers survive the app being killed, and a
// submission is retried with the same Idempotency-Key until the server has answered.
const platform = require('../../platform/wx')
const currentApi = require('../../api/index')
const { newIdempotencyKey } = require('../../api/client')
const { visitFor } = require('../../utils/visit')
const { loadDraft, saveDraft, clearDraft, endsDraft } = require('../../utils/draft')
const { CHOICE_FIELDS, formErrors, applicationBody, filledFromIdCard } = require('../../utils/join-form')
const { errorText } = require('../../utils/messages')

Component({
  data: {
    state: 'loading', answers: {}, errors: {}, message: '', choices: [], consentText: '',
    verifiedPhone: null, ocrNote: '', submitting: false,
  },
  methods: {
    async onLoad(options) {
      this.entryCode = options.code
      this.draft = loadDraft(platform.storage, this.entryCode)
      try {
        this.visit = await visitFor(platform.storage, currentApi(), this.entryCode)
      } catch (error) {
        this.setData({ state: 'stopped', message: errorText(error) })
        return
      }
      const offered = this.visit.form_options
      const choices = CHOICE_FIELDS.map(({ name, label }) => ({ name, label, options: offered[name] }))
      this.setData({ state: 'form', answers: this.draft.answers, choices, consentText: offered.consent_text })
    },
    remember(changes) {
      this.draft.answers = Object.assign({}, this.draft.answers, changes)
      saveDraft(platform.storage, this.draft)
      this.setData({ answers: this.draft.answers })
    },
    onInput(event) {
      this.remember({ [event.currentTarget.dataset.field]: event.detail.value })
    },
    onChoose(event) {
      const field = event.currentTarget.dataset.field
      const choice = this.data.choices.find((c) => c.name === field)
      this.remember({ [field]: choice.options[Number(event.detail.value)] })
    },
    onConsent(event) {
      this.remember({ consent: event.detail.value.indexOf('agree') >= 0 })
    },
    takePhoto() { this.readIdCard('camera') },
    pickPhoto() { this.readIdCard('album') },
    async readIdCard(source) {
      let photo
      try {
        photo = await platform.chooseImage(source)
      } catch (cancelledOrRefused) {
        return
      }
      this.setData({ ocrNote: '正在识别身份证…' })
      try {
        const reading = await currentApi().readIdCard(photo.tempFilePath)
        this.remember(filledFromIdCard(this.draft.answers, reading))
        this.setData({ ocrNote: '已识别，请核对姓名和身份证号', errors: {} })
      } catch (error) {
        this.setData({ ocrNote: errorText(error) })
      }
    },
    async onPhoneNumber(event) {
      if (!event.detail.code) return // refused, or no phone bound to the account: typing stays possible
      try {
        const worker = await currentApi().verifyPhone(event.detail.code)
        this.setData({ verifiedPhone: worker.phone })
      } catch (error) {
        platform.toast(errorText(error))
      }
    },
    async submit() {
      const errors = formErrors(this.draft.answers, Boolean(this.data.verifiedPhone))
      this.setData({ errors, message: Object.keys(errors).length ? '请按提示修改标红的内容' : '' })
      if (Object.keys(errors).length || this.data.submitting) return
      this.draft.idempotencyKey = this.draft.idempotencyKey || newIdempotencyKey()
      saveDraft(platform.storage, this.draft)
      const body = applicationBody(this.entryCode, this.draft.answers, this.visit.form_options.consent_version)
      this.setData({ submitting: true })
      try {
        const application = await currentApi().join(body, this.draft.idempotencyKey)
        clearDraft(platform.storage)
        platform.redirectTo(`/pages/me/index?submitted=${application.id}`)
      } catch (error) {
        this.refused(error)
      } finally {
        this.setData({ submitting: false })
      }
    },
    refused(error) {
      if (endsDraft(error)) clearDraft(platform.storage)
      const saved = error.transient ? '。填写的内容已保存，稍后再点「提交申请」即可' : ''
      this.setData({ errors: error.fields || {}, message: errorText(error) + saved })
    },
  },
})
