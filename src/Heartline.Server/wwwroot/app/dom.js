// DOM helpers. Every string from a user or the server becomes a text node: nothing here ever parses HTML.

/**
 * Creates an element: `attrs` are set as attributes (`class`, `data-*`, `aria-*`, …) or, for `on*` functions, as
 * listeners; string children become text nodes.
 * @param {string} tag @param {Record<string, any>} [attrs] @param {...(Node | string | number | null | undefined)} children
 */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag)
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue
    if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value)
    else node.setAttribute(key, value === true ? '' : String(value))
  }
  append(node, children)
  return node
}

function append(node, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue
    node.append(child instanceof Node ? child : document.createTextNode(String(child)))
  }
}

/** Replaces the children of `node`. */
export function replace(node, ...children) {
  node.replaceChildren()
  append(node, children)
}

/**
 * Sets the text of `node` only when it differs: rewriting the same text still replaces the text node, which screen
 * readers may announce again inside a live region.
 * @param {Node} node @param {string} text
 */
export function setText(node, text) {
  if (node.textContent !== text) node.textContent = text
}

/** Sets `hidden` only when it differs (no attribute mutation otherwise). @param {HTMLElement} node @param {boolean} hidden */
export function setHidden(node, hidden) {
  if (node.hidden !== hidden) node.hidden = hidden
}

/** @param {string} id */
export function $(id) {
  const node = document.getElementById(id)
  if (!node) throw new Error(`#${id} is missing`)
  return node
}

/** m:ss for a duration in ms. */
export function duration(ms) {
  const s = Math.max(0, Math.floor(ms / 1000))
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`
}

/** HH:MM:SS of a Unix time in ms, local. */
export function clock(ms) {
  return new Date(ms).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false })
}
