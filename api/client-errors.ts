/**
 * Requests the HTTP parser itself refuses (headers or a request line past
 * the limit, malformed syntax) never reach the app; Node's default is to
 * write a bare status line and cut the socket, which a client still sending
 * sees as a reset. Here they get a kube Status (431 for headers too large,
 * 400 for anything else) with `Connection: close`, and the socket is kept
 * reading what the client still sends for a moment before it closes, so the
 * answer is read rather than lost. Headers may be as large as Go's server
 * takes by default (1 MiB), as kube-apiserver's.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

export const maxHeaderBytes = 1024 * 1024;

function statusLine(code: number): string {
  return code === 431 ? '431 Request Header Fields Too Large' : '400 Bad Request';
}

export function answerClientErrors(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
    const code = tooLarge ? 431 : 400;
    const status = {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code,
      reason: tooLarge ? 'RequestHeaderFieldsTooLarge' : 'BadRequest',
      message: tooLarge ? `the request line and headers are larger than ${maxHeaderBytes} bytes` : 'the request is not well-formed HTTP',
    };
    const body = JSON.stringify(status);
    socket.end(`HTTP/1.1 ${statusLine(code)}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    socket.resume();
    setTimeout(() => socket.destroy(), 2000).unref();
  });
}
