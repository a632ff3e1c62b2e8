import { describe, expect, it } from "vitest";
import { DATABASE_URL, REDIS_URL } from "../../app/test/support/isolation";
import { ExperimentError } from "../errors";
import { answering, freePort } from "./data-services";

describe("explicit DATABASE_URL / REDIS_URL", () => {
  it("are used as given when their servers answer", async () => {
    expect(await answering("DATABASE_URL", DATABASE_URL, 5432)).toBe(DATABASE_URL);
    expect(await answering("REDIS_URL", REDIS_URL, 6379)).toBe(REDIS_URL);
  });

  it("fail fast, naming the variable, the address and the way out, when nothing answers", async () => {
    const port = await freePort();
    const url = `postgres://postgres@127.0.0.1:${port}/test`;
    await expect(answering("DATABASE_URL", url, 5432)).rejects.toThrow(ExperimentError);
    await expect(answering("DATABASE_URL", url, 5432)).rejects.toThrow(
      `DATABASE_URL points at 127.0.0.1:${port}, where nothing answers: start the server there, or unset DATABASE_URL`,
    );
  });

  it("refuse what is not a URL", async () => {
    await expect(answering("REDIS_URL", "127.0.0.1 6379", 6379)).rejects.toThrow(/REDIS_URL is not a URL/);
  });
});
