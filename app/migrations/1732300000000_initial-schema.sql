-- Up Migration
-- Every row belongs to a user (the tenant). Child tables reference their parent by (id, user_id),
-- so the database itself refuses rows that mix tenants.

CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email text NOT NULL UNIQUE,
  name text NOT NULL,
  password_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_tokens (
  token_hash bytea PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);

CREATE TABLE accounts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name text NOT NULL,
  currency char(3) NOT NULL,
  balance_cents bigint NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (id, user_id)
);
CREATE INDEX accounts_user_idx ON accounts (user_id, created_at);

CREATE TABLE categories (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (user_id, name),
  UNIQUE (id, user_id)
);

CREATE TABLE categorisation_rules (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id uuid NOT NULL,
  category_id uuid NOT NULL,
  pattern text NOT NULL,
  priority integer NOT NULL DEFAULT 100,
  FOREIGN KEY (category_id, user_id) REFERENCES categories (id, user_id) ON DELETE CASCADE,
  UNIQUE (user_id, pattern)
);

CREATE TABLE budgets (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL,
  category_id uuid NOT NULL,
  monthly_limit_cents bigint NOT NULL CHECK (monthly_limit_cents > 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (category_id, user_id) REFERENCES categories (id, user_id) ON DELETE CASCADE,
  UNIQUE (user_id, category_id)
);

CREATE TABLE imports (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL,
  account_id uuid NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'completed', 'failed')),
  csv text NOT NULL,
  total_rows integer NOT NULL DEFAULT 0,
  processed_rows integer NOT NULL DEFAULT 0,
  imported_rows integer NOT NULL DEFAULT 0,
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (account_id, user_id) REFERENCES accounts (id, user_id) ON DELETE CASCADE,
  UNIQUE (id, user_id)
);
CREATE INDEX imports_user_idx ON imports (user_id, created_at);

CREATE TABLE transactions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL,
  account_id uuid NOT NULL,
  amount_cents bigint NOT NULL,
  description text NOT NULL,
  occurred_at timestamptz NOT NULL,
  category_id uuid,
  import_id uuid,
  import_row integer,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- Named: the app reports a violation as "account/category not found" for this tenant.
  CONSTRAINT transactions_account_fk FOREIGN KEY (account_id, user_id) REFERENCES accounts (id, user_id) ON DELETE CASCADE,
  CONSTRAINT transactions_category_fk FOREIGN KEY (category_id, user_id) REFERENCES categories (id, user_id),
  FOREIGN KEY (import_id, user_id) REFERENCES imports (id, user_id) ON DELETE SET NULL (import_id),
  UNIQUE (id, user_id),
  CHECK ((import_id IS NULL) = (import_row IS NULL))
);
-- The list endpoint pages newest first per account, per tenant, or per tenant and category.
CREATE INDEX transactions_account_time_idx ON transactions (account_id, occurred_at DESC, id DESC);
CREATE INDEX transactions_user_time_idx ON transactions (user_id, occurred_at DESC, id DESC);
CREATE INDEX transactions_user_category_time_idx ON transactions (user_id, category_id, occurred_at DESC);
-- The natural key of imported rows: a redelivered import task cannot insert a row twice.
CREATE UNIQUE INDEX transactions_import_row_idx ON transactions (import_id, import_row) WHERE import_id IS NOT NULL;

CREATE TABLE transaction_splits (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL,
  transaction_id uuid NOT NULL,
  category_id uuid NOT NULL,
  amount_cents bigint NOT NULL,
  FOREIGN KEY (transaction_id, user_id) REFERENCES transactions (id, user_id) ON DELETE CASCADE,
  FOREIGN KEY (category_id, user_id) REFERENCES categories (id, user_id)
);
CREATE INDEX transaction_splits_transaction_idx ON transaction_splits (transaction_id);

CREATE TABLE idempotency_keys (
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  key text NOT NULL,
  request_hash bytea NOT NULL,
  response jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

CREATE TABLE notifications (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  dedupe_key text NOT NULL,
  kind text NOT NULL,
  data jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (user_id, dedupe_key)
);

-- Down Migration
DROP TABLE notifications;
DROP TABLE idempotency_keys;
DROP TABLE transaction_splits;
DROP TABLE transactions;
DROP TABLE imports;
DROP TABLE budgets;
DROP TABLE categorisation_rules;
DROP TABLE categories;
DROP TABLE accounts;
DROP TABLE api_tokens;
DROP TABLE users;
