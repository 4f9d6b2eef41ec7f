/*!
 * halley.js: the browser client for Halley's native protocol (docs/protocol.md). One file, no
 * build step.
 *
 *   <script src="https://push.example.com/halley.js"></script>      defines window.Halley
 *   import Halley from 'https://push.example.com/halley.mjs';       the same file as an ES module
 *
 *   const client = Halley.connect('https://push.example.com');      '' = the page's own origin
 *   const sub = client.subscribe('/chat/room1', m => show(m.data), {since: 0});
 *   await client.publish('/chat/room1', {text: 'hi'});             // -> {channel, offset}
 *   client.on('transport', e => console.log(e.transport, e.reason));
 *   sub.unsubscribe(); client.close();
 *
 * Transports, best first: websocket, sse, xhr-streaming, htmlfile (IE only; an iframe elsewhere),
 * iframe, long-polling, jsonp, polling. One that fails before it ever worked (refused, blocked,
 * or no byte within `connectTimeout`) gives way to the next at once; one that has worked is
 * reconnected with exponential backoff and jitter. What worked is remembered (localStorage) for
 * the next page load. Every transport resumes from where it left off: messages are neither lost
 * (within the server's history window) nor doubled; when history no longer reaches back, a `gap`
 * event says so. Pages on another origin use CORS, JSONP, or the postMessage bridge
 * (`{bridge: true}`).
 */
var Halley = (function (root) {
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
   * @typedef {'websocket'|'sse'|'xhr-streaming'|'iframe'|'htmlfile'|'long-polling'|'jsonp'|'polling'} TransportName
   */

  /**
   * @typedef {Object} ConnectOptions
   * @property {TransportName[]} [transports] the transports to try, in order (default: all that
   *   can work here, best first). Give one name to force it.
   * @property {boolean} [bridge] connect through the server's `/bridge.html` page in a hidden
   *   iframe (postMessage): for pages on another origin where CORS is not an option. The
   *   transports then run inside the bridge, on the server's own origin.
   * @property {number} [connectTimeout] ms a transport may take to connect, and a stream to
   *   deliver its first bytes, before the next one is tried (default 10000)
   * @property {number} [pollInterval] ms between two `polling` requests (default 2000)
   * @property {number} [longPollTimeout] s the server may hold a long-poll (default 25)
   * @property {number} [retryMin] ms of the first reconnect delay (default 500); it doubles,
   *   with jitter, up to `retryMax` (default 10000)
   * @property {number} [retryMax]
   * @property {boolean} [remember] remember the transport that worked in localStorage and start
   *   from it on the next page load (default true)
   */

  /**
   * @typedef {Object} SubscribeOptions
   * @property {number} [since] the last offset already seen in this (concrete) channel:
   *   delivery starts after it; `0` asks for all the history the server holds.
   */

  /**
   * @typedef {Object} PublishResult
   * @property {string} channel
   * @property {number} offset the offset the server gave the message
   */

  /**
   * Client events, for {@link HalleyClient#on}:
   * - `state`: `{state, previous}`, state one of `connecting`, `connected`, `disconnected`,
   *   `reconnecting`; each state is also an event of its own name;
   * - `transport`: `{transport, previous, reason}` when the transport in use changes; `reason`
   *   says why (`initial`, `remembered`, or why the previous one was abandoned);
   * - `gap`: `{channel}` when the server says history no longer reaches back to where this
   *   client left off: messages were missed (reload that channel's state);
   * - `error`: `{error, message, channel?}` when the server refuses a request (e.g. a
   *   subscription it does not allow; that subscription is dropped).
   * @typedef {'state'|'connecting'|'connected'|'disconnected'|'reconnecting'|'transport'|'gap'|'error'} HalleyEvent
   */

  var TRANSPORTS = ['websocket', 'sse', 'xhr-streaming', 'htmlfile', 'iframe', 'long-polling', 'jsonp', 'polling'];
  var SAME_ORIGIN_ONLY = ['iframe', 'htmlfile'];  // their frames call into the page
  var DEFAULTS = {connectTimeout: 10000, pollInterval: 2000, longPollTimeout: 25, retryMin: 500,
    retryMax: 10000, remember: true, bridge: false};
  var PUBLISH_TIMEOUT_MS = 15000;
  var STABLE_MS = 5000;        // a connection that lived this long resets the backoff
  var STREAM_SILENCE_MS = 70000;  // streams hear a heartbeat every 25 s; this much silence is a dead line
  var REMEMBER_MS = 7 * 24 * 3600 * 1000;
  var CHANNEL_CHARS = /^[A-Za-z0-9_\-.:@/]{1,255}$/;
  var doc = root && root.document;
  var callbackSeq = 0;
  // Two copies of this file on one page (a script and the module) must not share callback names.
  var callbackPrefix = '_halley' + Math.random().toString(36).slice(2, 7) + '_';

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
    if (allowWildcard && isWildcard(text)) {
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

  /** Whether a failed request was refused for what it asked (4xx, or a JSONP error), not for a passing condition. */
  function isRefusal(e) {
    if (e.status) {
      return e.status >= 400 && e.status < 500 && e.status !== 408 && e.status !== 429;
    }
    return ['network', 'timeout', 'closed', 'unavailable', 'too_many', 'bad_response'].indexOf(e.code) < 0;
  }

  /** Calls a user callback; an exception there is reported but never breaks the client. */
  function safeCall(fn, arg) {
    try {
      fn(arg);
    } catch (e) {
      setTimeout(function () { throw e; }, 0);
    }
  }

  /** A fresh global function name for a JSONP or frame callback (`_halleyk3x9a_7`). */
  function globalCallback(fn) {
    var name = callbackPrefix + (++callbackSeq);
    root[name] = fn;
    return name;
  }

  /**
   * A late call (a script already on its way) must find a function: leave a no-op behind, and
   * forget it once no answer can be that late.
   */
  function retireCallback(name) {
    root[name] = function () {};
    setTimeout(function () { delete root[name]; }, 120000);
  }

  function storage() {
    try {
      return root.localStorage || null;
    } catch (e) {
      return null;  // storage disabled, or an opaque origin
    }
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
      this._opts = Object.assign({}, DEFAULTS, options || {});
      this._base = String(baseUrl || '').replace(/\/+$/, '');
      var here = root && root.location ? root.location.href : undefined;
      var origin = new URL(this._base || '/', here).origin;
      this._crossOrigin = !!here && origin !== root.location.origin;
      this._transports = this._chooseTransports(this._opts.transports);
      /** @type {TransportName|null} the transport in use or being tried */
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
      this._hold = null;           // live messages waiting for a catch-up (see _httpRequest)
      this._rememberKey = 'halley.transport ' + origin + this._base.replace(/^[a-z]+:\/\/[^/]*/i, '');
      this._index = this._opts.bridge ? 0 : this._rememberedIndex();
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
          self._connect(self._index > 0 ? 'remembered' : 'initial');
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
     * Publishes `data` to `channel`: over the WebSocket (or the bridge) when it is open, by
     * JSONP when that is the transport, else by `POST {base}/publish`.
     * @param {string} channel a concrete channel (no wildcard)
     * @param {*} data any JSON value
     * @returns {Promise<PublishResult>}
     */
    publish(channel, data) {
      if (!isValidChannel(channel, false)) {
        return Promise.reject(new HalleyError('bad_channel', 'Not a channel name: ' + channel));
      }
      var viaConn = this._conn && this._conn.publish && this._conn.publish(channel, data);
      if (!viaConn && this._opts.bridge) {
        return Promise.reject(new HalleyError('unavailable', 'The bridge is not connected (yet).'));
      }
      var answer = viaConn || (this.transport === 'jsonp'
        ? jsonp(this, '/publish?' + new URLSearchParams({channel: channel, data: JSON.stringify(data)}),
          PUBLISH_TIMEOUT_MS).promise
        : this._fetchJson('/publish', {
          method: 'POST',
          headers: {'Content-Type': 'application/json'},
          body: JSON.stringify({channel: channel, data: data})
        }));
      return answer.then(function (r) {
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
        var e = {state: state, previous: previous};
        this._emit('state', e);
        this._emit(state, e);
      }
    }

    _patterns() {
      return Array.from(this._subs.keys());
    }

    _setTransport(name, reason) {
      if (this.transport !== name) {
        var previous = this.transport;
        this.transport = name;
        this._emit('transport', {transport: name, previous: previous, reason: reason});
      }
    }

    /** The transports to try here, in order: those asked for, less what cannot work. */
    _chooseTransports(asked) {
      if (asked !== undefined && (!Array.isArray(asked) || asked.length === 0)) {
        throw new TypeError('transports must be a non-empty array');
      }
      (asked || []).forEach(function (t) {
        if (TRANSPORTS.indexOf(t) < 0) {
          throw new TypeError('unknown transport "' + t + '"; known: ' + TRANSPORTS.join(', '));
        }
      });
      if (asked) {
        return asked.slice();
      }
      var self = this;
      return TRANSPORTS.filter(function (t) {
        // Where ActiveX is absent, htmlfile would be the iframe again; and framed transports
        // need the page's own origin (the bridge gives them that).
        return !(t === 'htmlfile' && !('ActiveXObject' in root))
          && !(self._crossOrigin && !self._opts.bridge && SAME_ORIGIN_ONLY.indexOf(t) >= 0);
      });
    }

    _rememberedIndex() {
      var store = this._opts.remember && storage();
      var saved = store && parseJson(store.getItem(this._rememberKey) || '');
      var index = saved && Date.now() - saved.at < REMEMBER_MS ? this._transports.indexOf(saved.transport) : -1;
      return Math.max(index, 0);
    }

    _remember(name) {
      var store = this._opts.remember && !this._opts.bridge && storage();
      if (store) {
        try {
          store.setItem(this._rememberKey, JSON.stringify({transport: name, at: Date.now()}));
        } catch (e) { /* quota or privacy mode: only the next page load is slower */ }
      }
    }

    _connect(reason) {
      if (this._closed) {
        return;
      }
      var name = this._opts.bridge ? 'bridge' : this._transports[this._index];
      if (!this._opts.bridge) {
        this._setTransport(name, reason);
      }
      var driver = DRIVERS[name](this);
      driver.name = name;
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
      if (proven !== false && !this._worked.has(driver.name)) {
        this._worked.add(driver.name);
        this._remember(driver.name);
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
      this._abandonHold();
      var name = driver.name;
      var proven = this._worked.has(name);
      if (wasOpen) {
        this._setState('disconnected');
      }
      if (!proven && this._index < this._transports.length - 1 && !this._opts.bridge) {
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
      this._retryTimer = setTimeout(this._retry, this._backoff(this._attempt++),
        name + ' failed: ' + reason + '; retrying');
    }

    /** Exponential backoff with "equal jitter": half the ceiling plus a random part of the rest. */
    _backoff(attempt) {
      var ceiling = Math.min(this._opts.retryMax, this._opts.retryMin * Math.pow(2, attempt));
      return Math.round(ceiling / 2 + Math.random() * ceiling / 2);
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
      this._forget(pattern);
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

    _forget(pattern) {
      this._subs.delete(pattern);
      this._since.delete(pattern);
      this._wsCursor.delete(pattern);
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

    /**
     * Delivers one message object to the matching subscriptions, dropping duplicates. A live
     * message of a channel being caught up waits for the catch-up (`direct`: it is from it).
     */
    _deliver(msg, direct) {
      if (!msg || typeof msg.channel !== 'string' || typeof msg.offset !== 'number') {
        return;
      }
      var held = !direct && this._hold && this._hold.queues.get(msg.channel);
      if (held) {
        held.push(msg);
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
        this._forget(pattern);
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
     * An HTTP subscribe request over `channels`: `{query, hold}`. A request resumes with one
     * cursor or one channel's `since`; a channel it cannot resume but whose position is known
     * is caught up once from history (`GET /poll?channel=C&since=N`). Live messages of those
     * channels are held meanwhile (`hold`): history answered after newer live messages must not
     * be overtaken by them. Start the catch-up (`_catchUp(hold)`) once the server has confirmed
     * the request's subscription (a stream's first bytes, a poll's answer), so the two overlap
     * rather than leave a hole; the overlap is de-duplicated by offset.
     *
     * `continuing`: the request goes on from the last one's cursor (a stream re-opened after
     * its reconnect notice, the next long-poll), so a catch-up still under way stays valid;
     * any other request abandons it and catches those channels up again.
     * @returns {{query: string, hold: Object|null}}
     */
    _httpRequest(channels, continuing) {
      if (!continuing) {
        this._abandonHold();
      }
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
      var list = channels.filter(function (c) {
        return !covered(c) && !isWildcard(c) && self._sinceFor(c) !== undefined;
      }).map(function (c) { return [c, self._sinceFor(c)]; });
      var hold = null;
      if (list.length && !continuing) {
        hold = this._hold = {list: list, queues: new Map()};
        list.forEach(function (entry) { hold.queues.set(entry[0], []); });
      }
      return {query: q.toString(), hold: hold};
    }

    /** A cursor from a batch or stream opened over `channels`. */
    _setCursor(cursor, channels) {
      this._cursor = cursor;
      this._cursorCovers = new Set(channels);
    }

    /**
     * A catch-up that will not complete (its driver failed, or a new request replaced it):
     * drop what it held, and let no cursor claim its channels, so the next request catches
     * them up again from the last offset delivered.
     */
    _abandonHold() {
      var hold = this._hold;
      this._hold = null;
      if (hold) {
        var covers = this._cursorCovers;
        hold.queues.forEach(function (queue, channel) { covers.delete(channel); });
      }
    }

    /**
     * Catches up the channels of `hold` (see `_httpRequest`; null: nothing to do), then
     * delivers what was held. `fail` ends the driver when a catch-up fails: the next
     * connection tries again.
     */
    _catchUp(hold, fail) {
      if (!hold) {
        return;
      }
      var self = this;
      Promise.all(hold.list.map(function (entry) {
        var q = new URLSearchParams({channel: entry[0], since: String(entry[1])});
        return self._get('/poll?' + q, self._opts.connectTimeout).promise.then(function (batch) {
          if (self._hold === hold) {
            self._applyBatch(batch, true);
          }
        });
      })).then(function () {
        if (self._hold === hold) {
          self._hold = null;
          hold.queues.forEach(function (queue) {
            queue.forEach(function (m) { self._deliver(m); });
          });
        }
      }, function (e) {
        if (self._hold === hold) {
          fail('catching up: ' + e.message);
        }
      });
    }

    /** Gaps and messages of a batch response (`/poll`, `/longpoll`), in order. */
    _applyBatch(batch, direct) {
      var self = this;
      (Array.isArray(batch.gaps) ? batch.gaps : []).forEach(function (channel) {
        self._gap(channel);
      });
      (Array.isArray(batch.messages) ? batch.messages : []).forEach(function (m) {
        self._deliver(m, direct);
      });
    }

    /**
     * One object of a stream (NDJSON, iframe, htmlfile, SSE data): a message, a gap notice,
     * a cursor, a heartbeat or a reconnect notice. Returns true for a reconnect notice.
     */
    _streamObject(obj, channels) {
      if (!obj || typeof obj !== 'object') {
        return false;
      }
      if (typeof obj.offset === 'number') {
        this._deliver(obj);
      } else if (obj.recovered === false && typeof obj.channel === 'string') {
        this._gap(obj.channel);
      }
      if (typeof obj.cursor === 'string') {
        this._setCursor(obj.cursor, channels);
      }
      return obj.reconnect === true;
    }

    _url(path) {
      return this._base + path;
    }

    _wsUrl() {
      var url = new URL(this._url('/ws'), root.location ? root.location.href : undefined);
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
          throw new HalleyError('timeout', 'No answer in time.');
        }
        throw new HalleyError('network', String(e && e.message || e));
      });
    }

    /**
     * GET of a JSON answer within `timeoutMs`, by JSONP when that is the transport, else by
     * fetch (CORS across origins). @returns {{promise: Promise<Object>, cancel: function()}}
     */
    _get(path, timeoutMs) {
      if (this.transport === 'jsonp') {
        return jsonp(this, path, timeoutMs);
      }
      var ctrl = new AbortController();
      var timer = setTimeout(function () { ctrl.abort(); }, timeoutMs);
      var promise = this._fetchJson(path, {signal: ctrl.signal});
      promise.then(function () { clearTimeout(timer); }, function () { clearTimeout(timer); });
      return {promise: promise, cancel: function () { clearTimeout(timer); ctrl.abort(); }};
    }
  }

  /**
   * JSONP: a script tag runs `/**\/NAME({...});`. Errors come as `{"error":...}` objects
   * (status 200: a script tag cannot read a status); a script that fails to load is a network
   * error. A request that is cancelled or late leaves a no-op behind for its script.
   * @returns {{promise: Promise<Object>, cancel: function()}}
   */
  function jsonp(client, path, timeoutMs) {
    var script = doc.createElement('script');
    var timer = null;
    var name = null;
    var settle = null;
    function done() {
      clearTimeout(timer);
      retireCallback(name);
      if (script.parentNode) {
        script.parentNode.removeChild(script);
      }
    }
    var promise = new Promise(function (resolve, reject) {
      settle = reject;
      name = globalCallback(function (body) {
        done();
        if (body && typeof body.error === 'string') {
          reject(new HalleyError(body.error, body.message));
        } else {
          resolve(body);
        }
      });
      script.onerror = function () {
        done();
        reject(new HalleyError('network', 'The script at ' + path.split('?')[0] + ' did not load.'));
      };
      timer = setTimeout(function () {
        done();
        reject(new HalleyError('timeout', 'No answer in time.'));
      }, timeoutMs);
    });
    script.async = true;
    script.src = client._url(path) + (path.indexOf('?') < 0 ? '?' : '&') + 'callback=' + name;
    (doc.head || doc.documentElement).appendChild(script);
    return {promise: promise, cancel: function () {
      done();
      settle(new HalleyError('closed', 'Cancelled.'));
    }};
  }

  // ---- transport drivers --------------------------------------------------------------------
  // A driver is created per connection attempt and never reused. It reports through
  // client._opened(driver), client._failed(driver, reason, wasOpen), client._deliver(msg) and
  // client._gap(channel); client ignores reports from a driver that is no longer current.
  // Drivers that carry subscriptions in one request (all but websocket and bridge) re-open it
  // when the subscriptions change (`reopen`).

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
          req.resolve(reply);
        } else {
          req.reject(new HalleyError(reply.error, reply.message));
        }
      } else if (req.kind === 'subscribe') {
        onSubscribed(req, reply);
      } else if (reply.error) {
        client._emit('error', {channel: req.pattern, error: reply.error, message: reply.message});
      }
    }

    function onSubscribed(req, reply) {
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
      start: function () {
        try {
          ws = new WebSocket(client._wsUrl());
        } catch (e) {
          setTimeout(function () { fail(String(e && e.message || e)); }, 0);
          return;
        }
        timer = setTimeout(function () {
          fail('no answer within ' + client._opts.connectTimeout + ' ms');
        }, client._opts.connectTimeout);
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
        rejectAll(pending);
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
        return pendingPublish(pending, id, function () {
          send({op: 'publish', channel: channel, data: data, id: id});
        });
      }
    };
    return driver;
  }

  /** A publish awaiting its reply under `id` in `pending`, with a deadline. */
  function pendingPublish(pending, id, sendIt) {
    return new Promise(function (resolve, reject) {
      var req = {kind: 'publish', resolve: resolve, reject: reject};
      req.timer = setTimeout(function () {
        pending.delete(id);
        reject(new HalleyError('timeout', 'No answer to the publish within ' + PUBLISH_TIMEOUT_MS + ' ms.'));
      }, PUBLISH_TIMEOUT_MS);
      pending.set(id, req);
      sendIt();
    });
  }

  function rejectAll(pending) {
    pending.forEach(function (req) {
      if (req.kind === 'publish') {
        clearTimeout(req.timer);
        req.reject(new HalleyError('closed', 'The connection closed before the server answered.'));
      }
    });
    pending.clear();
  }

  /**
   * Shared by the HTTP drivers: with nothing subscribed there is no request to hold, so check
   * the server is there (GET /healthz; JSONP cannot) and wait for a subscription.
   */
  function idle(client, driver, state) {
    var probe = client.transport === 'jsonp' ? Promise.resolve() : client._get('/healthz', client._opts.connectTimeout).promise;
    probe.then(function () {
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
   * The driver of an HTTP transport, which carries all subscriptions in one request or stream:
   * `open()` (re)opens it over the current subscriptions, `end()` abandons it, and
   * `unavailable()`, if given, says why the transport cannot run here.
   */
  function httpDriver(state, open, end, fail, unavailable) {
    return {
      start: function () {
        var why = unavailable && unavailable();
        if (why) {
          setTimeout(function () { fail(why); }, 0);
        } else {
          open();
        }
      },
      stop: function () {
        state.dead = true;
        end();
      },
      reopen: function () {
        if (!state.dead) {
          end();
          open();
        }
      }
    };
  }

  /**
   * Shared by the HTTP drivers: data came through, so the transport works here (whether or not
   * an idle probe already reported the client connected).
   */
  function proven(client, driver, state) {
    if (!state.proven) {
      state.proven = state.open = true;
      client._opened(driver);
    }
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
      var reconnect = client._streamObject(obj, channels);
      if (obj && typeof obj.cursor !== 'string' && ev.lastEventId) {
        client._setCursor(ev.lastEventId, channels);
      }
      // `event: reconnect` ({"reason","cursor"}): the server ends this stream (shutdown, slow
      // consumer); pick up at once from the cursor it gave.
      if (ev.type === 'reconnect' || reconnect) {
        open(true);
      }
    }

    /** (Re)opens the stream; `continuing`: from the cursor of the one that just ended. */
    function open(continuing) {
      close();
      channels = client._patterns();
      if (channels.length === 0) {
        idle(client, driver, state);
        return;
      }
      var mine = generation;
      var req = client._httpRequest(channels, continuing);
      if (client._cursor) {
        stream(req.query, req.hold);
        return;
      }
      client._get('/poll?' + req.query, client._opts.connectTimeout).promise.then(function (batch) {
        if (!state.dead && mine === generation) {
          client._applyBatch(batch);
          client._setCursor(batch.cursor, channels);
          client._catchUp(req.hold, fail);
          stream(client._httpRequest(channels, true).query, null);  // the cursor covers every channel now
        }
      }, function (e) {
        if (!state.dead && mine === generation) {
          fail('GET /poll: ' + e.message);
        }
      });
    }

    /** Opens the EventSource; once the server has subscribed it, catches up `hold`. */
    function stream(query, hold) {
      var source = es = new EventSource(client._url('/sse?' + query));
      var opened = false;
      var carried = false;  // data came through this stream
      timer = setTimeout(function () {
        fail('no answer within ' + client._opts.connectTimeout + ' ms');
      }, client._opts.connectTimeout);
      source.onopen = function () {
        opened = true;
        clearTimeout(timer);
        proven(client, driver, state);
        client._catchUp(hold, fail);
        hold = null;
      };
      var onEvent = function (ev) {
        carried = true;
        onData(ev);
      };
      source.onmessage = onEvent;
      source.addEventListener('gap', onEvent);
      source.addEventListener('reconnect', onEvent);
      // EventSource would retry by itself after the server's `retry:` delay; take over
      // instead, so that our cursor, backoff and transport fallback apply. The server ends a
      // stream silently at its byte budget: one that carried data is re-opened at once from
      // its cursor; one that ended without any is a failure.
      source.onerror = function () {
        if (source !== es) {
          return;
        }
        if (!opened) {
          fail('could not connect');
        } else if (carried) {
          open(true);
        } else {
          fail('stream ended');
        }
      };
    }

    var driver = httpDriver(state, open, close, fail, function () {
      return typeof EventSource === 'undefined' && 'EventSource is not available';
    });
    return driver;
  }

  /**
   * The streams whose every object is visible to script: XHR streaming (NDJSON), the forever
   * iframe and htmlfile. `pipe(client, path, onObject, onEnd)` opens one response and returns
   * its `close()`. The stream counts as connected at its first object (the opening cursor, sent
   * at once): a proxy that buffers the response shows as no object within `connectTimeout`.
   * A reconnect notice (byte budget, shutdown, slow) re-opens at once from its cursor; a
   * stream that ends without one, or falls silent past the heartbeat, has failed.
   */
  function streamDriver(path, pipe) {
    return function (client) {
      var state = {open: false, dead: false};
      var close = null;
      var timer = null;
      var generation = 0;

      function end() {
        generation++;
        clearTimeout(timer);
        if (close) {
          close();
          close = null;
        }
      }

      function fail(reason) {
        if (!state.dead) {
          end();
          client._failed(driver, reason, state.open);
        }
      }

      function watch(ms, why) {
        clearTimeout(timer);
        timer = setTimeout(function () { fail(why); }, ms);
      }

      /** (Re)opens the stream; `continuing`: from the cursor of the one that just ended. */
      function open(continuing) {
        end();
        var channels = client._patterns();
        if (channels.length === 0) {
          idle(client, driver, state);
          return;
        }
        var mine = generation;
        var current = function () { return !state.dead && mine === generation; };
        var req = client._httpRequest(channels, continuing);
        var hold = req.hold;
        watch(client._opts.connectTimeout, 'no data within ' + client._opts.connectTimeout + ' ms');
        close = pipe(client, path + '?' + req.query, function (obj) {
          if (!current()) {
            return;
          }
          if (obj && typeof obj.error === 'string') {
            client._emit('error', {error: obj.error, message: obj.message});
            fail(obj.error + ': ' + obj.message);
            return;
          }
          watch(STREAM_SILENCE_MS, 'silent for ' + STREAM_SILENCE_MS + ' ms');
          proven(client, driver, state);
          client._catchUp(hold, fail);  // the server has subscribed the stream: no hole
          hold = null;
          if (client._streamObject(obj, channels)) {
            open(true);
          }
        }, function (why) {
          if (current()) {
            fail(why);
          }
        });
      }

      var driver = httpDriver(state, open, end, fail, function () {
        return SAME_ORIGIN_ONLY.indexOf(driver.name) >= 0 && client._crossOrigin
          && 'needs the page on the server\'s origin (use {bridge: true})';
      });
      return driver;
    };
  }

  /** XHR streaming: the growing responseText, one JSON object per line (blank lines skipped). */
  function xhrPipe(client, path, onObject, onEnd) {
    var xhr = new XMLHttpRequest();
    var seen = 0;
    function read() {
      if (xhr.status !== 200) {
        return;  // an error answer is read whole at the end
      }
      var text = xhr.responseText;
      var nl;
      while ((nl = text.indexOf('\n', seen)) >= 0) {
        var line = text.slice(seen, nl).trim();
        seen = nl + 1;
        if (line) {
          onObject(parseJson(line));
        }
      }
    }
    xhr.onprogress = read;
    xhr.onreadystatechange = function () {
      if (xhr.readyState !== 4) {
        return;
      }
      read();
      var body = xhr.status >= 400 ? parseJson(xhr.responseText) : null;
      if (body && typeof body.error === 'string') {
        onObject(body);
      } else {
        onEnd(xhr.status ? 'stream ended (HTTP ' + xhr.status + ')' : 'network error');
      }
    };
    xhr.open('GET', client._url(path));
    xhr.send();
    return function () {
      xhr.onprogress = xhr.onreadystatechange = null;
      xhr.abort();
    };
  }

  /**
   * Forever frame and htmlfile: a hidden frame runs one `<script>callback(object)</script>` per
   * line. htmlfile names a bare callback (its preamble's trampoline calls `parent.NAME`) and,
   * where ActiveX exists (IE), lives in an `htmlfile` document, which shows no busy cursor and
   * makes no clicking sound; elsewhere it is a plain hidden iframe. The frame's load event
   * means the response ended.
   */
  function framePipe(htmlfile) {
    return function (client, path, onObject, onEnd) {
      var name = globalCallback(onObject);
      var url = client._url(path) + '&callback=' + (htmlfile ? name : 'parent.' + name);
      var host = null;
      var owner = doc;
      if (htmlfile && 'ActiveXObject' in root) {
        host = new root.ActiveXObject('htmlfile');
        host.open();
        host.write('<html><body></body></html>');
        host.close();
        host.parentWindow[name] = onObject;
        owner = host;
      }
      var frame = owner.createElement('iframe');
      frame.style.display = 'none';
      frame.setAttribute('aria-hidden', 'true');
      frame.onload = function () { onEnd('stream ended'); };
      frame.src = url;
      (owner.body || owner.documentElement).appendChild(frame);
      return function () {
        frame.onload = null;
        retireCallback(name);
        if (host) {
          host.parentWindow[name] = root[name];
        }
        try {
          frame.src = 'about:blank';  // stops the response in old browsers that keep it running
        } catch (e) { /* detached already */ }
        if (frame.parentNode) {
          frame.parentNode.removeChild(frame);
        }
        host = null;
      };
    };
  }

  /**
   * Long-polling, JSONP long-polling and polling: GET /poll first (answers at once, so
   * connecting is quick and yields a cursor); then, again and again with the returned cursor,
   * GET /longpoll (held until a message is there) or, for `polling`, GET /poll after
   * `pollInterval`. JSONP carries the same requests in script tags.
   */
  function pollDriver(held) {
    return function (client) {
      var state = {open: false, dead: false};
      var generation = 0;
      var inflight = null;
      var wait = null;

      function fail(reason) {
        if (!state.dead) {
          client._failed(driver, reason, state.open);
        }
      }

      function halt() {
        generation++;
        clearTimeout(wait);
        if (inflight) {
          inflight.cancel();
          inflight = null;
        }
      }

      function request(first) {
        var channels = client._patterns();
        var mine = generation;
        if (channels.length === 0) {
          idle(client, driver, state);
          return;
        }
        var longPoll = held && !first;
        var opts = client._opts;
        var req = client._httpRequest(channels, !first);
        var path = longPoll ? '/longpoll?' + req.query + '&timeout=' + opts.longPollTimeout : '/poll?' + req.query;
        var current = function () { return !state.dead && mine === generation; };
        inflight = client._get(path, (longPoll ? opts.longPollTimeout * 1000 : 0) + opts.connectTimeout);
        inflight.promise.then(function (batch) {
          if (!current()) {
            return;  // re-opened meanwhile; the cursor did not move, so nothing is lost
          }
          client._applyBatch(batch);
          client._setCursor(batch.cursor, channels);
          client._catchUp(req.hold, fail);  // answered, so subscribed: the catch-up leaves no hole
          proven(client, driver, state);
          if (held) {
            request(false);
          } else {
            wait = setTimeout(function () { request(false); }, opts.pollInterval);
          }
        }, function (e) {
          if (!current()) {
            return;
          }
          if (isRefusal(e)) {
            client._emit('error', {error: e.code, message: e.message});
            if (e.code === 'bad_cursor') {
              client._setCursor(null, []);
            }
          }
          fail(e.message);
        });
      }

      var driver = httpDriver(state, function () { request(true); }, halt, fail);
      return driver;
    };
  }

  /**
   * The postMessage bridge: the server's `/bridge.html` in a hidden iframe runs a client of its
   * own on the server's origin (any transport, no CORS needed) and relays subscriptions,
   * messages, publishes and events. The bridge answers only the origin the page says it is,
   * and only if the server's `cors-origins` allows it.
   */
  function bridgeDriver(client) {
    var frame = null;
    var target = new URL(client._url('/'), root.location.href).origin;
    var ready = false;
    var dead = false;
    var timer = null;
    var nextId = 1;
    var pending = new Map();
    var queued = [];  // publishes made before the bridge was ready

    function post(msg) {
      frame.contentWindow.postMessage(Object.assign({halley: 1}, msg), target);
    }

    function sendSubscribe(pattern) {
      var since = client._sinceFor(pattern);
      post({op: 'subscribe', channel: pattern, since: since === undefined ? null : since});
    }

    function fail(reason) {
      if (!dead) {
        client._failed(driver, reason, client.state === 'connected');
      }
    }

    function onMessage(ev) {
      var m = ev.data;
      if (dead || !frame || ev.source !== frame.contentWindow || ev.origin !== target || !m || m.halley !== 1) {
        return;
      }
      if (m.type === 'ready') {
        clearTimeout(timer);
        ready = true;
        client._patterns().forEach(sendSubscribe);
        queued.splice(0).forEach(post);
      } else if (m.type === 'refused') {
        client._emit('error', {error: 'forbidden', message: m.message});
        fail(m.message);
      } else if (m.type === 'state') {
        if (m.state === 'connected') {
          client._opened(driver);
        } else {
          client._setState(m.state);
        }
      } else if (m.type === 'transport') {
        client._setTransport(m.transport, m.reason);
      } else if (m.type === 'message') {
        client._deliver(m.message);
      } else if (m.type === 'gap') {
        client._gap(m.channel);
      } else if (m.type === 'error') {
        if (m.refused) {
          client._refused(m.channel, m.error, m.message);
        } else {
          client._emit('error', {channel: m.channel, error: m.error, message: m.message});
        }
      } else if (m.type === 'published') {
        var req = pending.get(m.id);
        pending.delete(m.id);
        if (req) {
          clearTimeout(req.timer);
          if (m.error) {
            req.reject(new HalleyError(m.error, m.message));
          } else {
            req.resolve(m.result);
          }
        }
      }
    }

    var driver = {
      start: function () {
        var config = {origin: root.location.origin, options: {}};
        ['transports', 'connectTimeout', 'pollInterval', 'longPollTimeout', 'retryMin', 'retryMax', 'remember']
          .forEach(function (k) {
            if (client._opts[k] !== undefined) {
              config.options[k] = client._opts[k];
            }
          });
        root.addEventListener('message', onMessage);
        frame = doc.createElement('iframe');
        frame.style.display = 'none';
        frame.setAttribute('aria-hidden', 'true');
        frame.src = client._url('/bridge.html') + '#' + encodeURIComponent(JSON.stringify(config));
        (doc.body || doc.documentElement).appendChild(frame);
        timer = setTimeout(function () {
          fail('the bridge did not answer within ' + client._opts.connectTimeout + ' ms');
        }, client._opts.connectTimeout);
      },
      stop: function () {
        dead = true;
        clearTimeout(timer);
        root.removeEventListener('message', onMessage);
        if (frame && frame.parentNode) {
          frame.parentNode.removeChild(frame);
        }
        rejectAll(pending);
      },
      subscribe: function (pattern) {
        if (ready && !dead) {
          sendSubscribe(pattern);
        }
      },
      unsubscribe: function (pattern) {
        if (ready && !dead) {
          post({op: 'unsubscribe', channel: pattern});
        }
      },
      /** Sent at once when the bridge is ready, else when it becomes ready. */
      publish: function (channel, data) {
        if (dead) {
          return null;
        }
        var id = nextId++;
        return pendingPublish(pending, id, function () {
          var msg = {op: 'publish', id: id, channel: channel, data: data};
          if (ready) {
            post(msg);
          } else {
            queued.push(msg);
          }
        });
      }
    };
    return driver;
  }

  /**
   * The bridge page's half (`/bridge.html` calls it): serves one embedding page at
   * `config.origin`, if `allowed` (the server's cors-origins) lets it, with a client of its own.
   */
  function serveBridge(allowed) {
    var config = parseJson(decodeURIComponent(root.location.hash.slice(1))) || {};
    var parent = root.parent;
    var origin = config.origin;
    function post(msg) {
      parent.postMessage(Object.assign({halley: 1}, msg), origin);
    }
    if (typeof origin !== 'string' || !(allowed.indexOf('*') >= 0 || allowed.indexOf(origin) >= 0)) {
      // Nothing sensitive in a refusal: say it to whoever embedded us.
      parent.postMessage({halley: 1, type: 'refused', message: 'origin ' + origin + ' is not in cors-origins'}, '*');
      return;
    }
    var client = connect('', config.options);
    var subs = new Map();
    ['state', 'transport', 'gap', 'error'].forEach(function (event) {
      client.on(event, function (e) {
        var refused = event === 'error' && e.channel && !client._subs.has(e.channel) && subs.has(e.channel);
        if (refused) {
          subs.delete(e.channel);
        }
        post(Object.assign({type: event, refused: refused}, e));
      });
    });
    root.addEventListener('message', function (ev) {
      var m = ev.data;
      if (ev.source !== parent || ev.origin !== origin || !m || m.halley !== 1) {
        return;
      }
      if (m.op === 'subscribe' && !subs.has(m.channel)) {
        subs.set(m.channel, client.subscribe(m.channel, function (message) {
          post({type: 'message', message: message});
        }, m.since === null ? {} : {since: m.since}));
      } else if (m.op === 'unsubscribe' && subs.has(m.channel)) {
        subs.get(m.channel).unsubscribe();
        subs.delete(m.channel);
      } else if (m.op === 'publish') {
        client.publish(m.channel, m.data).then(function (result) {
          post({type: 'published', id: m.id, result: result});
        }, function (e) {
          post({type: 'published', id: m.id, error: e.code || 'network', message: e.message});
        });
      }
    });
    post({type: 'state', state: client.state});
    post({type: 'ready'});
  }

  var DRIVERS = {
    'websocket': webSocketDriver,
    'sse': sseDriver,
    'xhr-streaming': streamDriver('/stream', xhrPipe),
    'htmlfile': streamDriver('/htmlfile', framePipe(true)),
    'iframe': streamDriver('/iframe', framePipe(false)),
    'long-polling': pollDriver(true),
    'jsonp': pollDriver(true),
    'polling': pollDriver(false),
    'bridge': bridgeDriver
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
    /** The transport names, best first. */
    transports: TRANSPORTS.slice(),
    _serveBridge: serveBridge
  };
})(typeof self !== 'undefined' ? self : this);

if (typeof module === 'object' && module && module.exports) {
  module.exports = Halley;
}
