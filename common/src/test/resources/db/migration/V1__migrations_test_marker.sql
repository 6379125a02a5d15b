-- a service's own scripts, for the tests of common: MigrationsTest finds this one in a folder of the class path
CREATE TABLE migrations_test_marker (id int PRIMARY KEY);
