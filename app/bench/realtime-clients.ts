/**
 * One client process of `npm run bench:realtime`: opens its share of the WebSocket connections
 * (token as `Authorization: Bearer`, as servers and k6 send it), waits for each "ready", and then
 * counts every event per connection, checks each tenant's sequence numbers (nothing lost, nothing
 * twice, nothing out of order) and records the delivery latency (receive time minus the
 * publisher's send time, both `performance.timeOrigin + performance.now()`, one clock on one
 * machine) in an HDR histogram. Driven over IPC by app/bench/realtime.ts.
 */
import * as hdr from "hdr-histogram-js";
import { WebSocket } from "ws";
import { READY_MESSAGE_TYPE } from "../adapters/realtime/protocol";

export interface ClientSpec {
  readonly url: string;
  readonly token: string;
  readonly tenant: number;
}

export type ToClients =
  | { readonly kind: "connect"; readonly clients: readonly ClientSpec[]; readonly concurrency: number }
  | { readonly kind: "report"; readonly reset: boolean }
  | { readonly kind: "close" };

export interface ClientReport {
  readonly kind: "report";
  readonly received: number;
  /** Delivery latencies (µs) since the last reset: an HDR histogram, compressed, for merging. */
  readonly histogram: string;
  /** Per connection: events received (for the loss check against what was published). */
  readonly perConnection: ReadonlyArray<{ readonly tenant: number; readonly received: number }>;
  /** Sequence numbers that went backwards or repeated on a connection. */
  readonly outOfOrder: number;
  /** Connections that closed before the end. */
  readonly closed: number;
}

export type FromClients = { readonly kind: "connected"; readonly connected: number; readonly failed: number; readonly firstError?: string } | ClientReport;

/** The fields the publisher adds to each event: per-tenant sequence number and send time. */
export interface BenchStamp {
  readonly seq: number;
  readonly sent_at: number;
}

const now = () => performance.timeOrigin + performance.now();

interface Connection {
  readonly tenant: number;
  readonly socket: WebSocket;
  received: number;
  lastSeq: number;
  open: boolean;
}

const connections: Connection[] = [];
const newHistogram = () => hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
let histogram = newHistogram();
let receivedSinceReset = 0;
let outOfOrder = 0;

function send(message: FromClients): void {
  process.send?.(message);
}

function open(spec: ClientSpec): Promise<Connection | Error> {
  return new Promise((resolve) => {
    const socket = new WebSocket(spec.url, { headers: { authorization: `Bearer ${spec.token}` }, perMessageDeflate: false, skipUTF8Validation: true });
    const connection: Connection = { tenant: spec.tenant, socket, received: 0, lastSeq: 0, open: false };
    socket.on("message", (data: Buffer) => {
      // `"seq":` and `"sent_at":` are read without parsing the whole event (the client process
      // must not be the bottleneck); the ready message has neither.
      const text = data.toString();
      const seqAt = text.lastIndexOf('"seq":');
      if (seqAt < 0) {
        if (!connection.open && text.includes(READY_MESSAGE_TYPE)) {
          connection.open = true;
          resolve(connection);
        }
        return;
      }
      const stamp = JSON.parse(text.slice(text.lastIndexOf("{", seqAt), text.indexOf("}", seqAt) + 1)) as BenchStamp;
      histogram.recordValue(Math.max(1, Math.round((now() - stamp.sent_at) * 1000)));
      if (stamp.seq <= connection.lastSeq) outOfOrder++;
      connection.lastSeq = stamp.seq;
      connection.received++;
      receivedSinceReset++;
    });
    socket.on("error", (error) => {
      if (!connection.open) resolve(error);
    });
    socket.on("close", () => {
      if (!connection.open) resolve(new Error("closed before ready"));
      connection.open = false;
    });
  });
}

async function connectAll(clients: readonly ClientSpec[], concurrency: number): Promise<void> {
  let next = 0;
  let failed = 0;
  let firstError: string | undefined;
  const lane = async () => {
    while (next < clients.length) {
      const result = await open(clients[next++]!);
      if (result instanceof Error) {
        failed++;
        firstError ??= result.message;
      } else connections.push(result);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  send({ kind: "connected", connected: connections.length, failed, firstError });
}

function report(reset: boolean): void {
  send({
    kind: "report",
    received: receivedSinceReset,
    histogram: hdr.encodeIntoCompressedBase64(histogram),
    perConnection: connections.map((c) => ({ tenant: c.tenant, received: c.received })),
    outOfOrder,
    closed: connections.filter((c) => !c.open).length,
  });
  if (reset) {
    histogram = newHistogram();
    receivedSinceReset = 0;
  }
}

process.on("message", (message: ToClients) => {
  if (message.kind === "connect") void connectAll(message.clients, message.concurrency);
  else if (message.kind === "report") report(message.reset);
  else {
    for (const connection of connections) connection.socket.terminate();
    process.exit(0);
  }
});
