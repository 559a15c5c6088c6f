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
const TEXT_LABELS = {
  name: '姓名', id_number: '身份证号', mobile: '手机号', employer: '工作单位', employer_credit_code: '统一社会信用代码',
  residence: '现居住地',
}

function trimmed(value) {
  return identity.normaliseText(value)
}

function refusal(answer) {
  return answer.error ? answer.message : null
}

// The fields the join form shows a server's refusal beside; any other it names (id_valid_until, say) is told in
// the page's message, so no refusal leaves nothing marked.
const PLACED_FIELDS = [...TEXT_FIELDS, ...CHOICE_FIELDS.map((choice) => choice.name), 'consent', 'consent_version']

// One check per field, answering the message the server would give, or null. A verified WeChat phone
// number stands in for a typed mobile; a credit code is optional but checked when typed.
const FIELD_CHECKS = {
  name: (answers) => (trimmed(answers.name) ? null : '请填写姓名'),
  id_number: (answers) => refusal(identity.checkIdNumber(answers.id_number)),
  mobile: (answers, phoneVerified) =>
    (trimmed(answers.mobile) || !phoneVerified ? refusal(identity.checkMobile(answers.mobile)) : null),
  employer: (answers) => (trimmed(answers.employer) ? null : '请填写工作单位'),
  employer_credit_code: (answers) =>
    (trimmed(answers.employer_credit_code) ? refusal(identity.checkCreditCode(answers.employer_credit_code)) : null),
  consent: (answers) => (answers.consent === true ? null : '请阅读并同意入会承诺和个人信息保护说明'),
}

// Field name → message for the given fields (all of them by default); empty when the answers may be sent.
function formErrors(answers, phoneVerified, fields = Object.keys(FIELD_CHECKS)) {
  const errors = {}
  fields.filter((field) => FIELD_CHECKS[field]).forEach((field) => {
    const message = FIELD_CHECKS[field](answers, phoneVerified)
    if (message) errors[field] = message
  })
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

function unplacedErrors(fields) {
  return Object.keys(fields).filter((field) => PLACED_FIELDS.indexOf(field) < 0).map((field) => fields[field])
}

// A returned application's corrections: only the fields the reviewer flagged, normalised like a new form.
function correctionBody(answers, fields) {
  const everything = applicationBody(null, answers, null)
  return Object.fromEntries(fields.filter((field) => field in everything).map((field) => [field, everything[field]]))
}

// What an ID-card photo read: name and number replace what was typed, for the worker to check.
function filledFromIdCard(answers, reading) {
  return Object.assign({}, answers, { name: reading.name, id_number: reading.id_number })
}

module.exports = {
  CHOICE_FIELDS, TEXT_LABELS, formErrors, applicationBody, correctionBody, filledFromIdCard, unplacedErrors,
}
