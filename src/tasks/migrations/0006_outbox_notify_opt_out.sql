-- A NOTIFY is queued at commit under a lock that every notifying commit in
-- the database takes in turn, so one per created task serialises the
-- creates. The tasks service's own sessions set workstream.wakes_relay: they
-- wake the relay in their process, which publishes if it leads and otherwise
-- sends the leader one NOTIFY for many commits. Every other writer (an
-- operator's INSERT, a tasks process of an earlier version during a rolling
-- upgrade) still notifies here.
CREATE OR REPLACE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('workstream.wakes_relay', true) IS DISTINCT FROM 'on' THEN
    PERFORM pg_notify('wso_' || md5(TG_TABLE_SCHEMA), '');
  END IF;
  RETURN NULL;
END $$;
