import { categoriser } from "../categorisation";
import { invalid, notFound } from "../errors";
import type { RealtimeEvent } from "../events";
import { formatCents } from "../money";
import type { StatementImport } from "../model";
import type { FollowUps } from "../follow-ups";
import type { Database, EventPublisher, ReadCache, StatementParser } from "../ports";
import { importView } from "../read-models";
import { importTask, type ImportTask } from "../tasks";

/**
 * Accepts a CSV statement for an account: validates it now, imports it in the worker. The import
 * row and the task that will run it are committed together (the task through the outbox), so an
 * accepted import is never left without its task.
 */
export async function startImport(
  deps: { readonly db: Database; readonly followUps: FollowUps; readonly parser: StatementParser },
  userId: string,
  accountId: string,
  csv: string,
) {
  if (!(await deps.db.repos.accounts.exists(userId, accountId))) throw notFound("Account", "account_id");
  const parsed = deps.parser.parse(csv);
  if (!parsed.ok) throw invalid(parsed.message, parsed.fields);
  const { created, pending } = await deps.db.transaction(async (repos) => {
    const inserted = await repos.imports.insert(userId, accountId, csv, parsed.rows.length);
    const followUp = { userId, invalidate: false, events: [], tasks: [importTask(userId, inserted.id)] };
    return { created: inserted, pending: { id: await repos.outbox.add(followUp), followUp } };
  });
  await deps.followUps.afterCommit(pending);
  return { id: created.id, status: created.status };
}

export interface RunImportDeps {
  readonly db: Database;
  readonly cache: ReadCache;
  readonly events: EventPublisher;
  readonly parser: StatementParser;
  readonly batchSize?: number;
}

const progressEvent = (statementImport: StatementImport, processedRows: number, importedRows: number): RealtimeEvent => ({
  type: "import.progress",
  import_id: statementImport.id,
  account_id: statementImport.accountId,
  status: statementImport.status,
  total_rows: statementImport.totalRows,
  processed_rows: processedRows,
  imported_rows: importedRows,
});

/**
 * Imports a statement in batches, each its own transaction (rows, balance, progress). Rows are keyed
 * by (import, row number), so a redelivered or overlapping run inserts each row exactly once and
 * adds to the balance only what it inserted itself.
 */
export async function runImport(deps: RunImportDeps, task: ImportTask) {
  const { db, events } = deps;
  const userId = task.user_id;
  const found = await db.repos.imports.find(userId, task.import_id);
  if (!found) throw notFound("Import", "import_id");
  if (found.status === "completed" || found.status === "failed") return { outcome: "already_finished" as const, import: importView(found) };

  const csv = (await db.repos.imports.csv(userId, found.id)) ?? "";
  const parsed = deps.parser.parse(csv);
  if (!parsed.ok) {
    const failed = await db.repos.imports.fail(found.id, parsed.message);
    await events.publish(userId, progressEvent(failed, failed.processedRows, failed.importedRows));
    return { outcome: "failed" as const, import: importView(failed) };
  }

  await db.repos.imports.markRunning(found.id);
  const running: StatementImport = { ...found, status: "running" };
  const match = categoriser(await db.repos.rules.list(userId));
  const batchSize = deps.batchSize ?? 500;
  let processed = 0;
  let insertedHere = 0;
  for (let start = 0; start < parsed.rows.length; start += batchSize) {
    const batch = parsed.rows.slice(start, start + batchSize).map((row) => ({ ...row, categoryId: match(row.description)?.categoryId ?? null }));
    const balanceCents = await db.transaction(async (repos) => {
      const inserted = await repos.transactions.insertImported(userId, found.accountId, found.id, batch);
      insertedHere += inserted.insertedCount;
      const account = inserted.insertedCount > 0 ? await repos.accounts.addToBalance(userId, found.accountId, inserted.amountCents) : undefined;
      await repos.imports.recordProgress(found.id, start + batch.length);
      return account?.balanceCents;
    });
    processed = start + batch.length;
    const batchEvents: RealtimeEvent[] = [progressEvent(running, processed, insertedHere)];
    if (balanceCents !== undefined) batchEvents.push({ type: "account.balance_changed", account_id: found.accountId, balance: formatCents(balanceCents) });
    await Promise.all(batchEvents.map((event) => events.publish(userId, event)));
  }

  const completed = await db.repos.imports.complete(found.id, await db.repos.transactions.countImported(found.id));
  await deps.cache.invalidate(userId);
  await events.publish(userId, progressEvent(completed, completed.processedRows, completed.importedRows));
  return { outcome: "completed" as const, import: importView(completed) };
}
