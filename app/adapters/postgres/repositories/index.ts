import type { Repositories } from "../../../domain/ports";
import { accountRepository } from "./accounts";
import { budgetRepository } from "./budgets";
import { categoryRepository, ruleRepository } from "./categories";
import { importRepository } from "./imports";
import { notificationRepository } from "./notifications";
import { outboxRepository } from "./outbox";
import type { Queryable } from "./rows";
import { transactionRepository } from "./transactions";
import { userRepository } from "./users";

/** All repositories over one pool (autocommit) or one client (inside a transaction). */
export function postgresRepositories(db: Queryable): Repositories {
  return {
    users: userRepository(db),
    accounts: accountRepository(db),
    categories: categoryRepository(db),
    rules: ruleRepository(db),
    transactions: transactionRepository(db),
    budgets: budgetRepository(db),
    imports: importRepository(db),
    notifications: notificationRepository(db),
    outbox: outboxRepository(db),
  };
}
