/**
 * The valorize dashboard: sign up or log in, then accounts with balances, the latest
 * transactions, imports, notifications and this month's spending per category, kept current by
 * the realtime WebSocket. The state is loaded from the API and then changed only by events; each
 * time the WebSocket is (re)established the page reloads the state from the API, buffering the
 * events that arrive meanwhile and applying them afterwards, so nothing missed while offline is
 * lost and nothing applied twice goes wrong (every event is idempotent on the state).
 */
import type { RealtimeEvent } from "../../domain/events";
import { Api, ApiError, type Account, type Import, type Notification, type Spending, type Transaction } from "./api";
import { renderSpendingChart } from "./chart";
import { backoffDelay, LiveConnection, resolveRealtimeUrl, type LiveState } from "./live";

/** Rows in the transactions table (the API's first page). */
const LATEST = 20;
const SESSION_KEY = "valorize.session";
/** Several spending-changing events in a burst (an import) cause one reload of the chart. */
const SPENDING_RELOAD_DELAY_MS = 150;

interface Session {
  readonly token: string;
  readonly name: string;
  readonly email: string;
}

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

const state = {
  accounts: new Map<string, Account>(),
  categories: new Map<string, string>(),
  transactions: [] as Transaction[],
  spending: undefined as Spending | undefined,
  imports: new Map<string, Import>(),
  notifications: [] as Notification[],
};
let session: Session | undefined;
let api = new Api();
let live: LiveConnection | undefined;
/** Events received while a catch-up is loading; applied once it is in. */
let buffered: RealtimeEvent[] | undefined;
let catchUpAgain = false;
let spendingTimer: ReturnType<typeof setTimeout> | undefined;

// ------------------------------------------------------------------ formatting

const thisMonth = () => new Date().toISOString().slice(0, 7);
const amountFormat = new Map<string, Intl.NumberFormat>();
function money(amount: string | number, currency = "EUR"): string {
  let format = amountFormat.get(currency);
  if (!format) {
    try {
      format = new Intl.NumberFormat(undefined, { style: "currency", currency });
    } catch {
      format = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    }
    amountFormat.set(currency, format);
  }
  return format.format(Number(amount));
}
const plain = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const currencyOf = (accountId: string) => state.accounts.get(accountId)?.currency ?? "EUR";

function element<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string> = {}, ...children: Array<Node | string>) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  node.append(...children);
  return node;
}

function describeError(error: unknown): string {
  if (!(error instanceof ApiError)) return String(error);
  const fields = Object.entries(error.fields).map(([field, problem]) => `${field}: ${problem}`);
  return fields.length > 0 ? `${error.message} (${fields.join("; ")})` : error.message;
}

// ------------------------------------------------------------------ rendering

function renderAccounts(): void {
  const accounts = [...state.accounts.values()];
  $("accounts").replaceChildren(
    ...(accounts.length === 0
      ? [element("li", { class: "muted" }, "No account yet: open one below.")]
      : accounts.map((account) =>
          element("li", { "data-id": account.id }, element("span", {}, account.name), element("span", { class: "num balance" }, money(account.balance, account.currency))),
        )),
  );
  for (const select of document.querySelectorAll<HTMLSelectElement>("select[name=account_id]")) {
    const chosen = select.value;
    select.replaceChildren(...accounts.map((account) => element("option", { value: account.id }, `${account.name} (${account.currency})`)));
    if (state.accounts.has(chosen)) select.value = chosen;
  }
}

function renderCategories(): void {
  const select = document.querySelector<HTMLSelectElement>("#budget-form select[name=category_id]")!;
  const chosen = select.value;
  select.replaceChildren(...[...state.categories].map(([id, name]) => element("option", { value: id }, name)));
  if (state.categories.has(chosen)) select.value = chosen;
}

function renderTransactions(): void {
  $("transactions").replaceChildren(
    ...(state.transactions.length === 0
      ? [element("tr", {}, element("td", { colspan: "4", class: "muted" }, "No transactions yet."))]
      : state.transactions.map((transaction) => {
          const category = transaction.category_id ? (state.categories.get(transaction.category_id) ?? "…") : "uncategorised";
          return element(
            "tr",
            { "data-id": transaction.id },
            element("td", {}, transaction.occurred_at.slice(0, 10)),
            element("td", { class: "description" }, transaction.description),
            element("td", { class: `category${transaction.category_id ? "" : " muted"}` }, category),
            element("td", { class: `num${Number(transaction.amount) < 0 ? "" : " income"}` }, money(transaction.amount, currencyOf(transaction.account_id))),
          );
        })),
  );
}

function renderSpending(): void {
  const spending = state.spending;
  $("spending-month").textContent = spending ? `(${spending.month}, UTC)` : "";
  const bars = (spending?.data ?? [])
    .map((row) => ({
      label: row.category_id ? (state.categories.get(row.category_id) ?? "…") : "Uncategorised",
      spent: Number(row.spent),
      limit: row.monthly_limit === null ? null : Number(row.monthly_limit),
    }))
    .filter((bar) => bar.spent > 0 || bar.limit !== null);
  renderSpendingChart($("spending-chart"), bars, (amount) => plain.format(amount));
}

function renderImports(): void {
  const imports = [...state.imports.values()];
  $("imports").replaceChildren(
    ...(imports.length === 0
      ? [element("li", { class: "muted" }, "No imports yet.")]
      : imports.map((item) => {
          const bar = element("progress", { max: String(Math.max(1, item.total_rows)), value: String(item.processed_rows) });
          const account = state.accounts.get(item.account_id)?.name ?? "account";
          const text = `${account}: ${item.status}, ${item.processed_rows}/${item.total_rows} rows${item.status === "completed" ? `, ${item.imported_rows} imported` : ""}${item.error ? ` (${item.error})` : ""}`;
          return element("li", { "data-id": item.id, "data-status": item.status }, element("span", {}, text), bar);
        })),
  );
}

function notificationText(notification: Notification): string {
  const data = notification.data as Record<string, string | undefined>;
  if (notification.kind === "budget.exceeded") {
    const category = (data.category_id && state.categories.get(data.category_id)) ?? "a category";
    return `Budget exceeded: ${category} in ${data.month ?? "this month"}, spent ${data.spent ?? "?"} of ${data.limit ?? "?"}`;
  }
  return `${notification.kind}: ${JSON.stringify(notification.data)}`;
}

function renderNotifications(): void {
  $("notifications").replaceChildren(
    ...(state.notifications.length === 0
      ? [element("li", { class: "muted" }, "Nothing to report.")]
      : state.notifications.map((notification) =>
          element("li", { "data-kind": notification.kind, class: notification.kind === "budget.exceeded" ? "warn" : "" }, notificationText(notification)),
        )),
  );
}

function renderAll(): void {
  renderAccounts();
  renderCategories();
  renderTransactions();
  renderSpending();
  renderImports();
  renderNotifications();
}

function showLive(liveState: LiveState): void {
  const badge = $("live");
  badge.dataset.state = liveState;
  badge.textContent = liveState === "live" ? "live" : liveState === "offline" ? "offline" : `${liveState}…`;
}

// ------------------------------------------------------------------ state changes

const newestFirst = (a: Transaction, b: Transaction) => (a.occurred_at === b.occurred_at ? (a.id < b.id ? 1 : -1) : a.occurred_at < b.occurred_at ? 1 : -1);

function upsertTransaction(transaction: Transaction): void {
  const others = state.transactions.filter((known) => known.id !== transaction.id);
  state.transactions = [...others, transaction].sort(newestFirst).slice(0, LATEST);
}

/** A budget breach is announced twice: at once as an event, then as the stored notification. */
const notificationKey = (notification: Pick<Notification, "id" | "kind" | "data">) =>
  notification.kind === "budget.exceeded" ? `budget:${String(notification.data.budget_id)}:${String(notification.data.month)}` : notification.id;

function addNotification(notification: Notification): void {
  const key = notificationKey(notification);
  state.notifications = [notification, ...state.notifications.filter((known) => notificationKey(known) !== key)].slice(0, 20);
}

function reloadSpendingSoon(): void {
  clearTimeout(spendingTimer);
  spendingTimer = setTimeout(() => void reloadSpending(), SPENDING_RELOAD_DELAY_MS);
}

async function reloadSpending(): Promise<void> {
  try {
    state.spending = await api.spending(thisMonth());
    renderSpending();
  } catch (error) {
    failed(error);
  }
}

function apply(event: RealtimeEvent): void {
  switch (event.type) {
    case "transaction.created":
      upsertTransaction(event.transaction);
      renderTransactions();
      if (Number(event.transaction.amount) < 0) reloadSpendingSoon();
      break;
    case "transaction.categorised": {
      state.categories.set(event.category_id, event.category_name);
      const known = state.transactions.find((transaction) => transaction.id === event.transaction_id);
      if (known) upsertTransaction({ ...known, category_id: event.category_id });
      renderTransactions();
      reloadSpendingSoon();
      break;
    }
    case "account.balance_changed": {
      const account = state.accounts.get(event.account_id);
      // An account opened elsewhere: load the whole state again.
      if (!account) return void catchUp();
      state.accounts.set(account.id, { ...account, balance: event.balance });
      renderAccounts();
      break;
    }
    case "import.progress": {
      const { type: _type, import_id: id, ...progress } = event;
      state.imports = new Map([[id, { id, ...progress }], ...[...state.imports].filter(([known]) => known !== id)]);
      renderImports();
      if (event.status === "completed") void catchUp();
      break;
    }
    case "budget.exceeded": {
      const { type: _type, ...data } = event;
      addNotification({ id: `pending:${event.budget_id}`, kind: "budget.exceeded", data, created_at: new Date().toISOString() });
      renderNotifications();
      break;
    }
    case "notification":
      addNotification({ id: event.notification_id, kind: event.kind, data: event.data, created_at: new Date().toISOString() });
      renderNotifications();
      break;
  }
}

function received(event: RealtimeEvent): void {
  if (buffered) buffered.push(event);
  else apply(event);
}

/** The whole state from the API; events arriving meanwhile are applied on top afterwards. */
async function catchUp(): Promise<void> {
  if (buffered) {
    catchUpAgain = true;
    return;
  }
  buffered = [];
  try {
    const [accounts, categories, transactions, spending, imports, notifications] = await Promise.all([
      api.accounts(),
      api.categories(),
      api.transactions(LATEST),
      api.spending(thisMonth()),
      api.imports(),
      api.notifications(),
    ]);
    state.accounts = new Map(accounts.data.map((account) => [account.id, account]));
    state.categories = new Map(categories.data.map((category) => [category.id, category.name]));
    state.transactions = transactions.data;
    state.spending = spending;
    state.imports = new Map(imports.data.map((item) => [item.id, item]));
    state.notifications = notifications.data;
    renderAll();
    $("dashboard-error").textContent = "";
  } catch (error) {
    failed(error);
  } finally {
    const missed = buffered ?? [];
    buffered = undefined;
    for (const event of missed) apply(event);
  }
  if (catchUpAgain) {
    catchUpAgain = false;
    await catchUp();
  }
}

function failed(error: unknown): void {
  if (error instanceof ApiError && error.status === 401) return signOut("Your session has expired: log in again.");
  $("dashboard-error").textContent = describeError(error);
}

// ------------------------------------------------------------------ session

function loadSession(): Session | undefined {
  try {
    const stored = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? "null") as Session | null;
    return stored?.token ? stored : undefined;
  } catch {
    return undefined;
  }
}

async function signIn(next: Session): Promise<void> {
  session = next;
  // Per tab, gone when it closes; never in a URL or a cookie.
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(next));
  api = new Api(next.token);
  $("auth").hidden = true;
  $("dashboard").hidden = false;
  $("sign-out").hidden = false;
  $("who").textContent = `${next.name} <${next.email}>`;
  $<HTMLFormElement>("transaction-form").querySelector<HTMLInputElement>("input[name=occurred_at]")!.value = new Date().toISOString().slice(0, 10);
  const loaded = catchUp();
  let realtimeUrl: string | undefined;
  for (let attempt = 0; realtimeUrl === undefined; attempt++) {
    try {
      realtimeUrl = resolveRealtimeUrl((await api.clientConfig()).realtime_url, window.location);
    } catch (error) {
      failed(error);
      if (session !== next) return;
      await new Promise((resolve) => setTimeout(resolve, backoffDelay(attempt)));
    }
  }
  await loaded;
  if (session !== next) return;
  live = new LiveConnection(realtimeUrl, next.token, {
    onReady: () => void catchUp(),
    onEvent: received,
    onState: showLive,
    onRepeatedFailure: () => void api.accounts().catch(failed),
  });
  live.start();
}

function signOut(message = ""): void {
  live?.stop();
  live = undefined;
  session = undefined;
  sessionStorage.removeItem(SESSION_KEY);
  api = new Api();
  $("dashboard").hidden = true;
  $("sign-out").hidden = true;
  $("who").textContent = "";
  $("auth").hidden = false;
  $("auth-error").textContent = message;
  showLive("offline");
}

function showAuthForm(which: "sign-up" | "log-in"): void {
  $("sign-up-form").hidden = which !== "sign-up";
  $("log-in-form").hidden = which !== "log-in";
  $("auth-title").textContent = which === "sign-up" ? "Sign up" : "Log in";
  $("auth-error").textContent = "";
}

// ------------------------------------------------------------------ forms

function onSubmit(id: string, handler: (form: HTMLFormElement, data: Record<string, string>) => Promise<void>, errorId = "dashboard-error"): void {
  const form = $<HTMLFormElement>(id);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = Object.fromEntries([...new FormData(form)].filter(([, value]) => typeof value === "string")) as Record<string, string>;
    const button = form.querySelector<HTMLButtonElement>("button[type=submit]")!;
    button.disabled = true;
    handler(form, data)
      .then(() => void ($(errorId).textContent = ""))
      .catch((error: unknown) => {
        if (errorId === "dashboard-error") failed(error);
        else $(errorId).textContent = describeError(error);
      })
      .finally(() => void (button.disabled = false));
  });
}

function wireForms(): void {
  for (const button of document.querySelectorAll<HTMLButtonElement>("[data-switch]")) {
    button.addEventListener("click", () => showAuthForm(button.dataset.switch as "sign-up" | "log-in"));
  }
  onSubmit(
    "sign-up-form",
    async (_form, data) => {
      const registered = await api.register({ name: data.name ?? "", email: data.email ?? "", password: data.password ?? "" });
      await signIn({ token: registered.token, name: registered.user.name, email: registered.user.email });
    },
    "auth-error",
  );
  onSubmit(
    "log-in-form",
    async (_form, data) => {
      const { token } = await api.login({ email: data.email ?? "", password: data.password ?? "" });
      await signIn({ token, name: data.email ?? "", email: data.email ?? "" });
    },
    "auth-error",
  );
  onSubmit("account-form", async (form, data) => {
    const account = await api.openAccount({ name: data.name ?? "", currency: (data.currency ?? "").toUpperCase() });
    state.accounts.set(account.id, account);
    renderAccounts();
    form.reset();
  });
  onSubmit("transaction-form", async (form, data) => {
    const created = await api.createTransaction(
      { account_id: data.account_id ?? "", amount: data.amount ?? "", description: data.description ?? "", occurred_at: data.occurred_at ?? "" },
      crypto.randomUUID(),
    );
    // The event will say the same; showing it now keeps the page right without realtime too.
    upsertTransaction(created);
    renderTransactions();
    form.querySelector<HTMLInputElement>("input[name=description]")!.value = "";
    form.querySelector<HTMLInputElement>("input[name=amount]")!.value = "";
  });
  onSubmit("import-form", async (form, data) => {
    const file = form.querySelector<HTMLInputElement>("input[name=file]")!.files?.[0];
    if (!file) return;
    const accountId = data.account_id ?? "";
    const started = await api.startImport(accountId, await file.text());
    if (!state.imports.has(started.id)) {
      const pending = { id: started.id, account_id: accountId, status: started.status, total_rows: 0, processed_rows: 0, imported_rows: 0 };
      state.imports = new Map([[started.id, pending], ...state.imports]);
    }
    renderImports();
    form.reset();
  });
  onSubmit("budget-form", async (form, data) => {
    await api.setBudget({ category_id: data.category_id ?? "", monthly_limit: data.monthly_limit ?? "" });
    await reloadSpending();
    form.querySelector<HTMLInputElement>("input[name=monthly_limit]")!.value = "";
  });
  $("sign-out").addEventListener("click", () => signOut());
}

wireForms();
const stored = loadSession();
if (stored) void signIn(stored);
else signOut();
