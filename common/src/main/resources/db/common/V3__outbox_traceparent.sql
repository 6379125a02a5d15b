-- The W3C traceparent of the span that wrote a message, when the request was traced: the relay delivers the message
-- as a child of that span, so a saga step taken later still belongs to the trace of the order that caused it.
ALTER TABLE outbox ADD COLUMN traceparent text;
