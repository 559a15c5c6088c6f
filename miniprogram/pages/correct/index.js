// A returned application: the reviewer's reason, and only the fields they flagged to correct and resubmit.
// The answer masks name, 身份证号 and mobile, so a flagged one is typed again rather than shown.
const platform = require('../../platform/wx')
const currentApi = require('../../api/index')
const { newIdempotencyKey } = require('../../api/client')
const { CHOICE_FIELDS, TEXT_LABELS, formErrors, correctionBody } = require('../../utils/join-form')
const { rememberedVisit } = require('../../utils/visit')
const { errorText, RETRYING } = require('../../utils/messages')

// When the reviewer named no field, the ones most often wrong.
const USUAL_FIELDS = ['name', 'id_number', 'mobile', 'employer']

function fieldsToShow(application, formOptions) {
  const flagged = application.returned_fields.length ? application.returned_fields : USUAL_FIELDS
  return flagged.map((name) => {
    const choice = CHOICE_FIELDS.find((c) => c.name === name)
    if (choice && formOptions) return { name, label: choice.label, options: formOptions[name] }
    return { name, label: TEXT_LABELS[name] || (choice && choice.label) || name, options: null }
  })
}

Component({
  data: {
    state: 'loading', application: null, fields: [], answers: {}, errors: {}, message: '', retrying: false,
    submitting: false,
  },
  methods: {
    async onLoad(options) {
      try {
        const me = await currentApi().me()
        const application = me.membership_applications.find((a) => String(a.id) === String(options.id))
        if (!application || application.status !== 'returned') {
          this.setData({ state: 'stopped', message: '这份申请不需要修改，可在「我的申请」查看进度' })
          return
        }
        const visit = rememberedVisit(platform.storage)
        const fields = fieldsToShow(application, visit && visit.form_options)
        this.setData({ state: 'form', application, fields })
      } catch (error) {
        this.setData({ state: 'stopped', message: errorText(error) })
      }
    },
    onInput(event) {
      this.answer(event.currentTarget.dataset.field, event.detail.value)
    },
    onChoose(event) {
      const field = this.data.fields.find((f) => f.name === event.currentTarget.dataset.field)
      this.answer(field.name, field.options[Number(event.detail.value)])
    },
    // One key per correction: resending the same answers (after a lost answer, or 重新提交) keeps it, so the
    // server answers its first result again; changed answers are another correction.
    answer(name, value) {
      this.correctionKey = null
      this.setData({ [`answers.${name}`]: value })
    },
    async submit() {
      const names = this.data.fields.map((f) => f.name)
      const errors = formErrors(this.data.answers, false, names)
      this.setData({ errors, message: '' })
      if (Object.keys(errors).length || this.data.submitting) return
      this.setData({ submitting: true })
      this.correctionKey = this.correctionKey || newIdempotencyKey()
      const stillTrying = () => this.setData({ retrying: true, message: RETRYING })
      try {
        await currentApi().resubmit(
          this.data.application.id, correctionBody(this.data.answers, names), this.correctionKey, stillTrying)
        this.setData({ message: '' })
        platform.redirectTo('/pages/me/index')
      } catch (error) {
        this.setData({ errors: error.fields || {}, message: errorText(error) })
      } finally {
        this.setData({ submitting: false, retrying: false })
      }
    },
  },
})
