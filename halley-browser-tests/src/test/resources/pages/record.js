// Test helper: connects a Halley client and records what it sees, for Java to read back.
//   record(base, options)           -> window.rec, with rec.client
//   rec.subscribe(channel, options) -> messages land in rec.messages[channel]
//   rec.events                      -> every state, transport, gap and error event, in order
window.record = function (base, options) {
  var rec = {messages: {}, events: [], client: Halley.connect(base, options)};
  ['state', 'transport', 'gap', 'error'].forEach(function (name) {
    rec.client.on(name, function (e) {
      rec.events.push(Object.assign({event: name}, e));
    });
  });
  rec.subscribe = function (channel, opts) {
    var list = rec.messages[channel] = rec.messages[channel] || [];
    return rec.client.subscribe(channel, function (m) { list.push(m); }, opts);
  };
  rec.count = function (channel) {
    return (rec.messages[channel] || []).length;
  };
  window.rec = rec;
  return true;
};
