/**
 * The services a role cannot answer without (PostgreSQL, Redis). While one is down a request gets
 * a 503 at once, with `Retry-After` and a JSON body naming the dependency, instead of waiting out
 * the driver's reconnect attempts and failing with a 500: clients and Cloud Tasks retry a 503
 * later (Cloud Tasks backs off harder on 503), and nothing was half done. A request that was
 * already running when the dependency went away gets the same answer.
 */
import type { FastifyInstance, FastifyReply } from "fastify";

export interface Dependency {
  /** Named in the answer: "postgresql", "redis". */
  readonly name: string;
  /** False while the dependency is known to be unreachable; requests are then refused up front. */
  readonly reachable?: () => boolean;
  /** Whether a request failed because this dependency could not be reached. */
  readonly failedBecauseOf: (error: unknown) => boolean;
}

/** How long a client should wait: about one reconnect cycle of the drivers. */
export const RETRY_AFTER_SECONDS = 2;

/** The dependency that is down, judging by the error (if any) and by what is known to be down. */
export function unavailableDependency(dependencies: readonly Dependency[], error?: unknown): Dependency | undefined {
  return (
    (error === undefined ? undefined : dependencies.find((dependency) => dependency.failedBecauseOf(error))) ??
    dependencies.find((dependency) => dependency.reachable?.() === false)
  );
}

/** The app's error shape (errors.ts), with the dependency named in its own field too. */
export function dependencyUnavailableBody(dependency: Dependency) {
  return {
    error: { code: "dependency_unavailable", message: `${dependency.name} is unavailable; retry in ${RETRY_AFTER_SECONDS} s`, dependency: dependency.name },
  } as const;
}

export function sendDependencyUnavailable(reply: FastifyReply, dependency: Dependency) {
  return reply.status(503).header("retry-after", String(RETRY_AFTER_SECONDS)).send(dependencyUnavailableBody(dependency));
}

/** Refuses every request but the health probes while a dependency is known to be down. */
export function refuseWhileUnavailable(app: FastifyInstance, dependencies: readonly Dependency[], exempt: readonly string[]): void {
  if (!dependencies.some((dependency) => dependency.reachable)) return;
  app.addHook("onRequest", async (request, reply) => {
    if (exempt.includes(request.routeOptions.url ?? "")) return;
    const down = dependencies.find((dependency) => dependency.reachable?.() === false);
    if (down) return sendDependencyUnavailable(reply, down);
  });
}
