-- Channel names are at most 63 bytes; a long schema name made pg_notify fail
-- and with it every outbox insert. The channel is now a fixed-length digest
-- of the schema's name.
CREATE OR REPLACE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('wso_' || md5(TG_TABLE_SCHEMA), '');
  RETURN NULL;
END $$;
