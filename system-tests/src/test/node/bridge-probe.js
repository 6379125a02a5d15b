// Probes the gateway's event-bus bridge with the official client, as a browser would use it.
// Usage: node bridge-probe.js '<json list of probes>' <seconds to listen>
// A probe: {name, url, action: "register"|"send"|"publish", address, headers?, body?}.
// Prints "ready" once every probe has acted, then, when the time is up, one JSON line per probe:
// {name, opened, errors: [...], received: [...bodies], replied: [...]}.
'use strict';
const EventBus = require('@vertx/eventbus-bridge-client.js');

const probes = JSON.parse(process.argv[2]);
const seconds = Number(process.argv[3] || 5);
const results = probes.map((p) => ({ name: p.name, opened: false, errors: [], received: [], replied: [] }));

function act(probe, result) {
  return new Promise((resolve) => {
    const bus = new EventBus(probe.url);
    probe.bus = bus;
    bus.onerror = (err) => result.errors.push(err && (err.body || err.message || err.failureType) || String(err));
    bus.onclose = () => resolve();
    bus.onopen = () => {
      result.opened = true;
      try {
        if (probe.action === 'register') {
          bus.registerHandler(probe.address, probe.headers || {}, (err, message) => {
            if (err) result.errors.push(err.message || err.failureType || 'error');
            else result.received.push(message.body);
          });
        } else if (probe.action === 'send') {
          bus.send(probe.address, probe.body || {}, probe.headers || {}, (err, reply) => {
            if (err) result.errors.push(err.message || err.failureType || 'error');
            else result.replied.push(reply.body);
          });
        } else if (probe.action === 'publish') {
          bus.publish(probe.address, probe.body || {}, probe.headers || {});
        }
      } catch (e) {
        result.errors.push(String(e));
      }
      // the gateway answers a refused frame at once; give it a moment before saying everyone acted
      setTimeout(resolve, 1500);
    };
  });
}

Promise.all(probes.map((p, i) => act(p, results[i]))).then(() => {
  console.log('ready');
  setTimeout(() => {
    results.forEach((r) => console.log(JSON.stringify(r)));
    probes.forEach((p) => { try { p.bus.close(); } catch (e) { /* already closed */ } });
    process.exit(0);
  }, seconds * 1000);
});
// bounded whatever happens
setTimeout(() => { console.error('bridge probe timed out'); process.exit(3); }, (seconds + 60) * 1000);
