/**
 * Failures the use cases report on purpose. Each carries a stable machine-readable code; the HTTP
 * adapters map the kind to a 4xx status. Anything else is a bug or an outage (5xx).
 */
export type DomainErrorKind = "invalid" | "unauthenticated" | "not_found" | "conflict" | "unprocessable";

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    readonly code: string,
    message: string,
    /** Field name -> what is wrong with it. */
    readonly fields?: Readonly<Record<string, string>>,
  ) {
    super(message);
    this.name = "DomainError";
  }
}

export const invalid = (message: string, fields?: Record<string, string>) =>
  new DomainError("invalid", "validation_failed", message, fields);

/** Foreign ids are reported exactly like missing ones, so tenants cannot probe each other's data. */
export const notFound = (what: string, field?: string) =>
  new DomainError("not_found", "not_found", `${what} not found`, field ? { [field]: `no such ${what.toLowerCase()}` } : undefined);

export const unauthenticated = (message = "a valid bearer token is required") =>
  new DomainError("unauthenticated", "unauthenticated", message);
