-- Issue 18: what a turn thought, what caching saved, and how to find it again at the upstream. The same SQL for H2
-- and PostgreSQL. Rows stored before this migration keep the defaults: thinking_tokens 0, everything else null
-- (saved_usd null there means "not recorded", as for an unpriced model).
ALTER TABLE usage_ledger ADD COLUMN thinking_tokens BIGINT NOT NULL DEFAULT 0;
ALTER TABLE usage_ledger ADD COLUMN saved_usd NUMERIC(24, 12);
-- Every model that served a round, each once, in the order they first served, comma-separated (model ids hold no
-- comma): reads as it is in a query's output, and "turns a fallback served" is served_models <> model.
ALTER TABLE usage_ledger ADD COLUMN served_models VARCHAR(1000);
ALTER TABLE usage_ledger ADD COLUMN stop_reason VARCHAR(100);
-- The upstream's stop_details object as JSON text (PostgreSQL reads it with stop_details::jsonb).
ALTER TABLE usage_ledger ADD COLUMN stop_details VARCHAR(16384);
ALTER TABLE usage_ledger ADD COLUMN service_tier VARCHAR(100);

-- One row per round of a turn that got an answer, numbered from 1 in the turn's order: reconciliation looks a turn
-- up by the upstream's ids (an indexed equality on both stores, where a list in a column would need a LIKE scan or
-- each store's own array type), and an id the upstream did not send is a plain NULL, not a position to encode.
CREATE TABLE usage_ledger_round (
    turn_id VARCHAR(36) NOT NULL REFERENCES usage_ledger (turn_id) ON DELETE CASCADE,
    round INTEGER NOT NULL,
    upstream_request_id VARCHAR(200),
    message_id VARCHAR(200),
    -- the model(s) that served the round, comma-separated, in order (several when the upstream fell back)
    served_by VARCHAR(1000),
    PRIMARY KEY (turn_id, round)
);

CREATE INDEX usage_ledger_round_message_id ON usage_ledger_round (message_id);
CREATE INDEX usage_ledger_round_upstream_request_id ON usage_ledger_round (upstream_request_id);
