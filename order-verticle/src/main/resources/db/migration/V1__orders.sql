-- Orders of every user. Payment columns are filled from the payment service's results.
CREATE TABLE orders (
    id                  uuid        PRIMARY KEY,
    user_id             text        NOT NULL,
    status              text        NOT NULL CHECK (status IN ('PENDING', 'CONFIRMED', 'CANCELLED')),
    items               jsonb       NOT NULL,
    total               bigint      NOT NULL CHECK (total > 0),
    currency            char(3)     NOT NULL,
    payment_method      text        NOT NULL,
    cancellation_reason text        CHECK (cancellation_reason IN ('payment_declined', 'cancelled_by_user')),
    payment_id          uuid,
    payment_status      text        CHECK (payment_status IN ('SUCCEEDED', 'DECLINED', 'REFUNDED')),
    payment_amount      bigint,
    created_at          timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at          timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- newest first per user, with the id as tie-breaker: the keyset of GET /orders pages
CREATE INDEX orders_by_user ON orders (user_id, created_at DESC, id DESC);

-- Idempotency-Key records of POST /orders: the first response, kept at least 24 h, per user and key.
CREATE TABLE idempotency_key (
    user_id       text        NOT NULL,
    key           text        NOT NULL,
    request_hash  text        NOT NULL,
    response      jsonb       NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    PRIMARY KEY (user_id, key)
);

CREATE INDEX idempotency_key_expiry ON idempotency_key (expires_at);
