// Copies the prebuilt browser files of the libraries in package.json into wwwroot/lib, with their licences.
import { copyFileSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const target = join(here, '..', 'src', 'Heartline.Server', 'wwwroot', 'lib')
const files = [
  ['uplot/dist/uPlot.esm.js', 'uPlot.esm.js'],
  ['uplot/dist/uPlot.min.css', 'uPlot.min.css'],
  ['uplot/LICENSE', 'uPlot.LICENSE.txt'],
]
mkdirSync(target, { recursive: true })
for (const [from, to] of files) {
  copyFileSync(join(here, 'node_modules', from), join(target, to))
  console.log(`wwwroot/lib/${to} <- ${from}`)
}
