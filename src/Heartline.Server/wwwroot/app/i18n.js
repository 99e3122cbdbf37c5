// Korean first, English available: the browser's language picks the default, a switch overrides it (kept locally).

const STRINGS = {
  ko: {
    'lang.switch': 'English',
    'home.title': 'Heartline 무전',
    'home.lead': '배차실과 기사님을 잇는 실시간 무전(PTT)',
    'home.console': '배차 콘솔',
    'home.console.desc': '배차 담당자용: 사무실 전체에 말하기, 접속 현황, 최근 송신',
    'home.driver': '기사 무전',
    'home.driver.desc': '기사님용 휴대폰 앱: 큰 무전 버튼, 자동 수신, 소리·진동 안내',
    'home.dashboard': 'PTT 현황판',
    'home.dashboard.desc': '관리자용: 활성 세션, 참여자, 오늘 사용량, 지연 시간',
    'home.call': '영상 통화',
    'home.call.desc': '게스트용: 이름만 입력하고 접속 중인 사람과 1:1 영상·음성 통화',
    'home.qna': '동네물어봐',
    'home.qna.desc': '제주 동네 주민에게 묻고 답하기: 위치 기반 알림, 실시간 답변',
    'console.title': '배차 콘솔',
    'driver.title': '기사 무전',
    'dashboard.title': 'PTT 현황판',
    'signin.title': '로그인',
    'signin.dev': '개발용 토큰 발급 (개발·테스트 환경 전용)',
    'signin.user_id': '사용자 ID',
    'signin.name': '이름',
    'signin.region_id': '지역 ID',
    'signin.office_id': '사무실 ID',
    'signin.role': '역할',
    'signin.submit': '로그인',
    'signin.token': '발급받은 토큰으로 로그인',
    'signin.token.label': '토큰',
    'signin.token.submit': '토큰으로 로그인',
    'signin.dev_disabled': '이 서버에서는 개발용 로그인이 꺼져 있습니다. 발급받은 토큰을 붙여 넣으세요.',
    'signin.failed': '로그인하지 못했습니다',
    'signin.expired': '로그인이 만료되었습니다. 다시 로그인하세요',
    'signin.rejected': '로그인 정보가 더 이상 유효하지 않습니다. 다시 로그인하세요',
    'signout': '로그아웃',
    'role.call_manager': '배차 담당',
    'role.pickup_driver': '기사',
    'role.admin': '관리자',
    'role.viewer': '조회 전용',
    'role.dashboard': '현황판',
    'conn.connecting': '연결 중…',
    'conn.connected': '연결됨',
    'conn.reconnecting': '재연결 중…',
    'conn.closed': '연결 끊김',
    'state.idle': '대기 중',
    'state.listening': '수신 중',
    'state.listening_muted': '수신 중 · 소리 꺼짐',
    'sound.enable': '소리 켜기',
    'state.talking': '송신 중',
    'state.busy': '통화 중',
    'state.pressing': '연결 중…',
    'state.reconnecting': '재연결 중…',
    'state.not_listening': '수신 준비 중…',
    'state.closed': '연결 끊김',
    'closed.notice': '연결이 끊겼습니다. 다시 연결을 누르세요',
    'conn.reconnect': '다시 연결',
    'listen.failed': '무전 채널에 들어가지 못했습니다. 다시 시도하는 중입니다',
    'speaker.talking': '님이 말하는 중',
    'speaker.you': '내가 말하는 중',
    'busy.retry': '님이 통화 중입니다. 잠시 후 다시 누르세요',
    'ptt.hold': '누르고 말하기',
    'ptt.release': '떼면 송신 종료',
    'ptt.latched': '다시 누르면 송신 종료',
    'ptt.preempt': '누르면 기사 송신을 끊고 말합니다',
    'ptt.hint': '버튼을 누르고 있거나 스페이스 바를 누르고 있는 동안 말합니다',
    'timer.label': '송신 시간',
    'recent.title': '최근 송신',
    'recent.empty': '아직 송신이 없습니다',
    'members.title': '접속 중인 멤버',
    'members.empty': '접속한 멤버가 없습니다',
    'duty.start': '근무 시작',
    'duty.on': '근무 중 · 화면 켜짐 유지',
    'duty.hint': '근무를 시작하면 소리와 진동으로 무전을 알려 드립니다',
    'mic.denied': '마이크를 사용할 수 없어 송신하지 않았습니다',
    'mic.ended': '마이크가 끊겨 송신을 멈췄습니다',
    'mic.muted': '마이크 소리가 들어오지 않아 송신을 멈췄습니다',
    'reason.released': '종료',
    'reason.disconnected': '연결 끊김',
    'reason.lease_expired': '신호 없음',
    'reason.max_duration': '최대 시간',
    'reason.preempted': '끼어들기',
    'reason.server_restart': '서버 재시작',
    'reason.stale_cleaned': '정리됨',
    'reason.node_lost': '서버 노드 중단',
    'reason.ended_by_operator': '관리자가 종료',
    'reason.heartbeat_lost': '신호 끊김',
    'reason.connection_lost': '연결 유실',
    'reason.unknown': '-',
    'reason.other': '기타',
    'dash.active': '활성 세션',
    'dash.participants': '참여자 수',
    'dash.usage': '오늘 사용량',
    'dash.average': '평균 세션',
    'dash.minutes': '분',
    'dash.seconds': '초',
    'dash.sessions_now': '진행 중인 세션',
    'dash.no_sessions': '진행 중인 세션이 없습니다',
    'dash.offline': '연결되지 않아 실시간 세션을 표시하지 않습니다',
    'dash.offices': '사무실별 현황',
    'dash.office': '사무실',
    'dash.status': '상태',
    'dash.sessions': '오늘 세션',
    'dash.talk': '사용(분)',
    'dash.avg': '평균(초)',
    'dash.peak': '최대 참여',
    'dash.busy': '통화중 거절',
    'dash.grant': '응답 지연 ms (평균/p95)',
    'dash.notify': '알림 지연 ms (평균/p95)',
    'dash.online': '접속',
    'dash.chart': '시간대별 세션 수와 응답 지연',
    'dash.chart.sessions': '세션',
    'dash.chart.latency': '응답 지연(ms)',
    'dash.events': '최근 이벤트',
    'dash.watch': '사무실 추가',
    'dash.watch.placeholder': '지역_사무실 (예: r1_o2)',
    'dash.watch.add': '추가',
    'dash.idle': '대기',
    'dash.talking': '송신 중',
    'dash.started': '시작',
    'event.session_started': '송신 시작',
    'event.session_ended': '송신 종료',
    'event.participant_joined': '참여',
    'event.participant_left': '이탈',
    'event.floor_revoked': '발언권 회수',
    'event.speaker_changed': '화자 변경',
    'event.SESSION_STARTED': '송신 시작',
    'event.SESSION_ENDED': '송신 종료',
    'event.USER_JOINED': '참여',
    'event.USER_LEFT': '이탈',
    'event.SPEAKER_CHANGED': '화자 변경',
    'event.HEARTBEAT_LOST': '신호 끊김',
    'event.PTT_BUSY': '통화중 거절',
    'event.OPERATOR_ACTION': '관리자 조치',
    'event.KPI_BREACHED': 'KPI 목표 미달',
    'event.KPI_RECOVERED': 'KPI 회복',
    'kpi.notify_ms': '알림 지연 평균',
    'kpi.token_ms': '토큰 발급 평균',
    'kpi.join_ms': '채널 참여 평균',
    'kpi.error_rate': '오류율',
    'kpi.target': '목표',
    'kpi.window': '최근 {n}분',
    'dash.end_session': '세션 종료',
    'dash.end_session.confirm': '한 번 더 누르면 종료합니다',
    'dash.end_session.done': '세션을 종료했습니다',
    'dash.end_session.none': '이미 끝난 세션입니다',
    'dash.stale_clean': '정리 작업 실행',
    'dash.stale_clean.done': '정리 작업 완료: {n}건 정리',
    'dash.ops.failed': '요청이 실패했습니다',
    'dash.details': '상세',
    'dash.close': '닫기',
    'dash.listener': '청취자',
    'dash.device': '기기',
    'dash.joined': '참여',
    'dash.left': '이탈',
    'dash.notify': '알림 지연',
    'event.USER_ONLINE': '접속',
    'event.USER_OFFLINE': '접속 종료',
    'dash.hour': '시',
  },
  en: {
    'lang.switch': '한국어',
    'home.title': 'Heartline push-to-talk',
    'home.lead': 'Real-time push-to-talk between the dispatch office and its drivers',
    'home.console': 'Dispatcher console',
    'home.console.desc': 'For dispatchers: talk to the whole office, who is online, recent transmissions',
    'home.driver': 'Driver PTT',
    'home.driver.desc': 'Phone app for drivers: one large button, automatic listening, sound and vibration cues',
    'home.dashboard': 'PTT dashboard',
    'home.dashboard.desc': 'For admins: active sessions, participants, usage today, latency',
    'home.call': 'Video calls',
    'home.call.desc': 'For guests: enter a name and make 1:1 video or voice calls with whoever is online',
    'home.qna': 'Ask the Neighbours',
    'home.qna.desc': 'Ask and answer with locals on Jeju: location-based alerts, live answers',
    'console.title': 'Dispatcher console',
    'driver.title': 'Driver PTT',
    'dashboard.title': 'PTT dashboard',
    'signin.title': 'Sign in',
    'signin.dev': 'Development token (Development and Testing only)',
    'signin.user_id': 'User id',
    'signin.name': 'Name',
    'signin.region_id': 'Region id',
    'signin.office_id': 'Office id',
    'signin.role': 'Role',
    'signin.submit': 'Sign in',
    'signin.token': 'Sign in with an issued token',
    'signin.token.label': 'Token',
    'signin.token.submit': 'Use token',
    'signin.dev_disabled': 'Development sign-in is off on this server. Paste an issued token.',
    'signin.failed': 'Could not sign in',
    'signin.expired': 'Your sign-in has expired. Please sign in again',
    'signin.rejected': 'Your sign-in is no longer valid. Please sign in again',
    'signout': 'Sign out',
    'role.call_manager': 'Dispatcher',
    'role.pickup_driver': 'Driver',
    'role.admin': 'Admin',
    'role.viewer': 'Viewer',
    'role.dashboard': 'Dashboard',
    'conn.connecting': 'Connecting…',
    'conn.connected': 'Online',
    'conn.reconnecting': 'Reconnecting…',
    'conn.closed': 'Offline',
    'state.idle': 'Standing by',
    'state.listening': 'Receiving',
    'state.listening_muted': 'Receiving · sound off',
    'sound.enable': 'Tap to enable sound',
    'state.talking': 'Talking',
    'state.busy': 'Busy',
    'state.pressing': 'Connecting…',
    'state.reconnecting': 'Reconnecting…',
    'state.not_listening': 'Not receiving yet…',
    'state.closed': 'Disconnected',
    'closed.notice': 'The connection ended. Press Reconnect',
    'conn.reconnect': 'Reconnect',
    'listen.failed': 'Could not join the talk channel. Trying again',
    'speaker.talking': ' is talking',
    'speaker.you': 'You are talking',
    'busy.retry': ' is talking. Try again shortly',
    'ptt.hold': 'Hold to talk',
    'ptt.release': 'Release to stop',
    'ptt.latched': 'Press again to stop',
    'ptt.preempt': 'Press to cut in over the driver',
    'ptt.hint': 'Talk while you hold the button or the Space bar',
    'timer.label': 'Talk time',
    'recent.title': 'Recent transmissions',
    'recent.empty': 'No transmissions yet',
    'members.title': 'Members online',
    'members.empty': 'Nobody is online',
    'duty.start': 'Start duty',
    'duty.on': 'On duty · screen kept on',
    'duty.hint': 'Start duty to hear transmissions with sound and vibration',
    'mic.denied': 'The microphone is not available: nothing was sent',
    'mic.ended': 'The microphone stopped: transmission ended',
    'mic.muted': 'The microphone went silent: transmission ended',
    'reason.released': 'released',
    'reason.disconnected': 'disconnected',
    'reason.lease_expired': 'signal lost',
    'reason.max_duration': 'time limit',
    'reason.preempted': 'cut in',
    'reason.server_restart': 'server restart',
    'reason.stale_cleaned': 'cleaned up',
    'reason.node_lost': 'server node lost',
    'reason.ended_by_operator': 'ended by an operator',
    'reason.heartbeat_lost': 'heartbeat lost',
    'reason.connection_lost': 'connection lost',
    'reason.unknown': '-',
    'reason.other': 'other',
    'dash.active': 'Active sessions',
    'dash.participants': 'Participants',
    'dash.usage': 'Usage today',
    'dash.average': 'Average session',
    'dash.minutes': 'min',
    'dash.seconds': 's',
    'dash.sessions_now': 'Sessions now',
    'dash.no_sessions': 'No session is active',
    'dash.offline': 'Not connected: live sessions are not shown',
    'dash.offices': 'Offices',
    'dash.office': 'Office',
    'dash.status': 'Status',
    'dash.sessions': 'Sessions today',
    'dash.talk': 'Talk (min)',
    'dash.avg': 'Average (s)',
    'dash.peak': 'Peak',
    'dash.busy': 'Busy',
    'dash.grant': 'Grant ms (avg/p95)',
    'dash.notify': 'Notify ms (avg/p95)',
    'dash.online': 'Online',
    'dash.chart': 'Sessions and grant latency by hour',
    'dash.chart.sessions': 'Sessions',
    'dash.chart.latency': 'Grant latency (ms)',
    'dash.events': 'Recent events',
    'dash.watch': 'Watch office',
    'dash.watch.placeholder': 'region_office (e.g. r1_o2)',
    'dash.watch.add': 'Add',
    'dash.idle': 'idle',
    'dash.talking': 'talking',
    'dash.started': 'started',
    'event.session_started': 'talk started',
    'event.session_ended': 'talk ended',
    'event.participant_joined': 'joined',
    'event.participant_left': 'left',
    'event.floor_revoked': 'floor revoked',
    'event.speaker_changed': 'speaker changed',
    'event.SESSION_STARTED': 'talk started',
    'event.SESSION_ENDED': 'talk ended',
    'event.USER_JOINED': 'joined',
    'event.USER_LEFT': 'left',
    'event.SPEAKER_CHANGED': 'speaker changed',
    'event.HEARTBEAT_LOST': 'heartbeat lost',
    'event.PTT_BUSY': 'busy refusal',
    'event.OPERATOR_ACTION': 'operator action',
    'event.KPI_BREACHED': 'KPI target missed',
    'event.KPI_RECOVERED': 'KPI recovered',
    'kpi.notify_ms': 'average notification delay',
    'kpi.token_ms': 'average token time',
    'kpi.join_ms': 'average channel join',
    'kpi.error_rate': 'error rate',
    'kpi.target': 'target',
    'kpi.window': 'last {n} min',
    'dash.end_session': 'End session',
    'dash.end_session.confirm': 'Press again to end it',
    'dash.end_session.done': 'Session ended',
    'dash.end_session.none': 'The session had already ended',
    'dash.stale_clean': 'Run cleanup',
    'dash.stale_clean.done': 'Cleanup done: {n} removed',
    'dash.ops.failed': 'The request failed',
    'dash.details': 'Details',
    'dash.close': 'Close',
    'dash.listener': 'Listener',
    'dash.device': 'Device',
    'dash.joined': 'Joined',
    'dash.left': 'Left',
    'dash.notify': 'Notify delay',
    'event.USER_ONLINE': 'online',
    'event.USER_OFFLINE': 'offline',
    'dash.hour': 'h',
  },
}

const KEY = 'heartline.lang'
const listeners = new Set()
let current = initial()

function initial() {
  const saved = safeStorage()?.getItem(KEY)
  if (saved === 'ko' || saved === 'en') return saved
  const preferred = navigator.languages?.[0] ?? navigator.language ?? 'ko'
  // Korean first: only a browser that prefers English gets English by default.
  return preferred.toLowerCase().startsWith('en') ? 'en' : 'ko'
}

function safeStorage() {
  try {
    return globalThis.localStorage
  } catch {
    return null
  }
}

/** The UI language: 'ko' or 'en'. */
export function lang() {
  return current
}

/** The text of `key` in the current language (the key itself when missing). Never HTML. */
export function t(key) {
  return STRINGS[current][key] ?? STRINGS.ko[key] ?? key
}

/** True when `key` has a text (in the current language or in Korean). */
export function has(key) {
  return key in STRINGS[current] || key in STRINGS.ko
}

/**
 * The label of a session's or participant's end `reason` (a code of the server): a code this page does not know yet
 * gets a generic label, never the raw key.
 */
export function reasonLabel(reason) {
  if (!reason) return ''
  return has(`reason.${reason}`) ? t(`reason.${reason}`) : t('reason.other')
}

/** Sets the language, remembers it, re-renders every `data-i18n` node and tells the listeners. */
export function setLang(value) {
  current = value === 'en' ? 'en' : 'ko'
  safeStorage()?.setItem(KEY, current)
  applyI18n()
  for (const listener of listeners) listener(current)
}

/** @param {(lang: string) => void} listener */
export function onLangChange(listener) {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

/** Fills `data-i18n` (textContent) and `data-i18n-placeholder` / `data-i18n-label` (attributes) under `root`. */
export function applyI18n(root = document) {
  document.documentElement.lang = current
  for (const node of root.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n)
  for (const node of root.querySelectorAll('[data-i18n-placeholder]')) node.setAttribute('placeholder', t(node.dataset.i18nPlaceholder))
  for (const node of root.querySelectorAll('[data-i18n-label]')) node.setAttribute('aria-label', t(node.dataset.i18nLabel))
}

/** Wires a button that switches between Korean and English. */
export function languageSwitch(button) {
  button.addEventListener('click', () => setLang(current === 'ko' ? 'en' : 'ko'))
  button.dataset.i18n = 'lang.switch'
  button.textContent = t('lang.switch')
}
