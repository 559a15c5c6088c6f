// app/static/identity.js against the shared table tests/vectors/identity.json (run: node --test tests/js/).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");
const identity = require(path.join(__dirname, "..", "..", "app", "static", "identity.js"));
const vectors = require(path.join(__dirname, "..", "vectors", "identity.json"));

function outcome(answer) {
  if (answer.error) {
    assert.equal(answer.message, vectors.messages[answer.error]);
    return { error: answer.error };
  }
  return { normalised: answer.value };
}

function expected(vector) {
  return "error" in vector ? { error: vector.error } : { normalised: vector.normalised };
}

test("the module speaks the table's words for every error code", () => {
  assert.deepEqual(identity.MESSAGES, vectors.messages);
});

for (const vector of vectors.id_numbers) {
  test(`身份证号: ${vector.note}`, () => {
    const answer = identity.checkIdNumber(vector.input, vectors.today);
    assert.deepEqual(outcome(answer), expected(vector));
    if (!answer.error) {
      assert.deepEqual([answer.birthDate, answer.gender], [vector.birth_date, vector.gender]);
    }
  });
}

for (const vector of vectors.mobiles) {
  test(`手机号: ${vector.note}`, () => {
    assert.deepEqual(outcome(identity.checkMobile(vector.input)), expected(vector));
  });
}

for (const vector of vectors.credit_codes) {
  test(`统一社会信用代码: ${vector.note}`, () => {
    assert.deepEqual(outcome(identity.checkCreditCode(vector.input)), expected(vector));
  });
}

test("without a date the checks use today's date in Beijing", () => {
  assert.equal(identity.checkIdNumber("11010519491231002X").gender, "女");
});
