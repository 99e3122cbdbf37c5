// Cross-checks Heartline's C# Agora token builder against Agora's own Node implementation (npm "agora-token").
//
//   node agora-verify.mjs verify --token T --app-id A --app-certificate C --channel CH --uid U
//                                --role publisher|subscriber --expire E [--issued-at N] [--salt S]
//     Parses T with agora-token's AccessToken2, checks every field against the expectations, verifies the
//     signature with agora-token, and rebuilds the token through agora-token's classes with T's issue time and salt:
//     the decompressed content must be byte-identical. Prints JSON; exit 0 = all checks pass, 1 = a mismatch.
//
//   node agora-verify.mjs build --app-id A --app-certificate C --channel CH --uid U --role R --expire E
//     Mints a token with agora-token's RtcTokenBuilder (its own salt and issue time) and prints it as JSON.
//
// Exit 2 = usage error.
import { createRequire } from 'node:module'
import { parseArgs } from 'node:util'
import zlib from 'node:zlib'

const require = createRequire(import.meta.url)
const { RtcTokenBuilder, RtcRole } = require('agora-token')
const { AccessToken2, ServiceRtc, kRtcServiceType } = require('agora-token/src/AccessToken2')

const roles = { publisher: RtcRole.PUBLISHER, subscriber: RtcRole.SUBSCRIBER }

function usage(message) {
  console.error(`agora-verify: ${message}`)
  process.exit(2)
}

function uint(name, value) {
  if (value === undefined) return undefined
  if (!/^\d+$/.test(value) || Number(value) > 0xffffffff) usage(`--${name} must be an unsigned 32-bit integer`)
  return Number(value)
}

// Mirrors RtcTokenBuilder.buildTokenWithUid: join for everyone, publish audio/video/data for publishers.
function expectedPrivileges(role, expire) {
  const privileges = { [ServiceRtc.kPrivilegeJoinChannel]: expire }
  if (role === RtcRole.PUBLISHER) {
    privileges[ServiceRtc.kPrivilegePublishAudioStream] = expire
    privileges[ServiceRtc.kPrivilegePublishVideoStream] = expire
    privileges[ServiceRtc.kPrivilegePublishDataStream] = expire
  }
  return privileges
}

function inflate(token) {
  return zlib.inflateSync(Buffer.from(token.substring(3), 'base64'))
}

function verify(opts) {
  const parsed = new AccessToken2()
  if (!parsed.from_string(opts.token)) {
    return { ok: false, checks: { parsed: false } }
  }

  const rtc = parsed.getServices(kRtcServiceType)
  const service = rtc[0]
  const actual = {
    appId: parsed.appId.toString(),
    issueTs: parsed.issueTs,
    expire: parsed.expire,
    salt: parsed.salt,
    serviceCount: parsed.services.length,
    channel: service ? service.__channel_name.toString() : null,
    uid: service ? service.__uid.toString() : null,
    privileges: service ? service.__privileges : null,
  }

  // agora-token's ServiceRtc writes uid 0 as the empty string; it must get a number, not "0".
  const expectedUid = opts.uid === 0 ? '' : String(opts.uid)
  const privileges = expectedPrivileges(opts.role, opts.expire)

  // The same token built through agora-token's own classes, with the issue time and salt the token carries.
  const rebuilt = new AccessToken2(opts.appId, opts.appCertificate, actual.issueTs, opts.expire)
  rebuilt.salt = actual.salt
  const rebuiltService = new ServiceRtc(opts.channel, opts.uid)
  for (const [privilege, expire] of Object.entries(privileges)) rebuiltService.add_privilege(Number(privilege), expire)
  rebuilt.add_service(rebuiltService)
  const rebuiltToken = rebuilt.build()
  const rebuiltContent = rebuiltToken ? inflate(rebuiltToken) : Buffer.alloc(0)
  const content = inflate(opts.token)

  const checks = {
    parsed: true,
    appId: actual.appId === opts.appId,
    singleRtcService: actual.serviceCount === 1 && rtc.length === 1,
    channel: actual.channel === opts.channel,
    uid: actual.uid === expectedUid,
    privileges: JSON.stringify(actual.privileges) === JSON.stringify(privileges),
    expire: actual.expire === opts.expire,
    issueTs: opts.issuedAt === undefined || actual.issueTs === opts.issuedAt,
    salt: opts.salt === undefined || actual.salt === opts.salt,
    signature: parsed.verifySignature(opts.appCertificate),
    contentMatchesAgoraBuild: rebuiltContent.length > 0 && content.equals(rebuiltContent),
  }

  return {
    ok: Object.values(checks).every(Boolean),
    checks,
    actual,
    // Informational: equal strings also need both sides' zlib to agree, which Agora does not guarantee.
    tokenStringMatchesAgoraBuild: rebuiltToken === opts.token,
  }
}

function main() {
  const [mode, ...rest] = process.argv.slice(2)
  let values
  try {
    ;({ values } = parseArgs({
      args: rest,
      options: {
        token: { type: 'string' },
        'app-id': { type: 'string' },
        'app-certificate': { type: 'string' },
        channel: { type: 'string' },
        uid: { type: 'string' },
        role: { type: 'string' },
        expire: { type: 'string' },
        'issued-at': { type: 'string' },
        salt: { type: 'string' },
      },
      strict: true,
    }))
  } catch (error) {
    usage(error.message)
  }

  for (const name of ['app-id', 'app-certificate', 'channel', 'uid', 'role', 'expire']) {
    if (values[name] === undefined) usage(`--${name} is required`)
  }
  const role = roles[values.role]
  if (role === undefined) usage('--role must be publisher or subscriber')

  const opts = {
    token: values.token,
    appId: values['app-id'],
    appCertificate: values['app-certificate'],
    channel: values.channel,
    uid: uint('uid', values.uid),
    role,
    expire: uint('expire', values.expire),
    issuedAt: uint('issued-at', values['issued-at']),
    salt: uint('salt', values.salt),
  }

  if (mode === 'build') {
    const token = RtcTokenBuilder.buildTokenWithUid(
      opts.appId, opts.appCertificate, opts.channel, opts.uid, opts.role, opts.expire, opts.expire)
    if (!token) usage('agora-token refused to build a token (app id and certificate must be 32 hex characters)')
    console.log(JSON.stringify({ token }))
    return 0
  }

  if (mode === 'verify') {
    if (opts.token === undefined) usage('--token is required')
    const result = verify(opts)
    console.log(JSON.stringify(result))
    return result.ok ? 0 : 1
  }

  usage('first argument must be "verify" or "build"')
}

process.exitCode = main()
