/**
 * The API benchmark's baseline (tests/bench/rpc.ts): a bare `ws` server on 127.0.0.1 that answers
 * every JSON-RPC request frame with the same reply frame the daemon sends for `core.ping`
 * (`{"jsonrpc":"2.0","id":<id>,"result":"pong"}`), with the daemon's WebSocket options. It parses
 * each frame, so what separates it from vsnapd is everything vsnapd does per call. Prints
 * `listening <port>` and exits when its stdin closes.
 */
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';

const wss = new WebSocketServer({ noServer: true, skipUTF8Validation: true, perMessageDeflate: false, maxPayload: 16 * 1024 * 1024 });
const server = createServer((_req, res) => res.writeHead(404).end());
server.on('upgrade', (req, socket, head) => {
  wss.handleUpgrade(req, socket, head, (ws) => {
    ws.on('message', (data) => {
      const request = JSON.parse(data.toString());
      ws.send(JSON.stringify({ jsonrpc: '2.0', id: request.id, result: 'pong' }));
    });
  });
});
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
process.stdin.on('close', () => process.exit(0));
process.stdin.resume();
