/**
 * Redis over TLS as Memorystore serves it, on a real redis-server: a per-instance CA, a server
 * certificate naming the instance IP only in its subject CN, AUTH on. The client must connect,
 * and must refuse a certificate for another IP or from another CA. During a CA rotation the
 * instance lists two CAs and the CA secret holds both (constructs/cache.ts): a server certificate
 * from the second must be trusted too.
 */
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkServerIdentity, type PeerCertificate } from "node:tls";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../loadtests/local/data-services";
import { memorystoreServerIdentity, redisOptions } from "../adapters/redis/connection";

const PASSWORD = "memorystore-auth-string";

function available(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const canRun = available("openssl", ["version"]) && available("redis-server", ["--version"]);

/** A CA, and server certificates signed by it whose only name is the subject CN. */
function issueCertificates(dir: string) {
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
  const key = (name: string) => ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", `${name}.key`];
  const ca = (name: string) => openssl("req", "-x509", ...key(name), "-out", `${name}.crt`, "-days", "1", "-subj", `/CN=${name}`);
  const server = (name: string, commonName: string, signer: string) => {
    openssl("req", ...key(name), "-out", `${name}.csr`, "-subj", `/CN=${commonName}`);
    openssl("x509", "-req", "-in", `${name}.csr`, "-CA", `${signer}.crt`, "-CAkey", `${signer}.key`, "-CAcreateserial", "-out", `${name}.crt`, "-days", "1");
  };
  ca("instance-ca");
  ca("instance-ca-next");
  ca("other-ca");
  server("genuine", "127.0.0.1", "instance-ca");
  server("other-ip", "10.9.9.9", "instance-ca");
  server("other-ca-server", "127.0.0.1", "other-ca");
  server("rotated", "127.0.0.1", "instance-ca-next");
  const pem = (name: string) => readFileSync(join(dir, `${name}.crt`), "utf8");
  // What the CA secret holds during a rotation: every server CA, trimmed and joined by a newline,
  // exactly as the stack's expression builds it (constructs/cache.ts serverCaBundle).
  return { caPem: pem("instance-ca"), bundlePem: [pem("instance-ca"), pem("instance-ca-next")].map((c) => c.trim()).join("\n") };
}

async function startTlsRedis(dir: string, certificate: string): Promise<{ process: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(
    "redis-server",
    [
      "--port", "0", "--tls-port", String(port), "--bind", "127.0.0.1",
      "--tls-cert-file", join(dir, `${certificate}.crt`), "--tls-key-file", join(dir, `${certificate}.key`),
      "--tls-ca-cert-file", join(dir, "instance-ca.crt"), "--tls-auth-clients", "no",
      "--requirepass", PASSWORD, "--save", "", "--appendonly", "no",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server (${certificate}) did not start`)), 10_000);
    child.stdout!.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("Ready to accept connections")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => reject(new Error(`redis-server (${certificate}) exited with ${code}`)));
  });
  return { process: child, url: `rediss://127.0.0.1:${port}` };
}

/** A client configured exactly as the app configures it, minus retries (a refusal must surface). */
const connect = (url: string, caPem: string) =>
  new Redis(url, { ...redisOptions({ url, password: PASSWORD, caCert: caPem, keyPrefix: "" }, "commands"), lazyConnect: true, retryStrategy: () => null });

/** Why the TLS handshake was refused (ioredis reports it as an error event, then closes). */
async function refusal(url: string, caPem: string): Promise<string> {
  const redis = connect(url, caPem);
  const errors: string[] = [];
  redis.on("error", (error: Error) => errors.push(error.message));
  await expect(redis.connect()).rejects.toThrow();
  redis.disconnect();
  return errors.join("; ");
}

describe.runIf(canRun)("Redis over TLS with a Memorystore-style certificate", () => {
  const dir = mkdtempSync(join(tmpdir(), "vz-redis-tls-"));
  const servers: Record<string, { process: ChildProcess; url: string }> = {};
  let caPem = "";
  let bundlePem = "";

  beforeAll(async () => {
    ({ caPem, bundlePem } = issueCertificates(dir));
    for (const certificate of ["genuine", "other-ip", "other-ca-server", "rotated"]) servers[certificate] = await startTlsRedis(dir, certificate);
  }, 30_000);

  afterAll(() => {
    for (const server of Object.values(servers)) server.process.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it("connects to the instance's IP, authenticates and runs commands", async () => {
    const redis = connect(servers.genuine!.url, caPem);
    try {
      await redis.connect();
      expect(await redis.ping()).toBe("PONG");
      expect(await redis.set("k", "v")).toBe("OK");
    } finally {
      redis.disconnect();
    }
  });

  it("trusts every CA of a bundle: during a CA rotation the server's certificate may come from the second", async () => {
    expect(bundlePem.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    for (const server of ["rotated", "genuine"]) {
      const redis = connect(servers[server]!.url, bundlePem);
      try {
        await redis.connect();
        expect(await redis.ping(), server).toBe("PONG");
      } finally {
        redis.disconnect();
      }
    }
    // Only the first CA, as the secret held before: the rotated server is refused.
    expect(await refusal(servers.rotated!.url, caPem)).toMatch(/unable to verify the first certificate/);
  });

  it("refuses a certificate of the same CA issued for another IP", async () => {
    expect(await refusal(servers["other-ip"]!.url, caPem)).toMatch(/IP: 127\.0\.0\.1 is not in the cert's list/);
  });

  it("refuses a certificate from a CA other than the instance's", async () => {
    expect(await refusal(servers["other-ca-server"]!.url, caPem)).toMatch(/unable to verify the first certificate/);
  });
});

describe("memorystoreServerIdentity", () => {
  const cnOnly = { subject: { CN: "10.0.0.3" } } as unknown as PeerCertificate;

  it("accepts a CN-only certificate for the IP dialled, which Node's own check refuses", () => {
    expect(checkServerIdentity("10.0.0.3", cnOnly)).toBeInstanceOf(Error);
    expect(memorystoreServerIdentity("10.0.0.3", cnOnly)).toBeUndefined();
  });

  it("keeps refusing other IPs and host names, and keeps accepting IP SANs", () => {
    expect(memorystoreServerIdentity("10.0.0.4", cnOnly)).toBeInstanceOf(Error);
    expect(memorystoreServerIdentity("redis.internal", { subject: { CN: "other.internal" } } as unknown as PeerCertificate)).toBeInstanceOf(Error);
    expect(memorystoreServerIdentity("10.0.0.5", { subject: { CN: "x" }, subjectaltname: "IP Address:10.0.0.5" } as unknown as PeerCertificate)).toBeUndefined();
  });
});
