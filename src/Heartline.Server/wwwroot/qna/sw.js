// The Q&A app's service worker: shows a Web Push notification in the browser's language from the message's codes (the
// server sends codes, not prose), and opens the question when it is clicked.
const TEXT = {
  ko: {
    question: '근처에 새 질문이 올라왔습니다',
    urgent: '🚨 긴급 질문이 도착했습니다',
    answer: '내 질문에 답변이 달렸습니다',
    accepted: '내 답변이 채택되었습니다',
  },
  en: {
    question: 'A new question nearby',
    urgent: '🚨 An urgent question nearby',
    answer: 'Your question has an answer',
    accepted: 'Your answer was accepted',
  },
}

self.addEventListener('push', (event) => {
  let data
  try {
    data = event.data?.json()
  } catch {
    return
  }
  if (!data) return
  const text = TEXT[(self.navigator.language || 'ko').startsWith('ko') ? 'ko' : 'en']
  const title = data.kind === 'answer' ? text.answer : data.kind === 'accepted' ? text.accepted : data.priority === 'high' ? text.urgent : text.question
  event.waitUntil(self.registration.showNotification(title, {
    body: data.preview,
    tag: `qna-${data.question_id}-${data.kind}`,
    data: { url: data.url },
    requireInteraction: data.priority === 'high',
    vibrate: data.vibration === 'strong' ? [200, 100, 200, 100, 400] : [80],
  }))
})

self.addEventListener('notificationclick', (event) => {
  event.notification.close()
  const url = new URL(event.notification.data?.url ?? '/qna/', self.location.origin).href
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true })
    const open = windows.find((w) => w.url.startsWith(new URL('/qna/', self.location.origin).href))
    if (open) {
      await open.navigate(url)
      return open.focus()
    }
    return self.clients.openWindow(url)
  })())
})
