import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { childrenOf } from "./placement";
import { commandLine } from "./system";

describe("the local system's process tree", () => {
  it("finds a process's children (what the resilience experiment kills with its launcher)", async () => {
    const parent = spawn("sh", ["-c", "sleep 30 & sleep 30 & wait"], { stdio: "ignore" });
    try {
      let children: number[] = [];
      for (let i = 0; i < 50 && children.length < 2; i++) {
        await new Promise((r) => setTimeout(r, 20));
        children = childrenOf(parent.pid!);
      }
      expect(children).toHaveLength(2);
      expect(children).not.toContain(parent.pid);
      expect(childrenOf(2 ** 22 + 1)).toEqual([]); // no such process
      expect(commandLine(children[0]!)).toBe("sleep 30 ");
      expect(commandLine(2 ** 22 + 1)).toBe("");
    } finally {
      for (const pid of childrenOf(parent.pid!)) process.kill(pid, "SIGKILL");
      parent.kill("SIGKILL");
    }
  });
});
