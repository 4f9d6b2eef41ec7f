/*!
 * halley.js: a small browser client for Halley's native protocol (docs/protocol.md).
 *
 * Use it as a plain script, which defines `window.Halley`:
 *
 *   <script src="/halley.js"></script>
 *   const client = Halley.connect('');                 // '' = same origin
 *   const sub = client.subscribe('/demo', m => console.log(m.offset, m.data));
 *   await client.publish('/demo', {text: 'hi'});      // -> {channel, offset}
 *   sub.unsubscribe(); client.close();
 *
 * Transports, tried in this order unless `transports` says otherwise: `websocket` (/ws),
 * `sse` (/sse, EventSource), `long-polling` (/poll once, then /longpoll). A transport that
 * fails before it ever connected gives way to the next; one that has worked is reconnected
 * with exponential backoff and jitter (500 ms doubling up to 10 s). Messages are de-duplicated
 * per channel by offset, and resumption uses the last offset (WebSocket) or cursor (HTTP).
 *
 * Modern browsers only (fetch, WebSocket, EventSource, AbortController); no build step.
 */
(function (root, factory) {
  'use strict';
  var Halley = factory(root);
  if (typeof module === 'object' && module && module.exports) {
    module.exports = Halley;
  }
  if (root) {
    root.Halley = Halley;
  }
})(typeof self !== 'undefined' ? self : this, function (root) {
  'use strict';

  /**
   * A message as delivered.
   * @typedef {Object} HalleyMessage
   * @property {string} channel the concrete channel it was published on
   * @property {number} offset its place in the channel (1, 2, 3, ...)
   * @property {*} data the published JSON value
   * @property {number} time when the server accepted it, epoch millis
   */

  /**
   * @typedef {Object} ConnectOptions
   * @property {string[]} [transports] the transports to try, in order; default
   *   `['websocket', 'sse', 'long-polling']`. Give one name to force it.
   */

  /**
   * @typedef {Object} SubscribeOptions
   * @property {number} [since] the last offset already seen in this (concrete) channel:
   *   delivery starts after it; `0` asks for all the history the server holds. Honoured on
   *   WebSocket always; on SSE / long-polling while no cursor is held yet and this is the
   *   only channel (a cursor, once held, takes over).
   */

  /**
   * @typedef {Object} PublishResult
   * @property {string} channel
   * @property {number} offset the offset the server gave the message
   */

  /**
   * Client events, for {@link HalleyClient#on}:
   * - `state`: `{state, previous}`, state one of `connecting`, `connected`, `disconnected`,
   *   `reconnecting`;
   * - `transport`: `{transport, previous, reason}` when the transport in use changes;
   * - `gap`: `{channel}` when the server says history no longer reaches back to where this
   *   client left off: messages were missed;
   * - `error`: `{error, message, channel?}` when the server refuses a request (e.g. a
   *   subscription it does not allow; that subscription is dropped).
   * @typedef {'state'|'transport'|'gap'|'error'} HalleyEvent
   */

  var TRANSPORTS = ['websocket', 'sse', 'long-polling'];
  var BACKOFF_START_MS = 500;
  var BACKOFF_CAP_MS = 10000;
  var CONNECT_TIMEOUT_MS = 10000;
  var PUBLISH_TIMEOUT_MS = 15000;
  var LONGPOLL_TIMEOUT_S = 25;
  var STABLE_MS = 5000;  // a connection that lived this long resets the backoff
  var CHANNEL_CHARS = /^[A-Za-z0-9_\-.:@/]{1,255}$/;

  /** An error the server answered with (`{"error","message"}`) or a transport failure. */
  class HalleyError extends Error {
    /**
     * @param {string} code the wire error code, or `network` / `timeout` / `closed`
     * @param {string} message a human sentence
     * @param {number} [status] the HTTP status, when there was one
     */
    constructor(code, message, status) {
      super(message || code);
      this.name = 'HalleyError';
      /** @type {string} */
      this.code = code;
      /** @type {number|undefined} */
      this.status = status;
    }
  }

  /** Whether `text` is a channel name, or a pattern ending in `/*` or `/**` if `allowWildcard`. */
  function isValidChannel(text, allowWildcard) {
    if (typeof text !== 'string' || text.length > 255) {
      return false;
    }
    if (allowWildcard && /\/\*\*?$/.test(text)) {
      var base = text.replace(/\*+$/, '');
      return base === '/' || CHANNEL_CHARS.test(base);
    }
    return CHANNEL_CHARS.test(text);
  }

  function isWildcard(pattern) {
    return /\/\*\*?$/.test(pattern);
  }

  /** Same rule as the server's ChannelPattern.matches. */
  function matches(pattern, channel) {
    if (pattern.slice(-3) === '/**') {
      var deep = pattern.slice(0, -2);
      return channel.length > deep.length && channel.indexOf(deep) === 0;
    }
    if (pattern.slice(-2) === '/*') {
      var one = pattern.slice(0, -1);
      return channel.length > one.length && channel.indexOf(one) === 0
        && channel.indexOf('/', one.length) < 0;
    }
    return pattern === channel;
  }

  function parseJson(text) {
    try {
      return JSON.parse(text);
    } catch (e) {
      return undefined;
    }
  }

  /** Calls a user callback; an exception there is reported but never breaks the client. */
  function safeCall(fn, arg) {
    try {
      fn(arg);
    } catch (e) {
      setTimeout(function () { throw e; }, 0);
    }
  }

  function backoffDelay(attempt) {
    var ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_START_MS * Math.pow(2, attempt));
    return Math.round(ceiling / 2 + Math.random() * ceiling / 2);
  }

  /** A handle on one `subscribe` call. */
  class Subscription {
    constructor(client, channel, onMessage) {
      /** @type {string} the channel or pattern subscribed to */
      this.channel = channel;
      /** @type {boolean} false once unsubscribed (or refused by the server) */
      this.active = true;
      this._client = client;
      this._onMessage = onMessage;
    }

    /** Stops delivery to this subscription's callback. Idempotent. */
    unsubscribe() {
      if (this.active) {
        this.active = false;
        this._client._removeSubscription(this);
      }
    }
  }

  /**
   * A connection to a Halley server that survives transport failures. Create with
   * {@link connect}.
   */
  class HalleyClient {
    /**
     * @param {string} baseUrl
     * @param {ConnectOptions} [options]
     */
    constructor(baseUrl, options) {
      options = options || {};
      var transports = options.transports || TRANSPORTS;
      if (!Array.isArray(transports) || transports.length === 0) {
        throw new TypeError('transports must be a non-empty array');
      }
      transports.forEach(function (t) {
        if (TRANSPORTS.indexOf(t) < 0) {
          throw new TypeError('unknown transport "' + t + '"; known: ' + TRANSPORTS.join(', '));
        }
      });
      this._base = String(baseUrl || '').replace(/\/+$/, '');
      this._transports = transports.slice();
      /** @type {string|null} the transport in use or being tried */
      this.transport = null;
      /** @type {'connecting'|'connected'|'disconnected'|'reconnecting'} */
      this.state = 'disconnected';
      this._listeners = {};
      this._subs = new Map();      // pattern -> Set<Subscription>, insertion-ordered
      this._since = new Map();     // pattern -> `since` asked for at subscribe time
      this._epoch = new Map();     // channel -> epoch from a WebSocket subscribe reply (sent back with `since`)
      this._wsCursor = new Map();  // pattern -> cursor from the WebSocket subscribe reply
      this._last = new Map();      // concrete channel -> last offset delivered
      this._cursor = null;         // HTTP transports: resume point after the last batch
      this._cursorCovers = new Set();  // the channels of the request that gave _cursor
      this._index = 0;             // position in _transports
      this._worked = new Set();    // transports that have connected at least once
      this._conn = null;           // the live transport driver
      this._attempt = 0;           // consecutive failures, for backoff
      this._openedAt = 0;
      this._retryTimer = null;
      this._retry = null;          // what the pending retry will do
      this._changeQueued = false;
      this._closed = false;
      this._onOnline = this._retryNow.bind(this);
      if (root && typeof root.addEventListener === 'function') {
        root.addEventListener('online', this._onOnline);
      }
      this._setState('connecting');
      // Start on the next microtask: listeners and subscriptions added right after connect()
      // then see the first events and go into the first request.
      var self = this;
      Promise.resolve().then(function () {
        if (!self._closed && !self._conn) {
          self._connect('initial');
        }
      });
    }

    /**
     * Subscribes to a channel or a wildcard pattern (`/chat/*`, `/chat/**`).
     * @param {string} channel
     * @param {function(HalleyMessage): void} onMessage called once per message, in order
     * @param {SubscribeOptions} [options]
     * @returns {Subscription} call `unsubscribe()` on it to stop
     */
    subscribe(channel, onMessage, options) {
      if (!isValidChannel(channel, true)) {
        throw new HalleyError('bad_channel', 'Not a channel name or pattern: ' + channel);
      }
      if (typeof onMessage !== 'function') {
        throw new TypeError('onMessage must be a function');
      }
      if (this._closed) {
        throw new HalleyError('closed', 'The client is closed.');
      }
      var sub = new Subscription(this, channel, onMessage);
      var set = this._subs.get(channel);
      var added = !set;
      if (added) {
        set = new Set();
        this._subs.set(channel, set);
      }
      set.add(sub);
      var since = options && options.since;
      if (added && typeof since === 'number' && since >= 0) {
        this._since.set(channel, since);
        if (!isWildcard(channel) && !this._last.has(channel)) {
          this._last.set(channel, since);
        }
      }
      if (added) {
        this._subscriptionsChanged(channel, true);
      }
      return sub;
    }

    /**
     * Publishes `data` to `channel`: over the WebSocket when it is open, else by
     * `POST {base}/publish`.
     * @param {string} channel a concrete channel (no wildcard)
     * @param {*} data any JSON value
     * @returns {Promise<PublishResult>}
     */
    publish(channel, data) {
      if (!isValidChannel(channel, false)) {
        return Promise.reject(new HalleyError('bad_channel', 'Not a channel name: ' + channel));
      }
      var viaSocket = this._conn && this._conn.publish && this._conn.publish(channel, data);
      if (viaSocket) {
        return viaSocket;
      }
      return this._fetchJson('/publish', {
        method: 'POST',
        headers: {'Content-Type': 'application/json'},
        body: JSON.stringify({channel: channel, data: data})
      }).then(function (r) {
        return {channel: r.channel, offset: r.offset};
      });
    }

    /**
     * Listens to a client event.
     * @param {HalleyEvent} event
     * @param {function(Object): void} fn
     * @returns {function(): void} call it to stop listening
     */
    on(event, fn) {
      (this._listeners[event] = this._listeners[event] || []).push(fn);
      var self = this;
      return function () { self.off(event, fn); };
    }

    /**
     * @param {HalleyEvent} event
     * @param {function(Object): void} fn
     */
    off(event, fn) {
      var list = this._listeners[event];
      if (list) {
        this._listeners[event] = list.filter(function (f) { return f !== fn; });
      }
    }

    /** Closes the connection for good; subscriptions stop. */
    close() {
      if (this._closed) {
        return;
      }
      this._closed = true;
      clearTimeout(this._retryTimer);
      this._retry = null;
      if (root && typeof root.removeEventListener === 'function') {
        root.removeEventListener('online', this._onOnline);
      }
      var conn = this._conn;
      this._conn = null;
      if (conn) {
        conn.stop();
      }
      this._setState('disconnected');
    }

    toString() {
      return 'HalleyClient[' + (this._base || 'same origin') + ', ' + this.transport + ', '
        + this.state + ', ' + this._subs.size + ' subscriptions]';
    }

    // ---- internals shared with the transport drivers ------------------------------------

    _emit(event, payload) {
      (this._listeners[event] || []).slice().forEach(function (fn) { safeCall(fn, payload); });
    }

    _setState(state) {
      if (this.state !== state) {
        var previous = this.state;
        this.state = state;
        this._emit('state', {state: state, previous: previous});
      }
    }

    _patterns() {
      return Array.from(this._subs.keys());
    }

    _connect(reason) {
      if (this._closed) {
        return;
      }
      var name = this._transports[this._index];
      if (this.transport !== name) {
        var previous = this.transport;
        this.transport = name;
        this._emit('transport', {transport: name, previous: previous, reason: reason});
      }
      var driver = DRIVERS[name](this);
      this._conn = driver;
      driver.start();
    }

    /**
     * A driver reports it is connected (and has (re)sent its subscriptions). `proven` is false
     * when an idle HTTP driver only saw the server answer /healthz: the transport itself is
     * untried, so a later failure still moves on to the next one.
     */
    _opened(driver, proven) {
      if (driver !== this._conn) {
        return;
      }
      this._openedAt = Date.now();
      if (proven !== false) {
        this._worked.add(driver.name);
      }
      this._setState('connected');
    }

    /**
     * A driver reports it is dead; `wasOpen` says whether the client had been connected
     * through it. A transport that has never worked gives way to the next one at once; one
     * that has worked is reconnected after a backoff; when all have failed, start over from
     * the first after a backoff.
     */
    _failed(driver, reason, wasOpen) {
      if (driver !== this._conn || this._closed) {
        return;
      }
      this._conn = null;
      driver.stop();
      var name = driver.name;
      var proven = this._worked.has(name);
      if (wasOpen) {
        this._setState('disconnected');
      }
      if (!proven && this._index < this._transports.length - 1) {
        this._index++;
        if (wasOpen) {
          this._setState('reconnecting');
        }
        this._connect(name + ' failed: ' + reason);
        return;
      }
      // Reset the backoff only after a connection that lasted: a server that accepts and
      // drops at once must not be hammered.
      if (wasOpen && Date.now() - this._openedAt >= STABLE_MS) {
        this._attempt = 0;
      }
      var restart = !proven;
      this._setState('reconnecting');
      var self = this;
      this._retry = function (why) {
        self._retryTimer = null;
        self._retry = null;
        if (restart) {
          self._index = 0;
        }
        self._connect(why);
      };
      this._retryTimer = setTimeout(this._retry, backoffDelay(this._attempt++),
        name + ' failed: ' + reason + '; retrying');
    }

    /** The browser says the network is back: skip the rest of the backoff. */
    _retryNow() {
      if (this._retry && !this._closed) {
        clearTimeout(this._retryTimer);
        this._retry('network back online');
      }
    }

    _removeSubscription(sub) {
      var set = this._subs.get(sub.channel);
      if (!set || !set.delete(sub) || set.size > 0) {
        return;
      }
      var pattern = sub.channel;
      this._subs.delete(pattern);
      this._since.delete(pattern);
      this._wsCursor.delete(pattern);
      // Forget offsets no remaining subscription covers: a later subscribe starts afresh.
      var self = this;
      Array.from(this._last.keys()).forEach(function (channel) {
        if (!self._covered(channel)) {
          self._last.delete(channel);
        }
      });
      if (!this._closed) {
        this._subscriptionsChanged(pattern, false);
      }
    }

    _covered(channel) {
      for (var pattern of this._subs.keys()) {
        if (matches(pattern, channel)) {
          return true;
        }
      }
      return false;
    }

    _subscriptionsChanged(pattern, added) {
      var conn = this._conn;
      if (!conn) {
        return;  // the next connect sends the whole set
      }
      if (conn.subscribe) {
        if (added) {
          conn.subscribe(pattern);
        } else {
          conn.unsubscribe(pattern);
        }
        return;
      }
      // HTTP transports re-open their request with the new channel list; batch the changes
      // made in one turn of the event loop into one re-open.
      if (!this._changeQueued) {
        this._changeQueued = true;
        var self = this;
        setTimeout(function () {
          self._changeQueued = false;
          if (self._conn) {
            self._conn.reopen();
          }
        }, 0);
      }
    }

    /** Delivers one message object to the matching subscriptions, dropping duplicates. */
    _deliver(msg) {
      if (!msg || typeof msg.channel !== 'string' || typeof msg.offset !== 'number') {
        return;
      }
      var targets = [];
      this._subs.forEach(function (set, pattern) {
        if (matches(pattern, msg.channel)) {
          set.forEach(function (sub) { targets.push(sub); });
        }
      });
      if (targets.length === 0) {
        return;  // a late message for a channel unsubscribed a moment ago
      }
      var last = this._last.get(msg.channel);
      if (last !== undefined && msg.offset <= last) {
        return;  // seen already (a replay overlapping live delivery)
      }
      this._last.set(msg.channel, msg.offset);
      targets.forEach(function (sub) {
        if (sub.active) {
          safeCall(sub._onMessage, msg);
        }
      });
    }

    /**
     * The server says `channel` has a gap. Offsets may have restarted (a new epoch), so the
     * next message sets a new baseline for de-duplication. `quiet`: the gap was reported
     * already (the same gap told twice, by a reply and by a notice).
     */
    _gap(channel, quiet) {
      this._last.delete(channel);
      this._epoch.delete(channel);
      if (!quiet) {
        this._emit('gap', {channel: channel});
      }
    }

    /** The server refused the subscription to `pattern`: drop it and say so. */
    _refused(pattern, error, message) {
      var set = this._subs.get(pattern);
      if (set) {
        set.forEach(function (sub) { sub.active = false; });
        this._subs.delete(pattern);
        this._since.delete(pattern);
        this._wsCursor.delete(pattern);
      }
      this._emit('error', {channel: pattern, error: error, message: message});
    }

    /** Where to resume `pattern` on the WebSocket: `{since}`, `{cursor}` or live (`{}`). */
    _wsResume(pattern) {
      if (!isWildcard(pattern) && this._last.has(pattern)) {
        // With the epoch the server can tell a restart (offsets begun again) from a plain resume.
        return this._epoch.has(pattern)
          ? {since: this._last.get(pattern), epoch: this._epoch.get(pattern)}
          : {since: this._last.get(pattern)};
      }
      if (this._wsCursor.has(pattern)) {
        return {cursor: this._wsCursor.get(pattern)};
      }
      if (this._since.has(pattern)) {
        return {since: this._since.get(pattern)};
      }
      return {};
    }

    /** The last offset seen in `channel` (or asked for with `since`), if any. */
    _sinceFor(channel) {
      return !isWildcard(channel) && this._last.has(channel)
        ? this._last.get(channel) : this._since.get(channel);
    }

    /**
     * The query string for an HTTP subscribe request over `channels`. A request resumes with
     * one cursor or one channel's `since`; a channel it cannot resume but whose position is
     * known gets a one-shot catch-up: `GET /poll?channel=C&since=N` (call `_catchUp()`
     * after issuing the request, so that the two overlap rather than leave a hole; the
     * overlap is de-duplicated by offset).
     * @returns {{query: string, catchUp: Array<Array>}}
     */
    _httpRequest(channels) {
      var self = this;
      var q = new URLSearchParams();
      channels.forEach(function (c) { q.append('channel', c); });
      var covered = function () { return false; };
      if (this._cursor) {
        q.set('cursor', this._cursor);
        covered = function (c) { return self._cursorCovers.has(c); };
      } else if (channels.length === 1 && this._sinceFor(channels[0]) !== undefined) {
        q.set('since', String(this._sinceFor(channels[0])));
        covered = function (c) { return c === channels[0]; };
      }
      var catchUp = channels.filter(function (c) {
        return !covered(c) && !isWildcard(c) && self._sinceFor(c) !== undefined;
      }).map(function (c) { return [c, self._sinceFor(c)]; });
      return {query: q.toString(), catchUp: catchUp};
    }

    /** A cursor from a batch or stream opened over `channels`. */
    _setCursor(cursor, channels) {
      this._cursor = cursor;
      this._cursorCovers = new Set(channels);
    }

    /** See `_httpRequest`. `isCurrent()` says whether the requesting driver still is. */
    _catchUp(list, isCurrent) {
      var self = this;
      list.forEach(function (entry) {
        var q = new URLSearchParams({channel: entry[0], since: String(entry[1])});
        self._fetchJson('/poll?' + q, {}).then(function (batch) {
          if (isCurrent()) {
            self._applyBatch(batch);
          }
        }, function (e) {
          if (isCurrent()) {
            self._emit('error', {channel: entry[0], error: e.code || 'network', message: e.message});
          }
        });
      });
    }

    /** Gaps and messages of a batch response (`/poll`, `/longpoll`), in order. */
    _applyBatch(batch) {
      var self = this;
      var gapped = new Set();
      (Array.isArray(batch.gaps) ? batch.gaps : []).forEach(function (channel) {
        gapped.add(channel);
        self._gap(channel);
      });
      (Array.isArray(batch.messages) ? batch.messages : []).forEach(function (m) {
        if (m && typeof m.offset === 'number') {
          self._deliver(m);
        } else if (m && m.recovered === false && !gapped.has(m.channel)) {
          gapped.add(m.channel);
          self._gap(m.channel);
        }
      });
    }

    _url(path) {
      return this._base + path;
    }

    _wsUrl() {
      var here = root && root.location ? root.location.href : undefined;
      var url = new URL(this._url('/ws'), here);
      url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
      return url.toString();
    }

    /** fetch + JSON; a non-2xx answer rejects with a HalleyError built from the error body. */
    _fetchJson(path, init) {
      init = Object.assign({cache: 'no-store', credentials: 'same-origin'}, init);
      return fetch(this._url(path), init).then(function (res) {
        return res.text().then(function (text) {
          var body = parseJson(text);
          if (!res.ok) {
            var code = body && body.error ? body.error : 'http_' + res.status;
            var message = body && body.message ? body.message : res.status + ' ' + res.statusText;
            throw new HalleyError(code, message, res.status);
          }
          if (body === undefined) {
            throw new HalleyError('bad_response', 'The server did not answer with JSON.', res.status);
          }
          return body;
        });
      }, function (e) {
        if (e && e.name === 'AbortError') {
          throw e;
        }
        throw new HalleyError('network', String(e && e.message || e));
      });
    }

    /** For idle HTTP transports (nothing subscribed): is the server there at all? */
    _probe() {
      return this._fetchJson('/healthz', {});
    }
  }

  // ---- transport drivers --------------------------------------------------------------------
  // A driver is created per connection attempt and never reused. It reports through
  // client._opened(driver), client._failed(driver, reason, wasOpen), client._deliver(msg) and
  // client._gap(channel); client ignores reports from a driver that is no longer current.

  /** WebSocket: JSON frames both ways; resumes each channel with its last offset. */
  function webSocketDriver(client) {
    var ws = null;
    var open = false;
    var dead = false;
    var timer = null;
    var nextId = 1;
    var pending = new Map();  // id -> {kind, pattern?, resolve?, reject?, timer?, gapSeen?}
    var gapTold = new Set();  // channels whose gap a subscribe reply reported before its notice

    function send(frame) {
      ws.send(JSON.stringify(frame));
    }

    function sendSubscribe(pattern) {
      var id = nextId++;
      pending.set(id, {kind: 'subscribe', pattern: pattern, gapSeen: new Set()});
      send(Object.assign({op: 'subscribe', channel: pattern}, client._wsResume(pattern), {id: id}));
    }

    function fail(reason) {
      if (!dead) {
        client._failed(driver, reason, open);
      }
    }

    function onReply(reply) {
      var req = pending.get(reply.id);
      if (!req) {
        return;
      }
      pending.delete(reply.id);
      if (req.kind === 'publish') {
        clearTimeout(req.timer);
        if (reply.ok) {
          req.resolve({channel: reply.channel, offset: reply.offset});
        } else {
          req.reject(new HalleyError(reply.error, reply.message));
        }
      } else if (req.kind === 'subscribe') {
        if (!client._subs.has(req.pattern)) {
          return;  // unsubscribed while the request was in flight
        }
        if (reply.error) {
          client._refused(req.pattern, reply.error, reply.message);
          return;
        }
        if (typeof reply.epoch === 'string') {
          client._epoch.set(req.pattern, reply.epoch);
        }
        if (reply.recovered === false) {
          // The notice frame may come before or after this reply: report each gap once.
          var gaps = Array.isArray(reply.gaps) && reply.gaps.length ? reply.gaps : [req.pattern];
          gaps.forEach(function (channel) {
            if (!req.gapSeen.has(channel)) {
              gapTold.add(channel);
              client._gap(channel);
            }
          });
        } else if (typeof reply.cursor === 'string') {
          // After a gap the reply's cursor is no resume point (it can hold an offset past
          // the channel's end), so only a whole reply's cursor is kept.
          client._wsCursor.set(req.pattern, reply.cursor);
        }
      } else if (reply.error) {
        client._emit('error', {channel: req.pattern, error: reply.error, message: reply.message});
      }
    }

    function onFrame(text) {
      var obj = parseJson(text);
      if (!obj || typeof obj !== 'object') {
        return;
      }
      if (obj.id !== undefined && (obj.ok !== undefined || obj.error !== undefined)) {
        onReply(obj);
      } else if (typeof obj.offset === 'number') {
        gapTold.delete(obj.channel);  // a notice would have come before the replay
        client._deliver(obj);
      } else if (obj.recovered === false && typeof obj.channel === 'string') {
        pending.forEach(function (req) {
          if (req.kind === 'subscribe' && matches(req.pattern, obj.channel)) {
            req.gapSeen.add(obj.channel);
          }
        });
        client._gap(obj.channel, gapTold.delete(obj.channel));
      } else if (obj.reconnect) {
        fail('server asked to reconnect (' + (obj.reason || 'no reason') + ')');
      }
    }

    var driver = {
      name: 'websocket',
      start: function () {
        try {
          ws = new WebSocket(client._wsUrl());
        } catch (e) {
          setTimeout(function () { fail(String(e && e.message || e)); }, 0);
          return;
        }
        timer = setTimeout(function () { fail('no answer within ' + CONNECT_TIMEOUT_MS + ' ms'); },
          CONNECT_TIMEOUT_MS);
        ws.onopen = function () {
          clearTimeout(timer);
          open = true;
          client._patterns().forEach(sendSubscribe);
          client._opened(driver);
        };
        ws.onmessage = function (ev) {
          if (!dead && typeof ev.data === 'string') {
            onFrame(ev.data);
          }
        };
        ws.onclose = function (ev) {
          fail((open ? 'closed' : 'could not connect') + ' (code ' + ev.code
            + (ev.reason ? ', ' + ev.reason : '') + ')');
        };
      },
      stop: function () {
        dead = true;
        clearTimeout(timer);
        if (ws) {
          ws.onopen = ws.onmessage = ws.onclose = null;
          try {
            ws.close(1000);
          } catch (e) { /* already closing */ }
        }
        pending.forEach(function (req) {
          if (req.kind === 'publish') {
            clearTimeout(req.timer);
            req.reject(new HalleyError('closed', 'The connection closed before the server answered.'));
          }
        });
        pending.clear();
      },
      subscribe: function (pattern) {
        if (open && !dead) {
          sendSubscribe(pattern);
        }
      },
      unsubscribe: function (pattern) {
        if (open && !dead) {
          var id = nextId++;
          pending.set(id, {kind: 'unsubscribe', pattern: pattern});
          send({op: 'unsubscribe', channel: pattern, id: id});
        }
      },
      /** @returns {Promise<PublishResult>|null} null when the socket is not open */
      publish: function (channel, data) {
        if (!open || dead || ws.readyState !== 1) {
          return null;
        }
        var id = nextId++;
        return new Promise(function (resolve, reject) {
          var req = {kind: 'publish', resolve: resolve, reject: reject};
          req.timer = setTimeout(function () {
            pending.delete(id);
            reject(new HalleyError('timeout', 'No answer to the publish within '
              + PUBLISH_TIMEOUT_MS + ' ms.'));
          }, PUBLISH_TIMEOUT_MS);
          pending.set(id, req);
          send({op: 'publish', channel: channel, data: data, id: id});
        });
      }
    };
    return driver;
  }

  /**
   * Shared by the HTTP drivers: with nothing subscribed there is no request to hold, so check
   * the server is there (GET /healthz) and wait for a subscription.
   */
  function idle(client, driver, state) {
    client._probe().then(function () {
      if (!state.dead && !state.open) {
        state.open = true;
        client._opened(driver, false);
      }
    }, function (e) {
      if (!state.dead) {
        client._failed(driver, 'GET /healthz: ' + e.message, state.open);
      }
    });
  }

  /**
   * Server-Sent Events: one EventSource per channel list; each message event's id is the
   * cursor after it. The stream's opening cursor comes in an id-only event, which script never
   * sees, so when no cursor is held yet one is fetched first with GET /poll (which answers at
   * once): every re-open can then resume instead of going live and missing what came between.
   */
  function sseDriver(client) {
    var state = {open: false, dead: false};
    var es = null;
    var timer = null;
    var generation = 0;
    var channels = [];       // of the current EventSource
    var pollWorks = true;
    var quickRetry = true;   // one immediate re-open after a stream that ended on its own

    function close() {
      generation++;
      clearTimeout(timer);
      if (es) {
        es.close();
        es = null;
      }
    }

    function fail(reason) {
      if (!state.dead) {
        close();
        client._failed(driver, reason, state.open);
      }
    }

    function onData(ev) {
      var obj = parseJson(ev.data);
      if (!obj || typeof obj !== 'object') {
        return;
      }
      if (typeof obj.offset === 'number') {
        client._deliver(obj);
      } else if (obj.recovered === false && typeof obj.channel === 'string') {
        client._gap(obj.channel);
      }
      if (typeof obj.cursor === 'string') {
        client._setCursor(obj.cursor, channels);
      } else if (ev.lastEventId) {
        client._setCursor(ev.lastEventId, channels);
      }
      // `event: reconnect` ({"reason","cursor"}): the server ends this stream (shutdown, slow
      // consumer); pick up at once from the cursor it gave.
      if (ev.type === 'reconnect' || obj.reconnect === true) {
        open();
      }
    }

    function open() {
      close();
      channels = client._patterns();
      if (channels.length === 0) {
        idle(client, driver, state);
        return;
      }
      if (client._cursor || !pollWorks) {
        stream();
        return;
      }
      var mine = generation;
      var req = client._httpRequest(channels);
      var current = function () { return !state.dead && mine === generation; };
      client._fetchJson('/poll?' + req.query, {}).then(function (batch) {
        if (current()) {
          client._applyBatch(batch);
          if (typeof batch.cursor === 'string') {
            client._setCursor(batch.cursor, channels);
          }
          stream();
        }
      }, function (e) {
        if (!current()) {
          return;
        }
        if (e.status === 404) {
          pollWorks = false;  // no /poll on this server: stream without a starting cursor
          stream();
        } else {
          fail('GET /poll: ' + e.message);
        }
      });
      client._catchUp(req.catchUp, current);
    }

    function stream() {
      var req = client._httpRequest(channels);
      var source = es = new EventSource(client._url('/sse?' + req.query));
      var openedAt = 0;
      client._catchUp(req.catchUp, function () { return source === es && !state.dead; });
      timer = setTimeout(function () { fail('no answer within ' + CONNECT_TIMEOUT_MS + ' ms'); },
        CONNECT_TIMEOUT_MS);
      source.onopen = function () {
        openedAt = Date.now();
        clearTimeout(timer);
        if (!state.open) {
          state.open = true;
          client._opened(driver);
        }
      };
      source.onmessage = onData;
      source.addEventListener('gap', onData);
      source.addEventListener('reconnect', onData);
      // EventSource would retry by itself after the server's `retry:` delay; take over
      // instead, so that our cursor, backoff and transport fallback apply. A stream that ends
      // after a good while (its byte budget) is re-opened at once; anything else is a failure.
      source.onerror = function () {
        if (source !== es) {
          return;
        }
        if (!openedAt) {
          fail('could not connect');
        } else if (quickRetry || Date.now() - openedAt >= STABLE_MS) {
          quickRetry = false;
          open();
        } else {
          fail('stream ended');
        }
      };
    }

    var driver = {
      name: 'sse',
      start: function () {
        if (typeof EventSource === 'undefined') {
          setTimeout(function () { fail('EventSource is not available'); }, 0);
          return;
        }
        open();
      },
      stop: function () {
        state.dead = true;
        close();
      },
      reopen: function () {
        if (!state.dead) {
          open();
        }
      }
    };
    return driver;
  }

  /**
   * Long-polling: GET /poll (answers at once, so connecting is quick and yields a cursor),
   * then GET /longpoll with the returned cursor, again and again.
   */
  function longPollDriver(client) {
    var state = {open: false, dead: false};
    var generation = 0;
    var controller = null;
    var pollWorks = true;

    function fail(reason) {
      if (!state.dead) {
        client._failed(driver, reason, state.open);
      }
    }

    function request(first) {
      var channels = client._patterns();
      var mine = generation;
      if (channels.length === 0) {
        idle(client, driver, state);
        return;
      }
      var quick = first && pollWorks;
      var req = client._httpRequest(channels);
      var path = (quick ? '/poll?' : '/longpoll?') + req.query
        + (quick ? '' : '&timeout=' + LONGPOLL_TIMEOUT_S);
      var ctrl = controller = new AbortController();
      var timer = setTimeout(function () { ctrl.abort(); },
        (quick ? 0 : LONGPOLL_TIMEOUT_S * 1000) + CONNECT_TIMEOUT_MS);
      var answer = client._fetchJson(path, {signal: ctrl.signal});
      if (first) {
        client._catchUp(req.catchUp, function () { return !state.dead && mine === generation; });
      }
      answer.then(function (batch) {
        clearTimeout(timer);
        if (state.dead || mine !== generation) {
          return;  // re-opened meanwhile; the cursor did not move, so nothing is lost
        }
        client._applyBatch(batch);
        if (typeof batch.cursor === 'string') {
          client._setCursor(batch.cursor, channels);
        }
        if (!state.open) {
          state.open = true;
          client._opened(driver);
        }
        request(false);
      }, function (e) {
        clearTimeout(timer);
        if (state.dead || mine !== generation) {
          return;
        }
        if (quick && e.status === 404) {
          pollWorks = false;  // a server without /poll: long-poll from the start
          request(true);
          return;
        }
        if (e.status >= 400 && e.status < 500 && e.status !== 408 && e.status !== 429) {
          client._emit('error', {error: e.code, message: e.message});
          if (e.code === 'bad_cursor') {
            client._setCursor(null, []);
          }
        }
        fail(e.name === 'AbortError' ? 'no answer in time' : e.message);
      });
    }

    var driver = {
      name: 'long-polling',
      start: function () {
        request(true);
      },
      stop: function () {
        state.dead = true;
        generation++;
        if (controller) {
          controller.abort();
        }
      },
      reopen: function () {
        if (state.dead) {
          return;
        }
        generation++;
        if (controller) {
          controller.abort();
        }
        request(true);
      }
    };
    return driver;
  }

  var DRIVERS = {
    'websocket': webSocketDriver,
    'sse': sseDriver,
    'long-polling': longPollDriver
  };

  /**
   * Connects to a Halley server.
   * @param {string} baseUrl the server's base URL (`''` for the page's own origin)
   * @param {ConnectOptions} [options]
   * @returns {HalleyClient}
   */
  function connect(baseUrl, options) {
    return new HalleyClient(baseUrl, options);
  }

  return {
    connect: connect,
    HalleyClient: HalleyClient,
    HalleyError: HalleyError,
    /** The transport names, in the default order. */
    transports: TRANSPORTS.slice()
  };
});
