import { Network } from "@cdktf/provider-docker/lib/network";
import { DockerProvider } from "@cdktf/provider-docker/lib/provider";
import { describe, expect, it } from "vitest";
import { Testing, TerraformStack } from "../lib/cdktf";
import { DockerService, type DockerServiceProps } from "./docker-service";

function synthService(props: Partial<DockerServiceProps> = {}) {
  const stack = new TerraformStack(Testing.app(), "t");
  new DockerProvider(stack, "docker", {});
  const network = new Network(stack, "net", { name: "n" });
  new DockerService(stack, "svc", { name: "svc", image: "img", network, ...props });
  return Object.values(JSON.parse(Testing.synth(stack, true)).resource.docker_container)[0] as any;
}

describe("DockerService", () => {
  it("is hardened by default: capabilities dropped, no new privileges, read-only root with a tmpfs, restarted", () => {
    const c = synthService();
    expect(c).toMatchObject({
      capabilities: { drop: ["ALL"] },
      security_opts: ["no-new-privileges:true"],
      read_only: true,
      tmpfs: { "/tmp": "rw,noexec,nosuid,size=64m" },
      restart: "unless-stopped",
      init: true,
    });
  });

  it("publishes ports on loopback unless told otherwise", () => {
    expect(synthService({ ports: [{ containerPort: 80, hostPort: 8080 }] }).ports).toEqual([{ internal: 80, external: 8080, ip: "127.0.0.1" }]);
    expect(synthService({ ports: [{ containerPort: 80, hostPort: 8080, hostAddress: "0.0.0.0" }] }).ports[0].ip).toBe("0.0.0.0");
  });

  it("waits for health when it has a health check, and runs once when asked", () => {
    const healthy = synthService({ healthcheck: { test: ["CMD", "true"], retries: 3 } });
    expect(healthy).toMatchObject({ wait: true, healthcheck: { test: ["CMD", "true"], retries: 3 } });
    expect(synthService().wait).toBe(false);
    expect(synthService({ runOnce: true })).toMatchObject({ must_run: false, restart: "no", attach: true });
  });

  it("sorts env deterministically and adds capabilities back only as listed", () => {
    const c = synthService({ env: { B: "2", A: "1" }, capabilities: ["SETUID"] });
    expect(c.env).toEqual(["A=1", "B=2"]);
    expect(c.capabilities.add).toEqual(["SETUID"]);
  });

  it("refuses files on a read-only root filesystem (Docker cannot copy them in)", () => {
    expect(() => synthService({ files: [{ path: "/etc/x", content: "x" }] })).toThrow(/files need readOnlyRootFilesystem: false/);
    expect(synthService({ files: [{ path: "/etc/x", content: "x" }], readOnlyRootFilesystem: false }).upload).toEqual([{ file: "/etc/x", content: "x" }]);
  });
});
