// Helpers for SockJsClientTest: sockets by name on window.socks, their messages and close events
// recorded, each step a promise the test awaits.
window.socks = {};
window.sockTest = {
  /** Opens a SockJS socket named `name` to `url`, forced onto `transport`; resolves with the transport in use. */
  open(name, url, transport) {
    return new Promise((resolve, reject) => {
      const sock = new SockJS(url, null, { transports: [transport] });
      const s = { sock, got: [], closed: null };
      socks[name] = s;
      sock.onopen = () => resolve(sock.transport);
      sock.onmessage = e => s.got.push(e.data);
      sock.onclose = e => {
        s.closed = { code: e.code, reason: e.reason, wasClean: e.wasClean };
        reject(new Error('closed before open: ' + e.code + ' ' + e.reason));
      };
    });
  },
  /** Sends each message in turn; resolves once as many came back. */
  echo(name, messages, deadlineMillis) {
    const s = socks[name];
    const start = s.got.length;
    messages.forEach(m => s.sock.send(m));
    return new Promise((resolve, reject) => {
      const until = Date.now() + deadlineMillis;
      (function check() {
        if (s.got.length - start >= messages.length) {
          resolve(s.got.slice(start, start + messages.length));
        } else if (s.closed || Date.now() > until) {
          reject(new Error('echoed ' + (s.got.length - start) + ' of ' + messages.length
              + (s.closed ? ', closed ' + JSON.stringify(s.closed) : '')));
        } else {
          setTimeout(check, 10);
        }
      })();
    });
  },
};
true;
