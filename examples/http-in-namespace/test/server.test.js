// The server in namespaces of its own: its own network (lo up), pid namespace (nsbridge's init at
// pid 1, the server pid 2) and hostname. The test reaches it with fetch through a dispatcher that
// dials from inside that network; from the host's network it is not there at all.
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:http';
import { expect } from 'vitest';
import { connectIn, listenIn } from 'nsbridge';
import { test } from 'nsbridge/vitest';

const SERVER = fileURLToPath(new URL('../server.js', import.meta.url));

test('answers inside its own namespaces, and only there', async ({ netns, service }) => {
  const server = await service(process.execPath, [SERVER], {
    namespaces: ['pid', 'uts'],
    init: true,
    hostname: 'web-under-test',
    join: { net: netns },
    ready: { port: 8080 },
  });
  const res = await fetch('http://127.0.0.1:8080/hello', { dispatcher: server.dispatcher() });
  expect(await res.json()).toEqual({ path: '/hello', pid: 2, hostname: 'web-under-test' });
  await expect(fetch('http://127.0.0.1:8080/hello')).rejects.toThrow('fetch failed');
  // SIGTERM reaches the server (pid 2) through the init: a clean stop, not a SIGKILL.
  expect(await server.stop()).toEqual({ code: null, signal: 'SIGTERM' });
});

test("the test's own server, listening inside the namespace, answers a connection from inside", async ({ netns }) => {
  const own = createServer((req, res) => res.end(`test server saw ${req.url}`));
  const { port } = await listenIn(netns, own, { host: '127.0.0.1', port: 0 });
  try {
    const socket = connectIn(netns, { port });
    socket.end('GET /ping HTTP/1.0\r\n\r\n');
    let reply = '';
    for await (const chunk of socket) reply += chunk;
    expect(reply.split('\r\n').at(-1)).toBe('test server saw /ping');
  } finally {
    own.close();
  }
});
