// The 入会申请 form: an ID-card photo or typing fills it, answers survive the app being killed, and a
// submission is resent with the same Idempotency-Key for a minute while the network or the server is away.
const platform = require('../../platform/wx')
const currentApi = require('../../api/index')
const { newIdempotencyKey } = require('../../api/client')
const { visitFor } = require('../../utils/visit')
const { loadDraft, saveDraft, clearDraft, endsDraft } = require('../../utils/draft')
const { CHOICE_FIELDS, formErrors, applicationBody, filledFromIdCard, unplacedErrors } = require('../../utils/join-form')
const { errorText, RETRYING } = require('../../utils/messages')
const { uploadablePhoto, PHOTO_TOO_LARGE } = require('../../utils/photo')
const { offerRecovery } = require('../../utils/recovery-offer')

// After a 409 the form is a dead end: what the worker can do instead, with 找回我的申请 beside it.
const CONFLICT_HELP = {
  already_applied: '如果是您本人用其他手机或微信申请的，可以找回到这个微信：用申请时填写的手机号验证微信，或请现场工作人员核对身份证后给您一个找回码。',
  already_member: '您已是工会会员，会员编号和状态在当初申请所用微信的「我的申请」中查看。要在这个微信查看，请现场工作人员核对身份证后给您一个找回码，再点「找回我的申请」。',
}

// Each picker opens at the answer chosen (WeChat's picker takes the index), else at the first option.
function choicesAt(choices, answers) {
  return choices.map((choice) => {
    const at = Math.max(0, choice.options.indexOf(answers[choice.name]))
    return Object.assign({}, choice, { at })
  })
}

Component({
  data: {
    state: 'loading', answers: {}, errors: {}, message: '', choices: [], consentText: '',
    verifiedPhone: null, ocrNote: '', submitting: false, retrying: false, resend: false, conflictHelp: '',
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
      this.setData({
        state: 'form', answers: this.draft.answers, choices: choicesAt(choices, this.draft.answers),
        consentText: offered.consent_text, verifiedPhone: currentApi().verifiedPhone(),
      })
    },
    remember(changes) {
      this.draft.answers = Object.assign({}, this.draft.answers, changes)
      saveDraft(platform.storage, this.draft)
      this.setData({ answers: this.draft.answers })
    },
    onInput(event) {
      this.remember({ [event.currentTarget.dataset.field]: event.detail.value })
    },
    choose(field, value) {
      this.remember({ [field]: value })
      this.setData({ choices: choicesAt(this.data.choices, this.draft.answers), [`errors.${field}`]: '' })
    },
    onChoose(event) {
      const field = event.currentTarget.dataset.field
      const choice = this.data.choices.find((c) => c.name === field)
      this.choose(field, choice.options[Number(event.detail.value)])
    },
    // The choices are optional: one picked by mistake can be taken back.
    clearChoice(event) {
      this.choose(event.currentTarget.dataset.field, null)
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
      const photoPath = await uploadablePhoto(platform, photo)
      if (!photoPath) {
        this.setData({ ocrNote: PHOTO_TOO_LARGE })
        return
      }
      try {
        const reading = await currentApi().readIdCard(photoPath)
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
      this.setData({ errors, message: Object.keys(errors).length ? '请按提示修改标红的内容' : '', conflictHelp: '' })
      if (Object.keys(errors).length || this.data.submitting) return
      this.draft.idempotencyKey = this.draft.idempotencyKey || newIdempotencyKey()
      saveDraft(platform.storage, this.draft)
      const body = applicationBody(this.entryCode, this.draft.answers, this.visit.form_options.consent_version)
      const stillTrying = () => this.setData({ retrying: true, message: RETRYING })
      this.setData({ submitting: true })
      try {
        const application = await currentApi().join(body, this.draft.idempotencyKey, stillTrying)
        clearDraft(platform.storage)
        platform.redirectTo(`/pages/me/index?submitted=${application.id}`)
      } catch (error) {
        this.refused(error)
      } finally {
        this.setData({ submitting: false, retrying: false })
      }
    },
    refused(error) {
      if (endsDraft(error)) clearDraft(platform.storage)
      const saved = error.transient ? '。填写的内容已保存，可点「重新提交」再试' : ''
      const unplaced = unplacedErrors(error.fields || {})
      this.setData({
        errors: error.fields || {}, message: [errorText(error) + saved, ...unplaced].join('；'),
        resend: error.transient, conflictHelp: CONFLICT_HELP[error.code] || '',
      })
    },
    recover() {
      offerRecovery(this.draft.answers.id_number)
      platform.navigateTo('/pages/recover/index')
    },
  },
})
