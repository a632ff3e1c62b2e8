/**
 * One HTTP/1.1 exchange over a raw TCP socket: the request is sent exactly as given (any bytes,
 * malformed on purpose), and the first response is read as it arrives. No HTTP client would send
 * what the malformed-input tests and the mutation fuzzer need to send.
 */
import { connect } from "node:net";

export interface RawResponse {
  readonly status: number;
  /** Header names lower-cased; repeated headers joined with ", ". */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export type RawOutcome =
  | { readonly kind: "response"; readonly response: RawResponse }
  /** The connection closed, or was reset, before a whole response arrived. */
  | { readonly kind: "closed"; readonly partial: string; readonly error?: string }
  | { readonly kind: "timeout"; readonly partial: string };

const HEAD_END = Buffer.from("\r\n\r\n");

/**
 * The final response in `data`, or undefined while more bytes are needed (`closed`: no more will
 * come). Interim 1xx responses (100 Continue) are skipped.
 */
function parseResponse(data: Buffer, bodyless: boolean, closed = false): RawResponse | undefined {
  const headEnd = data.indexOf(HEAD_END);
  if (headEnd < 0) return undefined;
  const [statusLine = "", ...lines] = data.subarray(0, headEnd).toString("latin1").split("\r\n");
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? NaN);
  if (status >= 100 && status < 200 && status !== 101) return parseResponse(data.subarray(headEnd + HEAD_END.length), bodyless, closed);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  const rest = data.subarray(headEnd + HEAD_END.length);
  // 101, 204, 304 and answers to HEAD have no body (RFC 9112, section 6.3).
  if (bodyless || status < 200 || status === 204 || status === 304) return { status, headers, body: "" };
  if (headers["content-length"] !== undefined) {
    const length = Number(headers["content-length"]);
    return rest.length >= length ? { status, headers, body: rest.subarray(0, length).toString("utf8") } : undefined;
  }
  if (/chunked/i.test(headers["transfer-encoding"] ?? "")) {
    const chunks: Buffer[] = [];
    let offset = 0;
    for (;;) {
      const lineEnd = rest.indexOf("\r\n", offset);
      if (lineEnd < 0) return undefined;
      const size = parseInt(rest.subarray(offset, lineEnd).toString("latin1"), 16);
      if (size === 0) return { status, headers, body: Buffer.concat(chunks).toString("utf8") };
      if (rest.length < lineEnd + 2 + size + 2) return undefined;
      chunks.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
      offset = lineEnd + 2 + size + 2;
    }
  }
  // Neither length nor chunks: the body ends when the connection does.
  return closed ? { status, headers, body: rest.toString("utf8") } : undefined;
}

export interface SendOptions {
  readonly timeoutMs?: number;
  /** The answer has no body whatever its headers say (true for HEAD, detected). */
  readonly bodyless?: boolean;
  /** Half-close after sending: for a request that is incomplete on purpose, so the server sees its end. */
  readonly end?: boolean;
}

export function sendRaw(port: number, request: Buffer | string, options: SendOptions = {}): Promise<RawOutcome> {
  const bodyless = options.bodyless ?? /^HEAD /.test(typeof request === "string" ? request : request.subarray(0, 5).toString("latin1"));
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const settle = (outcome: RawOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const received = () => Buffer.concat(chunks);
    const socket = connect(port, "127.0.0.1", () => (options.end ? socket.end(request) : socket.write(request)));
    const timer = setTimeout(() => settle({ kind: "timeout", partial: received().toString("latin1") }), options.timeoutMs ?? 10_000);
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      const response = parseResponse(received(), bodyless);
      if (response) settle({ kind: "response", response });
    });
    socket.on("error", (error) => {
      // A reset after the whole answer arrived (say a 413 while the body was still being sent) is fine.
      const response = parseResponse(received(), bodyless, true);
      settle(response ? { kind: "response", response } : { kind: "closed", partial: received().toString("latin1"), error: (error as NodeJS.ErrnoException).code });
    });
    socket.on("close", () => {
      const response = parseResponse(received(), bodyless, true);
      settle(response ? { kind: "response", response } : { kind: "closed", partial: received().toString("latin1") });
    });
  });
}
