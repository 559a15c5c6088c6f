// `npm run check-release` refuses an upload that would run on the placeholder server or as the tourist appid.
const { spawnSync } = require('child_process')
const fs = require('fs')
const os = require('os')
const path = require('path')

const ROOT = path.join(__dirname, '..')
const SCRIPT = path.join(ROOT, 'scripts', 'check-release.js')

function checkRelease(root) {
  return spawnSync(process.execPath, [SCRIPT, root], { encoding: 'utf8' })
}

// A copy of the settings as a district fills them in before uploading.
function configuredCopy({ appid, host }) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-release-'))
  const project = JSON.parse(fs.readFileSync(path.join(ROOT, 'project.config.json'), 'utf8'))
  fs.writeFileSync(path.join(root, 'project.config.json'), JSON.stringify({ ...project, appid }))
  fs.mkdirSync(path.join(root, 'config'))
  const env = fs.readFileSync(path.join(ROOT, 'config', 'env.js'), 'utf8')
  fs.writeFileSync(path.join(root, 'config', 'env.js'), env.replaceAll('intake.example.cn', host))
  return root
}

test('the repository as committed may not be uploaded, and every setting to change is named', () => {
  const run = checkRelease(ROOT)
  expect(run.status).toBe(1)
  expect(run.stderr).toContain('appid 仍是「touristappid」')
  expect(run.stderr).toContain('trial 地址仍是 https://intake.example.cn/mp/v1')
  expect(run.stderr).toContain('release 地址仍是 https://intake.example.cn/mp/v1')
})

test('a real appid and the union\'s https server pass', () => {
  const run = checkRelease(configuredCopy({ appid: 'wx0123456789abcdef', host: 'rh.sygh.org.cn' }))
  expect(run.stderr).toBe('')
  expect(run.status).toBe(0)
})

test('a real appid still pointing at this computer is refused', () => {
  const run = checkRelease(configuredCopy({ appid: 'wx0123456789abcdef', host: '127.0.0.1:8000' }))
  expect(run.status).toBe(1)
  expect(run.stderr).not.toContain('appid')
})

test('the check runs as an npm script', () => {
  const { scripts } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'))
  expect(scripts['check-release']).toBe('node scripts/check-release.js')
})
