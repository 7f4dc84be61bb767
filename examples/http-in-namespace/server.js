// The program under test: a small HTTP server on PORT (default 8080) of whatever network it is in.
import { createServer } from 'node:http';
import { hostname } from 'node:os';

const port = Number(process.env.PORT ?? 8080);
const server = createServer((req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ path: req.url, pid: process.pid, hostname: hostname() }));
});
server.listen(port, '0.0.0.0', () => console.log(`listening on ${port}`));
