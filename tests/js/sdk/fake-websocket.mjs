// An in-process stand-in for the WebSocket class: the test plays the server, frame by frame, with no network.

/** Returns a WebSocket class for HeartlineClient and the list of sockets it created. */
export function fakeWebSocket() {
  const sockets = []

  class FakeWebSocket {
    #waiters = []

    constructor(url) {
      this.url = url
      this.readyState = 0
      this.binaryType = 'blob'
      /** Every command the client sent, parsed. */
      this.commands = []
      sockets.push(this)
      setTimeout(() => {
        this.readyState = 1
        this.onopen?.({})
      }, 0)
    }

    send(data) {
      if (typeof data !== 'string') return
      const command = JSON.parse(data)
      this.commands.push(command)
      for (const waiter of this.#waiters.splice(0)) waiter(command)
    }

    close(code = 1000, reason = '') {
      if (this.readyState >= 2) return
      this.readyState = 3
      setTimeout(() => this.onclose?.({ code, reason }), 0)
    }

    /** Resolves with the next command named `cmd` (or one already sent and not yet taken). */
    command(cmd, ms = 2000) {
      const sent = this.commands.find((c) => c.cmd === cmd && !c.taken)
      if (sent) return Promise.resolve(Object.assign(sent, { taken: true }))
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${cmd} command within ${ms} ms`)), ms)
        const wait = (command) => {
          if (command.cmd !== cmd) return this.#waiters.push(wait)
          clearTimeout(timer)
          resolve(Object.assign(command, { taken: true }))
        }
        this.#waiters.push(wait)
      })
    }

    /** The server sends a frame (an object is sent as JSON text, an ArrayBuffer as binary). */
    receive(frame) {
      this.onmessage?.({ data: frame instanceof ArrayBuffer ? frame : JSON.stringify(frame) })
    }

    /** The connection ends from the server's side (or the network's, with 1006). */
    serverClose(code, reason = '') {
      this.readyState = 3
      this.onclose?.({ code, reason })
    }
  }

  /** Resolves with the `index`th socket the client opens (0 for the first). */
  async function socket(index, ms = 2000) {
    const deadline = Date.now() + ms
    while (!sockets[index]) {
      if (Date.now() > deadline) throw new Error(`socket ${index} was not opened within ${ms} ms`)
      await new Promise((resolve) => setTimeout(resolve, 1))
    }
    return sockets[index]
  }

  return { WebSocket: FakeWebSocket, sockets, socket }
}

/** Answers the connect command of `socket` with a successful result; returns the command. */
export async function acceptConnect(socket, result = {}) {
  const command = await socket.command('connect')
  socket.receive({ id: command.id, result: { connection_id: 'c_fake', ping_interval_ms: 25000, ...result } })
  return command
}
