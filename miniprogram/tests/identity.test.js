// The mini-program checks 身份证号 and mobile with the H5 page's own module, against the shared vector table.
const fs = require('fs')
const path = require('path')
const identity = require('../utils/identity')

const REPO = path.join(__dirname, '..', '..')
const vectors = require(path.join(REPO, 'tests', 'vectors', 'identity.json'))

test('utils/identity.js is the H5 page\'s app/static/identity.js, byte for byte', () => {
  // WeChat DevTools packages only miniprogram/, so the module is copied here: cp app/static/identity.js miniprogram/utils/
  const copy = fs.readFileSync(path.join(__dirname, '..', 'utils', 'identity.js'))
  expect(copy.equals(fs.readFileSync(path.join(REPO, 'app', 'static', 'identity.js')))).toBe(true)
})

function outcome(answer) {
  return answer.error ? { error: answer.error, message: answer.message } : { normalised: answer.value }
}

function expected(vector) {
  return 'error' in vector ? { error: vector.error, message: vectors.messages[vector.error] } : { normalised: vector.normalised }
}

describe.each([
  ['id_numbers', (input) => identity.checkIdNumber(input, vectors.today)],
  ['mobiles', (input) => identity.checkMobile(input)],
  ['credit_codes', (input) => identity.checkCreditCode(input)],
])('%s from tests/vectors/identity.json', (table, check) => {
  test.each(vectors[table].map((vector) => [vector.note, vector]))('%s', (note, vector) => {
    expect(outcome(check(vector.input))).toEqual(expected(vector))
  })
})
