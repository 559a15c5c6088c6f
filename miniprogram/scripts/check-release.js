// `npm run check-release` before 上传 in WeChat DevTools: refuses a build that a 体验版 or the released version
// would run against the placeholder server or as the tourist appid (README「微信小程序」says what to set).
// Exit 0 when ready; otherwise 1, naming every setting still to change.
const fs = require('fs')
const path = require('path')

// The hosts this repository ships with: documentation examples and this computer, never a union's server.
const PLACEHOLDER_HOST = /(^|\.)example\.(cn|com|org|net)$|^(localhost|127\.0\.0\.1|0\.0\.0\.0)$/
const UPLOADED_VERSIONS = ['trial', 'release']

function appidProblems(root) {
  const { appid } = JSON.parse(fs.readFileSync(path.join(root, 'project.config.json'), 'utf8'))
  if (appid && appid !== 'touristappid') return []
  return [`project.config.json 的 appid 仍是「${appid || '空'}」：请填入小程序的 AppID（mp.weixin.qq.com → 开发管理）`]
}

function serverProblems(root) {
  const { apiBaseUrl } = require(path.join(root, 'config', 'env.js'))
  return UPLOADED_VERSIONS.flatMap((version) => {
    const url = new URL(apiBaseUrl(version))
    if (url.protocol === 'https:' && !PLACEHOLDER_HOST.test(url.hostname)) return []
    return [`config/env.js 的 ${version} 地址仍是 ${url.href}：请改为工会服务器的 https 地址（即 request 合法域名）`]
  })
}

function releaseProblems(root) {
  return [...appidProblems(root), ...serverProblems(root)]
}

if (require.main === module) {
  const problems = releaseProblems(process.argv[2] || path.join(__dirname, '..'))
  if (problems.length) {
    process.stderr.write(`不能上传：\n${problems.map((p) => `  - ${p}`).join('\n')}\n`)
    process.exit(1)
  }
  process.stdout.write('可以上传：appid 与服务器地址均已设置\n')
}

module.exports = { releaseProblems }
