// The dispatcher's console: the shared talk app as a call manager. (A file, not an inline script: the content
// security policy allows scripts from this origin only.)
import { startTalkApp } from '/app/talk.js'

startTalkApp({ app: 'console', role: 'call_manager', appType: 'call_manager' })
