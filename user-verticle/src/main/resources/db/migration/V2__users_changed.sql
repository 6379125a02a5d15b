-- a user node keeps the users it has read; a row changed or deleted outside Souk tells every node to drop it
CREATE FUNCTION souk_users_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    PERFORM pg_notify('souk_users_changed', '*');
  ELSE
    PERFORM pg_notify('souk_users_changed', OLD.id::text);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER users_changed AFTER UPDATE OR DELETE ON users
  FOR EACH ROW EXECUTE FUNCTION souk_users_changed();
CREATE TRIGGER users_truncated AFTER TRUNCATE ON users
  FOR EACH STATEMENT EXECUTE FUNCTION souk_users_changed();
