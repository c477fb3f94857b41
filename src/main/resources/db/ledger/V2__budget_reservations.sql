-- Budgets. A caller's running turns each hold a reservation (their worst-case cost); storing a turn's ledger row
-- deletes its reservation in the same transaction, so spend = ledger rows + reservations, never counted twice or lost.
-- budget_caller has one row per budgeted caller: reservations lock it, so two replicas decide one after the other.
CREATE TABLE budget_caller (
    caller VARCHAR(200) NOT NULL PRIMARY KEY
);

CREATE TABLE budget_reservation (
    turn_id VARCHAR(36) NOT NULL PRIMARY KEY,
    caller VARCHAR(200) NOT NULL,
    amount_usd NUMERIC(24, 12) NOT NULL,
    -- A turn whose process died never stores its row; its reservation lapses after the turn's deadline and a margin.
    expires_at TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE INDEX budget_reservation_caller ON budget_reservation (caller);
CREATE INDEX usage_ledger_caller_occurred_at ON usage_ledger (caller, occurred_at);
