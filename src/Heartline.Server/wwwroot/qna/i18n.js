// The Q&A app's texts, Korean first and English by the shared switch (/app/i18n.js keeps the language); keys this
// page does not define (conn.*, signin.*, lang.switch) come from the shared dictionary. Never HTML.
import { lang, onLangChange, t as sharedText } from '/app/i18n.js'

const STRINGS = {
  ko: {
    'qna.title': '동네물어봐',
    'qna.points': '포인트',
    'qna.notifications': '알림',
    'qna.settings': '설정',
    'qna.where': '내 위치',
    'qna.where.locating': '위치를 확인하는 중…',
    'qna.where.gps': '현재 위치',
    'qna.where.denied': '위치 권한이 없습니다. 동네를 골라 주세요',
    'qna.where.pick': '동네 선택',
    'qna.ask.title': '동네에 물어보기',
    'qna.ask.body': '궁금한 것',
    'qna.ask.placeholder': '예: 애월 한담해변 근처 주차할 곳 있나요?',
    'qna.ask.hashtags': '해시태그 (띄어쓰기로 구분)',
    'qna.ask.urgent': '긴급',
    'qna.ask.submit': '질문하기',
    'qna.ask.sent': '질문을 올렸습니다. 근처 주민에게 알리는 중입니다',
    'qna.nearby.title': '근처 질문',
    'qna.nearby.empty': '최근 한 시간 동안 근처(3km)에 올라온 질문이 없습니다',
    'qna.answers': '답변',
    'qna.answers.count': '답변 {n}개',
    'qna.answers.empty': '아직 답변이 없습니다. 가장 먼저 답해 주세요',
    'qna.answer.placeholder': '답변 쓰기',
    'qna.answer.submit': '답변하기',
    'qna.accept': '채택하기',
    'qna.accepted': '채택됨',
    'qna.read': '읽음',
    'qna.delivered': '전달됨',
    'qna.sent': '보냄',
    'qna.typing.one': '{name} 님이 답변을 쓰는 중…',
    'qna.typing.many': '{n}명이 답변을 쓰는 중…',
    'qna.back': '← 목록',
    'qna.status.open': '답변 대기',
    'qna.status.answered': '답변 있음',
    'qna.status.accepted': '채택 완료',
    'qna.status.closed': '마감',
    'qna.urgent': '긴급',
    'qna.distance.m': '{n}m',
    'qna.distance.km': '{n}km',
    'qna.ago.now': '방금',
    'qna.ago.min': '{n}분 전',
    'qna.ago.hour': '{n}시간 전',
    'qna.notify.question': '근처에 새 질문이 올라왔습니다',
    'qna.notify.question.urgent': '🚨 긴급 질문이 도착했습니다',
    'qna.notify.answer': '내 질문에 답변이 달렸습니다',
    'qna.notify.accepted': '내 답변이 채택되었습니다 (+{n} 포인트)',
    'qna.notifications.empty': '알림이 없습니다',
    'qna.notifications.read_all': '모두 읽음',
    'qna.settings.notify': '알림 받기',
    'qna.settings.radius': '알림 받을 거리 (km)',
    'qna.settings.quiet': '방해 금지 시간',
    'qna.settings.expertise': '내 전문 분야 해시태그',
    'qna.settings.push': '앱을 닫아도 알림 받기 (웹 푸시)',
    'qna.settings.save': '저장',
    'qna.settings.saved': '저장했습니다',
    'qna.push.unsupported': '이 브라우저는 웹 푸시를 지원하지 않습니다',
    'qna.push.denied': '알림 권한이 거부되었습니다',
    'qna.error.qna_outside_jeju': '제주 밖의 위치입니다. 동네를 골라 주세요',
    'qna.error.qna_spam': '허용되지 않는 표현이 들어 있습니다',
    'qna.error.qna_closed': '마감된 질문입니다',
    'qna.error.qna_already_accepted': '이미 채택한 답변이 있습니다',
    'qna.error.qna_blocked': '이용이 제한되었습니다. 고객센터에 문의하세요',
    'qna.error.rate_limited': '요청이 너무 많습니다. 잠시 후 다시 시도하세요',
    'qna.error.bad_request': '입력을 확인해 주세요',
    'qna.error.other': '요청을 처리하지 못했습니다',
  },
  en: {
    'qna.title': 'Ask the Neighbours',
    'qna.points': 'points',
    'qna.notifications': 'Notifications',
    'qna.settings': 'Settings',
    'qna.where': 'My location',
    'qna.where.locating': 'Finding your location…',
    'qna.where.gps': 'Current location',
    'qna.where.denied': 'No location permission. Pick your neighbourhood',
    'qna.where.pick': 'Neighbourhood',
    'qna.ask.title': 'Ask the neighbourhood',
    'qna.ask.body': 'Your question',
    'qna.ask.placeholder': 'e.g. Where can I park near Handam beach in Aewol?',
    'qna.ask.hashtags': 'Hashtags (separated by spaces)',
    'qna.ask.urgent': 'Urgent',
    'qna.ask.submit': 'Ask',
    'qna.ask.sent': 'Your question is up. Telling the locals nearby',
    'qna.nearby.title': 'Questions nearby',
    'qna.nearby.empty': 'No questions nearby (3 km) in the last hour',
    'qna.answers': 'Answers',
    'qna.answers.count': '{n} answers',
    'qna.answers.empty': 'No answers yet. Be the first',
    'qna.answer.placeholder': 'Write an answer',
    'qna.answer.submit': 'Answer',
    'qna.accept': 'Accept',
    'qna.accepted': 'Accepted',
    'qna.read': 'Read',
    'qna.delivered': 'Delivered',
    'qna.sent': 'Sent',
    'qna.typing.one': '{name} is writing an answer…',
    'qna.typing.many': '{n} people are writing answers…',
    'qna.back': '← List',
    'qna.status.open': 'Waiting for answers',
    'qna.status.answered': 'Answered',
    'qna.status.accepted': 'Accepted',
    'qna.status.closed': 'Closed',
    'qna.urgent': 'Urgent',
    'qna.distance.m': '{n} m',
    'qna.distance.km': '{n} km',
    'qna.ago.now': 'just now',
    'qna.ago.min': '{n} min ago',
    'qna.ago.hour': '{n} h ago',
    'qna.notify.question': 'A new question nearby',
    'qna.notify.question.urgent': '🚨 An urgent question nearby',
    'qna.notify.answer': 'Your question has an answer',
    'qna.notify.accepted': 'Your answer was accepted (+{n} points)',
    'qna.notifications.empty': 'No notifications',
    'qna.notifications.read_all': 'Mark all read',
    'qna.settings.notify': 'Notify me',
    'qna.settings.radius': 'Notify within (km)',
    'qna.settings.quiet': 'Quiet hours',
    'qna.settings.expertise': 'My expertise hashtags',
    'qna.settings.push': 'Notify me when the app is closed (Web Push)',
    'qna.settings.save': 'Save',
    'qna.settings.saved': 'Saved',
    'qna.push.unsupported': 'This browser has no Web Push',
    'qna.push.denied': 'Notification permission was denied',
    'qna.error.qna_outside_jeju': 'That location is outside Jeju. Pick your neighbourhood',
    'qna.error.qna_spam': 'The text contains something this service does not accept',
    'qna.error.qna_closed': 'The question is closed',
    'qna.error.qna_already_accepted': 'An answer was accepted already',
    'qna.error.qna_blocked': 'Your access is restricted. Please contact support',
    'qna.error.rate_limited': 'Too many requests. Try again in a moment',
    'qna.error.bad_request': 'Please check what you entered',
    'qna.error.other': 'The request failed',
  },
}

/** The text of `key` in the current language with `{name}` placeholders filled: this page's, else the shared dictionary's. */
export function t(key, values = {}) {
  const text = STRINGS[lang()][key] ?? STRINGS.ko[key] ?? sharedText(key)
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ''))
}

/** The text of an error code; a code this page does not know gets a generic text. */
export function errorText(code) {
  return `qna.error.${code}` in STRINGS.ko ? t(`qna.error.${code}`) : t('qna.error.other')
}

/** Fills `data-i18n` (text), `data-i18n-placeholder` and `data-i18n-label` with this page's texts. */
export function applyTexts(root = document) {
  document.documentElement.lang = lang()
  for (const node of root.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n)
  for (const node of root.querySelectorAll('[data-i18n-placeholder]')) node.setAttribute('placeholder', t(node.dataset.i18nPlaceholder))
  for (const node of root.querySelectorAll('[data-i18n-label]')) node.setAttribute('aria-label', t(node.dataset.i18nLabel))
}

export function onLanguage(listener) {
  return onLangChange(() => {
    applyTexts()
    listener()
  })
}

export { lang }
