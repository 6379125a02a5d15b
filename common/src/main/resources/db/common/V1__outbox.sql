-- The transactional outbox: a message is written in the same transaction as the state change that causes it, and a
-- relay delivers it afterwards, at least once, until the receiver acknowledges.
CREATE TABLE outbox (
    id            uuid        PRIMARY KEY,
    address       text        NOT NULL,
    action        text        NOT NULL,
    payload       jsonb       NOT NULL,
    request_id    text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    attempts      integer     NOT NULL DEFAULT 0,
    next_attempt  timestamptz NOT NULL DEFAULT now(),
    last_error    text,
    delivered_at  timestamptz
);

CREATE INDEX outbox_pending ON outbox (next_attempt) WHERE delivered_at IS NULL;

-- Idempotent consumers: a message id is recorded in the same transaction as its effect, so a second delivery of
-- the same message finds it and does nothing.
CREATE TABLE processed_message (
    message_id    uuid        PRIMARY KEY,
    processed_at  timestamptz NOT NULL DEFAULT now()
);
