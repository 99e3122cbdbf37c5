// The call page's texts, Korean first and English by the shared switch (/app/i18n.js keeps the language); keys this
// page does not define (conn.*, lang.switch) come from the shared dictionary. Never HTML.
import { lang, onLangChange, t as sharedText } from '/app/i18n.js'

const STRINGS = {
  ko: {
    'call.title': '영상 통화',
    'call.my_id': '내 ID',
    'call.leave': '나가기',
    'call.join.title': '게스트로 참여',
    'call.join.lead': '이름만 입력하면 접속 중인 사람과 영상·음성 통화를 할 수 있습니다.',
    'call.join.name': '이름',
    'call.join.invitation': '초대 코드가 있나요?',
    'call.join.invitation.label': '초대 코드',
    'call.join.submit': '참여하기',
    'call.join.joining': '참여하는 중…',
    'call.online.title': '접속 중인 사람',
    'call.online.empty': '지금 접속한 사람이 없습니다',
    'call.video': '영상',
    'call.audio': '음성',
    'call.video.label': '님에게 영상 통화',
    'call.audio.label': '님에게 음성 통화',
    'call.media.video': '영상 통화',
    'call.media.audio': '음성 통화',
    'call.accept': '받기',
    'call.reject': '거절',
    'call.hangup': '끊기',
    'call.dismiss': '닫기',
    'call.mute': '마이크 끄기',
    'call.unmute': '마이크 켜기',
    'call.camera.off': '카메라 끄기',
    'call.camera.on': '카메라 켜기',
    'call.sound': '소리 켜기',
    'call.timer': '통화 시간',
    'call.state.idle': '대기 중',
    'call.state.calling': '전화 거는 중…',
    'call.state.ringing': '상대방을 부르는 중…',
    'call.state.incoming': '전화가 왔습니다',
    'call.state.connecting': '연결하는 중…',
    'call.state.active': '통화 중',
    'call.state.reconnecting': '다시 연결하는 중…',
    'call.state.ended': '통화 종료',
    'call.away.peer': '상대방의 연결이 끊겼습니다. 기다리는 중',
    'call.away.self': '서버와의 연결이 끊겼습니다. 다시 연결하는 중',
    'call.reason.hangup': '통화가 끝났습니다',
    'call.reason.hangup.self': '통화를 끊었습니다',
    'call.reason.rejected': '상대방이 전화를 거절했습니다',
    'call.reason.rejected.self': '전화를 거절했습니다',
    'call.reason.cancelled': '상대방이 전화를 취소했습니다 (부재중)',
    'call.reason.cancelled.self': '전화를 취소했습니다',
    'call.reason.busy': '상대방이 통화 중입니다',
    'call.reason.no_answer': '상대방이 받지 않았습니다',
    'call.reason.peer_gone': '상대방의 연결이 끊겨 통화가 끝났습니다',
    'call.reason.server_restart': '서버가 다시 시작되어 통화가 끝났습니다',
    'call.reason.removed': '관리자가 통화를 끝냈습니다',
    'call.reason.max_duration': '최대 통화 시간이 지나 통화가 끝났습니다',
    'call.reason.unreachable': '상대방에게 연결할 수 없습니다 (접속해 있지 않음)',
    'call.reason.in_call': '이미 통화 중입니다',
    'call.reason.connection_lost': '서버와의 연결이 끊겨 통화가 끝났습니다',
    'call.reason.guest_gone': '연결이 오래 끊겨 통화가 끝났습니다',
    'call.reason.failed': '통화를 연결하지 못했습니다',
    'call.reason.other': '통화가 끝났습니다',
    'call.error.bad_request': '이름은 1~40자로, 제어 문자 없이 입력하세요',
    'call.error.voip_invitation_required': '이 서비스에 참여하려면 초대 코드가 필요합니다',
    'call.error.rate_limited': '요청이 많습니다. 잠시 후 다시 시도하세요',
    'call.error.network': '서버에 연결할 수 없습니다. 다시 시도하는 중입니다',
    'call.error.media_denied': '카메라·마이크 사용이 허용되지 않아 내 영상과 소리는 전송되지 않습니다',
    'call.error.media_unavailable': '카메라·마이크를 사용할 수 없어 내 영상과 소리는 전송되지 않습니다',
    'call.error.media_timeout': '카메라·마이크가 응답하지 않아 내 영상과 소리는 전송되지 않습니다',
    'call.error.camera_unavailable': '카메라를 사용할 수 없어 음성만 전송합니다',
    'call.error.media_failed': '상대방과 미디어 연결을 만들지 못해 통화를 끝냈습니다',
    'call.error.not_connected': '서버에 연결되어 있지 않습니다',
    'call.error.readmit_failed': '다시 참여하지 못했습니다. 나가기를 누른 뒤 다시 참여하세요',
    'call.error.other': '요청을 처리하지 못했습니다',
    'call.readmitted': '연결이 오래 끊겨 새 ID로 다시 참여했습니다',
    'call.closed': '연결이 끊겼습니다. 다시 연결을 누르세요',
  },
  en: {
    'call.title': 'Video call',
    'call.my_id': 'My ID',
    'call.leave': 'Leave',
    'call.join.title': 'Join as a guest',
    'call.join.lead': 'Enter a name to make video and voice calls with whoever is online.',
    'call.join.name': 'Name',
    'call.join.invitation': 'Have an invitation code?',
    'call.join.invitation.label': 'Invitation code',
    'call.join.submit': 'Join',
    'call.join.joining': 'Joining…',
    'call.online.title': 'Online now',
    'call.online.empty': 'Nobody else is online',
    'call.video': 'Video',
    'call.audio': 'Voice',
    'call.video.label': ': video call',
    'call.audio.label': ': voice call',
    'call.media.video': 'Video call',
    'call.media.audio': 'Voice call',
    'call.accept': 'Accept',
    'call.reject': 'Decline',
    'call.hangup': 'Hang up',
    'call.dismiss': 'Close',
    'call.mute': 'Mute',
    'call.unmute': 'Unmute',
    'call.camera.off': 'Camera off',
    'call.camera.on': 'Camera on',
    'call.sound': 'Turn sound on',
    'call.timer': 'Call time',
    'call.state.idle': 'Ready',
    'call.state.calling': 'Calling…',
    'call.state.ringing': 'Ringing…',
    'call.state.incoming': 'Incoming call',
    'call.state.connecting': 'Connecting…',
    'call.state.active': 'In call',
    'call.state.reconnecting': 'Reconnecting…',
    'call.state.ended': 'Call ended',
    'call.away.peer': 'The other side lost its connection. Waiting',
    'call.away.self': 'The connection to the server dropped. Reconnecting',
    'call.reason.hangup': 'The call ended',
    'call.reason.hangup.self': 'You hung up',
    'call.reason.rejected': 'The call was declined',
    'call.reason.rejected.self': 'You declined the call',
    'call.reason.cancelled': 'The caller hung up (missed call)',
    'call.reason.cancelled.self': 'You cancelled the call',
    'call.reason.busy': 'The other side is busy',
    'call.reason.no_answer': 'No answer',
    'call.reason.peer_gone': 'The other side lost its connection: the call ended',
    'call.reason.server_restart': 'The server restarted: the call ended',
    'call.reason.removed': 'An administrator ended the call',
    'call.reason.max_duration': 'The call reached its time limit',
    'call.reason.unreachable': 'The other side cannot be reached (not online)',
    'call.reason.in_call': 'You are in a call already',
    'call.reason.connection_lost': 'The connection to the server was lost: the call ended',
    'call.reason.guest_gone': 'You were away too long: the call ended',
    'call.reason.failed': 'The call could not be placed',
    'call.reason.other': 'The call ended',
    'call.error.bad_request': 'Enter a name of 1 to 40 characters, without control characters',
    'call.error.voip_invitation_required': 'An invitation code is needed to join',
    'call.error.rate_limited': 'Too many requests. Try again shortly',
    'call.error.network': 'The server cannot be reached. Trying again',
    'call.error.media_denied': 'Camera and microphone were not allowed: you are not seen or heard',
    'call.error.media_unavailable': 'No camera or microphone: you are not seen or heard',
    'call.error.media_timeout': 'The camera and microphone did not respond: you are not seen or heard',
    'call.error.camera_unavailable': 'No camera: sending voice only',
    'call.error.media_failed': 'No media connection could be made with the other side: the call was ended',
    'call.error.not_connected': 'Not connected to the server',
    'call.error.readmit_failed': 'Could not join again. Press Leave, then join again',
    'call.error.other': 'The request failed',
    'call.readmitted': 'You were away too long and joined again with a new ID',
    'call.closed': 'The connection ended. Press Reconnect',
  },
}

/** The text of `key` in the current language: this page's, else the shared dictionary's. */
export function t(key) {
  return STRINGS[lang()][key] ?? STRINGS.ko[key] ?? sharedText(key)
}

function known(key) {
  return key in STRINGS.ko
}

/** The end reason of a call, told from the side that reads it (`endedByMe`: this user ended it). */
export function reasonText(reason, endedByMe) {
  if (!reason) return ''
  if (endedByMe && known(`call.reason.${reason}.self`)) return t(`call.reason.${reason}.self`)
  return known(`call.reason.${reason}`) ? t(`call.reason.${reason}`) : t('call.reason.other')
}

/** The text of an error code (admission, media, commands); a code this page does not know gets a generic text. */
export function errorText(code) {
  return known(`call.error.${code}`) ? t(`call.error.${code}`) : t('call.error.other')
}

/** Fills `data-i18n` (text) and `data-i18n-label` (aria-label) with this page's texts. */
export function applyTexts(root = document) {
  document.documentElement.lang = lang()
  for (const node of root.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n)
  for (const node of root.querySelectorAll('[data-i18n-label]')) node.setAttribute('aria-label', t(node.dataset.i18nLabel))
}

/** Re-applies the texts after the shared switch changed the language (it fills only the keys it knows itself). */
export function onLanguage(listener) {
  return onLangChange(() => {
    applyTexts()
    listener()
  })
}
