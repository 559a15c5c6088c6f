// Which entry code opened us. A 小程序码 passes it as `scene`; a 普通链接二维码 (the poster's
// {PUBLIC_BASE_URL}/q/<code>) as `q`, the whole URL encoded; 扫一扫 in the app answers either a wxacode's
// page path or the QR's text. Both `scene` and `q` arrive URL-encoded.

const CODE_PATTERN = /^[A-Za-z0-9_-]{1,32}$/

function decoded(text) {
  try {
    return decodeURIComponent(text)
  } catch (error) {
    return text
  }
}

function valid(code) {
  return CODE_PATTERN.test(code || '') ? code : null
}

function codeFromUrl(url) {
  const match = /\/q\/([^/?#]+)/.exec(url || '')
  return match ? valid(decoded(match[1])) : null
}

function codeFromPath(path) {
  const match = /[?&]scene=([^&#]+)/.exec(path || '')
  return match ? valid(decoded(match[1])) : null
}

function entryCodeFromOptions(options) {
  if (!options) return null
  if (options.scene) return valid(decoded(options.scene))
  if (options.q) return codeFromUrl(decoded(options.q))
  return valid(options.code)
}

function entryCodeFromScan(result) {
  return codeFromPath(result && result.path) || codeFromUrl(result && result.result)
}

module.exports = { entryCodeFromOptions, entryCodeFromScan }
