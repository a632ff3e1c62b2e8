/** A stand-in for the worker that the local dispatcher pushes tasks to, over real HTTP. */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  readonly at: number;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** A stand-in worker: records every delivery and answers as `respond` says (a status, or "hang"). */
export class PushTarget {
  readonly received: Received[] = [];
  inFlight = 0;
  maxInFlight = 0;
  respond: (attempt: Received, index: number) => number | "hang" | Promise<number> = () => 200;
  private readonly server = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", async () => {
      const received = { at: Date.now(), path: request.url ?? "", headers: request.headers, body };
      this.received.push(received);
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      const answer = await this.respond(received, this.received.length - 1);
      if (answer === "hang") return;
      this.inFlight--;
      response.writeHead(answer, { "content-type": "application/json" }).end("{}");
    });
  });
  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
