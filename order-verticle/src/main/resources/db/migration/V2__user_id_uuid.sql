-- User ids are the users table's uuids (the gateway passes the token's subject): store them as such, like every other
-- id. Both tables are rewritten and their indexes (orders_by_user, the (user_id, key) primary key) rebuilt; a row
-- whose user_id is not a uuid stops the migration rather than being changed or dropped.
ALTER TABLE orders ALTER COLUMN user_id TYPE uuid USING user_id::uuid;
ALTER TABLE idempotency_key ALTER COLUMN user_id TYPE uuid USING user_id::uuid;
