/* 身份证号, mobile and 统一社会信用代码: the server's rules (app/services/intake/identity.py) for the client, so a
 * worker hears about a slip when leaving the field rather than after submitting.
 *
 * UMD, no DOM: a browser global `UnionIdentity`, or `require()` in Node and in the WeChat mini-program.
 * tests/vectors/identity.json holds this module and the Python to the same answers and the same words.
 * Each check returns {value, birthDate?, gender?} or {error: code, message}. */
(function (root, factory) {
  "use strict";
  if (typeof module === "object" && module.exports) {
    module.exports = factory();
  } else {
    root.UnionIdentity = factory();
  }
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  var MINIMUM_AGE = 16;
  var MESSAGES = {
    id_required: "请填写身份证号",
    id_format: "身份证号应为18位，前17位是数字，最后一位是数字或X",
    id_checksum: "身份证号校验位不正确，请核对后重新输入",
    id_birth_date_missing: "身份证号中的出生日期不存在，请核对",
    id_birth_date_wrong: "身份证号中的出生日期不正确，请核对",
    id_under_age: "年满" + MINIMUM_AGE + "周岁方可申请入会",
    mobile_required: "请填写手机号",
    mobile_format: "手机号应为11位，以1开头",
    credit_code_format: "统一社会信用代码应为18位数字或大写字母",
    credit_code_checksum: "统一社会信用代码校验位不正确，请核对营业执照",
  };
  // GB 11643-1999 weights and check characters; GB 32100-2015 alphabet and weights.
  var ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  var ID_CHECK_CHARS = "10X98765432";
  var ID_PATTERN = /^[1-9]\d{16}[\dX]$/;
  var MOBILE_PATTERN = /^1[3-9]\d{9}$/;
  var CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  var CREDIT_CODE_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  var BEIJING_OFFSET_MS = 8 * 3600 * 1000;

  function refused(code) { return { error: code, message: MESSAGES[code] }; }

  function normaliseText(value) {
    var text = String(value === null || value === undefined ? "" : value);
    if (text.normalize) { text = text.normalize("NFKC"); }
    // Control characters (Unicode category Cc) are dropped, as the server does.
    return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, "").trim();
  }

  function normaliseIdNumber(value) { return normaliseText(value).replace(/\s/g, "").toUpperCase(); }

  function normaliseMobile(value) {
    var mobile = normaliseText(value).replace(/[\s\-()]/g, "");
    var prefixes = ["+86", "0086", "86"];
    for (var i = 0; i < prefixes.length; i++) {
      if (mobile.indexOf(prefixes[i]) === 0 && mobile.length === prefixes[i].length + 11) {
        return mobile.slice(prefixes[i].length);
      }
    }
    return mobile;
  }

  function normaliseCreditCode(value) { return normaliseText(value).toUpperCase(); }

  // Today's date in Beijing as {year, month, day}, whatever the phone's time zone.
  function todayInBeijing() {
    var now = new Date(Date.now() + BEIJING_OFFSET_MS);
    return { year: now.getUTCFullYear(), month: now.getUTCMonth() + 1, day: now.getUTCDate() };
  }

  function parseIsoDate(text) {
    var parts = text.split("-");
    return { year: Number(parts[0]), month: Number(parts[1]), day: Number(parts[2]) };
  }

  function compareDates(a, b) {
    return (a.year - b.year) || (a.month - b.month) || (a.day - b.day);
  }

  function ageOn(birth, today) {
    var hadBirthday = today.month > birth.month || (today.month === birth.month && today.day >= birth.day);
    return today.year - birth.year - (hadBirthday ? 0 : 1);
  }

  // Not Date(): it reads years below 100 as 19xx.
  function isRealDate(d) {
    var leap = d.year % 4 === 0 && (d.year % 100 !== 0 || d.year % 400 === 0);
    var days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][d.month - 1];
    return d.year >= 1 && d.month >= 1 && d.month <= 12 && d.day >= 1 && d.day <= days;
  }

  function pad(number) { return (number < 10 ? "0" : "") + number; }

  function idCheckChar(first17) {
    var total = 0;
    for (var i = 0; i < 17; i++) { total += Number(first17.charAt(i)) * ID_WEIGHTS[i]; }
    return ID_CHECK_CHARS.charAt(total % 11);
  }

  /* A 身份证号 as typed → {value, birthDate: "YYYY-MM-DD", gender: "男"|"女"} or {error, message}.
   * `today` ("YYYY-MM-DD", Beijing) is for tests; by default the phone's clock read in Beijing time. */
  function checkIdNumber(raw, today) {
    var value = normaliseIdNumber(raw);
    var onDate = today ? parseIsoDate(today) : todayInBeijing();
    if (!value) { return refused("id_required"); }
    if (!ID_PATTERN.test(value)) { return refused("id_format"); }
    if (idCheckChar(value.slice(0, 17)) !== value.charAt(17)) { return refused("id_checksum"); }
    var birth = { year: Number(value.slice(6, 10)), month: Number(value.slice(10, 12)), day: Number(value.slice(12, 14)) };
    if (!isRealDate(birth)) { return refused("id_birth_date_missing"); }
    if (birth.year < 1900 || compareDates(birth, onDate) > 0) { return refused("id_birth_date_wrong"); }
    if (ageOn(birth, onDate) < MINIMUM_AGE) { return refused("id_under_age"); }
    return {
      value: value,
      birthDate: birth.year + "-" + pad(birth.month) + "-" + pad(birth.day),
      gender: Number(value.charAt(16)) % 2 ? "男" : "女",
    };
  }

  function checkMobile(raw) {
    var value = normaliseMobile(raw);
    if (!value) { return refused("mobile_required"); }
    return MOBILE_PATTERN.test(value) ? { value: value } : refused("mobile_format");
  }

  function creditCodeCheckChar(first17) {
    var total = 0;
    for (var i = 0; i < 17; i++) { total += CREDIT_CODE_CHARS.indexOf(first17.charAt(i)) * CREDIT_CODE_WEIGHTS[i]; }
    return CREDIT_CODE_CHARS.charAt((31 - total % 31) % 31);
  }

  function checkCreditCode(raw) {
    var value = normaliseCreditCode(raw);
    var allKnown = value.split("").every(function (char) { return CREDIT_CODE_CHARS.indexOf(char) >= 0; });
    if (value.length !== 18 || !allKnown) { return refused("credit_code_format"); }
    return creditCodeCheckChar(value.slice(0, 17)) === value.charAt(17) ? { value: value } : refused("credit_code_checksum");
  }

  return {
    MESSAGES: MESSAGES,
    MINIMUM_AGE: MINIMUM_AGE,
    normaliseText: normaliseText,
    normaliseIdNumber: normaliseIdNumber,
    normaliseMobile: normaliseMobile,
    normaliseCreditCode: normaliseCreditCode,
    checkIdNumber: checkIdNumber,
    checkMobile: checkMobile,
    checkCreditCode: checkCreditCode,
    ageOn: ageOn,
  };
});
