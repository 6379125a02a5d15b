-- One payment per order, whatever the number of charge deliveries: order_id is unique.
CREATE TABLE payment (
    id           uuid        PRIMARY KEY,
    order_id     uuid        NOT NULL UNIQUE,
    user_id      text        NOT NULL,
    amount       bigint      NOT NULL CHECK (amount > 0),
    currency     char(3)     NOT NULL,
    method       text        NOT NULL,
    status       text        NOT NULL CHECK (status IN ('SUCCEEDED', 'DECLINED', 'REFUNDED')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    refunded_at  timestamptz
);

CREATE INDEX payment_by_user ON payment (user_id, status);
