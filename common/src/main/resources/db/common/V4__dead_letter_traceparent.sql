-- A parked message keeps the traceparent it was written with, so that a replay still joins the order's trace.
ALTER TABLE outbox_dead_letter ADD COLUMN traceparent text;
