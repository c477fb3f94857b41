-- One row per turn that reached the upstream, whatever its outcome. The same SQL for H2 and PostgreSQL.
CREATE TABLE usage_ledger (
    turn_id VARCHAR(36) NOT NULL PRIMARY KEY,
    request_id VARCHAR(100) NOT NULL,
    occurred_at TIMESTAMP WITH TIME ZONE NOT NULL,
    caller VARCHAR(200) NOT NULL,
    assistant VARCHAR(200) NOT NULL,
    conversation_id VARCHAR(200),
    model VARCHAR(200) NOT NULL,
    outcome VARCHAR(32) NOT NULL,
    rounds INTEGER NOT NULL,
    input_tokens BIGINT NOT NULL,
    output_tokens BIGINT NOT NULL,
    output_tokens_final BOOLEAN NOT NULL,
    cache_read_input_tokens BIGINT NOT NULL,
    cache_write_5m_input_tokens BIGINT NOT NULL,
    cache_write_1h_input_tokens BIGINT NOT NULL,
    cost_usd NUMERIC(24, 12),
    time_to_first_token_ms BIGINT,
    duration_ms BIGINT NOT NULL
);

CREATE INDEX usage_ledger_occurred_at ON usage_ledger (occurred_at);
CREATE INDEX usage_ledger_request_id ON usage_ledger (request_id);
