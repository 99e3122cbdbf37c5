// The start page: language applied and switchable. (A file, not an inline script: the content security policy
// allows scripts from this origin only.)
import { $ } from '/app/dom.js'
import { applyI18n, languageSwitch } from '/app/i18n.js'

applyI18n()
languageSwitch($('lang'))
