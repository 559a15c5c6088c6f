// The 入会申请 form: its fields, the checks made before sending (the server's rules, from identity.js and the
// shared vector table), and the request body. No wx: the join page and the Node contract run both use it.
const identity = require('./identity')

const TEXT_FIELDS = ['name', 'id_number', 'mobile', 'employer', 'employer_credit_code', 'residence']
// Choices the server offers in the entry answer's form_options, in the order of 《工会会员登记表》.
const CHOICE_FIELDS = [
  { name: 'industry', label: '所属行业' },
  { name: 'new_form_job', label: '新就业形态' },
  { name: 'employment_status', label: '就业状态' },
  { name: 'hukou_type', label: '户籍类型' },
  { name: 'education', label: '学历' },
  { name: 'political_status', label: '政治面貌' },
  { name: 'skill_level', label: '技能等级' },
]
const REQUIRED = { name: '请填写姓名', employer: '请填写工作单位' }

function trimmed(value) {
  return identity.normaliseText(value)
}

// Field name → message for every answer the server would refuse; empty when the form may be sent.
// A verified WeChat phone number stands in for a typed mobile.
function formErrors(answers, phoneVerified) {
  const errors = {}
  Object.keys(REQUIRED).forEach((field) => {
    if (!trimmed(answers[field])) errors[field] = REQUIRED[field]
  })
  const idNumber = identity.checkIdNumber(answers.id_number)
  if (idNumber.error) errors.id_number = idNumber.message
  if (trimmed(answers.mobile) || !phoneVerified) {
    const mobile = identity.checkMobile(answers.mobile)
    if (mobile.error) errors.mobile = mobile.message
  }
  if (trimmed(answers.employer_credit_code)) {
    const creditCode = identity.checkCreditCode(answers.employer_credit_code)
    if (creditCode.error) errors.employer_credit_code = creditCode.message
  }
  if (answers.consent !== true) errors.consent = '请阅读并同意入会承诺和个人信息使用说明'
  return errors
}

function applicationBody(entryCode, answers, consentVersion) {
  const body = { entry_code: entryCode, consent: answers.consent === true, consent_version: consentVersion }
  TEXT_FIELDS.forEach((field) => { body[field] = trimmed(answers[field]) || null })
  body.id_number = body.id_number && identity.normaliseIdNumber(body.id_number)
  body.mobile = body.mobile && identity.normaliseMobile(body.mobile)
  CHOICE_FIELDS.forEach(({ name }) => { body[name] = answers[name] || null })
  body.is_migrant_worker = typeof answers.is_migrant_worker === 'boolean' ? answers.is_migrant_worker : null
  return body
}

// What an ID-card photo read: name and number replace what was typed, for the worker to check.
function filledFromIdCard(answers, reading) {
  return Object.assign({}, answers, { name: reading.name, id_number: reading.id_number })
}

module.exports = { CHOICE_FIELDS, formErrors, applicationBody, filledFromIdCard }
