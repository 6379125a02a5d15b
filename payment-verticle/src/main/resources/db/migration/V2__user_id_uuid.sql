-- User ids are the users table's uuids (the order service copies the order's): store them as such, like every other
-- id. The table is rewritten and payment_by_user rebuilt; a row whose user_id is not a uuid stops the migration
-- rather than being changed or dropped.
ALTER TABLE payment ALTER COLUMN user_id TYPE uuid USING user_id::uuid;
