-- Poison messages: a message its receiver keeps refusing (not one whose receiver is down or busy) is parked here
-- after a bounded number of refusals, instead of being retried for ever. An operator lists and replays it through
-- the node's management port (docs/operations.md).
ALTER TABLE outbox ADD COLUMN rejections integer NOT NULL DEFAULT 0;

CREATE TABLE outbox_dead_letter (
    id           uuid        PRIMARY KEY,
    address      text        NOT NULL,
    action       text        NOT NULL,
    payload      jsonb       NOT NULL,
    request_id   text,
    created_at   timestamptz NOT NULL,
    attempts     integer     NOT NULL,
    last_error   text,
    parked_at    timestamptz NOT NULL DEFAULT now()
);
