// Drives one headless Chromium for one Java test class (dev.halley.browser.Chromium).
//
// Protocol: one JSON request per line on stdin, one JSON answer per line on stdout:
//   -> {"id":1,"op":"open","context":0,"url":"http://127.0.0.1:8080/"}
//   <- {"id":1,"ok":true,"result":3}
//   <- {"id":2,"ok":false,"error":"...","log":["console.log: ..."]}
// stdout carries nothing else; diagnostics go to stderr. When stdin closes (the JVM ended or
// closed us), the browser is closed and the process exits, so no Chromium outlives its test.
import {chromium} from 'playwright-core';
import {createInterface} from 'node:readline';

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const LOG_LINES = 400;  // per page: enough to explain a failure, bounded for a long test

const executablePath = process.env.HALLEY_CHROMIUM || '/usr/bin/chromium';
// launch() gives the browser a fresh temporary --user-data-dir and removes it on close;
// each context below is a further isolated profile (own cookies, storage, cache).
const browser = await chromium.launch({executablePath, headless: true, args: FLAGS});
const contexts = new Map();
const pages = new Map();
const logs = new Map();
let nextId = 1;

function record(pageId, line) {
  const log = logs.get(pageId);
  log.push(line);
  if (log.length > LOG_LINES) {
    log.splice(0, log.length - LOG_LINES);
  }
}

function watch(pageId, page) {
  logs.set(pageId, []);
  page.on('console', m => record(pageId, 'console.' + m.type() + ': ' + m.text()));
  page.on('pageerror', e => record(pageId, 'pageerror: ' + (e.stack || e.message)));
  page.on('requestfailed', r => record(pageId, 'requestfailed: ' + r.method() + ' ' + r.url()
    + ' (' + (r.failure() ? r.failure().errorText : '?') + ')'));
  page.on('crash', () => record(pageId, 'crash: the page crashed'));
}

function pageOf(req) {
  const page = pages.get(req.page);
  if (!page) {
    throw new Error('no page ' + req.page);
  }
  return page;
}

const OPS = {
  async context() {
    const id = nextId++;
    contexts.set(id, await browser.newContext());
    return id;
  },
  async open(req) {
    const context = contexts.get(req.context);
    if (!context) {
      throw new Error('no context ' + req.context);
    }
    const page = await context.newPage();
    const id = nextId++;
    pages.set(id, page);
    watch(id, page);
    if (req.url) {
      await page.goto(req.url, {timeout: req.timeoutMs});
    }
    return id;
  },
  async goto(req) {
    const response = await pageOf(req).goto(req.url, {timeout: req.timeoutMs});
    return response ? response.status() : null;
  },
  async eval(req) {
    // The expression may be a promise; its value must be JSON-serialisable (undefined -> null).
    const value = await pageOf(req).evaluate(req.js);
    return value === undefined ? null : value;
  },
  async wait(req) {
    await pageOf(req).waitForFunction(req.js, null, {timeout: req.timeoutMs, polling: 50});
    return true;
  },
  async click(req) {
    await pageOf(req).click(req.selector, {timeout: req.timeoutMs});
    return true;
  },
  async fill(req) {
    await pageOf(req).fill(req.selector, req.value, {timeout: req.timeoutMs});
    return true;
  },
  async press(req) {
    await pageOf(req).press(req.selector, req.key, {timeout: req.timeoutMs});
    return true;
  },
  async select(req) {
    await pageOf(req).selectOption(req.selector, req.value, {timeout: req.timeoutMs});
    return true;
  },
  async screenshot(req) {
    const page = pageOf(req);
    if (req.width && req.height) {
      await page.setViewportSize({width: req.width, height: req.height});
    }
    await page.screenshot({path: req.path, fullPage: false});
    return req.path;
  },
  async log(req) {
    return logs.get(req.page) || [];
  },
  async close(req) {
    const page = pages.get(req.page);
    pages.delete(req.page);
    if (page) {
      await page.close();
    }
    return true;
  },
  async closeContext(req) {
    const context = contexts.get(req.context);
    contexts.delete(req.context);
    if (context) {
      await context.close();
    }
    return true;
  },
  async version() {
    return browser.version();
  }
};

function answer(message) {
  process.stdout.write(JSON.stringify(message) + '\n');
}

async function serve(line) {
  let req;
  try {
    req = JSON.parse(line);
  } catch (e) {
    process.stderr.write('driver: not JSON: ' + line + '\n');
    return;
  }
  try {
    const op = OPS[req.op];
    if (!op) {
      throw new Error('unknown op ' + req.op);
    }
    answer({id: req.id, ok: true, result: await op(req)});
  } catch (e) {
    answer({id: req.id, ok: false, error: String(e && e.message || e),
      log: req.page !== undefined ? (logs.get(req.page) || []) : []});
  }
}

// One request at a time, in arrival order: a request may depend on the one before (open, then
// eval), and the Java side waits for each answer anyway.
let queue = Promise.resolve();
const input = createInterface({input: process.stdin});
input.on('line', line => { queue = queue.then(() => serve(line)); });
input.on('close', async () => {
  try {
    await queue;
    await browser.close();
  } finally {
    process.exit(0);
  }
});
answer({id: 0, ok: true, result: browser.version()});
