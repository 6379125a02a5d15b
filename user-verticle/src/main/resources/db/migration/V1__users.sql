CREATE TABLE users (
    id             uuid        PRIMARY KEY,
    name           text        NOT NULL,
    email          text        NOT NULL,
    password_hash  text        NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);

-- emails are unique whatever their case; the address itself is stored as given
CREATE UNIQUE INDEX users_email_lower ON users (lower(email));
