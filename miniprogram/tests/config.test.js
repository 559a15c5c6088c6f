// config/env.js: on 真机预览 the code runs on the phone, where 127.0.0.1 is the phone itself, so the develop
// version's server is one setting (this computer's LAN address), and the file says so.
const fs = require('fs')
const path = require('path')

const ENV_FILE = path.join(__dirname, '..', 'config', 'env.js')

test('the develop server is the DEVELOP_HOST setting, explained for 真机预览', () => {
  const source = fs.readFileSync(ENV_FILE, 'utf8')
  expect(source).toMatch(/真机预览[^\n]*\n[^\n]*127\.0\.0\.1 is the phone itself/)
  const lanSource = source.replace(/const DEVELOP_HOST = '[^']*'/, "const DEVELOP_HOST = '192.168.1.20:8000'")
  const lanModule = { exports: {} }
  new Function('module', lanSource)(lanModule)
  expect(lanModule.exports.apiBaseUrl('develop')).toBe('http://192.168.1.20:8000/mp/v1')
  expect(lanModule.exports.apiBaseUrl('release')).toMatch(/^https:\/\//)
})
